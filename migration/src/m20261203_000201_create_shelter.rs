//! Shelters (evacuation centres) and their head counts. A shelter is in one region and run by an
//! organization (none when the ministry opened it); its capacity is in people. Head counts are
//! append-only rows in `shelter_count`, so the history stays; the shelter carries a copy of its
//! latest one (`people`, `children`, `counted_at`, all set or all null), written in the same
//! transaction as the count, so that totals over many shelters are one SUM. Counts only: no
//! table here ever names a person.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, integer_null, pk_auto, string, text, timestamp_with_time_zone,
    timestamp_with_time_zone_null,
};

use crate::common::{fk, index, not_blank, one_of, sync_columns};

#[derive(DeriveIden)]
enum Shelter {
    Table,
    Id,
    RegionId,
    OrganizationId,
    Name,
    Address,
    Capacity,
    Status,
    ClosedAt,
    People,
    Children,
    CountedAt,
    CreatedBy,
}

#[derive(DeriveIden)]
enum ShelterCount {
    Table,
    Id,
    ShelterId,
    People,
    Children,
    CountedAt,
    ReportedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Region {
    Table,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let status = |s: &str| Expr::col(Shelter::Status).eq(s);
        let mut table = Table::create();
        table
            .table(Shelter::Table)
            .col(pk_auto(Shelter::Id))
            .col(integer(Shelter::RegionId))
            .col(integer_null(Shelter::OrganizationId))
            .col(string(Shelter::Name))
            .col(text(Shelter::Address))
            .col(integer(Shelter::Capacity))
            .col(string(Shelter::Status).default("open"))
            .col(timestamp_with_time_zone_null(Shelter::ClosedAt))
            .col(integer_null(Shelter::People))
            .col(integer_null(Shelter::Children))
            .col(timestamp_with_time_zone_null(Shelter::CountedAt))
            .col(integer_null(Shelter::CreatedBy))
            .check(("shelter_name_not_blank", not_blank("name")))
            .check((
                "shelter_capacity_positive",
                Expr::col(Shelter::Capacity).gt(0),
            ))
            .check((
                "shelter_status_known",
                one_of(Shelter::Status, &["open", "closed"]),
            ))
            .check((
                "shelter_status_matches_closed_at",
                status("open")
                    .and(Expr::col(Shelter::ClosedAt).is_null())
                    .or(status("closed").and(Expr::col(Shelter::ClosedAt).is_not_null())),
            ))
            .check((
                "shelter_latest_count_whole",
                Expr::col(Shelter::People)
                    .is_null()
                    .and(Expr::col(Shelter::Children).is_null())
                    .and(Expr::col(Shelter::CountedAt).is_null())
                    .or(Expr::col(Shelter::People)
                        .gte(0)
                        .and(Expr::col(Shelter::Children).gte(0))
                        .and(Expr::col(Shelter::Children).lte(Expr::col(Shelter::People)))
                        .and(Expr::col(Shelter::CountedAt).is_not_null())),
            ))
            .foreign_key(&mut fk(Shelter::Table, Shelter::RegionId, Region::Table))
            .foreign_key(&mut fk(
                Shelter::Table,
                Shelter::OrganizationId,
                Organization::Table,
            ))
            .foreign_key(&mut fk(
                Shelter::Table,
                Shelter::CreatedBy,
                UserAccount::Table,
            ));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        manager
            .create_index(index(Shelter::Table, &["region_id", "id"], false))
            .await?;
        manager
            .create_index(index(Shelter::Table, &["organization_id"], false))
            .await?;
        // The composite key a need's (shelter, region) foreign key points at.
        manager
            .create_index(index(Shelter::Table, &["id", "region_id"], true))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ShelterCount::Table)
                    .col(pk_auto(ShelterCount::Id))
                    .col(integer(ShelterCount::ShelterId))
                    .col(integer(ShelterCount::People))
                    .col(integer(ShelterCount::Children))
                    .col(timestamp_with_time_zone(ShelterCount::CountedAt))
                    .col(integer_null(ShelterCount::ReportedBy))
                    .col(timestamp_with_time_zone(ShelterCount::CreatedAt))
                    .check((
                        "shelter_count_people_within_range",
                        Expr::col(ShelterCount::People)
                            .gte(0)
                            .and(Expr::col(ShelterCount::Children).gte(0))
                            .and(
                                Expr::col(ShelterCount::Children)
                                    .lte(Expr::col(ShelterCount::People)),
                            ),
                    ))
                    .foreign_key(&mut fk(
                        ShelterCount::Table,
                        ShelterCount::ShelterId,
                        Shelter::Table,
                    ))
                    .foreign_key(&mut fk(
                        ShelterCount::Table,
                        ShelterCount::ReportedBy,
                        UserAccount::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                ShelterCount::Table,
                &["shelter_id", "counted_at"],
                false,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShelterCount::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Shelter::Table).to_owned())
            .await
    }
}
