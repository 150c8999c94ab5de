//! Opening the database and starting write transactions. SQLite runs in WAL mode with a busy
//! timeout and foreign keys on, and its write transactions take the lock at once (`BEGIN
//! IMMEDIATE`) so that concurrent writers wait instead of failing half-way.

use std::time::Duration;

use birlik_migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::DatabaseTarget;

/// How long a SQLite writer waits for the lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a pool on the target.
pub async fn connect(
    target: &DatabaseTarget,
    pool_size: u32,
    acquire_timeout: Duration,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(target.url.clone());
    options
        .max_connections(pool_size)
        .min_connections(1)
        .connect_timeout(acquire_timeout)
        .acquire_timeout(acquire_timeout)
        .sqlx_logging(false)
        // A connection that was in use a moment ago goes out without a ping first: pinging on
        // every checkout doubled the round trips of every statement. One idle for a second
        // is pinged, so one that a restarted server dropped is replaced, not handed out.
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        // A transaction left idle is ended, so no write stays in flight for long (see
        // `services::task::SYNC_MARGIN`); a runaway statement is stopped.
        .map_sqlx_postgres_opts(|opts| {
            opts.options([
                ("idle_in_transaction_session_timeout", "30s"),
                ("statement_timeout", "30s"),
            ])
        })
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// Begins a transaction that will write: `BEGIN IMMEDIATE` on SQLite, a plain `BEGIN` elsewhere.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
        }
        _ => db.begin().await,
    }
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// True when the database answers and no migration is pending.
pub async fn ready(db: &DatabaseConnection) -> Result<bool, DbErr> {
    db.ping().await?;
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}
