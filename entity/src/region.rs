//! `region`: reference data, the 20 regions of Kazakhstan.

use sea_orm::entity::prelude::*;

use crate::enums::RegionKind;

/// One region or city of republican significance.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "region")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// ISO 3166-2:KZ code, `KZ-71`.
    #[sea_orm(unique)]
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: String,
    pub kind: RegionKind,
    /// Aid is collected here (the article's 16 regions).
    pub collects: bool,
    /// Under the state of emergency of April 2024 (10 regions).
    pub affected: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
