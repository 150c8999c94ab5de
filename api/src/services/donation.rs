//! Donations: reading pages and totals within the caller's scope.

use birlik_entity::donation;
use birlik_entity::enums::{AuditAction, AuditEntity};
use chrono::{DateTime, Utc};
use sea_orm::{Condition, DatabaseTransaction};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::services::{access, audit, idempotency, organization, validate};
use crate::store;
use crate::store::donation::{Ordering, Totals};
use crate::store::page::{Page, PageRequest};

/// A page of the donations the caller may see that match `filter`, and the condition that selects
/// all of them (for the totals); `with_totals` reads the totals too, in the page's statement.
pub async fn page(
    rc: &RequestCtx,
    deps: &Deps,
    filter: Condition,
    ordering: &Ordering,
    req: PageRequest,
    with_totals: bool,
) -> ApiResult<(Page<donation::Model>, Condition, Option<Totals>)> {
    let condition = store::donation::within(access::donations(&rc.actor)?, filter);
    let (within, req) = (&condition, &req);
    let (page, totals) = deps
        .list_read(&rc.actor, |db| async move {
            if with_totals {
                let (page, totals) = store::page::read_with_totals::<donation::Entity, _, Totals>(
                    &db,
                    within.clone(),
                    ordering,
                    req,
                    store::donation::totals_columns(),
                )
                .await?;
                return Ok((page, Some(totals)));
            }
            let page = store::page::read::<donation::Entity, _>(&db, within.clone(), ordering, req)
                .await?;
            Ok((page, None))
        })
        .await?;
    Ok((page, condition, totals))
}

/// Count and mass of the donations a condition selects.
pub async fn totals(deps: &Deps, condition: Condition) -> ApiResult<Totals> {
    let db = &deps.db;
    Ok(store::donation::totals(db, condition).await?)
}

/// What `registerDonation` asks for, with ids already decoded.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Registration {
    pub collection_point_id: i32,
    pub category: birlik_entity::enums::DonationCategory,
    pub kilograms: rust_decimal::Decimal,
    pub item_count: Option<i32>,
    pub description: String,
    pub donor_name: Option<String>,
    pub received_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Registers a donation at one of the caller's collection points (an organization's staff, once
/// verified; or the ministry). One transaction; with a key, a retry replays the first result.
pub async fn register(
    rc: &RequestCtx,
    deps: &Deps,
    input: Registration,
    key: Option<&str>,
) -> ApiResult<donation::Model> {
    let db = &deps.db;
    let user_id = match rc.actor {
        Actor::Ngo { user_id, .. } | Actor::Ministry { user_id } => user_id,
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        Actor::Volunteer { .. } => {
            return Err(ApiError::Forbidden(
                "donations are registered by organizations".into(),
            ));
        }
    };
    let grams = validate::grams("input.kilograms", input.kilograms)?;
    if input
        .item_count
        .is_some_and(|n| !(1..=10_000_000).contains(&n))
    {
        return Err(ApiError::bad_input(
            "input.itemCount",
            "must be between 1 and 10,000,000",
        ));
    }
    let description = validate::optional_text("input.description", Some(&input.description), 2000)?
        .unwrap_or_default();
    let donor_name = validate::optional_text("input.donorName", input.donor_name.as_deref(), 200)?;
    let now = Utc::now();
    let received_at = validate::past("input.receivedAt", input.received_at.unwrap_or(now))?;
    let registering = Registering {
        rc,
        user_id,
        input: &input,
        key,
        grams,
        description,
        donor_name,
        received_at,
        now,
    };
    idempotency::mutate(db, &registering).await
}

/// A registration whose input has been checked.
struct Registering<'a> {
    rc: &'a RequestCtx,
    user_id: i32,
    input: &'a Registration,
    key: Option<&'a str>,
    grams: i64,
    description: String,
    donor_name: Option<String>,
    received_at: DateTime<Utc>,
    now: DateTime<Utc>,
}

impl idempotency::Mutation for Registering<'_> {
    type Output = donation::Model;

    fn key(&self) -> Option<ApiResult<idempotency::Keyed<'_>>> {
        self.key
            .map(|k| idempotency::Keyed::new(self.user_id, k, "registerDonation", self.input))
    }

    async fn replay(&self, tx: &DatabaseTransaction, id: i32) -> ApiResult<donation::Model> {
        store::donation::get(tx, id)
            .await?
            .ok_or(ApiError::NotFound { entity: "donation" })
    }

    async fn act(
        &self,
        tx: &DatabaseTransaction,
    ) -> ApiResult<idempotency::Done<'_, donation::Model>> {
        let point = store::collection_point::get(tx, self.input.collection_point_id)
            .await?
            .ok_or(ApiError::NotFound {
                entity: "collection point",
            })?;
        if let Actor::Ngo {
            organization_id, ..
        } = self.rc.actor
        {
            if point.organization_id != organization_id {
                return Err(ApiError::Forbidden(
                    "donations are registered at your own collection points only".into(),
                ));
            }
            organization::ensure_verified(tx, organization_id).await?;
        }
        let row = store::donation::insert(
            tx,
            store::donation::NewDonation {
                collection_point_id: point.id,
                organization_id: point.organization_id,
                region_id: point.region_id,
                category: self.input.category,
                grams: self.grams,
                item_count: self.input.item_count,
                description: self.description.clone(),
                donor_name: self.donor_name.clone(),
                received_at: self.received_at,
                registered_by: Some(self.user_id),
            },
            self.now,
        )
        .await?;
        let change = audit::Change::new(AuditEntity::Donation, row.id, AuditAction::Registered)
            .to(row.status);
        Ok(idempotency::Done {
            id: row.id,
            audit: Some((audit::Who::of(&self.rc.actor)?, change)),
            output: row,
        })
    }
}
