//! The audit trail records needs: `need` joins the kinds of object (`audit_event_entity_known`),
//! and `raised` and `closed` the actions (`audit_event_action_known`; a cancelled need is
//! `cancelled`, as a task is). PostgreSQL replaces the two CHECKs in place; SQLite cannot alter a
//! constraint, so there the table is rebuilt with them (rows, ids and indexes kept).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// The kinds of object before this migration.
const ENTITIES: [&str; 7] = [
    "donation",
    "shipment",
    "task",
    "task_assignment",
    "organization",
    "user_account",
    "volunteer",
];

/// The actions before this migration.
const ACTIONS: [&str; 15] = [
    "registered",
    "planned",
    "dispatched",
    "delivered",
    "posted",
    "claimed",
    "released",
    "status_changed",
    "cancelled",
    "verified",
    "disabled",
    "enabled",
    "account_created",
    "password_changed",
    "signed_up",
];

/// What this migration adds.
const NEW_ENTITIES: [&str; 1] = ["need"];
const NEW_ACTIONS: [&str; 2] = ["raised", "closed"];

/// The lists after it.
const WIDER_ENTITIES: [&str; 8] = [
    "donation",
    "shipment",
    "task",
    "task_assignment",
    "organization",
    "user_account",
    "volunteer",
    "need",
];
const WIDER_ACTIONS: [&str; 17] = [
    "registered",
    "planned",
    "dispatched",
    "delivered",
    "posted",
    "claimed",
    "released",
    "status_changed",
    "cancelled",
    "verified",
    "disabled",
    "enabled",
    "account_created",
    "password_changed",
    "signed_up",
    "raised",
    "closed",
];

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sets the two CHECKs to these lists.
async fn set_checks(
    manager: &SchemaManager<'_>,
    entities: &[&str],
    actions: &[&str],
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    match manager.get_database_backend() {
        DbBackend::Sqlite => {
            // The table as it was made, with the two lists replaced: columns, types and the
            // other constraints stay exactly as they are.
            let original = db
                .query_one_raw(sea_orm_migration::sea_orm::Statement::from_string(
                    DbBackend::Sqlite,
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_event'",
                ))
                .await?
                .ok_or_else(|| DbErr::Migration("no audit_event table".into()))?
                .try_get_by_index::<String>(0)?;
            let (from_entities, from_actions) = if entities.len() > ENTITIES.len() {
                (&ENTITIES[..], &ACTIONS[..])
            } else {
                (&WIDER_ENTITIES[..], &WIDER_ACTIONS[..])
            };
            let mut create = original.clone();
            for (from, to) in [(from_entities, entities), (from_actions, actions)] {
                let (from, to) = (
                    format!("IN ({})", quoted(from)),
                    format!("IN ({})", quoted(to)),
                );
                if create.matches(&from).count() != 1 {
                    return Err(DbErr::Migration(format!(
                        "audit_event's CHECK lists are not as expected: {original}"
                    )));
                }
                create = create.replacen(&from, &to, 1);
            }
            let create = create.replacen("\"audit_event\"", "\"audit_event_rebuilt\"", 1);
            // One script, so that every step runs on one connection of the pool: a step on
            // another connection may still see the table as it was.
            let mut script = vec![
                create,
                "INSERT INTO audit_event_rebuilt SELECT * FROM audit_event".to_owned(),
                "DROP TABLE audit_event".to_owned(),
                "ALTER TABLE audit_event_rebuilt RENAME TO audit_event".to_owned(),
            ];
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
                script.push(format!(
                    "CREATE INDEX \"{name}\" ON \"audit_event\" ({cols})"
                ));
            }
            db.execute_unprepared(&script.join(";\n")).await?;
        }
        _ => {
            db.execute_unprepared(&format!(
                "ALTER TABLE audit_event DROP CONSTRAINT audit_event_entity_known, \
                 ADD CONSTRAINT audit_event_entity_known CHECK (entity IN ({})), \
                 DROP CONSTRAINT audit_event_action_known, \
                 ADD CONSTRAINT audit_event_action_known CHECK (action IN ({}))",
                quoted(entities),
                quoted(actions)
            ))
            .await?;
        }
    }
    Ok(())
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_checks(manager, &WIDER_ENTITIES, &WIDER_ACTIONS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The trail of needs goes with them.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "DELETE FROM audit_event WHERE entity IN ({}) OR action IN ({})",
                quoted(&NEW_ENTITIES),
                quoted(&NEW_ACTIONS)
            ))
            .await?;
        set_checks(manager, &ENTITIES, &ACTIONS).await
    }
}
