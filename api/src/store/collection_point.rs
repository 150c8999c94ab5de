//! Collection points.

use birlik_entity::collection_point;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
};

use crate::store::page::{self, KeyValue, Page, PageRequest, SortKey};

/// The order of collection points: by id, oldest first.
pub fn keys() -> Vec<SortKey> {
    vec![SortKey {
        column: Expr::col((collection_point::Entity, collection_point::Column::Id)),
        descending: false,
    }]
}

/// A row's cursor values in [`keys`] order.
pub fn key_values(row: &collection_point::Model) -> Vec<KeyValue> {
    vec![KeyValue::Int(row.id.into())]
}

/// A page of collection points matching `condition`.
pub async fn page(
    db: &impl ConnectionTrait,
    condition: Condition,
    req: &PageRequest,
) -> Result<Page<collection_point::Model>, DbErr> {
    let select = page::bound(
        collection_point::Entity::find().filter(condition),
        &keys(),
        req,
    );
    Ok(page::finish(select.all(db).await?, req))
}

/// How many collection points match `condition`.
pub async fn count(db: &impl ConnectionTrait, condition: Condition) -> Result<u64, DbErr> {
    collection_point::Entity::find()
        .filter(condition)
        .count(db)
        .await
}

/// The condition "in this region".
pub fn in_region(region_id: i32) -> Condition {
    Condition::all().add(collection_point::Column::RegionId.eq(region_id))
}

/// Whether the organization runs a collection point in the region.
pub async fn runs_in(
    db: &impl ConnectionTrait,
    organization_id: i32,
    region_id: i32,
) -> Result<bool, DbErr> {
    Ok(collection_point::Entity::find()
        .filter(collection_point::Column::OrganizationId.eq(organization_id))
        .filter(collection_point::Column::RegionId.eq(region_id))
        .count(db)
        .await?
        > 0)
}
