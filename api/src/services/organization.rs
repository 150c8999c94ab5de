//! Organizations: the ministry verifies them; only a verified one acts on stock and tasks.

use birlik_entity::enums::{AuditAction, AuditEntity};
use birlik_entity::organization;
use chrono::Utc;
use sea_orm::ConnectionTrait;

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult, Current};
use crate::services::Deps;
use crate::services::audit;
use crate::store;

/// Refuses the caller's organization until the ministry has verified it (an organization that
/// is gone refuses the caller as signed out).
pub async fn ensure_verified(db: &impl ConnectionTrait, organization_id: i32) -> ApiResult<()> {
    verified(db, organization_id).await.map(|_| ())
}

/// The caller's organization, refused until the ministry has verified it.
async fn verified(
    db: &impl ConnectionTrait,
    organization_id: i32,
) -> ApiResult<organization::Model> {
    let org = store::organization::get(db, organization_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    if org.verified_at.is_none() {
        return Err(ApiError::Forbidden(
            "your organization must be verified by the ministry first".into(),
        ));
    }
    Ok(org)
}

/// Refuses the caller's organization unless it is verified and works in the region: its
/// headquarters are there or it runs a collection point there. Needs and shelters are raised
/// and opened only by those (`what` names the act in the refusal).
pub async fn ensure_works_in(
    db: &impl ConnectionTrait,
    organization_id: i32,
    region_id: i32,
    what: &str,
) -> ApiResult<()> {
    let org = verified(db, organization_id).await?;
    if org.region_id != region_id
        && !store::collection_point::runs_in(db, organization_id, region_id).await?
    {
        return Err(ApiError::Forbidden(format!(
            "{what} by organizations working in the region (a collection point or the \
             headquarters there)"
        )));
    }
    Ok(())
}

/// The organization with this id, NOT_FOUND if none.
async fn get(db: &impl ConnectionTrait, id: i32) -> ApiResult<organization::Model> {
    store::organization::get(db, id)
        .await?
        .ok_or(ApiError::NotFound {
            entity: "organization",
        })
}

/// Marks an organization verified (the ministry only). Verifying a verified one changes nothing.
pub async fn verify(
    rc: &RequestCtx,
    deps: &Deps,
    id: i32,
    expected_version: Option<i32>,
) -> ApiResult<organization::Model> {
    let db = &deps.db;
    match rc.actor {
        Actor::Ministry { .. } => {}
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        _ => {
            return Err(ApiError::Forbidden(
                "organizations are verified by the ministry".into(),
            ));
        }
    }
    let tx = store::begin(db).await?;
    let org = get(&tx, id).await?;
    if let Some(v) = expected_version.filter(|v| *v != org.version) {
        return Err(ApiError::Conflict {
            message: format!(
                "the organization changed (version {} now, {v} expected)",
                org.version
            ),
            current: Some(Current::Organization {
                id: org.id,
                version: org.version,
                verified: org.verified_at.is_some(),
            }),
        });
    }
    // Verifying a verified organization changes nothing, and so is not on the trail.
    if org.verified_at.is_none() && store::organization::verify(&tx, id, Utc::now()).await? {
        audit::record(
            &tx,
            audit::Who::of(&rc.actor)?,
            audit::Change::new(AuditEntity::Organization, id, AuditAction::Verified)
                .from_text("unverified")
                .to_text("verified"),
        )
        .await?;
    }
    let org = get(&tx, id).await?;
    tx.commit().await?;
    Ok(org)
}
