//! Donations: reading pages and totals within the caller's scope.

use birlik_entity::donation;
use sea_orm::{Condition, DatabaseConnection};

use crate::context::RequestCtx;
use crate::error::ApiResult;
use crate::services::access;
use crate::store;
use crate::store::donation::{Ordering, Totals};
use crate::store::page::{Page, PageRequest};

/// A page of the donations the caller may see that match `filter`, and the condition that selects
/// all of them (for the totals).
pub async fn page(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    filter: Condition,
    ordering: &Ordering,
    req: PageRequest,
) -> ApiResult<(Page<donation::Model>, Condition)> {
    let condition = Condition::all()
        .add(access::donations(&rc.actor)?)
        .add(filter);
    let page =
        store::page::read::<donation::Entity, _>(db, condition.clone(), ordering, &req).await?;
    Ok((page, condition))
}

/// Count and mass of the donations a condition selects.
pub async fn totals(db: &DatabaseConnection, condition: Condition) -> ApiResult<Totals> {
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
    db: &DatabaseConnection,
    input: Registration,
    key: Option<&str>,
) -> ApiResult<donation::Model> {
    crate::services::idempotency::run(|| register_once(rc, db, &input, key)).await
}

async fn register_once(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    input: &Registration,
    key: Option<&str>,
) -> ApiResult<donation::Model> {
    use birlik_entity::{collection_point, organization};
    use chrono::Utc;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};

    use crate::context::Actor;
    use crate::error::ApiError;
    use birlik_entity::enums::{AuditAction, AuditEntity};

    use crate::services::{audit, idempotency, validate};

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

    let tx = crate::db::begin_write(db).await?;
    let keyed = key
        .map(|k| idempotency::Keyed::new(user_id, k, "registerDonation", input))
        .transpose()?;
    if let Some(keyed) = &keyed {
        if let Some(id) = idempotency::replay(&tx, keyed).await? {
            return donation::Entity::find_by_id(id)
                .one(&tx)
                .await?
                .ok_or(ApiError::NotFound { entity: "donation" });
        }
    }
    let point = collection_point::Entity::find_by_id(input.collection_point_id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound {
            entity: "collection point",
        })?;
    if let Actor::Ngo {
        organization_id, ..
    } = rc.actor
    {
        if point.organization_id != organization_id {
            return Err(ApiError::Forbidden(
                "donations are registered at your own collection points only".into(),
            ));
        }
        let org = organization::Entity::find_by_id(organization_id)
            .one(&tx)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        if org.verified_at.is_none() {
            return Err(ApiError::Forbidden(
                "your organization must be verified by the ministry first".into(),
            ));
        }
    }
    let row = donation::ActiveModel {
        collection_point_id: Set(point.id),
        organization_id: Set(point.organization_id),
        region_id: Set(point.region_id),
        category: Set(input.category),
        grams: Set(grams),
        shipped_grams: Set(0),
        item_count: Set(input.item_count),
        description: Set(description),
        donor_name: Set(donor_name),
        received_at: Set(received_at),
        registered_by: Set(Some(user_id)),
        status: Set(birlik_entity::enums::DonationStatus::Received),
        cancelled_at: Set(None),
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
        audit::Change::new(AuditEntity::Donation, row.id, AuditAction::Registered)
            .to(row.status)
            .key(keyed.as_ref().map(|k| k.key)),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}
