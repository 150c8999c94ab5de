//! `shipment_item`: grams of one donation loaded on one shipment.

use sea_orm::entity::prelude::*;

/// One line of a shipment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipment_item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub shipment_id: i32,
    pub donation_id: i32,
    /// The shipment's origin, which is also the donation's region.
    pub origin_region_id: i32,
    pub grams: i64,
    /// The need line this item serves, if any.
    pub need_line_id: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::shipment::Entity",
        from = "Column::ShipmentId",
        to = "crate::shipment::Column::Id"
    )]
    Shipment,
    #[sea_orm(
        belongs_to = "crate::donation::Entity",
        from = "Column::DonationId",
        to = "crate::donation::Column::Id"
    )]
    Donation,
}

impl Related<crate::shipment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Shipment.def()
    }
}

impl Related<crate::donation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Donation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
