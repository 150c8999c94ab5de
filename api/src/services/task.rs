//! Tasks as volunteers see them: open places in their region, and their own.

use birlik_entity::enums::{AssignmentStatus, AuditAction, AuditEntity, TaskStatus};
use birlik_entity::{task, volunteer};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::audit;
use crate::store;
use crate::store::page::{Page, PageRequest};

/// The calling volunteer's record.
async fn me(rc: &RequestCtx, db: &DatabaseConnection) -> ApiResult<volunteer::Model> {
    let volunteer_id = match rc.actor {
        Actor::Volunteer { volunteer_id, .. } => volunteer_id,
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        _ => return Err(ApiError::Forbidden("this list is a volunteer's".into())),
    };
    volunteer::Entity::find_by_id(volunteer_id)
        .one(db)
        .await?
        .ok_or(ApiError::Unauthenticated)
}

/// Tasks with free places in the volunteer's region that have not ended and that the volunteer
/// does not already hold, soonest first.
pub async fn open(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    req: PageRequest,
) -> ApiResult<(Page<task::Model>, Condition)> {
    let me = me(rc, db).await?;
    let condition = Condition::all()
        .add(task::Column::RegionId.eq(me.region_id))
        .add(task::Column::Status.eq(TaskStatus::Open))
        .add(task::Column::EndsAt.gt(Utc::now()))
        .add(store::task::held_by(me.id).not());
    let page = store::task::page(db, condition.clone(), &req).await?;
    Ok((page, condition))
}

/// How far before a sync's read its `syncedAt` lies: longer than any write transaction may stay
/// open (the database ends PostgreSQL transactions idle for 30 s, and SQLite writers wait at most
/// 5 s for the lock). A write that had stamped `updated_at` but not yet committed when a sync read
/// is therefore still newer than the `syncedAt` that sync handed out, and the next sync sees it.
/// The price is that a sync may repeat changes of the last minute; the app merges by `version`.
pub const SYNC_MARGIN: chrono::Duration = chrono::Duration::seconds(60);

/// What a delta sync of the volunteer's own tasks returns besides the page.
#[derive(Clone, Debug)]
pub struct Sync {
    /// Tasks the volunteer no longer holds, or that were cancelled, since `updatedSince`.
    pub removed: Vec<i32>,
    /// The instant to send as `updatedSince` next time: before the read by [`SYNC_MARGIN`].
    pub synced_at: DateTime<Utc>,
}

/// The volunteer's own tasks (live claims), soonest first; with `updated_since`, only those that
/// changed after it, and the ids of those that left the list.
pub async fn mine(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    statuses: &[TaskStatus],
    updated_since: Option<DateTime<Utc>>,
    req: PageRequest,
) -> ApiResult<(Page<task::Model>, Condition, Sync)> {
    let Actor::Volunteer { volunteer_id, .. } = rc.actor else {
        return Err(match rc.actor {
            Actor::Anonymous => ApiError::Unauthenticated,
            _ => ApiError::Forbidden("this list is a volunteer's".into()),
        });
    };
    let synced_at = Utc::now() - SYNC_MARGIN;
    let mut condition = Condition::all().add(store::task::held_by(volunteer_id));
    if !statuses.is_empty() {
        condition = condition.add(task::Column::Status.is_in(statuses.iter().copied()));
    }
    let mut removed = Vec::new();
    if let Some(since) = updated_since {
        condition = condition.add(task::Column::UpdatedAt.gt(since));
        removed = store::task::released_since(db, volunteer_id, since).await?;
    }
    let page = store::task::page(db, condition.clone(), &req).await?;
    Ok((page, condition, Sync { removed, synced_at }))
}

/// How many tasks match.
pub async fn count(db: &DatabaseConnection, condition: Condition) -> ApiResult<i64> {
    Ok(store::task::count(db, condition).await? as i64)
}

/// What `postTask` asks for, with ids already decoded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Posting {
    pub title: String,
    pub description: String,
    pub kind: birlik_entity::enums::TaskKind,
    pub region_code: String,
    pub collection_point_id: Option<i32>,
    pub shipment_id: Option<i32>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub volunteers_needed: i32,
}

/// Most places one task offers.
pub const MAX_VOLUNTEERS: i32 = 10_000;

