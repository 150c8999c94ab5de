//! Rows of any table by id within a scope, or all of a small public one.

use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{Condition, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter};

/// A table the store reads generically (rows by id, whole small tables, pages, counts): any
/// entity. Callers above the store name this, not sea-orm's traits.
pub trait Table: EntityTrait<Model: Sync> + Default {}

impl<E: EntityTrait<Model: Sync> + Default> Table for E {}

/// A row of such a table, named by its model: `Row::Table` is the table it comes from.
pub trait Row: Sync {
    /// The row's table.
    type Table: Table;
}

impl<M> Row for M
where
    M: ModelTrait + Sync,
    M::Entity: Table,
{
    type Table = M::Entity;
}

/// The rows of `E` with these ids that meet `scope` (`store::scope`).
pub async fn by_ids<E>(
    db: &impl ConnectionTrait,
    ids: &[i32],
    scope: Condition,
) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait + Default,
{
    E::find()
        .filter(Expr::col((E::default(), Alias::new("id"))).is_in(ids.iter().copied()))
        .filter(scope)
        .all(db)
        .await
}

/// Every row of a small public table.
pub async fn all<E>(db: &impl ConnectionTrait) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
{
    E::find().all(db).await
}
