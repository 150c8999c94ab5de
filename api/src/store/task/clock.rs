//! The sync clock (`sync_clock`, one row): the order of the changes a delta sync returns. A
//! transaction that changes tasks or their places takes the next stamp last, just before it
//! commits ([`stamp`]); the row's lock is held until the commit, so stamps increase in commit
//! order on PostgreSQL (and SQLite serialises writers anyway). Whoever reads the clock
//! ([`watermark`]) therefore reads a stamp at or below which every change has committed.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryTrait,
};

use crate::store::page::{self, Page, PageRequest};

use birlik_entity::{task, task_assignment};

fn at() -> Alias {
    Alias::new("at")
}

fn clock() -> Alias {
    Alias::new("sync_clock")
}

fn instant(micros: i64) -> Result<DateTime<Utc>, DbErr> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| DbErr::Custom(format!("sync clock out of range: {micros}")))
}

/// Advances the clock and returns its new value: `now` (to the microsecond), or one microsecond
/// past the last stamp when that is not earlier. Holds the clock's row lock until the commit.
pub async fn stamp(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<DateTime<Utc>, DbErr> {
    let now = now.timestamp_micros();
    let update = Query::update()
        .table(clock())
        .value(
            at(),
            Expr::case(Expr::col(at()).gte(now), Expr::col(at()).add(1)).finally(now),
        )
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .returning_col(at())
        .to_owned();
    let row = db
        .query_one(&update)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("sync_clock".into()))?;
    instant(row.try_get_by_index(0)?)
}

/// The last stamp whose transaction has committed: every change stamped at or before it is
/// visible to statements that start after this read.
pub async fn watermark(db: &impl ConnectionTrait) -> Result<DateTime<Utc>, DbErr> {
    let select = Query::select()
        .column(at())
        .from(clock())
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .to_owned();
    let row = db
        .query_one(&select)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("sync_clock".into()))?;
    instant(row.try_get_by_index(0)?)
}

/// A page of the tasks matching `condition`, soonest first, and the clock's [`watermark`], read
/// in one statement and so from one snapshot: the page holds exactly the changes stamped at or
/// before the watermark. The page is a derived table joined to the clock's row
/// (`FROM sync_clock LEFT JOIN (page) AS task ON TRUE`), so an empty page still brings the
/// watermark (one row of NULLs beside it), and the page keeps its own plan (index order, limit).
pub async fn page_at_watermark(
    db: &impl ConnectionTrait,
    condition: Condition,
    req: &PageRequest,
) -> Result<(Page<task::Model>, DateTime<Utc>), DbErr> {
    let keys = super::soonest_first().sort_keys();
    let page = page::bound(task::Entity::find().filter(condition), &keys, req).into_query();
    let watermark = Alias::new("sync_watermark");
    let mut select = Query::select();
    select
        .expr_as(Expr::col((clock(), at())), watermark.clone())
        .column((task::Entity, Asterisk))
        .from(clock())
        .join_subquery(JoinType::LeftJoin, page, task::Entity, Expr::val(true))
        .and_where(Expr::col((clock(), Alias::new("id"))).eq(1));
    // The derived table's order does not survive the join by right: order again (the keys
    // name `task`'s columns, which is the derived table's alias here).
    page::order(&mut select, &keys, req);
    let rows = db.query_all(&select).await?;
    let first = rows
        .first()
        .ok_or_else(|| DbErr::RecordNotFound("sync_clock".into()))?;
    let stamp = instant(first.try_get("", "sync_watermark")?)?;
    let mut tasks = Vec::with_capacity(rows.len());
    for row in &rows {
        // The page's columns are NULL on the one row an empty page leaves.
        if row.try_get::<Option<i32>>("", "id")?.is_some() {
            tasks.push(task::Model::from_query_result(row, "")?);
        }
    }
    Ok((page::finish(tasks, req), stamp))
}

/// Moves the clock to `at` if it is behind (rows written with their own times, as the demo data
/// set is, so that no row lies after the watermark).
pub async fn catch_up(db: &impl ConnectionTrait, at: DateTime<Utc>) -> Result<(), DbErr> {
    let at = at.timestamp_micros();
    let update = Query::update()
        .table(clock())
        .value(self::at(), Expr::val(at))
        .and_where(Expr::col(Alias::new("id")).eq(1))
        .and_where(Expr::col(self::at()).lt(at))
        .to_owned();
    db.execute(&update).await.map(|_| ())
}

/// Which of a task's places a change released (their rows take its stamp too, for the
/// `removedIds` of the next sync).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Places {
    /// None (posted, claimed, started, closed): only the task's row says what changed.
    Kept,
    /// Some: those the transaction stamped `now`.
    Released,
}

/// Ends a change of the task made at `now`: takes the next stamp and puts it on the task (and
/// on the places it released). Every transaction that writes a task or its places calls this
/// last, before committing; the stamp is what `updatedAt` shows and what a delta sync compares.
pub async fn stamp_task(
    db: &impl ConnectionTrait,
    task_id: i32,
    now: DateTime<Utc>,
    places: Places,
) -> Result<DateTime<Utc>, DbErr> {
    let stamp = stamp(db, now).await?;
    task::Entity::update_many()
        .col_expr(task::Column::UpdatedAt, Expr::val(stamp))
        .filter(task::Column::Id.eq(task_id))
        .exec(db)
        .await?;
    if places == Places::Released {
        task_assignment::Entity::update_many()
            .col_expr(task_assignment::Column::UpdatedAt, Expr::val(stamp))
            .filter(task_assignment::Column::TaskId.eq(task_id))
            .filter(task_assignment::Column::UpdatedAt.eq(now))
            .exec(db)
            .await?;
    }
    Ok(stamp)
}
