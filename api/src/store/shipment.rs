//! Shipments and their items.

use std::collections::HashMap;

use birlik_entity::enums::DonationCategory;
use birlik_entity::{donation, shipment_item};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};

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
