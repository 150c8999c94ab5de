//! Volunteers: people attached to a regional headquarters and optionally to an organization. They
//! are records, not logins: a `user_account` links to one when the person signs up.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    boolean, integer, integer_null, json, pk_auto, string, string_null, string_uniq,
};

use crate::common::{fk, index, not_blank, sync_columns};

#[derive(DeriveIden)]
enum Volunteer {
    Table,
    Id,
    FullName,
    Phone,
    Email,
    RegionId,
    OrganizationId,
    Skills,
    Available,
}

#[derive(DeriveIden)]
enum Region {
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
        let mut table = Table::create();
        table
            .table(Volunteer::Table)
            .col(pk_auto(Volunteer::Id))
            .col(string(Volunteer::FullName))
            .col(string_uniq(Volunteer::Phone))
            .col(string_null(Volunteer::Email).unique_key())
            .col(integer(Volunteer::RegionId))
            .col(integer_null(Volunteer::OrganizationId))
            .col(json(Volunteer::Skills))
            .col(boolean(Volunteer::Available).default(true))
            .check(("volunteer_name_not_blank", not_blank("full_name")))
            .check((
                "volunteer_phone_format",
                Expr::col(Volunteer::Phone).like("+7%"),
            ))
            .foreign_key(&mut fk(
                Volunteer::Table,
                Volunteer::RegionId,
                Region::Table,
            ))
            .foreign_key(&mut fk(
                Volunteer::Table,
                Volunteer::OrganizationId,
                Organization::Table,
            ));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        manager
            .create_index(index(Volunteer::Table, &["region_id"], false))
            .await?;
        manager
            .create_index(index(Volunteer::Table, &["organization_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Volunteer::Table).to_owned())
            .await
    }
}
