//! `volunteer`: a person attached to a regional headquarters.

use sea_orm::entity::prelude::*;

/// A volunteer record; `phone` and `email` are personal data.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub full_name: String,
    /// E.164, `+77011234567`.
    #[sea_orm(unique)]
    pub phone: String,
    #[sea_orm(unique)]
    pub email: Option<String>,
    pub region_id: i32,
    /// The organization they belong to: its staff see their contacts.
    pub organization_id: Option<i32>,
    /// An organization they asked to join, until its staff (or the ministry) decide.
    pub requested_organization_id: Option<i32>,
    /// When they asked.
    pub requested_at: Option<DateTimeUtc>,
    /// A JSON array of free-text skills.
    pub skills: Json,
    pub available: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::region::Entity",
        from = "Column::RegionId",
        to = "crate::region::Column::Id"
    )]
    Region,
}

impl Related<crate::region::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Region.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
