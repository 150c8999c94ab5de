//! The audit trail records the demand side: `need`, `shelter` and `write_off` join the kinds of
//! object (`audit_event_entity_known`), and `raised`, `closed`, `opened`, `counted` and
//! `written_off` the actions (`audit_event_action_known`; a cancelled need is `cancelled`, as a
//! task is).
//!
//! The two CHECKs are widened from what they hold when this runs, not from a fixed list, so that
//! a later migration that widens them again composes with this one. PostgreSQL replaces the two
//! CHECKs in place; SQLite cannot alter a constraint, so there the table is rebuilt with them
//! (rows, ids and indexes kept).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{DbBackend, Statement};

/// What this migration adds to each CHECK's list.
const CHANGES: [(&str, &[&str]); 2] = [
    (
        "audit_event_entity_known",
        &["need", "shelter", "write_off"],
    ),
    (
        "audit_event_action_known",
        &["raised", "closed", "opened", "counted", "written_off"],
    ),
];

/// The quoted values in a CHECK's text (`'donation'`, …), in order.
fn values(check: &str) -> Vec<String> {
    check
        .split('\'')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A list with `added` added (`widen`) or taken out.
fn changed(mut list: Vec<String>, added: &[&str], widen: bool) -> Vec<String> {
    list.retain(|v| !added.contains(&v.as_str()));
    if widen {
        list.extend(added.iter().map(|v| (*v).to_owned()));
    }
    list
}

async fn text(manager: &SchemaManager<'_>, sql: String) -> Result<String, DbErr> {
    let backend = manager.get_database_backend();
    manager
        .get_connection()
        .query_one_raw(Statement::from_string(backend, sql.clone()))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("nothing for {sql}")))?
        .try_get_by_index::<String>(0)
}

/// Adds this migration's values to the two CHECKs (`widen`), or takes them out.
async fn change(manager: &SchemaManager<'_>, widen: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            let original = text(
                manager,
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_event'"
                    .into(),
            )
            .await?;
            let mut create = original.clone();
            for (name, value) in CHANGES {
                // `CONSTRAINT "name" CHECK ("column" IN (...))`: the list is up to the first `)`.
                let bad = || DbErr::Migration(format!("audit_event's {name} is not as expected"));
                let at = create.find(&format!("\"{name}\"")).ok_or_else(bad)?;
                let open = at + create[at..].find("IN (").ok_or_else(bad)? + "IN (".len();
                let close = open + create[open..].find(')').ok_or_else(bad)?;
                let list = changed(values(&create[open..close]), value, widen);
                create.replace_range(open..close, &quoted(&list));
            }
            let create = create.replacen("\"audit_event\"", "\"audit_event_rebuilt\"", 1);
            db.execute_unprepared(&create).await?;
            db.execute_unprepared("INSERT INTO audit_event_rebuilt SELECT * FROM audit_event")
                .await?;
            db.execute_unprepared("DROP TABLE audit_event").await?;
            db.execute_unprepared("ALTER TABLE audit_event_rebuilt RENAME TO audit_event")
                .await?;
            for columns in [
                &["at", "id"][..],
                &["entity", "entity_id", "at"][..],
                &["user_id", "at"][..],
            ] {
                let name = format!("audit_event_{}_idx", columns.join("_"));
                let cols = columns
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ");
                db.execute_unprepared(&format!(
                    "CREATE INDEX \"{name}\" ON \"audit_event\" ({cols})"
                ))
                .await?;
            }
        }
        _ => {
            for (name, value) in CHANGES {
                let check = text(
                    manager,
                    format!(
                        "SELECT pg_get_constraintdef(oid) FROM pg_constraint \
                         WHERE conname = '{name}' AND conrelid = 'audit_event'::regclass"
                    ),
                )
                .await?;
                let column = if name.contains("entity") {
                    "entity"
                } else {
                    "action"
                };
                let list = changed(values(&check), value, widen);
                db.execute_unprepared(&format!(
                    "ALTER TABLE audit_event DROP CONSTRAINT {name}, \
                     ADD CONSTRAINT {name} CHECK ({column} IN ({}))",
                    quoted(&list)
                ))
                .await?;
            }
        }
    }
    Ok(())
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// In one transaction on SQLite too (sea-orm runs SQLite's migrations without one): the
    /// rebuild's statements must run on one connection, and all or none of them. On a pool,
    /// each would take any connection, and one whose view of the schema predates the table's
    /// drop refuses the rename ("there is already another table or index with this name").
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        change(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The trail of needs, shelters and write-offs goes with them.
        manager
            .get_connection()
            .execute_unprepared(
                "DELETE FROM audit_event WHERE entity IN ('need', 'shelter', 'write_off') \
                 OR action IN ('raised', 'closed', 'opened', 'counted', 'written_off')",
            )
            .await?;
        change(manager, false).await
    }
}
