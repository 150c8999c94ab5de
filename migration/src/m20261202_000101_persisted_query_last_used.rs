//! Persisted queries remember when each was last used, so the store can keep a bounded number
//! and drop the least recently used. The table is a cache (a client whose hash is gone sends the
//! text once more), so it is recreated rather than altered: SQLite cannot add a NOT NULL column
//! whose default is the current time.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, text, timestamp_with_time_zone};

#[derive(DeriveIden)]
enum PersistedQuery {
    Table,
    Hash,
    Query,
    CreatedAt,
    LastUsedAt,
}

fn create(last_used: bool) -> TableCreateStatement {
    let mut table = Table::create();
    table
        .table(PersistedQuery::Table)
        .col(string_len(PersistedQuery::Hash, 64).primary_key())
        .col(text(PersistedQuery::Query))
        .col(timestamp_with_time_zone(PersistedQuery::CreatedAt));
    if last_used {
        table.col(timestamp_with_time_zone(PersistedQuery::LastUsedAt));
    }
    table
        .check((
            "persisted_query_hash_is_sha256",
            Expr::cust("length(hash) = 64"),
        ))
        .to_owned()
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PersistedQuery::Table).to_owned())
            .await?;
        manager.create_table(create(true)).await?;
        manager
            .create_index(
                Index::create()
                    .name("persisted_query_last_used_at")
                    .table(PersistedQuery::Table)
                    .col(PersistedQuery::LastUsedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PersistedQuery::Table).to_owned())
            .await?;
        manager.create_table(create(false)).await
    }
}
