//! Tasks: work for volunteers in a region, with a time window and a number of places.
//! `volunteers_assigned` counts the live claims and never exceeds `volunteers_needed`; a task is
//! `open` exactly while places are free, `assigned` once all are taken.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, integer_null, pk_auto, string, text, timestamp_with_time_zone,
    timestamp_with_time_zone_null,
};

use crate::common::{fk, index, not_blank, one_of, sync_columns};

#[derive(DeriveIden)]
enum Task {
    Table,
    Id,
    OrganizationId,
    RegionId,
    CollectionPointId,
    ShipmentId,
    Title,
    Description,
    Kind,
    StartsAt,
    EndsAt,
    VolunteersNeeded,
    VolunteersAssigned,
    Status,
    CancelledAt,
    CreatedBy,
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
enum CollectionPoint {
    Table,
}

#[derive(DeriveIden)]
enum Shipment {
    Table,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
}

const KINDS: [&str; 7] = [
    "sorting",
    "loading",
    "delivery_escort",
    "distribution",
    "sandbagging",
    "shelter_duty",
    "contact_center_shift",
];

/// More places than any one task of the campaign offered.
const MAX_VOLUNTEERS: i32 = 10_000;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let status = |s: &str| Expr::col(Task::Status).eq(s);
        let needed = || Expr::col(Task::VolunteersNeeded);
        let assigned = || Expr::col(Task::VolunteersAssigned);
        let mut table = Table::create();
        table
            .table(Task::Table)
            .col(pk_auto(Task::Id))
            .col(integer_null(Task::OrganizationId))
            .col(integer(Task::RegionId))
            .col(integer_null(Task::CollectionPointId))
            .col(integer_null(Task::ShipmentId))
            .col(string(Task::Title))
            .col(text(Task::Description).default(""))
            .col(string(Task::Kind))
            .col(timestamp_with_time_zone(Task::StartsAt))
            .col(timestamp_with_time_zone(Task::EndsAt))
            .col(integer(Task::VolunteersNeeded))
            .col(integer(Task::VolunteersAssigned).default(0))
            .col(string(Task::Status).default("open"))
            .col(timestamp_with_time_zone_null(Task::CancelledAt))
            .col(integer_null(Task::CreatedBy))
            .check(("task_kind_known", one_of(Task::Kind, &KINDS)))
            .check((
                "task_status_known",
                one_of(
                    Task::Status,
                    &["open", "assigned", "in_progress", "done", "cancelled"],
                ),
            ))
            .check(("task_title_not_blank", not_blank("title")))
            .check((
                "task_ends_after_start",
                Expr::col(Task::EndsAt).gt(Expr::col(Task::StartsAt)),
            ))
            .check((
                "task_volunteers_needed_range",
                needed().gte(1).and(needed().lte(MAX_VOLUNTEERS)),
            ))
            .check((
                "task_volunteers_assigned_within_needed",
                assigned().gte(0).and(assigned().lte(needed())),
            ))
            .check((
                "task_open_means_free_places",
                status("open")
                    .and(assigned().lt(needed()))
                    .or(status("open").not()),
            ))
            .check((
                "task_assigned_means_full",
                status("assigned")
                    .and(assigned().eq(needed()))
                    .or(status("assigned").not()),
            ))
            .check((
                "task_cancelled_has_time",
                status("cancelled").eq(Expr::col(Task::CancelledAt).is_not_null()),
            ))
            .foreign_key(&mut fk(
                Task::Table,
                Task::OrganizationId,
                Organization::Table,
            ))
            .foreign_key(&mut fk(Task::Table, Task::RegionId, Region::Table))
            .foreign_key(&mut fk(
                Task::Table,
                Task::CollectionPointId,
                CollectionPoint::Table,
            ))
            .foreign_key(&mut fk(Task::Table, Task::ShipmentId, Shipment::Table))
            .foreign_key(&mut fk(Task::Table, Task::CreatedBy, UserAccount::Table));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        for columns in [
            &["region_id", "status", "starts_at"][..],
            &["organization_id", "starts_at"][..],
            &["status", "starts_at"][..],
            &["shipment_id"][..],
        ] {
            manager
                .create_index(index(Task::Table, columns, false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Task::Table).to_owned())
            .await
    }
}
