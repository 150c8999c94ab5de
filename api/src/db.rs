//! Opening the database and starting write transactions. SQLite runs in WAL mode with a busy
//! timeout and foreign keys on, and its write transactions take the lock at once (`BEGIN
//! IMMEDIATE`) so that concurrent writers wait instead of failing half-way.
//!
//! The serving pool also stops a statement whose request ran out of time ([`within`]): SQLite
//! interrupts it at the request's deadline, PostgreSQL cancels any statement that runs longer
//! than a request may (`statement_timeout`). The pools of migrations and the demo loader have
//! no such bound.

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

/// SQLite virtual-machine steps between two looks at the deadline (a few microseconds' work).
const SQLITE_STEPS_PER_CHECK: i32 = 1000;

tokio::task_local! {
    /// When the request being served runs out of time.
    static DEADLINE: std::time::Instant;
}

/// Runs `work` (a request) with its statements bound to `deadline`: on SQLite, any statement
/// of it still running then is interrupted. DataLoaders carry the deadline into their tasks
/// ([`spawn`]).
pub async fn within<F: std::future::Future>(deadline: std::time::Instant, work: F) -> F::Output {
    DEADLINE.scope(deadline, work).await
}

/// Spawns a task (a DataLoader's batch) under the deadline of the request that spawns it.
pub fn spawn<F>(work: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    match DEADLINE.try_with(|d| *d) {
        Ok(deadline) => tokio::spawn(within(deadline, work)),
        Err(_) => tokio::spawn(work),
    }
}

/// Installs the progress handler that interrupts a SQLite statement at the deadline of the
/// request about to use this connection (or, outside any request, `limit` from now). It is
/// set each time the pool hands the connection out, so it never outlives its request.
async fn bound_sqlite(
    conn: &mut sea_orm::sqlx::SqliteConnection,
    limit: Duration,
) -> Result<(), sea_orm::sqlx::Error> {
    let deadline = DEADLINE
        .try_with(|d| *d)
        .unwrap_or_else(|_| std::time::Instant::now() + limit);
    conn.lock_handle()
        .await?
        .set_progress_handler(SQLITE_STEPS_PER_CHECK, move || {
            std::time::Instant::now() < deadline
        });
    Ok(())
}

/// Opens a pool on the target. With a `statement_limit` (the serving pool: the request time
/// limit), no statement runs past it: see the module's notes.
pub async fn connect(
    target: &DatabaseTarget,
    pool_size: u32,
    acquire_timeout: Duration,
    statement_limit: Option<Duration>,
) -> Result<DatabaseConnection, DbErr> {
    open(target, pool_size, acquire_timeout, statement_limit, false).await
}

/// Opens a pool on a read replica, with the serving pool's bounds, without connecting yet: a
/// replica that is down at start is skipped until it answers, never a reason not to start.
pub async fn connect_replica(
    target: &DatabaseTarget,
    pool_size: u32,
    acquire_timeout: Duration,
    statement_limit: Duration,
) -> Result<DatabaseConnection, DbErr> {
    open(
        target,
        pool_size,
        acquire_timeout,
        Some(statement_limit),
        true,
    )
    .await
}

async fn open(
    target: &DatabaseTarget,
    pool_size: u32,
    acquire_timeout: Duration,
    statement_limit: Option<Duration>,
    lazy: bool,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(target.url.clone());
    options
        .max_connections(pool_size)
        .min_connections(u32::from(!lazy))
        .connect_lazy(lazy)
        .connect_timeout(acquire_timeout)
        .acquire_timeout(acquire_timeout)
        .sqlx_logging(false)
        // A connection that was in use a moment ago goes out without a ping first: pinging on
        // every checkout doubled the round trips of every statement. One idle for a second
        // is pinged, so one that a restarted server dropped is replaced, not handed out.
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        // A transaction left idle is ended, so no write stays in flight (and holds its locks)
        // for long.
        .map_sqlx_postgres_opts(move |opts| {
            let opts = opts.options([("idle_in_transaction_session_timeout", "30s")]);
            // No statement outlives the request it serves by more than one time limit: a
            // session setting, sent once when the connection opens, so it costs no round
            // trip and can never stop another request's statement (`pg_cancel_backend` could,
            // once the pool has handed the connection on).
            match statement_limit {
                Some(limit) => opts.options([(
                    "statement_timeout",
                    format!("{}ms", limit.as_millis().max(1)),
                )]),
                None => opts,
            }
        })
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
        });
    if let Some(limit) = statement_limit {
        options
            .map_sqlx_sqlite_before_acquire(move |conn, _| {
                Box::pin(async move { bound_sqlite(conn, limit).await.map(|()| true) })
            })
            .map_sqlx_sqlite_pool_opts(move |pool| {
                pool.after_connect(move |conn, _| Box::pin(bound_sqlite(conn, limit)))
            });
    }
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
