//! Raising a need: the staff of a verified organization that works in the affected region (a
//! collection point or its headquarters there), or the ministry. Keyed and audited.

use std::collections::HashSet;

use birlik_entity::enums::{
    AuditAction, AuditEntity, DonationCategory, NeedPriority, ShelterStatus,
};
use birlik_entity::need;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use super::{MAX_LINES, get};
use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::services::{audit, idempotency, organization, validate};
use crate::store;

/// What `raiseNeed` asks for, with ids already decoded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Raising {
    pub region_code: String,
    pub place: String,
    pub shelter_id: Option<i32>,
    pub priority: NeedPriority,
    pub needed_by: DateTime<Utc>,
    pub contact_phone: Option<String>,
    pub note: Option<String>,
    /// (category, kilograms), one per category.
    pub lines: Vec<(DonationCategory, rust_decimal::Decimal)>,
}

/// Raises a need for an affected region. One transaction; a retry with the same key replays the
/// first result.
pub async fn raise(
    rc: &RequestCtx,
    deps: &Deps,
    input: Raising,
    key: Option<&str>,
) -> ApiResult<need::Model> {
    let (user_id, organization_id) = match rc.actor {
        Actor::Ngo {
            user_id,
            organization_id,
        } => (user_id, Some(organization_id)),
        Actor::Ministry { user_id } => (user_id, None),
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        Actor::Volunteer { .. } => {
            return Err(ApiError::Forbidden(
                "needs are raised by organizations working in the region and the ministry".into(),
            ));
        }
    };
    let region = crate::services::region::get(deps, &input.region_code)
        .map_err(|_| ApiError::bad_input("input.regionCode", "no region has this code"))?;
    if !region.affected {
        return Err(ApiError::bad_input(
            "input.regionCode",
            "needs are raised for affected regions only",
        ));
    }
    let place = validate::text("input.place", &input.place, 200)?;
    let note = validate::optional_text("input.note", input.note.as_deref(), 2000)?;
    let contact_phone = input
        .contact_phone
        .as_deref()
        .map(|p| validate::phone("input.contactPhone", p))
        .transpose()?;
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        return Err(ApiError::bad_input(
            "input.lines",
            format!("a need has 1 to {MAX_LINES} lines"),
        ));
    }
    let mut seen = HashSet::new();
    let mut lines = Vec::with_capacity(input.lines.len());
    for (category, kilograms) in &input.lines {
        if !seen.insert(*category) {
            return Err(ApiError::bad_input(
                "input.lines.category",
                "a category appears at most once in a need",
            ));
        }
        lines.push((
            *category,
            validate::grams("input.lines.kilograms", *kilograms)?,
        ));
    }
    let raising = Checked {
        rc,
        user_id,
        organization_id,
        input: &input,
        key,
        new: store::need::NewNeed {
            region_id: region.id,
            shelter_id: input.shelter_id,
            organization_id,
            raised_by: Some(user_id),
            place,
            priority: input.priority,
            needed_by: input.needed_by,
            contact_phone,
            note,
            lines,
        },
    };
    idempotency::mutate(&deps.db, &raising).await
}

/// A need whose input has been checked.
struct Checked<'a> {
    rc: &'a RequestCtx,
    user_id: i32,
    organization_id: Option<i32>,
    input: &'a Raising,
    key: Option<&'a str>,
    new: store::need::NewNeed,
}

impl Checked<'_> {
    /// A shelter named by the need is an open one of its region.
    async fn ensure_shelter(&self, tx: &DatabaseTransaction, shelter: i32) -> ApiResult<()> {
        let shelter = store::shelter::get(tx, shelter)
            .await?
            .ok_or(ApiError::NotFound { entity: "shelter" })?;
        if shelter.region_id != self.new.region_id {
            return Err(ApiError::bad_input(
                "input.shelterId",
                "the shelter is in another region",
            ));
        }
        if shelter.status != ShelterStatus::Open {
            return Err(ApiError::bad_input(
                "input.shelterId",
                "the shelter is closed",
            ));
        }
        Ok(())
    }
}

impl idempotency::Mutation for Checked<'_> {
    type Output = need::Model;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        self.key
            .map(|k| idempotency::Keyed::new(self.user_id, k, "raiseNeed", self.input))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<need::Model> {
        get(tx, id).await
    }

    async fn act(&self, tx: &DatabaseTransaction) -> ApiResult<idempotency::Done<'_, need::Model>> {
        if let Some(org) = self.organization_id {
            organization::ensure_works_in(tx, org, self.new.region_id, "needs are raised").await?;
        }
        if let Some(shelter) = self.new.shelter_id {
            self.ensure_shelter(tx, shelter).await?;
        }
        let row = store::need::insert(tx, self.new.clone(), Utc::now()).await?;
        let change =
            audit::Change::new(AuditEntity::Need, row.id, AuditAction::Raised).to(row.status);
        Ok(idempotency::Done {
            id: row.id,
            audit: Some((audit::Who::of(&self.rc.actor)?, change)),
            output: row,
        })
    }
}
