//! Organizations that take part: volunteer networks, NGOs, businesses, government bodies. The
//! ministry verifies an organization (`verified_at`) before it may register donations.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, pk_auto, string, string_null, string_uniq, timestamp_with_time_zone_null,
};

use crate::common::{fk, index, not_blank, one_of, sync_columns};

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
    Name,
    Kind,
    RegionId,
    ContactEmail,
    ContactPhone,
    VerifiedAt,
}

#[derive(DeriveIden)]
enum Region {
    Table,
}

const KINDS: [&str; 8] = [
    "national_volunteer_network",
    "volunteer_organization",
    "youth",
    "religious",
    "ethnocultural",
    "charity",
    "business",
    "government_body",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table(Organization::Table)
            .col(pk_auto(Organization::Id))
            .col(string_uniq(Organization::Name))
            .col(string(Organization::Kind))
            .col(integer(Organization::RegionId))
            .col(string_null(Organization::ContactEmail))
            .col(string_null(Organization::ContactPhone))
            .col(timestamp_with_time_zone_null(Organization::VerifiedAt))
            .check((
                "organization_kind_known",
                one_of(Organization::Kind, &KINDS),
            ))
            .check(("organization_name_not_blank", not_blank("name")))
            .foreign_key(&mut fk(
                Organization::Table,
                Organization::RegionId,
                Region::Table,
            ));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        manager
            .create_index(index(Organization::Table, &["region_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Organization::Table).to_owned())
            .await
    }
}
