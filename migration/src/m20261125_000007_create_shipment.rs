//! Shipments: aid sent by an organization from one collecting region to an affected one, planned →
//! dispatched → delivered (or cancelled). The CHECKs keep each status's timestamps present and in order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, integer_null, pk_auto, string, string_null, text_null, timestamp_with_time_zone_null,
};

use crate::common::{fk, index, one_of, sync_columns};

#[derive(DeriveIden)]
enum Shipment {
    Table,
    Id,
    OrganizationId,
    OriginRegionId,
    DestinationRegionId,
    Status,
    Vehicle,
    DriverName,
    DriverPhone,
    DispatchedAt,
    DeliveredAt,
    CancelledAt,
    DeliveryNote,
    CreatedBy,
    ConfirmedBy,
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
        let status = |s: &str| Expr::col(Shipment::Status).eq(s);
        let set = |c: Shipment| Expr::col(c).is_not_null();
        let unset = |c: Shipment| Expr::col(c).is_null();
        let mut table = Table::create();
        table
            .table(Shipment::Table)
            .col(pk_auto(Shipment::Id))
            .col(integer(Shipment::OrganizationId))
            .col(integer(Shipment::OriginRegionId))
            .col(integer(Shipment::DestinationRegionId))
            .col(string(Shipment::Status).default("planned"))
            .col(string(Shipment::Vehicle))
            .col(string(Shipment::DriverName))
            .col(string_null(Shipment::DriverPhone))
            .col(timestamp_with_time_zone_null(Shipment::DispatchedAt))
            .col(timestamp_with_time_zone_null(Shipment::DeliveredAt))
            .col(timestamp_with_time_zone_null(Shipment::CancelledAt))
            .col(text_null(Shipment::DeliveryNote))
            .col(integer_null(Shipment::CreatedBy))
            .col(integer_null(Shipment::ConfirmedBy))
            .check((
                "shipment_status_known",
                one_of(
                    Shipment::Status,
                    &["planned", "dispatched", "delivered", "cancelled"],
                ),
            ))
            .check((
                "shipment_goes_elsewhere",
                Expr::col(Shipment::OriginRegionId).ne(Expr::col(Shipment::DestinationRegionId)),
            ))
            .check((
                "shipment_status_timestamps",
                status("planned")
                    .and(unset(Shipment::DispatchedAt))
                    .and(unset(Shipment::DeliveredAt))
                    .and(unset(Shipment::CancelledAt))
                    .or(status("dispatched")
                        .and(set(Shipment::DispatchedAt))
                        .and(unset(Shipment::DeliveredAt))
                        .and(unset(Shipment::CancelledAt)))
                    .or(status("delivered")
                        .and(set(Shipment::DispatchedAt))
                        .and(set(Shipment::DeliveredAt))
                        .and(unset(Shipment::CancelledAt)))
                    .or(status("cancelled")
                        .and(unset(Shipment::DeliveredAt))
                        .and(set(Shipment::CancelledAt))),
            ))
            .check((
                "shipment_delivered_after_dispatch",
                unset(Shipment::DeliveredAt)
                    .or(Expr::col(Shipment::DeliveredAt).gte(Expr::col(Shipment::DispatchedAt))),
            ))
            .foreign_key(&mut fk(
                Shipment::Table,
                Shipment::OrganizationId,
                Organization::Table,
            ))
            .foreign_key(&mut fk(
                Shipment::Table,
                Shipment::OriginRegionId,
                Region::Table,
            ))
            .foreign_key(&mut fk(
                Shipment::Table,
                Shipment::DestinationRegionId,
                Region::Table,
            ))
            .foreign_key(&mut fk(
                Shipment::Table,
                Shipment::CreatedBy,
                UserAccount::Table,
            ))
            .foreign_key(&mut fk(
                Shipment::Table,
                Shipment::ConfirmedBy,
                UserAccount::Table,
            ));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        for (columns, unique) in [
            (&["organization_id", "created_at"][..], false),
            (&["origin_region_id", "status"][..], false),
            (&["destination_region_id", "status"][..], false),
            (&["status"][..], false),
            (&["id", "origin_region_id"][..], true),
        ] {
            manager
                .create_index(index(Shipment::Table, columns, unique))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Shipment::Table).to_owned())
            .await
    }
}
