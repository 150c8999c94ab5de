//! Tasks and claims. Over 400 lines for a reason: a task's row and its places (claims) change
//! together in the same statements (taking a place, settling the status the places call for), so
//! they are one aggregate; the page keys here give way to the list machinery's ordering.

use birlik_entity::enums::AssignmentStatus;
use birlik_entity::{task, task_assignment};
use sea_orm::ActiveEnum;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityName, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};

use crate::store::page::{self, KeyValue, Page, PageRequest, SortKey};

/// Tasks in start order, soonest first.
fn keys() -> Vec<SortKey> {
    vec![
        SortKey {
            column: Expr::col((task::Entity, task::Column::StartsAt)),
            descending: false,
        },
        SortKey {
            column: Expr::col((task::Entity, task::Column::Id)),
            descending: false,
        },
    ]
}

/// A row's cursor values in start order.
pub fn key_values(row: &task::Model) -> Vec<KeyValue> {
    vec![KeyValue::Time(row.starts_at), KeyValue::Int(row.id.into())]
}

/// A page of tasks matching `condition`, soonest first.
pub async fn page(
    db: &impl ConnectionTrait,
    condition: Condition,
    req: &PageRequest,
) -> Result<Page<task::Model>, DbErr> {
    let select = page::bound(task::Entity::find().filter(condition), &keys(), req);
    Ok(page::finish(select.all(db).await?, req))
}

/// The task with this id within `scope` (`store::scope::task`); `lock` holds its row until the
/// transaction ends.
pub async fn get(
    db: &impl ConnectionTrait,
    id: i32,
    scope: Condition,
    lock: bool,
) -> Result<Option<task::Model>, DbErr> {
    let select = task::Entity::find_by_id(id).filter(scope);
    if lock {
        select.lock_exclusive().one(db).await
    } else {
        select.one(db).await
    }
}

/// How many tasks match `condition`.
pub async fn count(db: &impl ConnectionTrait, condition: Condition) -> Result<u64, DbErr> {
    task::Entity::find().filter(condition).count(db).await
}

/// The ids of the tasks this volunteer holds a live claim on.
pub fn held(volunteer_id: i32) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(task_assignment::Column::TaskId)
        .from(task_assignment::Entity.table_ref())
        .and_where(Expr::col(task_assignment::Column::VolunteerId).eq(volunteer_id))
        .and_where(Expr::col(task_assignment::Column::Status).ne(AssignmentStatus::Released))
        .to_owned()
}

/// `task.id IN (tasks this volunteer holds a live claim on)`.
pub fn held_by(volunteer_id: i32) -> Condition {
    Condition::all()
        .add(Expr::col((task::Entity, task::Column::Id)).in_subquery(held(volunteer_id)))
}

