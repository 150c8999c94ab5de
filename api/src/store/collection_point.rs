//! Collection points.

use birlik_entity::collection_point;
use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QuerySelect, QueryTrait,
};

use crate::store::page::{self, KeyValue, Ordering, PageRequest, sort_fields};

sort_fields!(
    /// What collection points are ordered by: their id.
    SortField of collection_point {
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// A region's collection points: by id, oldest first.
pub fn by_id() -> Ordering<SortField> {
    Ordering(vec![(SortField::Id, false)])
}

/// The same page of each of several regions' collection points, in one statement: the rows of
/// every region, each region's numbered in page order (a window function), cut at `limit + 1`
/// per region. Rows come by region, in page order (read from the end when `req.from_end`); the
/// caller finishes each region's page with [`page::finish`].
pub async fn pages_in_regions(
    db: &impl ConnectionTrait,
    region_ids: &[i32],
    req: &PageRequest,
) -> Result<Vec<collection_point::Model>, DbErr> {
    let keys = by_id().sort_keys();
    let mut inner = collection_point::Entity::find()
        .filter(collection_point::Column::RegionId.is_in(region_ids.iter().copied()));
    if let Some(after) = &req.after {
        inner = inner.filter(page::beyond(&keys, after, false));
    }
    if let Some(before) = &req.before {
        inner = inner.filter(page::beyond(&keys, before, true));
    }
    let direction = if req.from_end { "DESC" } else { "ASC" };
    let inner = inner
        .expr_as(
            Expr::cust(format!(
                "ROW_NUMBER() OVER (PARTITION BY region_id ORDER BY id {direction})"
            )),
            "place",
        )
        .into_query();
    let order = if req.from_end {
        Order::Desc
    } else {
        Order::Asc
    };
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("pages"))
        .and_where(Expr::col(Alias::new("place")).lte(req.limit.saturating_add(1)))
        .order_by(Alias::new("region_id"), Order::Asc)
        .order_by(Alias::new("id"), order)
        .to_owned();
    collection_point::Model::find_by_statement(db.get_database_backend().build(&outer))
        .all(db)
        .await
}

/// How many collection points each of these regions has (regions without any are left out).
pub async fn counts_in_regions(
    db: &impl ConnectionTrait,
    region_ids: &[i32],
) -> Result<Vec<(i32, i64)>, DbErr> {
    collection_point::Entity::find()
        .select_only()
        .column(collection_point::Column::RegionId)
        .column_as(collection_point::Column::Id.count(), "count")
        .filter(collection_point::Column::RegionId.is_in(region_ids.iter().copied()))
        .group_by(collection_point::Column::RegionId)
        .into_tuple()
        .all(db)
        .await
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

/// The collection point with this id.
pub async fn get(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<collection_point::Model>, DbErr> {
    collection_point::Entity::find_by_id(id).one(db).await
}

/// Every collection point (a few hundred: reference-like data, public to all), by id.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<collection_point::Model>, DbErr> {
    use sea_orm::QueryOrder;
    collection_point::Entity::find()
        .order_by_asc(collection_point::Column::Id)
        .all(db)
        .await
}

// Bulk writes for the demo data.

/// Inserts collection points that carry their ids (the demo data set), in batches.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    rows: Vec<birlik_entity::collection_point::Model>,
) -> Result<(), DbErr> {
    crate::store::dataset::insert_with_ids::<birlik_entity::collection_point::ActiveModel>(db, rows)
        .await
}
