//! `shipment`: aid on its way from a collecting region to an affected one.

use sea_orm::entity::prelude::*;

use crate::enums::ShipmentStatus;

/// One shipment; what it carries is in `shipment_item`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shipment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: i32,
    pub origin_region_id: i32,
    pub destination_region_id: i32,
    pub status: ShipmentStatus,
    pub vehicle: String,
    pub driver_name: String,
    /// Personal data.
    pub driver_phone: Option<String>,
    pub dispatched_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub delivery_note: Option<String>,
    pub created_by: Option<i32>,
    pub confirmed_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "crate::shipment_item::Entity")]
    ShipmentItem,
}

impl Related<crate::shipment_item::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ShipmentItem.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
