//! `idempotency_key`: the first result of a keyed mutation.

use sea_orm::entity::prelude::*;

/// A key a user sent with a mutation, and what that mutation produced.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub user_id: i32,
    pub key: String,
    /// The mutation's name.
    pub operation: String,
    /// SHA-256 of the mutation's input, hex: the same key with another input is refused.
    pub request_hash: String,
    /// The id of the object the mutation created or changed.
    pub result_id: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
