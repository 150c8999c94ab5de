//! A task's places: the claims volunteers hold on it, taken, moved and released in the same
//! statements that keep the task's count of places taken and its status in step ([`settle`]).

use birlik_entity::enums::AssignmentStatus;
use birlik_entity::{task, task_assignment};
use sea_orm::ActiveEnum;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityName, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect,
};

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

/// Tasks whose claim by this volunteer was released in (`since`, `watermark`] (by its stamp,
/// `updated_at`), and that the volunteer does not hold again.
pub async fn released_since(
    db: &impl ConnectionTrait,
    volunteer_id: i32,
    since: chrono::DateTime<chrono::Utc>,
    watermark: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<i32>, DbErr> {
    task_assignment::Entity::find()
        .select_only()
        .column(task_assignment::Column::TaskId)
        .distinct()
        .filter(task_assignment::Column::VolunteerId.eq(volunteer_id))
        .filter(task_assignment::Column::Status.eq(AssignmentStatus::Released))
        .filter(task_assignment::Column::UpdatedAt.gt(since))
        .filter(task_assignment::Column::UpdatedAt.lte(watermark))
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
    let released = crate::store::touched(task_assignment::Entity::update_many(), now)
        .col_expr(
            task_assignment::Column::Status,
            Expr::val(AssignmentStatus::Released.to_value()),
        )
        .col_expr(task_assignment::Column::ReleasedAt, Expr::val(now))
        .col_expr(
            task_assignment::Column::ReleaseReason,
            Expr::val(reason.to_value()),
        )
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
    crate::store::touched(task::Entity::update_many(), now)
        .col_expr(task::Column::Status, settled_status())
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
    let mut update = crate::store::touched(task_assignment::Entity::update_many(), now)
        .col_expr(task_assignment::Column::Status, Expr::val(to.to_value()));
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
