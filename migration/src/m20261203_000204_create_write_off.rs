//! Write-offs: kilograms of a donation taken out of stock without being shipped (damaged,
//! expired, lost, handed out at the point, returned to the donor). Each is an append-only row;
//! the donation carries their sum, `written_off_grams`, under a column CHECK that
//! `shipped_grams + written_off_grams <= grams`, so no race between shipping and writing off can
//! take a gram twice. The write-off names the donation with its organization and region (a
//! composite key), so that it is scoped like the donation itself.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, integer, integer_null, pk_auto, string, text_null, timestamp_with_time_zone,
};

use crate::common::{fk, index, one_of};

#[derive(DeriveIden)]
enum WriteOff {
    Table,
    Id,
    DonationId,
    OrganizationId,
    RegionId,
    Grams,
    Reason,
    Note,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Donation {
    Table,
    Id,
    OrganizationId,
    RegionId,
    Grams,
    ShippedGrams,
    WrittenOffGrams,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
}

const REASONS: [&str; 5] = [
    "damaged",
    "expired",
    "lost",
    "distributed_locally",
    "returned_to_donor",
];

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // A column CHECK (SQLite cannot add a table constraint).
        manager
            .alter_table(
                Table::alter()
                    .table(Donation::Table)
                    .add_column(
                        big_integer(Donation::WrittenOffGrams).default(0).check(
                            Expr::col(Donation::WrittenOffGrams).gte(0).and(
                                Expr::col(Donation::ShippedGrams)
                                    .add(Expr::col(Donation::WrittenOffGrams))
                                    .lte(Expr::col(Donation::Grams)),
                            ),
                        ),
                    )
                    .to_owned(),
            )
            .await?;
        // The key the write-off's composite foreign key points at.
        manager
            .create_index(index(
                Donation::Table,
                &["id", "organization_id", "region_id"],
                true,
            ))
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WriteOff::Table)
                    .col(pk_auto(WriteOff::Id))
                    .col(integer(WriteOff::DonationId))
                    .col(integer(WriteOff::OrganizationId))
                    .col(integer(WriteOff::RegionId))
                    .col(big_integer(WriteOff::Grams))
                    .col(string(WriteOff::Reason))
                    .col(text_null(WriteOff::Note))
                    .col(integer_null(WriteOff::CreatedBy))
                    .col(timestamp_with_time_zone(WriteOff::CreatedAt))
                    .check(("write_off_grams_positive", Expr::col(WriteOff::Grams).gt(0)))
                    .check(("write_off_reason_known", one_of(WriteOff::Reason, &REASONS)))
                    .foreign_key(
                        ForeignKey::create()
                            .name("write_off_donation_fkey")
                            .from(
                                WriteOff::Table,
                                (
                                    WriteOff::DonationId,
                                    WriteOff::OrganizationId,
                                    WriteOff::RegionId,
                                ),
                            )
                            .to(
                                Donation::Table,
                                (Donation::Id, Donation::OrganizationId, Donation::RegionId),
                            )
                            .on_delete(ForeignKeyAction::Restrict)
                            .on_update(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(&mut fk(
                        WriteOff::Table,
                        WriteOff::CreatedBy,
                        UserAccount::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(WriteOff::Table, &["donation_id"], false))
            .await?;
        manager
            .create_index(index(WriteOff::Table, &["organization_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(WriteOff::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("donation_id_organization_id_region_id_key")
                    .table(Donation::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Donation::Table)
                    .drop_column(Donation::WrittenOffGrams)
                    .to_owned(),
            )
            .await
    }
}
