//! `shelter_count`: one head count of a shelter, append-only. Counts, never names.

use sea_orm::entity::prelude::*;

/// People (of them children) in a shelter at a moment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "shelter_count")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub shelter_id: i32,
    pub people: i32,
    pub children: i32,
    pub counted_at: DateTimeUtc,
    pub reported_by: Option<i32>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "crate::shelter::Entity",
        from = "Column::ShelterId",
        to = "crate::shelter::Column::Id"
    )]
    Shelter,
}

impl Related<crate::shelter::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Shelter.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
