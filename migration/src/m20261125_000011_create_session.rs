//! Sessions: refresh tokens, stored as SHA-256 hashes, rotated on every use. Every token of one
//! login shares a `family`; reusing a rotated token revokes the whole family.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, pk_auto, string, string_uniq, timestamp_with_time_zone, timestamp_with_time_zone_null,
};

use crate::common::{fk, index};

#[derive(DeriveIden)]
enum Session {
    Table,
    Id,
    UserId,
    Family,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    RotatedAt,
    RevokedAt,
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
                    .table(Session::Table)
                    .col(pk_auto(Session::Id))
                    .col(integer(Session::UserId))
                    .col(string(Session::Family))
                    .col(string_uniq(Session::TokenHash))
                    .col(timestamp_with_time_zone(Session::CreatedAt))
                    .col(timestamp_with_time_zone(Session::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Session::RotatedAt))
                    .col(timestamp_with_time_zone_null(Session::RevokedAt))
                    .check((
                        "session_expires_after_creation",
                        Expr::col(Session::ExpiresAt).gt(Expr::col(Session::CreatedAt)),
                    ))
                    .foreign_key(&mut fk(Session::Table, Session::UserId, UserAccount::Table))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(Session::Table, &["family"], false))
            .await?;
        manager
            .create_index(index(Session::Table, &["user_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Session::Table).to_owned())
            .await
    }
}
