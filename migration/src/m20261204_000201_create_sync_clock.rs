//! The sync clock: one row holding the last stamp (microseconds since the epoch) given to a change
//! of the volunteers' tasks. Every such transaction takes the next stamp just before it commits
//! and holds the row's lock until then, so stamps increase in commit order; a delta sync reads
//! the clock first and hands it out as `syncedAt`, a watermark no write still in flight can fall
//! below. It starts at the moment of the migration, after every change already made.

use std::time::{SystemTime, UNIX_EPOCH};

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{big_integer, integer};

#[derive(DeriveIden)]
enum SyncClock {
    Table,
    Id,
    At,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SyncClock::Table)
                    .col(integer(SyncClock::Id).primary_key())
                    .col(big_integer(SyncClock::At))
                    .check(("sync_clock_has_one_row", Expr::col(SyncClock::Id).eq(1)))
                    .to_owned(),
            )
            .await?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .as_micros() as i64;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(SyncClock::Table)
                    .columns([SyncClock::Id, SyncClock::At])
                    .values_panic([1.into(), now.into()])
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SyncClock::Table).to_owned())
            .await
    }
}
