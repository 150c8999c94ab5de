//! `need`: what an affected region asks for, with the sums of its lines.

use sea_orm::entity::prelude::*;

use crate::enums::{NeedCloseReason, NeedPriority, NeedStatus};

/// One need; what it asks for, category by category, is in `need_line`. The figures are the sums
/// of its lines' (grams), kept in the same transactions as theirs.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "need")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub region_id: i32,
    pub shelter_id: Option<i32>,
    /// The organization that raised it; none when the ministry did.
    pub organization_id: Option<i32>,
    pub raised_by: Option<i32>,
    /// A settlement, district or shelter name.
    pub place: String,
    pub priority: NeedPriority,
    pub needed_by: DateTimeUtc,
    /// Personal data.
    pub contact_phone: Option<String>,
    pub note: Option<String>,
    pub status: NeedStatus,
    pub close_reason: Option<NeedCloseReason>,
    pub closed_at: Option<DateTimeUtc>,
    pub line_count: i32,
    /// Lines whose delivered kilograms reached their requested ones.
    pub complete_lines: i32,
    pub requested_grams: i64,
    pub allocated_grams: i64,
    pub dispatched_grams: i64,
    pub delivered_grams: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "crate::need_line::Entity")]
    NeedLine,
}

impl Related<crate::need_line::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::NeedLine.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
