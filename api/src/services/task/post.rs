//! Posting a task: a verified organization's staff (in any region) or the ministry.

use birlik_entity::enums::{AuditAction, AuditEntity};
use birlik_entity::task;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use super::reload;
use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::services::{audit, idempotency, organization, validate};
use crate::store;

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
    deps: &Deps,
    input: Posting,
    key: Option<&str>,
) -> ApiResult<task::Model> {
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
    let region = crate::services::region::get(deps, &input.region_code)
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
    let posting = Post {
        rc,
        user_id,
        organization_id,
        input: &input,
        key,
        region_id: region.id,
        title,
        description,
    };
    idempotency::mutate(&deps.db, &posting).await
}

/// A posting whose input has been checked.
struct Post<'a> {
    rc: &'a RequestCtx,
    user_id: i32,
    organization_id: Option<i32>,
    input: &'a Posting,
    key: Option<&'a str>,
    region_id: i32,
    title: String,
    description: String,
}

impl idempotency::Mutation for Post<'_> {
    type Output = task::Model;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        self.key
            .map(|k| idempotency::Keyed::new(self.user_id, k, "postTask", self.input))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<task::Model> {
        reload(tx, id).await
    }

    async fn act(&self, tx: &DatabaseTransaction) -> ApiResult<idempotency::Done<'_, task::Model>> {
        let input = self.input;
        if let Some(org) = self.organization_id {
            organization::ensure_verified(tx, org).await?;
        }
        if let Some(point) = input.collection_point_id {
            let point =
                store::collection_point::get(tx, point)
                    .await?
                    .ok_or(ApiError::NotFound {
                        entity: "collection point",
                    })?;
            if point.region_id != self.region_id {
                return Err(ApiError::bad_input(
                    "input.collectionPointId",
                    "the collection point is in another region",
                ));
            }
        }
        if let Some(s) = input.shipment_id {
            let s = store::shipment::get(tx, s)
                .await?
                .ok_or(ApiError::NotFound { entity: "shipment" })?;
            if self.organization_id.is_some_and(|o| o != s.organization_id) {
                return Err(ApiError::Forbidden(
                    "tasks link your own organization's shipments only".into(),
                ));
            }
        }
        let now = Utc::now();
        let mut row = store::task::insert(
            tx,
            store::task::NewTask {
                organization_id: self.organization_id,
                region_id: self.region_id,
                collection_point_id: input.collection_point_id,
                shipment_id: input.shipment_id,
                title: self.title.clone(),
                description: self.description.clone(),
                kind: input.kind,
                starts_at: input.starts_at,
                ends_at: input.ends_at,
                volunteers_needed: input.volunteers_needed,
                created_by: Some(self.user_id),
            },
            now,
        )
        .await?;
        row.updated_at =
            store::task::stamp_task(tx, row.id, now, store::task::Places::Kept).await?;
        let change =
            audit::Change::new(AuditEntity::Task, row.id, AuditAction::Posted).to(row.status);
        Ok(idempotency::Done {
            id: row.id,
            audit: Some((audit::Who::of(&self.rc.actor)?, change)),
            output: row,
        })
    }
}