/// Tasks whose claim by this volunteer was released after `since`, and that the volunteer does
/// not hold again.
pub async fn released_since(
    db: &impl ConnectionTrait,
    volunteer_id: i32,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<i32>, DbErr> {
    task_assignment::Entity::find()
        .select_only()
        .column(task_assignment::Column::TaskId)
        .distinct()
        .filter(task_assignment::Column::VolunteerId.eq(volunteer_id))
        .filter(task_assignment::Column::Status.eq(AssignmentStatus::Released))
        .filter(task_assignment::Column::ReleasedAt.gt(since))
        .filter(
            Expr::col((task_assignment::Entity, task_assignment::Column::TaskId))
                .not_in_subquery(held(volunteer_id)),
        )
        .into_tuple::<i32>()
        .all(db)
        .await
}

/// Whether the volunteer holds a live claim on the task.
pub async fn holds(
    db: &impl ConnectionTrait,
    volunteer_id: i32,
    task_id: i32,
) -> Result<bool, DbErr> {
    Ok(task_assignment::Entity::find()
        .filter(task_assignment::Column::VolunteerId.eq(volunteer_id))
        .filter(task_assignment::Column::TaskId.eq(task_id))
        .filter(task_assignment::Column::Status.ne(AssignmentStatus::Released))
        .count(db)
        .await?
        > 0)
}

/// Takes one free place: succeeds only while the task is open, has a free place and has not
/// ended; the last place turns it ASSIGNED until [`settle`] (which the caller runs once the
/// claim is recorded, and which bumps the version) gives it the status its places call for.
pub async fn take_place(
    db: &impl ConnectionTrait,
    task_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    use birlik_entity::enums::TaskStatus;
    let assigned = Expr::col(task::Column::VolunteersAssigned).add(1);
    let result = task::Entity::update_many()
        .col_expr(task::Column::VolunteersAssigned, assigned.clone())
        .col_expr(
            task::Column::Status,
            Expr::case(
                assigned.eq(Expr::col(task::Column::VolunteersNeeded)),
                "assigned",
            )
            .finally("open")
            .into(),
        )
        .filter(task::Column::Id.eq(task_id))
        .filter(task::Column::Status.eq(TaskStatus::Open))
        .filter(
            Expr::col(task::Column::VolunteersAssigned)
                .lt(Expr::col(task::Column::VolunteersNeeded)),
        )
        .filter(task::Column::EndsAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records a volunteer's claim; its id.
pub async fn add_claim(
    db: &impl ConnectionTrait,
    task_id: i32,
    volunteer_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<i32, DbErr> {
    use sea_orm::Set;
    let claim = task_assignment::ActiveModel {
        task_id: Set(task_id),
        volunteer_id: Set(volunteer_id),
        status: Set(AssignmentStatus::Claimed),
        claimed_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    };
    Ok(task_assignment::Entity::insert(claim)
        .exec(db)
        .await?
        .last_insert_id)
}

/// The volunteer's live claim on the task, if any: its id and status.
pub async fn live_claim(
    db: &impl ConnectionTrait,
    task_id: i32,
    volunteer_id: i32,
) -> Result<Option<(i32, AssignmentStatus)>, DbErr> {
    task_assignment::Entity::find()
        .select_only()
        .column(task_assignment::Column::Id)
        .column(task_assignment::Column::Status)
        .filter(task_assignment::Column::TaskId.eq(task_id))
        .filter(task_assignment::Column::VolunteerId.eq(volunteer_id))
        .filter(task_assignment::Column::Status.ne(AssignmentStatus::Released))
        .into_tuple()
        .one(db)
        .await
}

/// Ends a volunteer's live claim and frees its place (an ASSIGNED task opens again). False when
/// the volunteer held none.
pub async fn release_claim(
    db: &impl ConnectionTrait,
    task_id: i32,
    volunteer_id: i32,
    reason: birlik_entity::enums::ReleaseReason,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let released = task_assignment::Entity::update_many()
        .col_expr(
            task_assignment::Column::Status,
            Expr::val(AssignmentStatus::Released.to_value()),
        )
        .col_expr(task_assignment::Column::ReleasedAt, Expr::val(now))
        .col_expr(
            task_assignment::Column::ReleaseReason,
            Expr::val(reason.to_value()),
        )
        .col_expr(
            task_assignment::Column::Version,
            Expr::col(task_assignment::Column::Version).add(1),
        )
        .col_expr(task_assignment::Column::UpdatedAt, Expr::val(now))
        .filter(task_assignment::Column::TaskId.eq(task_id))
        .filter(task_assignment::Column::VolunteerId.eq(volunteer_id))
        .filter(
            task_assignment::Column::Status
                .is_in([AssignmentStatus::Claimed, AssignmentStatus::InProgress]),
        )
        .exec(db)
        .await?;
    if released.rows_affected != 1 {
        return Ok(false);
    }
    task::Entity::update_many()
        .col_expr(
            task::Column::VolunteersAssigned,
            Expr::col(task::Column::VolunteersAssigned).sub(1),
        )
        .filter(task::Column::Id.eq(task_id))
        .exec(db)
        .await?;
    settle(db, task_id, now).await?;
    Ok(true)
}

/// The status a task's places give it, as an SQL expression over the task row: a task the
/// organization closed or called off stays so; otherwise it is OPEN while places are free, DONE
/// when full and every holder has finished, IN_PROGRESS when full and someone has started, and
/// ASSIGNED when full and nobody has. One volunteer's place never closes a task to the others.
fn settled_status() -> sea_orm::sea_query::SimpleExpr {
    let claims = |statuses: [AssignmentStatus; 2]| {
        Query::select()
            .expr(Expr::val(1))
            .from(task_assignment::Entity.table_ref())
            .and_where(
                Expr::col((task_assignment::Entity, task_assignment::Column::TaskId))
                    .equals((task::Entity, task::Column::Id)),
            )
            .and_where(
                Expr::col((task_assignment::Entity, task_assignment::Column::Status))
                    .is_in(statuses.map(|s| s.to_value())),
            )
            .to_owned()
    };
    let status = || Expr::col((task::Entity, task::Column::Status));
    Expr::case(status().is_in(["done", "cancelled"]), status())
        .case(
            Expr::col(task::Column::VolunteersAssigned)
                .lt(Expr::col(task::Column::VolunteersNeeded)),
            "open",
        )
        .case(
            Expr::exists(claims([
                AssignmentStatus::Claimed,
                AssignmentStatus::InProgress,
            ]))
            .not(),
            "done",
        )
        .case(
            Expr::exists(claims([
                AssignmentStatus::InProgress,
                AssignmentStatus::Done,
            ])),
            "in_progress",
        )
        .finally("assigned")
        .into()
}

/// Sets the task's status from its places ([`settled_status`]) and bumps its version.
pub async fn settle(
    db: &impl ConnectionTrait,
    task_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    task::Entity::update_many()
        .col_expr(task::Column::Status, settled_status())
        .col_expr(
            task::Column::Version,
            Expr::col(task::Column::Version).add(1),
        )
        .col_expr(task::Column::UpdatedAt, Expr::val(now))
        .filter(task::Column::Id.eq(task_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Moves a volunteer's claim from one state to the next. False when it was not in `from`.
pub async fn move_claim(
    db: &impl ConnectionTrait,
    task_id: i32,
    volunteer_id: i32,
    from: AssignmentStatus,
    to: AssignmentStatus,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let mut update = task_assignment::Entity::update_many()
        .col_expr(task_assignment::Column::Status, Expr::val(to.to_value()))
        .col_expr(
            task_assignment::Column::Version,
            Expr::col(task_assignment::Column::Version).add(1),
        )
        .col_expr(task_assignment::Column::UpdatedAt, Expr::val(now));
    update = match to {
        AssignmentStatus::InProgress => {
            update.col_expr(task_assignment::Column::StartedAt, Expr::val(now))
        }
        _ => update.col_expr(task_assignment::Column::FinishedAt, Expr::val(now)),
    };
    let result = update
        .filter(task_assignment::Column::TaskId.eq(task_id))
        .filter(task_assignment::Column::VolunteerId.eq(volunteer_id))
        .filter(task_assignment::Column::Status.eq(from))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// The volunteers holding live claims on the task.
pub async fn live_claims(db: &impl ConnectionTrait, task_id: i32) -> Result<Vec<i32>, DbErr> {
    task_assignment::Entity::find()
        .select_only()
        .column(task_assignment::Column::VolunteerId)
        .filter(task_assignment::Column::TaskId.eq(task_id))
        .filter(task_assignment::Column::Status.ne(AssignmentStatus::Released))
        .into_tuple::<i32>()
        .all(db)
        .await
}

/// Bumps the task's version (and status, if given), guarded by the version read.
pub async fn touch(
    db: &impl ConnectionTrait,
    task_id: i32,
    status: Option<birlik_entity::enums::TaskStatus>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    let mut update = task::Entity::update_many()
        .col_expr(
            task::Column::Version,
            Expr::col(task::Column::Version).add(1),
        )
        .col_expr(task::Column::UpdatedAt, Expr::val(now));
    if let Some(status) = status {
        update = update.col_expr(task::Column::Status, Expr::val(status.to_value()));
    }
    update
        .filter(task::Column::Id.eq(task_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Calls a task off.
pub async fn cancel(
    db: &impl ConnectionTrait,
    task_id: i32,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    task::Entity::update_many()
        .col_expr(task::Column::Status, Expr::val("cancelled"))
        .col_expr(task::Column::CancelledAt, Expr::val(now))
        .col_expr(
            task::Column::Version,
            Expr::col(task::Column::Version).add(1),
        )
        .col_expr(task::Column::UpdatedAt, Expr::val(now))
        .filter(task::Column::Id.eq(task_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// (claim, task, volunteer) of claims still only claimed on tasks that started before
/// `started_before` and are not over.
pub async fn unstarted_claims(
    db: &impl ConnectionTrait,
    started_before: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<(i32, i32, i32)>, DbErr> {
    use birlik_entity::enums::TaskStatus;
    task_assignment::Entity::find()
        .select_only()
        .column(task_assignment::Column::Id)
        .column(task_assignment::Column::TaskId)
        .column(task_assignment::Column::VolunteerId)
        .inner_join(task::Entity)
        .filter(task_assignment::Column::Status.eq(AssignmentStatus::Claimed))
        .filter(task::Column::StartsAt.lt(started_before))
        .filter(task::Column::Status.is_not_in([TaskStatus::Done, TaskStatus::Cancelled]))
        .limit(1000)
        .into_tuple()
        .all(db)
        .await
}

/// The task with this id, whoever may read it (a replay, or a re-read after the caller's own
/// change).
pub async fn by_id(db: &impl ConnectionTrait, id: i32) -> Result<Option<task::Model>, DbErr> {
    task::Entity::find_by_id(id).one(db).await
}

/// Tasks with free places in `region_id` that have not ended at `now` and that the volunteer
/// does not hold.
pub fn open_to(region_id: i32, volunteer_id: i32, now: chrono::DateTime<chrono::Utc>) -> Condition {
    use birlik_entity::enums::TaskStatus;
    Condition::all()
        .add(task::Column::RegionId.eq(region_id))
        .add(task::Column::Status.eq(TaskStatus::Open))
        .add(task::Column::EndsAt.gt(now))
        .add(held_by(volunteer_id).not())
}

/// The tasks the volunteer holds, in one of `statuses` (any, if empty), changed after
/// `updated_since` (if given).
pub fn held_matching(
    volunteer_id: i32,
    statuses: &[birlik_entity::enums::TaskStatus],
    updated_since: Option<chrono::DateTime<chrono::Utc>>,
) -> Condition {
    let mut condition = Condition::all().add(held_by(volunteer_id));
    if !statuses.is_empty() {
        condition = condition.add(task::Column::Status.is_in(statuses.iter().copied()));
    }
    if let Some(since) = updated_since {
        condition = condition.add(task::Column::UpdatedAt.gt(since));
    }
    condition
}

/// A task about to be posted.
#[derive(Clone, Debug)]
pub struct NewTask {
    pub organization_id: Option<i32>,
    pub region_id: i32,
    pub collection_point_id: Option<i32>,
    pub shipment_id: Option<i32>,
    pub title: String,
    pub description: String,
    pub kind: birlik_entity::enums::TaskKind,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    pub volunteers_needed: i32,
    pub created_by: Option<i32>,
}

/// Inserts an open task with no places taken, at version 1.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewTask,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<task::Model, DbErr> {
    use birlik_entity::enums::TaskStatus;
    use sea_orm::{ActiveModelTrait, Set};
    task::ActiveModel {
        organization_id: Set(new.organization_id),
        region_id: Set(new.region_id),
        collection_point_id: Set(new.collection_point_id),
        shipment_id: Set(new.shipment_id),
        title: Set(new.title),
        description: Set(new.description),
        kind: Set(new.kind),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        volunteers_needed: Set(new.volunteers_needed),
        volunteers_assigned: Set(0),
        status: Set(TaskStatus::Open),
        cancelled_at: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

// Bulk writes for the demo data.

/// Inserts tasks that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::task::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::task::ActiveModel>(db, rows).await
}
