//! Failed logins, by login and by client address, so that guessing is slowed and then refused for
//! a while on every instance alike.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{pk_auto, string, timestamp_with_time_zone};

use crate::common::index;

#[derive(DeriveIden)]
enum LoginFailure {
    Table,
    Id,
    Login,
    Address,
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
                    .table(LoginFailure::Table)
                    .col(pk_auto(LoginFailure::Id))
                    .col(string(LoginFailure::Login))
                    .col(string(LoginFailure::Address))
                    .col(timestamp_with_time_zone(LoginFailure::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(LoginFailure::Table, &["login", "at"], false))
            .await?;
        manager
            .create_index(index(LoginFailure::Table, &["address", "at"], false))
            .await?;
        manager
            .create_index(index(LoginFailure::Table, &["at"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LoginFailure::Table).to_owned())
            .await
    }
}
