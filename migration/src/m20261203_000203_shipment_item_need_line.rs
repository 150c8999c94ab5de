//! A shipment item may serve one need line (`need_line_id`, NULL when it serves none). Its
//! kilograms then count in that line's allocated, dispatched and delivered figures, which the
//! services move in the same transaction as the shipment; the line's own CHECK keeps them within
//! what it requested.

use sea_orm_migration::prelude::*;

use crate::common::index;

#[derive(DeriveIden)]
enum ShipmentItem {
    Table,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds a foreign key only with the column, in its own words; PostgreSQL takes them.
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE shipment_item ADD COLUMN need_line_id integer \
                 REFERENCES need_line (id) ON DELETE RESTRICT ON UPDATE RESTRICT",
            )
            .await?;
        manager
            .create_index(index(ShipmentItem::Table, &["need_line_id"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("shipment_item_need_line_id_idx")
                    .table(ShipmentItem::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(ShipmentItem::Table)
                    .drop_column(Alias::new("need_line_id"))
                    .to_owned(),
            )
            .await
    }
}
