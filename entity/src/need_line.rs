//! `need_line`: the kilograms of one category a need asks for, and what shipments cover of them.

use sea_orm::entity::prelude::*;

use crate::enums::DonationCategory;

/// One category of a need. `delivered <= dispatched <= allocated <= requested` (grams), always.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "need_line")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub need_id: i32,
    pub category: DonationCategory,
    pub requested_grams: i64,
    /// On non-cancelled shipments serving this line.
    pub allocated_grams: i64,
    /// On dispatched or delivered ones.
    pub dispatched_grams: i64,
    /// On delivered ones.
    pub delivered_grams: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::need::Entity",
        from = "Column::NeedId",
        to = "crate::need::Column::Id"
    )]
    Need,
}

impl Related<crate::need::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Need.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
