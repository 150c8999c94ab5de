//! Donations: aid received at a collection point. Mass is exact integer grams. `shipped_grams`
//! is what non-cancelled shipments carry of it, kept in the same transaction as the shipment items;
//! the CHECKs make shipping a gram twice (or shipping a cancelled donation) impossible, whatever
//! the code above does, and keep `status` true to those figures.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, integer, integer_null, pk_auto, string, string_null, text,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::common::{fk, index, one_of, sync_columns};

#[derive(DeriveIden)]
enum Donation {
    Table,
    Id,
    CollectionPointId,
    OrganizationId,
    RegionId,
    Category,
    Grams,
    ShippedGrams,
    ItemCount,
    Description,
    DonorName,
    ReceivedAt,
    RegisteredBy,
    Status,
    CancelledAt,
}

#[derive(DeriveIden)]
enum CollectionPoint {
    Table,
    Id,
    OrganizationId,
    RegionId,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
}

const CATEGORIES: [&str; 10] = [
    "food",
    "drinking_water",
    "clothing",
    "hygiene",
    "medicine",
    "bedding",
    "baby_supplies",
    "animal_feed",
    "building_materials",
    "other",
];

/// No single donation reaches 1,000 tonnes; anything above is a typo.
const MAX_GRAMS: i64 = 1_000_000_000;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let status = |s: &str| Expr::col(Donation::Status).eq(s);
        let shipped = || Expr::col(Donation::ShippedGrams);
        let mut table = Table::create();
        table
            .table(Donation::Table)
            .col(pk_auto(Donation::Id))
            .col(integer(Donation::CollectionPointId))
            .col(integer(Donation::OrganizationId))
            .col(integer(Donation::RegionId))
            .col(string(Donation::Category))
            .col(big_integer(Donation::Grams))
            .col(big_integer(Donation::ShippedGrams).default(0))
            .col(integer_null(Donation::ItemCount))
            .col(text(Donation::Description).default(""))
            .col(string_null(Donation::DonorName))
            .col(timestamp_with_time_zone(Donation::ReceivedAt))
            .col(integer_null(Donation::RegisteredBy))
            .col(string(Donation::Status).default("received"))
            .col(timestamp_with_time_zone_null(Donation::CancelledAt))
            .check((
                "donation_category_known",
                one_of(Donation::Category, &CATEGORIES),
            ))
            .check((
                "donation_grams_positive",
                Expr::col(Donation::Grams)
                    .gt(0)
                    .and(Expr::col(Donation::Grams).lte(MAX_GRAMS)),
            ))
            .check((
                "donation_shipped_within_grams",
                shipped()
                    .gte(0)
                    .and(shipped().lte(Expr::col(Donation::Grams))),
            ))
            .check((
                "donation_item_count_positive",
                Expr::col(Donation::ItemCount)
                    .is_null()
                    .or(Expr::col(Donation::ItemCount).gt(0)),
            ))
            .check((
                "donation_status_known",
                one_of(
                    Donation::Status,
                    &["received", "partly_shipped", "shipped", "cancelled"],
                ),
            ))
            .check((
                "donation_status_matches_shipped",
                status("received")
                    .and(shipped().eq(0))
                    .or(status("partly_shipped")
                        .and(shipped().gt(0))
                        .and(shipped().lt(Expr::col(Donation::Grams))))
                    .or(status("shipped").and(shipped().eq(Expr::col(Donation::Grams))))
                    .or(status("cancelled")
                        .and(shipped().eq(0))
                        .and(Expr::col(Donation::CancelledAt).is_not_null())),
            ))
            .foreign_key(
                ForeignKey::create()
                    .name("donation_collection_point_fkey")
                    .from(
                        Donation::Table,
                        (
                            Donation::CollectionPointId,
                            Donation::OrganizationId,
                            Donation::RegionId,
                        ),
                    )
                    .to(
                        CollectionPoint::Table,
                        (
                            CollectionPoint::Id,
                            CollectionPoint::OrganizationId,
                            CollectionPoint::RegionId,
                        ),
                    )
                    .on_delete(ForeignKeyAction::Restrict)
                    .on_update(ForeignKeyAction::Restrict),
            )
            .foreign_key(&mut fk(
                Donation::Table,
                Donation::RegisteredBy,
                UserAccount::Table,
            ));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        for (columns, unique) in [
            (&["organization_id", "received_at"][..], false),
            (&["region_id", "received_at"][..], false),
            (&["collection_point_id", "received_at"][..], false),
            (&["received_at"][..], false),
            (&["status"][..], false),
            (&["id", "region_id"][..], true),
        ] {
            manager
                .create_index(index(Donation::Table, columns, unique))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Donation::Table).to_owned())
            .await
    }
}
