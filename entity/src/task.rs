//! `task`: work for volunteers.

use sea_orm::entity::prelude::*;

use crate::enums::{TaskKind, TaskStatus};

/// One task with its time window and places.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "task")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub organization_id: Option<i32>,
    pub region_id: i32,
    pub collection_point_id: Option<i32>,
    pub shipment_id: Option<i32>,
    pub title: String,
    pub description: String,
    pub kind: TaskKind,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub volunteers_needed: i32,
    /// Live claims (claimed, in progress or done).
    pub volunteers_assigned: i32,
    pub status: TaskStatus,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_by: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
