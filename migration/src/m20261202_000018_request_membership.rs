//! Joining an organization is a request its staff approve: a volunteer names the organization
//! they ask to join (`requested_organization_id`, with `requested_at`) and stays outside it
//! (`organization_id` NULL, so its staff do not see their contacts) until its staff or the
//! ministry decide. The two columns are set and cleared together, and a request names an existing
//! organization; pending requests are read by organization, oldest first.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::timestamp_with_time_zone_null;

#[derive(DeriveIden)]
enum Volunteer {
    Table,
    RequestedOrganizationId,
    RequestedAt,
}

const INDEX: &str = "volunteer_requested_organization_id_requested_at_idx";

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds a foreign key only with the column, in its own words; PostgreSQL takes them.
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE volunteer ADD COLUMN requested_organization_id integer \
                 REFERENCES organization (id) ON DELETE RESTRICT ON UPDATE RESTRICT",
            )
            .await?;
        // A column CHECK (SQLite cannot add a table constraint): both set, or neither.
        manager
            .alter_table(
                Table::alter()
                    .table(Volunteer::Table)
                    .add_column(
                        timestamp_with_time_zone_null(Volunteer::RequestedAt).check(
                            Expr::col(Volunteer::RequestedAt)
                                .is_null()
                                .eq(Expr::col(Volunteer::RequestedOrganizationId).is_null()),
                        ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Volunteer::Table)
                    .col(Volunteer::RequestedOrganizationId)
                    .col(Volunteer::RequestedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Volunteer::Table).to_owned())
            .await?;
        for column in [Volunteer::RequestedAt, Volunteer::RequestedOrganizationId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Volunteer::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
