//! `shelter`: an evacuation centre in a region, with a copy of its latest head count.

use sea_orm::entity::prelude::*;

use crate::enums::ShelterStatus;

/// One shelter; its counts over time are in `shelter_count`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shelter")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_id: i32,
    /// The organization that runs it; none when the ministry opened it.
    pub organization_id: Option<i32>,
    pub name: String,
    pub address: String,
    /// People it can hold.
    pub capacity: i32,
    pub status: ShelterStatus,
    pub closed_at: Option<DateTimeUtc>,
    /// The latest count: people, of them children, and when they were counted (all or none).
    pub people: Option<i32>,
    pub children: Option<i32>,
    pub counted_at: Option<DateTimeUtc>,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "crate::shelter_count::Entity")]
    ShelterCount,
}

impl Related<crate::shelter_count::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ShelterCount.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
