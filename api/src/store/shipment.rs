//! Shipments and their items: the analysts' list's order and filter, reading items and totals,
//! planning and moving a shipment.

use std::collections::HashMap;

use birlik_entity::enums::DonationCategory;
use birlik_entity::{donation, enums, shipment, shipment_item};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveEnum, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};

use crate::store::filter::{Cmp, Leaf, Text, region_code};
use crate::store::page::{KeyValue, Ordering, sort_fields};

sort_fields!(
    /// What shipments can be ordered by.
    SortField of shipment {
        CreatedAt => "CREATED_AT", CreatedAt, |r| KeyValue::Time(r.created_at);
        UpdatedAt => "UPDATED_AT", UpdatedAt, |r| KeyValue::Time(r.updated_at);
        Status => "STATUS", Status, |r| KeyValue::Text(r.status.to_value());
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// The analysts' list's default order: newest first.
pub fn newest_first() -> Ordering<SortField> {
    Ordering(vec![(SortField::CreatedAt, true)])
}

/// One condition on a shipment.
#[derive(Clone, Debug, PartialEq)]
pub enum Where {
    /// Its id.
    Id(Cmp<i32>),
    /// Its status.
    Status(Cmp<enums::ShipmentStatus>),
    /// The ISO code of the region it leaves from.
    OriginRegionCode(Text),
    /// The ISO code of the region it goes to.
    DestinationRegionCode(Text),
    /// The sending organization's id.
    OrganizationId(Cmp<i32>),
    /// The vehicle.
    Vehicle(Text),
    /// When it left.
    DispatchedAt(Cmp<DateTime<Utc>>),
    /// When it arrived.
    DeliveredAt(Cmp<DateTime<Utc>>),
    /// When it was planned.
    CreatedAt(Cmp<DateTime<Utc>>),
    /// When it last changed.
    UpdatedAt(Cmp<DateTime<Utc>>),
}

impl Leaf for Where {
    fn condition(self, backend: DbBackend) -> Condition {
        use shipment::Column as C;
        let c = |column: C| Expr::col((shipment::Entity, column));
        match self {
            Where::Id(f) => f.condition(c(C::Id)),
            Where::Status(f) => f.enum_condition(c(C::Status)),
            Where::OriginRegionCode(f) => region_code(c(C::OriginRegionId), f, backend),
            Where::DestinationRegionCode(f) => region_code(c(C::DestinationRegionId), f, backend),
            Where::OrganizationId(f) => f.condition(c(C::OrganizationId)),
            Where::Vehicle(f) => f.condition(c(C::Vehicle), backend),
            Where::DispatchedAt(f) => f.condition(c(C::DispatchedAt)),
            Where::DeliveredAt(f) => f.condition(c(C::DeliveredAt)),
            Where::CreatedAt(f) => f.condition(c(C::CreatedAt)),
            Where::UpdatedAt(f) => f.condition(c(C::UpdatedAt)),
        }
    }
}

/// The items of these shipments within `scope` (`store::scope::shipment_item`), in loading order.
pub async fn items_of(
    db: &impl ConnectionTrait,
    shipment_ids: &[i32],
    scope: Condition,
) -> Result<Vec<shipment_item::Model>, DbErr> {
    shipment_item::Entity::find()
        .filter(shipment_item::Column::ShipmentId.is_in(shipment_ids.iter().copied()))
        .filter(scope)
        .order_by_asc(shipment_item::Column::Id)
        .all(db)
        .await
}

/// Grams of each donation on this shipment, in donation order.
pub async fn grams_by_donation(
    db: &impl ConnectionTrait,
    shipment_id: i32,
) -> Result<Vec<(i32, i64)>, DbErr> {
    shipment_item::Entity::find()
        .select_only()
        .column(shipment_item::Column::DonationId)
        .column_as(
            Expr::col(shipment_item::Column::Grams)
                .sum()
                .cast_as("BIGINT"),
            "grams",
        )
        .filter(shipment_item::Column::ShipmentId.eq(shipment_id))
        .group_by(shipment_item::Column::DonationId)
        .order_by_asc(shipment_item::Column::DonationId)
        .into_tuple()
        .all(db)
        .await
}

/// Grams each of these shipments carries, over its items within `scope` (shipments without
/// items are absent).
pub async fn totals(
    db: &impl ConnectionTrait,
    shipment_ids: &[i32],
    scope: Condition,
) -> Result<HashMap<i32, i64>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        shipment_id: i32,
        grams: i64,
    }
    let rows = shipment_item::Entity::find()
        .select_only()
        .column(shipment_item::Column::ShipmentId)
        .column_as(
            Expr::col(shipment_item::Column::Grams)
                .sum()
                .cast_as("BIGINT"),
            "grams",
        )
        .filter(shipment_item::Column::ShipmentId.is_in(shipment_ids.iter().copied()))
        .filter(scope)
        .group_by(shipment_item::Column::ShipmentId)
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.shipment_id, r.grams)).collect())
}

