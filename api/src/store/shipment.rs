//! Shipments and their items.

use std::collections::HashMap;

use birlik_entity::shipment_item;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};

/// The items of these shipments, in loading order.
pub async fn items_of(
    db: &impl ConnectionTrait,
    shipment_ids: &[i32],
) -> Result<Vec<shipment_item::Model>, DbErr> {
    shipment_item::Entity::find()
        .filter(shipment_item::Column::ShipmentId.is_in(shipment_ids.iter().copied()))
        .order_by_asc(shipment_item::Column::Id)
        .all(db)
        .await
}

/// Grams each of these shipments carries (shipments without items are absent).
pub async fn totals(
    db: &impl ConnectionTrait,
    shipment_ids: &[i32],
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
        .group_by(shipment_item::Column::ShipmentId)
        .into_model::<Row>()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.shipment_id, r.grams)).collect())
}

/// One shipment item by id.
pub async fn item(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<shipment_item::Model>, DbErr> {
    shipment_item::Entity::find_by_id(id).one(db).await
}
