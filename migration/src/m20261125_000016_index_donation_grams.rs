//! Donations by mass: an index on `(grams, id)`, the key of donation pages ordered by KILOGRAMS
//! (largest first, ties by id) and of kilogram ranges. Without it such a page over 1,000,000
//! donations scans and sorts the whole table (180 ms); with it, it reads the largest rows first
//! and stops after a page (5 ms; `bench/run --scale`, BENCHMARKS.md).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Donation {
    Table,
    Grams,
    Id,
}

const NAME: &str = "donation_grams_id_idx";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table(Donation::Table)
                    .col(Donation::Grams)
                    .col(Donation::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table(Donation::Table).to_owned())
            .await
    }
}
