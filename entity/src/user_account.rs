//! `user_account`: who can log in.

use sea_orm::entity::prelude::*;

use crate::enums::Role;

/// A login with an argon2id password hash and one role.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Lower-cased.
    #[sea_orm(unique)]
    pub email: Option<String>,
    /// E.164.
    #[sea_orm(unique)]
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: Role,
    pub display_name: String,
    /// Set exactly when `role` is volunteer.
    #[sea_orm(unique)]
    pub volunteer_id: Option<i32>,
    /// Set exactly when `role` is ngo.
    pub organization_id: Option<i32>,
    pub disabled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
