//! Persisted queries (Apollo's automatic persisted queries): a query's text under its SHA-256, so
//! phones send the hash instead of the text. Shared by every instance and kept across restarts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, text, timestamp_with_time_zone};

#[derive(DeriveIden)]
enum PersistedQuery {
    Table,
    Hash,
    Query,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PersistedQuery::Table)
                    .col(string_len(PersistedQuery::Hash, 64).primary_key())
                    .col(text(PersistedQuery::Query))
                    .col(timestamp_with_time_zone(PersistedQuery::CreatedAt))
                    .check((
                        "persisted_query_hash_is_sha256",
                        Expr::cust("length(hash) = 64"),
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PersistedQuery::Table).to_owned())
            .await
    }
}
