//! `donation`: aid received at a collection point, in integer grams.

use sea_orm::entity::prelude::*;

use crate::enums::{DonationCategory, DonationStatus};

/// One donation. `organization_id` and `region_id` repeat the collection point's (a composite
/// foreign key keeps them equal) so that scoping and grouping need no join.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "donation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub collection_point_id: i32,
    pub organization_id: i32,
    pub region_id: i32,
    pub category: DonationCategory,
    pub grams: i64,
    /// Grams loaded on shipments that are not cancelled.
    pub shipped_grams: i64,
    /// Taken out of stock without being shipped (the sum of its write-offs).
    pub written_off_grams: i64,
    pub item_count: Option<i32>,
    pub description: String,
    /// Personal data; `None` for an anonymous donor.
    pub donor_name: Option<String>,
    pub received_at: DateTimeUtc,
    pub registered_by: Option<i32>,
    pub status: DonationStatus,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

impl Model {
    /// Grams still on hand: neither shipped nor written off (none of a cancelled donation).
    pub fn remaining_grams(&self) -> i64 {
        if self.status == DonationStatus::Cancelled {
            0
        } else {
            self.grams - self.shipped_grams - self.written_off_grams
        }
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::collection_point::Entity",
        from = "Column::CollectionPointId",
        to = "crate::collection_point::Column::Id"
    )]
    CollectionPoint,
}

impl Related<crate::collection_point::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CollectionPoint.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