/// Posts a task: a verified organization's staff (in any region) or the ministry.
pub async fn post(
    rc: &RequestCtx,
    state: &crate::context::AppState,
    input: Posting,
    key: Option<&str>,
) -> ApiResult<task::Model> {
    crate::services::idempotency::run(|| post_once(rc, state, &input, key)).await
}

async fn post_once(
    rc: &RequestCtx,
    state: &crate::context::AppState,
    input: &Posting,
    key: Option<&str>,
) -> ApiResult<task::Model> {
    use birlik_entity::{collection_point, organization, shipment};
    use sea_orm::{ActiveModelTrait, Set};

    use crate::services::{idempotency, validate};

    let (user_id, organization_id) = match rc.actor {
        Actor::Ngo {
            user_id,
            organization_id,
        } => (user_id, Some(organization_id)),
        Actor::Ministry { user_id } => (user_id, None),
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        Actor::Volunteer { .. } => {
            return Err(ApiError::Forbidden(
                "tasks are posted by organizations".into(),
            ));
        }
    };
    let title = validate::text("input.title", &input.title, 200)?;
    let description = validate::optional_text("input.description", Some(&input.description), 4000)?
        .unwrap_or_default();
    let region = crate::services::region::get(state, &input.region_code)
        .map_err(|_| ApiError::bad_input("input.regionCode", "no region has this code"))?;
    if input.ends_at <= input.starts_at {
        return Err(ApiError::bad_input(
            "input.endsAt",
            "must be after startsAt",
        ));
    }
    if input.ends_at <= Utc::now() {
        return Err(ApiError::bad_input("input.endsAt", "must be in the future"));
    }
    if input.ends_at - input.starts_at > chrono::Duration::days(31) {
        return Err(ApiError::bad_input(
            "input.endsAt",
            "a task lasts at most 31 days",
        ));
    }
    if !(1..=MAX_VOLUNTEERS).contains(&input.volunteers_needed) {
        return Err(ApiError::bad_input(
            "input.volunteersNeeded",
            format!("must be between 1 and {MAX_VOLUNTEERS}"),
        ));
    }
    let db = &state.db;
    let tx = crate::db::begin_write(db).await?;
    let keyed = key
        .map(|k| idempotency::Keyed::new(user_id, k, "postTask", input))
        .transpose()?;
    if let Some(keyed) = &keyed {
        if let Some(id) = idempotency::replay(&tx, keyed).await? {
            return task::Entity::find_by_id(id)
                .one(&tx)
                .await?
                .ok_or(ApiError::NotFound { entity: "task" });
        }
    }
    if let Some(org) = organization_id {
        let org = organization::Entity::find_by_id(org)
            .one(&tx)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if org.verified_at.is_none() {
            return Err(ApiError::Forbidden(
                "your organization must be verified by the ministry first".into(),
            ));
        }
    }
    if let Some(point) = input.collection_point_id {
        let point = collection_point::Entity::find_by_id(point)
            .one(&tx)
            .await?
            .ok_or(ApiError::NotFound {
                entity: "collection point",
            })?;
        if point.region_id != region.id {
            return Err(ApiError::bad_input(
                "input.collectionPointId",
                "the collection point is in another region",
            ));
        }
    }
    if let Some(s) = input.shipment_id {
        let s = shipment::Entity::find_by_id(s)
            .one(&tx)
            .await?
            .ok_or(ApiError::NotFound { entity: "shipment" })?;
        if organization_id.is_some_and(|o| o != s.organization_id) {
            return Err(ApiError::Forbidden(
                "tasks link your own organization's shipments only".into(),
            ));
        }
    }
    let now = Utc::now();
    let row = task::ActiveModel {
        organization_id: Set(organization_id),
        region_id: Set(region.id),
        collection_point_id: Set(input.collection_point_id),
        shipment_id: Set(input.shipment_id),
        title: Set(title),
        description: Set(description),
        kind: Set(input.kind),
        starts_at: Set(input.starts_at),
        ends_at: Set(input.ends_at),
        volunteers_needed: Set(input.volunteers_needed),
        volunteers_assigned: Set(0),
        status: Set(TaskStatus::Open),
        cancelled_at: Set(None),
        created_by: Set(Some(user_id)),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&tx)
    .await?;
    if let Some(keyed) = &keyed {
        idempotency::record(&tx, keyed, row.id).await?;
    }
    audit::record(
        &tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(AuditEntity::Task, row.id, AuditAction::Posted)
            .to(row.status)
            .key(keyed.as_ref().map(|k| k.key)),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

fn volunteer_of(rc: &RequestCtx) -> ApiResult<(i32, i32)> {
    match rc.actor {
        Actor::Volunteer {
            user_id,
            volunteer_id,
        } => Ok((user_id, volunteer_id)),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden(
            "tasks are claimed by volunteers".into(),
        )),
    }
}

/// The task a mutation acts on, read within the caller's scope of tasks (`store::scope`), so that
/// neither a refusal nor a CONFLICT's `current` tells anything of a task the caller may not read:
/// outside it, the task is NOT_FOUND. `lock`: held until the commit.
async fn target(
    tx: &sea_orm::DatabaseTransaction,
    rc: &RequestCtx,
    task_id: i32,
    lock: bool,
) -> ApiResult<task::Model> {
    store::task::get(tx, task_id, store::scope::task(&rc.actor), lock)
        .await?
        .ok_or(ApiError::NotFound { entity: "task" })
}

/// The task as a CONFLICT's `current` object.
fn current(t: &task::Model) -> serde_json::Value {
    use sea_orm::ActiveEnum;
    serde_json::json!({
        "id": crate::graphql::relay::encode("Task", t.id).0,
        "status": t.status.to_value().to_uppercase(),
        "volunteersNeeded": t.volunteers_needed,
        "volunteersAssigned": t.volunteers_assigned,
        "version": t.version,
        "updatedAt": t.updated_at,
    })
}

/// Claims a place on an open task of the volunteer's region. Atomic against
/// `volunteersNeeded`: the last place goes to exactly one volunteer.
pub async fn claim(
    rc: &RequestCtx,
    state: &crate::context::AppState,
    task_id: i32,
    key: &str,
) -> ApiResult<task::Model> {
    crate::services::idempotency::run(|| claim_once(rc, state, task_id, key)).await
}

async fn claim_once(
    rc: &RequestCtx,
    state: &crate::context::AppState,
    task_id: i32,
    key: &str,
) -> ApiResult<task::Model> {
    use crate::services::idempotency;
    let (user_id, volunteer_id) = volunteer_of(rc)?;
    let db = &state.db;
    let tx = crate::db::begin_write(db).await?;
    let keyed = idempotency::Keyed::new(user_id, key, "claimTask", &task_id)?;
    if let Some(id) = idempotency::replay(&tx, &keyed).await? {
        return task::Entity::find_by_id(id)
            .one(&tx)
            .await?
            .ok_or(ApiError::NotFound { entity: "task" });
    }
    let t = target(&tx, rc, task_id, false).await?;
    let me = volunteer::Entity::find_by_id(volunteer_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if me.region_id != t.region_id {
        return Err(ApiError::Forbidden(
            "volunteers claim tasks of their own region".into(),
        ));
    }
    if store::task::holds(&tx, volunteer_id, task_id).await? {
        return Err(ApiError::Conflict {
            message: "you already hold a place on this task".into(),
            current: Some(current(&t)),
        });
    }
    let now = Utc::now();
    if !store::task::take_place(&tx, task_id, now).await? {
        let t = task::Entity::find_by_id(task_id)
            .one(&tx)
            .await?
            .ok_or(ApiError::NotFound { entity: "task" })?;
        let message = match t.status {
            TaskStatus::Open if t.ends_at <= now => "the task has ended",
            TaskStatus::Open | TaskStatus::Assigned => "no free place is left on this task",
            _ => "the task is not open for claims",
        };
        return Err(ApiError::Conflict {
            message: message.into(),
            current: Some(current(&t)),
        });
    }
    let claim = store::task::add_claim(&tx, task_id, volunteer_id, now).await?;
    store::task::settle(&tx, task_id, now).await?;
    idempotency::record(&tx, &keyed, task_id).await?;
    audit::record(
        &tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(AuditEntity::TaskAssignment, claim, AuditAction::Claimed)
            .to(AssignmentStatus::Claimed)
            .key(Some(keyed.key)),
    )
    .await?;
    let t = task::Entity::find_by_id(task_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound { entity: "task" })?;
    tx.commit().await?;
    state.events.task(crate::events::TaskEvent {
        kind: crate::events::TaskEventKind::Assigned,
        task_id,
        volunteer_ids: vec![volunteer_id],
    });
    Ok(t)
}

/// Gives up the volunteer's place on a task that has not finished.
pub async fn release(
    rc: &RequestCtx,
    state: &crate::context::AppState,
    task_id: i32,
) -> ApiResult<task::Model> {
    let (_, volunteer_id) = volunteer_of(rc)?;
    let tx = crate::db::begin_write(&state.db).await?;
    let t = target(&tx, rc, task_id, false).await?;
    if matches!(t.status, TaskStatus::Done | TaskStatus::Cancelled) {
        return Err(ApiError::Conflict {
            message: "the task is over".into(),
            current: Some(current(&t)),
        });
    }
    let now = Utc::now();
    let not_held = || ApiError::Conflict {
        message: "you hold no place on this task".into(),
        current: Some(current(&t)),
    };
    let (claim, from) = store::task::live_claim(&tx, task_id, volunteer_id)
        .await?
        .ok_or_else(not_held)?;
    if !store::task::release_claim(
        &tx,
        task_id,
        volunteer_id,
        birlik_entity::enums::ReleaseReason::Volunteer,
        now,
    )
    .await?
    {
        return Err(not_held());
    }
    audit::record(
        &tx,
        audit::Who::of(&rc.actor)?,
        audit::Change::new(AuditEntity::TaskAssignment, claim, AuditAction::Released)
            .from(from)
            .to(AssignmentStatus::Released),
    )
    .await?;
    let t = task::Entity::find_by_id(task_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound { entity: "task" })?;
    tx.commit().await?;
    state.events.task(crate::events::TaskEvent {
        kind: crate::events::TaskEventKind::Released,
        task_id,
        volunteer_ids: vec![volunteer_id],
    });
    Ok(t)
}

/// Moves a task: a volunteer their own place (IN_PROGRESS, then DONE), and the task's status
/// follows from its places (`store::task::settle`: open while places are free); the task's
/// organization or the ministry may cancel it (CANCELLED) or close it (DONE).
pub async fn update_status(
    rc: &RequestCtx,
    state: &crate::context::AppState,
    task_id: i32,
    status: TaskStatus,
    expected_version: i32,
) -> ApiResult<task::Model> {
    use crate::events::{TaskEvent, TaskEventKind};

    if rc.actor == Actor::Anonymous {
        return Err(ApiError::Unauthenticated);
    }
    let tx = crate::db::begin_write(&state.db).await?;
    // The row stays locked until the commit, so the version read here is the one replaced (on
    // SQLite the write transaction already holds the database).
    let t = target(&tx, rc, task_id, true).await?;
    let now = Utc::now();
    let (event, recipients) = match rc.actor {
        Actor::Volunteer { volunteer_id, .. } => {
            let (from, to) = match status {
                TaskStatus::InProgress => (AssignmentStatus::Claimed, AssignmentStatus::InProgress),
                TaskStatus::Done => (AssignmentStatus::InProgress, AssignmentStatus::Done),
                _ => {
                    return Err(ApiError::bad_input(
                        "status",
                        "a volunteer moves a task to IN_PROGRESS or DONE (releaseTask gives a place up)",
                    ));
                }
            };
            if t.version != expected_version {
                return Err(stale(&t, expected_version));
            }
            if matches!(t.status, TaskStatus::Done | TaskStatus::Cancelled) {
                return Err(ApiError::Conflict {
                    message: "the task is over".into(),
                    current: Some(current(&t)),
                });
            }
            let refused = |message: &str| ApiError::Conflict {
                message: message.into(),
                current: Some(current(&t)),
            };
            let (claim, _) = store::task::live_claim(&tx, task_id, volunteer_id)
                .await?
                .ok_or_else(|| refused("you hold no place on this task"))?;
            if !store::task::move_claim(&tx, task_id, volunteer_id, from, to, now).await? {
                return Err(refused("your place is not in a state that allows this"));
            }
            audit::record(
                &tx,
                audit::Who::of(&rc.actor)?,
                audit::Change::new(
                    AuditEntity::TaskAssignment,
                    claim,
                    AuditAction::StatusChanged,
                )
                .from(from)
                .to(to),
            )
            .await?;
            // The volunteer moves their own place; the task's status follows from its places.
            store::task::settle(&tx, task_id, now).await?;
            (TaskEventKind::Changed, vec![volunteer_id])
        }
        Actor::Ngo {
            organization_id, ..
        } if Some(organization_id) != t.organization_id => {
            return Err(ApiError::Forbidden(
                "only the task's organization or the ministry changes it".into(),
            ));
        }
        Actor::Ngo { .. } | Actor::Ministry { .. } => {
            if t.version != expected_version {
                return Err(stale(&t, expected_version));
            }
            if matches!(t.status, TaskStatus::Done | TaskStatus::Cancelled) {
                return Err(ApiError::Conflict {
                    message: "the task is over".into(),
                    current: Some(current(&t)),
                });
            }
            let holders = store::task::live_claims(&tx, task_id).await?;
            match status {
                TaskStatus::Cancelled => {
                    for v in &holders {
                        store::task::release_claim(
                            &tx,
                            task_id,
                            *v,
                            birlik_entity::enums::ReleaseReason::TaskCancelled,
                            now,
                        )
                        .await?;
                    }
                    store::task::cancel(&tx, task_id, now).await?;
                    (TaskEventKind::Cancelled, holders)
                }
                TaskStatus::Done => {
                    store::task::touch(&tx, task_id, Some(TaskStatus::Done), now).await?;
                    (TaskEventKind::Changed, holders)
                }
                _ => {
                    return Err(ApiError::bad_input(
                        "status",
                        "an organization moves a task to DONE or CANCELLED",
                    ));
                }
            }
        }
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
    };
    let before = t.status;
    let t = task::Entity::find_by_id(task_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound { entity: "task" })?;
    let action = if matches!(event, TaskEventKind::Cancelled) {
        AuditAction::Cancelled
    } else {
        AuditAction::StatusChanged
    };
    // An organization's change is always the task's; a volunteer's moves the task only when
    // its places say so.
    if before != t.status || !matches!(rc.actor, Actor::Volunteer { .. }) {
        audit::record(
            &tx,
            audit::Who::of(&rc.actor)?,
            audit::Change::new(AuditEntity::Task, task_id, action)
                .from(before)
                .to(t.status),
        )
        .await?;
    }
    tx.commit().await?;
    state.events.task(TaskEvent {
        kind: event,
        task_id,
        volunteer_ids: recipients,
    });
    Ok(t)
}

fn stale(t: &task::Model, expected: i32) -> ApiError {
    ApiError::Conflict {
        message: format!(
            "the task changed (version {} now, {expected} expected)",
            t.version
        ),
        current: Some(current(t)),
    }
}

/// How long after a task starts an unstarted claim is released.
pub const START_GRACE: chrono::Duration = chrono::Duration::minutes(30);

/// Releases every claim whose volunteer has not started the task 30 minutes after it began, and
/// tells them. Safe to run on every instance at once: each release is a conditional update.
pub async fn release_unstarted(state: &crate::context::AppState) -> ApiResult<usize> {
    use crate::events::{TaskEvent, TaskEventKind};
    let now = Utc::now();
    let overdue = store::task::unstarted_claims(&state.db, now - START_GRACE).await?;
    let mut released = 0;
    for (claim, task_id, volunteer_id) in overdue {
        let tx = crate::db::begin_write(&state.db).await?;
        let done = store::task::release_claim(
            &tx,
            task_id,
            volunteer_id,
            birlik_entity::enums::ReleaseReason::NotStarted,
            now,
        )
        .await?;
        if done {
            audit::record(
                &tx,
                audit::Who::SYSTEM,
                audit::Change::new(AuditEntity::TaskAssignment, claim, AuditAction::Released)
                    .from(AssignmentStatus::Claimed)
                    .to(AssignmentStatus::Released),
            )
            .await?;
        }
        tx.commit().await?;
        if done {
            released += 1;
            state.events.task(TaskEvent {
                kind: TaskEventKind::Released,
                task_id,
                volunteer_ids: vec![volunteer_id],
            });
        }
    }
    if released > 0 {
        tracing::info!(
            released,
            "released claims not started 30 minutes after their task began"
        );
    }
    Ok(released)
}
