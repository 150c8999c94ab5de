//! Collection points: where donors bring aid. Each belongs to a region and is run by an
//! organization; `(id, organization_id, region_id)` is unique so that donations can carry both
//! keys and a composite foreign key keeps them true.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, pk_auto, string, text};

use crate::common::{fk, index, not_blank, sync_columns};

#[derive(DeriveIden)]
enum CollectionPoint {
    Table,
    Id,
    RegionId,
    OrganizationId,
    Name,
    Address,
    OpeningHours,
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
            .table(CollectionPoint::Table)
            .col(pk_auto(CollectionPoint::Id))
            .col(integer(CollectionPoint::RegionId))
            .col(integer(CollectionPoint::OrganizationId))
            .col(string(CollectionPoint::Name))
            .col(text(CollectionPoint::Address))
            .col(string(CollectionPoint::OpeningHours))
            .check(("collection_point_name_not_blank", not_blank("name")))
            .foreign_key(&mut fk(
                CollectionPoint::Table,
                CollectionPoint::RegionId,
                Region::Table,
            ))
            .foreign_key(&mut fk(
                CollectionPoint::Table,
                CollectionPoint::OrganizationId,
                Organization::Table,
            ));
        manager
            .create_table(sync_columns(&mut table).to_owned())
            .await?;
        manager
            .create_index(index(CollectionPoint::Table, &["region_id", "id"], false))
            .await?;
        manager
            .create_index(index(CollectionPoint::Table, &["organization_id"], false))
            .await?;
        manager
            .create_index(index(
                CollectionPoint::Table,
                &["id", "organization_id", "region_id"],
                true,
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CollectionPoint::Table).to_owned())
            .await
    }
}
