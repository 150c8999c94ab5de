//! Failed logins (and wrong current passwords). An attempt is recorded *before* its password is
//! checked and counted in the same transaction, one login at a time ([`lock`]), so concurrent
//! attempts see each other: of N at once past the limit, only the first up to the limit are
//! checked. A row is an attempt in flight or a failure; a success deletes its own, a refusal is
//! never committed.

use birlik_entity::login_failure;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    QueryFilter, QuerySelect, Set, Statement,
};

/// Takes the lock of one login until the transaction ends: PostgreSQL's advisory lock on the
/// login's hash. On SQLite a write transaction holds the database's one write lock already.
pub async fn lock(db: &impl ConnectionTrait, login: &str) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [format!("birlik.login:{login}").into()],
        ))
        .await?;
    }
    Ok(())
}

/// Records an attempt of `login` from `address` at `at`; its id.
pub async fn begin(
    db: &impl ConnectionTrait,
    login: &str,
    address: &str,
    at: DateTime<Utc>,
) -> Result<i32, DbErr> {
    let row = login_failure::ActiveModel {
        login: Set(login.to_owned()),
        address: Set(address.to_owned()),
        at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Attempts and failures within a window, by what they are counted against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Of this login from this address.
    pub pair: i64,
    /// From this address, any login.
    pub address: i64,
    /// Of this login, from any address.
    pub login: i64,
    /// The oldest of each class, for how long to wait.
    pub oldest_pair: Option<DateTime<Utc>>,
    pub oldest_address: Option<DateTime<Utc>>,
    pub oldest_login: Option<DateTime<Utc>>,
}

/// Counts the attempts and failures of `login` and from `address` since `since`, in one statement.
pub async fn counts(
    db: &impl ConnectionTrait,
    login: &str,
    address: &str,
    since: DateTime<Utc>,
) -> Result<Counts, DbErr> {
    use login_failure::Column as C;
    let pair = || {
        Condition::all()
            .add(C::Login.eq(login))
            .add(C::Address.eq(address))
    };
    let by_address = || Condition::all().add(C::Address.eq(address));
    let by_login = || Condition::all().add(C::Login.eq(login));
    let count = |c: Condition| Expr::case(c, 1).finally(0).sum().cast_as("BIGINT");
    let oldest = |c: Condition| Expr::case(c, Expr::col(C::At)).min();
    type Row = (
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    );
    let row: Option<Row> = login_failure::Entity::find()
        .select_only()
        .column_as(count(pair()), "pair")
        .column_as(count(by_address()), "by_address")
        .column_as(count(by_login()), "by_login")
        .column_as(oldest(pair()), "oldest_pair")
        .column_as(oldest(by_address()), "oldest_address")
        .column_as(oldest(by_login()), "oldest_login")
        .filter(Condition::any().add(by_login()).add(by_address()))
        .filter(C::At.gt(since))
        .into_tuple()
        .one(db)
        .await?;
    let Some((pair, address, login, oldest_pair, oldest_address, oldest_login)) = row else {
        return Ok(Counts::default());
    };
    Ok(Counts {
        pair: pair.unwrap_or(0),
        address: address.unwrap_or(0),
        login: login.unwrap_or(0),
        oldest_pair,
        oldest_address,
        oldest_login,
    })
}

/// Forgets one attempt (refused before it was checked, or the right password).
pub async fn forget(db: &impl ConnectionTrait, id: i32) -> Result<(), DbErr> {
    login_failure::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}

/// Forgets the failures of a login from one address (after it succeeded there), and those older
/// than a day anywhere.
pub async fn clear(
    db: &impl ConnectionTrait,
    login: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    login_failure::Entity::delete_many()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(login_failure::Column::Login.eq(login))
                        .add(login_failure::Column::Address.eq(address)),
                )
                .add(login_failure::Column::At.lt(now - chrono::Duration::days(1))),
        )
        .exec(db)
        .await?;
    Ok(())
}
