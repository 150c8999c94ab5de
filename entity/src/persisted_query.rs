//! `persisted_query`: a query's text under its SHA-256.

use sea_orm::entity::prelude::*;

/// One persisted query.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persisted_query")]
pub struct Model {
    /// SHA-256 of the query text, lower-case hex.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub query: String,
    pub created_at: DateTimeUtc,
    /// When it was last stored or asked for by its hash (to the hour): the least recently used
    /// go first when the store is full.
    pub last_used_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