/// The category of each of these shipment items within `scope` (`store::scope::shipment_item`):
/// the category of the donation it comes from, which the shipment's readers may see even where
/// the donation is another organization's.
pub async fn item_categories(
    db: &impl ConnectionTrait,
    item_ids: &[i32],
    scope: Condition,
) -> Result<HashMap<i32, DonationCategory>, DbErr> {
    let rows: Vec<(i32, DonationCategory)> = shipment_item::Entity::find()
        .select_only()
        .column(shipment_item::Column::Id)
        .column(donation::Column::Category)
        .inner_join(donation::Entity)
        .filter(shipment_item::Column::Id.is_in(item_ids.iter().copied()))
        .filter(scope)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The shipment with this id.
pub async fn get(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<birlik_entity::shipment::Model>, DbErr> {
    birlik_entity::shipment::Entity::find_by_id(id)
        .one(db)
        .await
}

/// A shipment about to be planned.
#[derive(Clone, Debug)]
pub struct NewShipment {
    pub organization_id: i32,
    pub origin_region_id: i32,
    pub destination_region_id: i32,
    pub vehicle: String,
    pub driver_name: String,
    pub driver_phone: Option<String>,
    pub created_by: Option<i32>,
}

/// Inserts a planned shipment, at version 1.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewShipment,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<birlik_entity::shipment::Model, DbErr> {
    use birlik_entity::enums::ShipmentStatus;
    use birlik_entity::shipment;
    use sea_orm::{ActiveModelTrait, Set};
    shipment::ActiveModel {
        organization_id: Set(new.organization_id),
        origin_region_id: Set(new.origin_region_id),
        destination_region_id: Set(new.destination_region_id),
        status: Set(ShipmentStatus::Planned),
        vehicle: Set(new.vehicle),
        driver_name: Set(new.driver_name),
        driver_phone: Set(new.driver_phone),
        dispatched_at: Set(None),
        delivered_at: Set(None),
        cancelled_at: Set(None),
        delivery_note: Set(None),
        created_by: Set(new.created_by),
        confirmed_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
}

/// An item about to be loaded: `grams` of a donation, serving a need line or none.
#[derive(Clone, Copy, Debug)]
pub struct NewItem {
    pub shipment_id: i32,
    pub donation_id: i32,
    pub origin_region_id: i32,
    pub grams: i64,
    pub need_line_id: Option<i32>,
}

/// Adds an item to a shipment.
pub async fn insert_item(
    db: &impl ConnectionTrait,
    new: NewItem,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    use sea_orm::{ActiveModelTrait, Set};
    shipment_item::ActiveModel {
        shipment_id: Set(new.shipment_id),
        donation_id: Set(new.donation_id),
        origin_region_id: Set(new.origin_region_id),
        grams: Set(new.grams),
        need_line_id: Set(new.need_line_id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// A move of a shipment along its way.
#[derive(Clone, Debug)]
pub enum Move {
    /// On the road, from now.
    Dispatch,
    /// Arrived, from now, confirmed by this account with this note.
    Deliver {
        note: Option<String>,
        confirmed_by: Option<i32>,
    },
    /// Called off before it left, from now.
    Cancel,
}

/// Moves the shipment read as `current` and bumps its version, only if nobody changed it since
/// (its version is still `current.version`). False when somebody had.
pub async fn advance(
    db: &impl ConnectionTrait,
    current: &birlik_entity::shipment::Model,
    to: Move,
) -> Result<bool, DbErr> {
    use birlik_entity::enums::ShipmentStatus;
    use birlik_entity::shipment;
    use chrono::Utc;
    use sea_orm::Set;
    let mut row: shipment::ActiveModel = current.clone().into();
    match to {
        Move::Dispatch => {
            row.status = Set(ShipmentStatus::Dispatched);
            row.dispatched_at = Set(Some(Utc::now()));
        }
        Move::Deliver { note, confirmed_by } => {
            row.status = Set(ShipmentStatus::Delivered);
            row.delivered_at = Set(Some(Utc::now()));
            row.delivery_note = Set(note);
            row.confirmed_by = Set(confirmed_by);
        }
        Move::Cancel => {
            row.status = Set(ShipmentStatus::Cancelled);
            row.cancelled_at = Set(Some(Utc::now()));
        }
    }
    row.version = Set(current.version + 1);
    row.updated_at = Set(Utc::now());
    let result = shipment::Entity::update_many()
        .set(row)
        .filter(shipment::Column::Id.eq(current.id))
        .filter(shipment::Column::Version.eq(current.version))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

// Bulk writes for the demo data.

/// Inserts shipments that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::shipment::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::shipment::ActiveModel>(db, rows).await
}

/// Inserts shipment items that carry their ids (the demo data set), in batches.
pub async fn insert_items(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::shipment_item::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::shipment_item::ActiveModel>(db, rows)
        .await
}
