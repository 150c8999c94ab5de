//! Closing a need (met, or no longer needed) or cancelling it: the raising organization's staff
//! or the ministry, at the version the client last saw. What was allocated to it still arrives.

use birlik_entity::enums::{AuditAction, AuditEntity, NeedCloseReason, NeedStatus};
use birlik_entity::need;
use chrono::Utc;

use super::get;
use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult, Current};
use crate::services::Deps;
use crate::services::audit;
use crate::store;

/// Closes an open need, met or no longer needed.
pub async fn close(
    rc: &RequestCtx,
    deps: &Deps,
    id: i32,
    reason: NeedCloseReason,
    expected_version: i32,
) -> ApiResult<need::Model> {
    end(rc, deps, id, Some(reason), expected_version).await
}

/// Cancels an open need (raised in error).
pub async fn cancel(
    rc: &RequestCtx,
    deps: &Deps,
    id: i32,
    expected_version: i32,
) -> ApiResult<need::Model> {
    end(rc, deps, id, None, expected_version).await
}

/// The CONFLICT of a change to a need that is not as the client saw it.
fn conflict(n: &need::Model, message: String) -> ApiError {
    ApiError::Conflict {
        message,
        current: Some(Current::Need {
            id: n.id,
            status: n.status,
            version: n.version,
            updated_at: n.updated_at,
        }),
    }
}

/// Only the raising organization's staff, or the ministry.
fn ensure_may_end(actor: &Actor, n: &need::Model) -> ApiResult<()> {
    match actor {
        Actor::Ministry { .. } => Ok(()),
        Actor::Ngo {
            organization_id, ..
        } if Some(*organization_id) == n.organization_id => Ok(()),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden(
            "only the raising organization or the ministry closes a need".into(),
        )),
    }
}

/// Ends an open need at `expected_version`: closed for `reason`, cancelled without one. One
/// transaction, on the trail.
async fn end(
    rc: &RequestCtx,
    deps: &Deps,
    id: i32,
    reason: Option<NeedCloseReason>,
    expected_version: i32,
) -> ApiResult<need::Model> {
    if rc.actor == Actor::Anonymous {
        return Err(ApiError::Unauthenticated);
    }
    let who = audit::Who::of(&rc.actor)?;
    let tx = store::begin(&deps.db).await?;
    let current = get(&tx, id).await?;
    ensure_may_end(&rc.actor, &current)?;
    if current.version != expected_version {
        return Err(conflict(
            &current,
            format!(
                "the need changed (version {} now, {expected_version} expected)",
                current.version
            ),
        ));
    }
    if current.status != NeedStatus::Open {
        return Err(conflict(
            &current,
            format!("the need is {:?}, not open", current.status).to_lowercase(),
        ));
    }
    let now = Utc::now();
    if !store::need::close(&tx, id, current.version, reason, now).await? {
        return Err(conflict(
            &current,
            "the need changed meanwhile; reload it".into(),
        ));
    }
    let updated = get(&tx, id).await?;
    let action = if reason.is_some() {
        AuditAction::Closed
    } else {
        AuditAction::Cancelled
    };
    audit::record(
        &tx,
        who,
        audit::Change::new(AuditEntity::Need, id, action)
            .from(current.status)
            .to(updated.status),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}
