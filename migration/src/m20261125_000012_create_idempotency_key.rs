//! Idempotency keys: a mutation retried with the same key returns the first call's result instead
//! of acting twice. One row per (user, key), written in the same transaction as the effect.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, pk_auto, string, timestamp_with_time_zone};

use crate::common::{fk, index};

#[derive(DeriveIden)]
enum IdempotencyKey {
    Table,
    Id,
    UserId,
    Key,
    Operation,
    RequestHash,
    ResultId,
    CreatedAt,
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
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyKey::Table)
                    .col(pk_auto(IdempotencyKey::Id))
                    .col(integer(IdempotencyKey::UserId))
                    .col(string(IdempotencyKey::Key))
                    .col(string(IdempotencyKey::Operation))
                    .col(string(IdempotencyKey::RequestHash))
                    .col(integer(IdempotencyKey::ResultId))
                    .col(timestamp_with_time_zone(IdempotencyKey::CreatedAt))
                    .check((
                        "idempotency_key_length",
                        Expr::cust("length(key) BETWEEN 1 AND 200"),
                    ))
                    .foreign_key(&mut fk(
                        IdempotencyKey::Table,
                        IdempotencyKey::UserId,
                        UserAccount::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(IdempotencyKey::Table, &["user_id", "key"], true))
            .await?;
        manager
            .create_index(index(IdempotencyKey::Table, &["created_at"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(IdempotencyKey::Table).to_owned())
            .await
    }
}
