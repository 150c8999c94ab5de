//! `collection_point`: where donors bring aid.

use sea_orm::entity::prelude::*;

/// A collection point of one organization in one region.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "collection_point")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_id: i32,
    pub organization_id: i32,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
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
    #[sea_orm(
        belongs_to = "crate::organization::Entity",
        from = "Column::OrganizationId",
        to = "crate::organization::Column::Id"
    )]
    Organization,
}

impl Related<crate::region::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Region.def()
    }
}

impl Related<crate::organization::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Organization.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
