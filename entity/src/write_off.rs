//! `write_off`: kilograms of a donation taken out of stock without being shipped. Append-only.

use sea_orm::entity::prelude::*;

use crate::enums::WriteOffReason;

/// One write-off, scoped like its donation (same organization and region).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "write_off")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub donation_id: i32,
    pub organization_id: i32,
    pub region_id: i32,
    pub grams: i64,
    pub reason: WriteOffReason,
    pub note: Option<String>,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::donation::Entity",
        from = "Column::DonationId",
        to = "crate::donation::Column::Id"
    )]
    Donation,
}

impl Related<crate::donation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
