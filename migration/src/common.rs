//! Column shapes shared by the migrations of 2026-11-25. Frozen with them: a later migration that
//! needs another shape writes its own instead of changing these.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{integer, timestamp_with_time_zone};

#[derive(DeriveIden)]
enum Sync {
    CreatedAt,
    UpdatedAt,
    Version,
}

/// `created_at`, `updated_at` and `version`: what every row a client syncs carries.
pub fn sync_columns(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table
        .col(timestamp_with_time_zone(Sync::CreatedAt))
        .col(timestamp_with_time_zone(Sync::UpdatedAt))
        .col(integer(Sync::Version).default(1))
        .check(("version_positive", Expr::col(Sync::Version).gte(1)))
}

/// `column IN (values)`, for CHECK constraints on text enums.
pub fn one_of<C: IntoIden + 'static>(column: C, values: &[&str]) -> SimpleExpr {
    Expr::col(column).is_in(values.iter().copied())
}

/// A foreign key from `table.column` to `target.id`.
pub fn fk<T, C, R>(table: T, column: C, target: R) -> ForeignKeyCreateStatement
where
    T: IntoIden + 'static,
    C: IntoIden + 'static,
    R: IntoIden + 'static,
{
    ForeignKey::create()
        .from(table, column)
        .to(target, Alias::new("id"))
        .on_delete(ForeignKeyAction::Restrict)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

/// A plain (or unique) index named `<table>_<columns>_idx`.
pub fn index<T>(table: T, columns: &[&'static str], unique: bool) -> IndexCreateStatement
where
    T: IntoIden + 'static,
{
    let table = table.into_iden();
    let mut stmt = Index::create();
    let suffix = if unique { "key" } else { "idx" };
    stmt.name(format!("{table}_{}_{suffix}", columns.join("_")))
        .table(table);
    for column in columns {
        stmt.col(Alias::new(*column));
    }
    if unique {
        stmt.unique();
    }
    stmt.to_owned()
}

/// `trim(column) <> ''`: the text holds more than blanks.
pub fn not_blank(column: &str) -> Expr {
    Expr::cust(format!("trim({column}) <> ''"))
}
