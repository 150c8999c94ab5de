//! `login_failure`: one failed login attempt.

use sea_orm::entity::prelude::*;

/// A failed login: which login, from which address, when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "login_failure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The login as normalised (lower-cased email, E.164 phone, or the text as typed).
    pub login: String,
    /// The client's address.
    pub address: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
