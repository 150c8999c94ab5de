//! Needs: what an affected region (optionally one of its shelters) asks for, one line per
//! category, and what shipments cover of each line. Each line keeps its own figures, kilograms as
//! grams: allocated (on non-cancelled shipments serving it), dispatched (on dispatched or delivered
//! ones) and delivered; `delivered <= dispatched <= allocated <= requested` is a CHECK, so no
//! race can over-allocate a line whatever the code above does. The need carries the sums of its
//! lines (and how many of them are complete), kept in the same transactions, so that lists,
//! filters and totals over needs read one row per need.
//!
//! `priority` is stored as its rank, 1 (urgent) to 4 (low), so that "most urgent first" is a
//! plain ascending order. A shelter named by a need is in the need's region (a composite key).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, integer, integer_null, pk_auto, string, string_null, text_null,
    timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::common::{fk, index, not_blank, one_of, sync_columns};

#[derive(DeriveIden, Clone, Copy)]
enum Need {
    Table,
    Id,
    RegionId,
    ShelterId,
    OrganizationId,
    RaisedBy,
    Place,
    Priority,
    NeededBy,
    ContactPhone,
    Note,
    Status,
    CloseReason,
    ClosedAt,
    LineCount,
    CompleteLines,
    RequestedGrams,
    AllocatedGrams,
    DispatchedGrams,
    DeliveredGrams,
}

#[derive(DeriveIden, Clone, Copy)]
enum NeedLine {
    Table,
    Id,
    NeedId,
    Category,
    RequestedGrams,
    AllocatedGrams,
    DispatchedGrams,
    DeliveredGrams,
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

#[derive(DeriveIden)]
enum Shelter {
    Table,
    Id,
    RegionId,
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

/// `0 <= delivered <= dispatched <= allocated <= requested`, requested positive.
fn figures_in_order<T: IntoIden + Copy + 'static>(
    requested: T,
    allocated: T,
    dispatched: T,
    delivered: T,
) -> SimpleExpr {
    Expr::col(requested)
        .gt(0)
        .and(Expr::col(delivered).gte(0))
        .and(Expr::col(delivered).lte(Expr::col(dispatched)))
        .and(Expr::col(dispatched).lte(Expr::col(allocated)))
        .and(Expr::col(allocated).lte(Expr::col(requested)))
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let status = |s: &str| Expr::col(Need::Status).eq(s);
        let closed_at = || Expr::col(Need::ClosedAt);
        let reason = || Expr::col(Need::CloseReason);
        let mut table = Table::create();
        table
            .table(Need::Table)
            .col(pk_auto(Need::Id))
            .col(integer(Need::RegionId))
            .col(integer_null(Need::ShelterId))
            .col(integer_null(Need::OrganizationId))
            .col(integer_null(Need::RaisedBy))
            .col(string(Need::Place))
            .col(integer(Need::Priority))
            .col(timestamp_with_time_zone(Need::NeededBy))
            .col(string_null(Need::ContactPhone))
            .col(text_null(Need::Note))
            .col(string(Need::Status).default("open"))
            .col(string_null(Need::CloseReason))
            .col(timestamp_with_time_zone_null(Need::ClosedAt))
            .col(integer(Need::LineCount))
            .col(integer(Need::CompleteLines).default(0))
            .col(big_integer(Need::RequestedGrams))
            .col(big_integer(Need::AllocatedGrams).default(0))
            .col(big_integer(Need::DispatchedGrams).default(0))
            .col(big_integer(Need::DeliveredGrams).default(0))
            .check(("need_place_not_blank", not_blank("place")))
            .check((
                "need_priority_known",
                Expr::col(Need::Priority).between(1, 4),
            ))
            .check((
                "need_status_known",
                one_of(Need::Status, &["open", "closed", "cancelled"]),
            ))
            .check((
                "need_status_matches_closing",
                status("open")
                    .and(closed_at().is_null())
                    .and(reason().is_null())
                    .or(status("closed")
                        .and(closed_at().is_not_null())
                        .and(one_of(Need::CloseReason, &["met", "no_longer_needed"])))
                    .or(status("cancelled")
                        .and(closed_at().is_not_null())
                        .and(reason().is_null())),
            ))
            .check((
                "need_lines_counted",
                Expr::col(Need::LineCount)
                    .gt(0)
                    .and(Expr::col(Need::CompleteLines).gte(0))
                    .and(Expr::col(Need::CompleteLines).lte(Expr::col(Need::LineCount))),
            ))
            .check((
                "need_figures_in_order",
                figures_in_order(
                    Need::RequestedGrams,
                    Need::AllocatedGrams,
                    Need::DispatchedGrams,
                    Need::DeliveredGrams,
                ),
            ))
            .foreign_key(&mut fk(Need::Table, Need::RegionId, Region::Table))
            .foreign_key(&mut fk(
                Need::Table,
                Need::OrganizationId,
                Organization::Table,
            ))
            .foreign_key(&mut fk(Need::Table, Need::RaisedBy, UserAccount::Table))
            .foreign_key(
                ForeignKey::create()
                    .name("need_shelter_fkey")
                    .from(Need::Table, (Need::ShelterId, Need::RegionId))
                    .to(Shelter::Table, (Shelter::Id, Shelter::RegionId))
                    .on_delete(ForeignKeyAction::Restrict)
                    .on_update(ForeignKeyAction::Restrict),
            );
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        // The board's order (priority, then soonest) and the usual filters.
        manager
            .create_index(index(Need::Table, &["priority", "needed_by", "id"], false))
            .await?;
        manager
            .create_index(index(Need::Table, &["region_id", "status"], false))
            .await?;
        manager
            .create_index(index(Need::Table, &["organization_id"], false))
            .await?;

        let mut lines = Table::create();
        lines
            .table(NeedLine::Table)
            .col(pk_auto(NeedLine::Id))
            .col(integer(NeedLine::NeedId))
            .col(string(NeedLine::Category))
            .col(big_integer(NeedLine::RequestedGrams))
            .col(big_integer(NeedLine::AllocatedGrams).default(0))
            .col(big_integer(NeedLine::DispatchedGrams).default(0))
            .col(big_integer(NeedLine::DeliveredGrams).default(0))
            .check((
                "need_line_category_known",
                one_of(NeedLine::Category, &CATEGORIES),
            ))
            .check((
                "need_line_figures_in_order",
                figures_in_order(
                    NeedLine::RequestedGrams,
                    NeedLine::AllocatedGrams,
                    NeedLine::DispatchedGrams,
                    NeedLine::DeliveredGrams,
                ),
            ))
            .foreign_key(&mut fk(NeedLine::Table, NeedLine::NeedId, Need::Table));
        manager
            .create_table(sync_columns(&mut lines).to_owned())
            .await?;
        // A category appears at most once in a need.
        manager
            .create_index(index(NeedLine::Table, &["need_id", "category"], true))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(NeedLine::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Need::Table).to_owned())
            .await
    }
}
