//! User accounts: who can log in (by email or phone), with an argon2id hash and one role. A
//! volunteer's account links to its volunteer record, an NGO account to its organization; the
//! ministry's to neither. Sessions, refresh tokens and audit rows will reference this table.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer_null, pk_auto, string, string_null, timestamp_with_time_zone_null,
};

use crate::common::{fk, one_of, sync_columns};

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
    Email,
    Phone,
    PasswordHash,
    Role,
    DisplayName,
    VolunteerId,
    OrganizationId,
    DisabledAt,
}

#[derive(DeriveIden)]
enum Volunteer {
    Table,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let role = |r: &str| Expr::col(UserAccount::Role).eq(r);
        let set = |c: UserAccount| Expr::col(c).is_not_null();
        let unset = |c: UserAccount| Expr::col(c).is_null();
        let mut table = Table::create();
        table
            .table(UserAccount::Table)
            .col(pk_auto(UserAccount::Id))
            .col(string_null(UserAccount::Email).unique_key())
            .col(string_null(UserAccount::Phone).unique_key())
            .col(string(UserAccount::PasswordHash))
            .col(string(UserAccount::Role))
            .col(string(UserAccount::DisplayName))
            .col(integer_null(UserAccount::VolunteerId).unique_key())
            .col(integer_null(UserAccount::OrganizationId))
            .col(timestamp_with_time_zone_null(UserAccount::DisabledAt))
            .check((
                "user_account_role_known",
                one_of(UserAccount::Role, &["volunteer", "ngo", "ministry"]),
            ))
            .check((
                "user_account_has_login",
                set(UserAccount::Email).or(set(UserAccount::Phone)),
            ))
            .check((
                "user_account_role_link",
                role("volunteer")
                    .and(set(UserAccount::VolunteerId))
                    .and(unset(UserAccount::OrganizationId))
                    .or(role("ngo")
                        .and(set(UserAccount::OrganizationId))
                        .and(unset(UserAccount::VolunteerId)))
                    .or(role("ministry")
                        .and(unset(UserAccount::OrganizationId))
                        .and(unset(UserAccount::VolunteerId))),
            ))
            .check((
                "user_account_password_hash_argon2id",
                Expr::col(UserAccount::PasswordHash).like("$argon2id$%"),
            ))
            .foreign_key(&mut fk(
                UserAccount::Table,
                UserAccount::VolunteerId,
                Volunteer::Table,
            ))
            .foreign_key(&mut fk(
                UserAccount::Table,
                UserAccount::OrganizationId,
                Organization::Table,
            ));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(UserAccount::Table).to_owned())
            .await
    }
}
