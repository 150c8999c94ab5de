//! Shipment items: the kilograms of one donation loaded on one shipment. Both composite foreign
//! keys go through `origin_region_id`, so an item can only load a donation collected in the
//! shipment's own origin region.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, integer, pk_auto, timestamp_with_time_zone};

use crate::common::index;

#[derive(DeriveIden)]
enum ShipmentItem {
    Table,
    Id,
    ShipmentId,
    DonationId,
    OriginRegionId,
    Grams,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Shipment {
    Table,
    Id,
    OriginRegionId,
}

#[derive(DeriveIden)]
enum Donation {
    Table,
    Id,
    RegionId,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ShipmentItem::Table)
                    .col(pk_auto(ShipmentItem::Id))
                    .col(integer(ShipmentItem::ShipmentId))
                    .col(integer(ShipmentItem::DonationId))
                    .col(integer(ShipmentItem::OriginRegionId))
                    .col(big_integer(ShipmentItem::Grams))
                    .col(timestamp_with_time_zone(ShipmentItem::CreatedAt))
                    .check((
                        "shipment_item_grams_positive",
                        Expr::col(ShipmentItem::Grams).gt(0),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("shipment_item_shipment_fkey")
                            .from(
                                ShipmentItem::Table,
                                (ShipmentItem::ShipmentId, ShipmentItem::OriginRegionId),
                            )
                            .to(Shipment::Table, (Shipment::Id, Shipment::OriginRegionId))
                            .on_delete(ForeignKeyAction::Cascade)
                            .on_update(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("shipment_item_donation_fkey")
                            .from(
                                ShipmentItem::Table,
                                (ShipmentItem::DonationId, ShipmentItem::OriginRegionId),
                            )
                            .to(Donation::Table, (Donation::Id, Donation::RegionId))
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                ShipmentItem::Table,
                &["shipment_id", "donation_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index(ShipmentItem::Table, &["donation_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ShipmentItem::Table).to_owned())
            .await
    }
}
