//! Stock: writing kilograms of a donation off (`writeOffStock`) and the stock on hand grouped
//! by collection point, category, region or organization (`stockStats`). A write-off is one
//! conditional UPDATE of the donation (shipped + written off never beyond its kilograms, with the
//! database's CHECK behind it) and one append-only row, in one keyed, audited transaction.

use birlik_entity::enums::{AuditAction, AuditEntity, DonationStatus, WriteOffReason};
use birlik_entity::{donation, write_off};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult, Current};
use crate::services::Deps;
use crate::services::{access, audit, idempotency, organization, validate};
use crate::store;

/// What `writeOffStock` asks for, with the donation's id already decoded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WriteOff {
    pub donation_id: i32,
    pub kilograms: rust_decimal::Decimal,
    pub reason: WriteOffReason,
    pub note: Option<String>,
}

/// Takes kilograms of a donation out of stock without shipping them: its organization's staff
/// (once verified) or the ministry. Never more than is on hand (CONFLICT with the donation's
/// current figures, nothing written); a cancelled donation has nothing to write off. One
/// transaction; with a key, a retry replays the first result.
pub async fn write_off(
    rc: &RequestCtx,
    deps: &Deps,
    input: WriteOff,
    key: Option<&str>,
) -> ApiResult<write_off::Model> {
    let user_id = match rc.actor {
        Actor::Ngo { user_id, .. } | Actor::Ministry { user_id } => user_id,
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        Actor::Volunteer { .. } => {
            return Err(ApiError::Forbidden(
                "stock is written off by its organization or the ministry".into(),
            ));
        }
    };
    let grams = validate::grams("input.kilograms", input.kilograms)?;
    let note = validate::optional_text("input.note", input.note.as_deref(), 2000)?;
    let writing = WritingOff {
        rc,
        user_id,
        input: &input,
        key,
        grams,
        note,
    };
    idempotency::mutate(&deps.db, &writing).await
}

/// A write-off whose input has been checked.
struct WritingOff<'a> {
    rc: &'a RequestCtx,
    user_id: i32,
    input: &'a WriteOff,
    key: Option<&'a str>,
    grams: i64,
    note: Option<String>,
}

impl idempotency::Mutation for WritingOff<'_> {
    type Output = write_off::Model;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        self.key
            .map(|k| idempotency::Keyed::new(self.user_id, k, "writeOffStock", self.input))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<write_off::Model> {
        store::write_off::get(tx, id)
            .await?
            .ok_or(ApiError::NotFound {
                entity: "write-off",
            })
    }

    async fn act(
        &self,
        tx: &DatabaseTransaction,
    ) -> ApiResult<idempotency::Done<'_, write_off::Model>> {
        // Another organization's donation is not found, as everywhere it is out of scope.
        let donation = readable(tx, &self.rc.actor, self.input.donation_id).await?;
        if let Actor::Ngo {
            organization_id, ..
        } = self.rc.actor
        {
            organization::ensure_verified(tx, organization_id).await?;
        }
        if donation.status == DonationStatus::Cancelled {
            return Err(not_on_hand(
                "a cancelled donation has no stock to write off",
                &donation,
            ));
        }
        let now = Utc::now();
        if !store::donation::write_off(tx, donation.id, self.grams, now).await? {
            // Read again: what is on hand now, not when this transaction began.
            let current = readable(tx, &self.rc.actor, donation.id).await?;
            let message = format!(
                "only {} kg of this donation are on hand",
                crate::mass::kilograms(current.remaining_grams()).0
            );
            return Err(not_on_hand(&message, &current));
        }
        let row = store::write_off::insert(
            tx,
            store::write_off::NewWriteOff {
                donation_id: donation.id,
                organization_id: donation.organization_id,
                region_id: donation.region_id,
                grams: self.grams,
                reason: self.input.reason,
                note: self.note.clone(),
                created_by: Some(self.user_id),
            },
            now,
        )
        .await?;
        let change = audit::Change::new(AuditEntity::WriteOff, row.id, AuditAction::WrittenOff);
        Ok(idempotency::Done {
            id: row.id,
            audit: Some((audit::Who::of(&self.rc.actor)?, change)),
            output: row,
        })
    }
}

/// The donation with this id if the actor may read it, NOT_FOUND otherwise.
async fn readable(db: &impl ConnectionTrait, actor: &Actor, id: i32) -> ApiResult<donation::Model> {
    store::rows::by_ids::<donation::Entity>(db, &[id], access::donations(actor)?)
        .await?
        .pop()
        .ok_or(ApiError::NotFound { entity: "donation" })
}

/// The refusal of a write-off beyond what is on hand, with the donation's figures as they are.
fn not_on_hand(message: &str, d: &donation::Model) -> ApiError {
    ApiError::Conflict {
        message: message.to_owned(),
        current: Some(Current::Stock {
            id: d.id,
            grams: d.grams,
            shipped_grams: d.shipped_grams,
            written_off_grams: d.written_off_grams,
            remaining_grams: d.remaining_grams(),
            version: d.version,
        }),
    }
}

/// Stock groups within the caller's scope (the ministry all, an organization its own; nobody
/// else), over the donations `filter` selects: from the rollup when it can answer the filter
/// exactly (the scope names the organization, a column it keeps), else from the donations.
pub async fn groups(
    rc: &RequestCtx,
    deps: &Deps,
    dimensions: &[store::stock::StockDimension],
    filter: store::filter::Tree<store::donation::Where>,
) -> ApiResult<Vec<store::stock::StockGroup>> {
    let rolled = store::rollup::answers(&filter);
    let filter = crate::services::lists::condition(deps, filter);
    let condition = &store::donation::within(access::donations(&rc.actor)?, filter);
    Ok(deps
        .replicable(&rc.actor, |db| async move {
            store::stock::groups(&db, rolled, dimensions, condition.clone()).await
        })
        .await?)
}
