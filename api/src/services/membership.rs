//! Requests to join an organization. A volunteer who names an organization at sign-up is not its
//! member until its staff (once the ministry has verified it) or the ministry approve; until then
//! its staff see their name only, never their contacts. Deciding is one transaction, audited as a
//! status change of the volunteer (REQUESTED → MEMBER, or → DECLINED).

use birlik_entity::enums::{AuditAction, AuditEntity};
use birlik_entity::volunteer;
use chrono::Utc;
use sea_orm::Condition;

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::services::audit;
use crate::store;
use crate::store::page::{Page, PageRequest};

/// A request's state on the audit trail, before it is decided.
const REQUESTED: &str = "requested";
/// Approved: the volunteer is a member.
const MEMBER: &str = "member";
/// Declined: the volunteer stays outside.
const DECLINED: &str = "declined";

/// The requests an actor may read and decide: an organization's staff those to it, the ministry
/// all; nobody else.
fn scope(actor: &Actor) -> ApiResult<Condition> {
    match actor {
        Actor::Ministry { .. } => Ok(store::membership::pending(None)),
        Actor::Ngo {
            organization_id, ..
        } => Ok(store::membership::pending(Some(*organization_id))),
        Actor::Volunteer { .. } => Err(ApiError::Forbidden(
            "membership requests are decided by the organization's staff and the ministry".into(),
        )),
        Actor::Anonymous => Err(ApiError::Unauthenticated),
    }
}

/// A page of pending requests, oldest first, and the condition that selects all of them.
pub async fn page(
    rc: &RequestCtx,
    deps: &Deps,
    req: PageRequest,
) -> ApiResult<(Page<volunteer::Model>, Condition)> {
    let db = &deps.db;
    let condition = scope(&rc.actor)?;
    Ok((
        store::membership::page(db, condition.clone(), &req).await?,
        condition,
    ))
}

/// How many requests a condition selects.
pub async fn count(deps: &Deps, condition: Condition) -> ApiResult<i64> {
    let db = &deps.db;
    Ok(store::page::count::<volunteer::Entity>(db, condition).await?)
}

/// Approves (`approved`) or declines a volunteer's request to join. The organization's staff may
/// decide only once it is verified; a request outside the caller's scope is NOT_FOUND.
pub async fn decide(
    rc: &RequestCtx,
    deps: &Deps,
    volunteer_id: i32,
    expected_version: Option<i32>,
    approved: bool,
) -> ApiResult<volunteer::Model> {
    let db = &deps.db;
    let condition = scope(&rc.actor)?;
    let who = audit::Who::of(&rc.actor)?;
    let tx = store::begin(db).await?;
    let not_found = ApiError::NotFound {
        entity: "membership request",
    };
    let request = store::membership::get(&tx, volunteer_id, condition)
        .await?
        .ok_or(not_found)?;
    let Some(organization_id) = request.requested_organization_id else {
        return Err(ApiError::NotFound {
            entity: "membership request",
        });
    };
    if let Actor::Ngo { .. } = rc.actor {
        let verified = store::organization::get(&tx, organization_id)
            .await?
            .is_some_and(|o| o.verified_at.is_some());
        if !verified {
            return Err(ApiError::Forbidden(
                "an organization decides on members once the ministry has verified it".into(),
            ));
        }
    }
    if let Some(v) = expected_version.filter(|v| *v != request.version) {
        return Err(ApiError::Conflict {
            message: format!(
                "the request changed (version {} now, {v} expected)",
                request.version
            ),
            current: Some(crate::error::Current::MembershipRequest {
                volunteer_id: request.id,
                version: request.version,
            }),
        });
    }
    let now = Utc::now();
    let decided = store::membership::decide(
        &tx,
        request.id,
        request.version,
        organization_id,
        approved,
        now,
    )
    .await?;
    if !decided {
        // Decided by someone else between the read and the write.
        return Err(ApiError::Conflict {
            message: "the request was decided meanwhile".into(),
            current: None,
        });
    }
    audit::record(
        &tx,
        who,
        audit::Change::new(
            AuditEntity::Volunteer,
            request.id,
            AuditAction::StatusChanged,
        )
        .from_text(REQUESTED)
        .to_text(if approved { MEMBER } else { DECLINED }),
    )
    .await?;
    let volunteer = store::volunteer::get(&tx, request.id)
        .await?
        .ok_or(ApiError::NotFound {
            entity: "volunteer",
        })?;
    tx.commit().await?;
    Ok(volunteer)
}
