//! `organization`: who takes part in the campaign.

use sea_orm::entity::prelude::*;

use crate::enums::OrganizationKind;

/// A participating organization; it may register donations once `verified_at` is set.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organization")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    #[sea_orm(unique)]
    pub name: String,
    pub kind: OrganizationKind,
    /// The region of its headquarters.
    pub region_id: i32,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub verified_at: Option<DateTimeUtc>,
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
