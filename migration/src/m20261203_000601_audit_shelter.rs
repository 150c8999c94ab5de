//! The audit trail learns shelters: the entity `shelter` and the actions `opened`, `closed` and
//! `counted` join the vocabulary its CHECKs allow. PostgreSQL replaces the two named CHECKs;
//! SQLite cannot alter a CHECK, so there the table is rebuilt with the same columns, keys and
//! indexes and its rows copied over.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

/// The entities before this migration.
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

const NEW_ENTITIES: [&str; 1] = ["shelter"];
const NEW_ACTIONS: [&str; 3] = ["opened", "closed", "counted"];

/// `column IN ('a', 'b', …)` as SQL text.
fn one_of(column: &str, values: &[&str]) -> String {
    let list: Vec<String> = values.iter().map(|v| format!("'{v}'")).collect();
    format!("{column} IN ({})", list.join(", "))
}

/// The vocabulary with or without this migration's words.
fn vocabulary(with_shelters: bool) -> (Vec<&'static str>, Vec<&'static str>) {
    let mut entities = ENTITIES.to_vec();
    let mut actions = ACTIONS.to_vec();
    if with_shelters {
        entities.extend(NEW_ENTITIES);
        actions.extend(NEW_ACTIONS);
    }
    (entities, actions)
}

/// The audit table as 2026-11-25 made it, under `name`, with the given vocabulary.
fn sqlite_table(name: &str, entities: &[&str], actions: &[&str]) -> String {
    format!(
        "CREATE TABLE \"{name}\" ( \
           \"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, \
           \"at\" timestamp_with_timezone_text NOT NULL, \
           \"user_id\" integer NULL, \
           \"role\" varchar NOT NULL, \
           \"entity\" varchar NOT NULL, \
           \"entity_id\" integer NOT NULL, \
           \"action\" varchar NOT NULL, \
           \"from_status\" varchar NULL, \
           \"to_status\" varchar NULL, \
           \"idempotency_key\" varchar NULL, \
           CONSTRAINT \"audit_event_role_known\" CHECK (role IN ('volunteer', 'ngo', 'ministry', 'system')), \
           CONSTRAINT \"audit_event_entity_known\" CHECK ({}), \
           CONSTRAINT \"audit_event_action_known\" CHECK ({}), \
           CONSTRAINT \"audit_event_system_has_no_user\" CHECK ((role = 'system') = (user_id IS NULL)), \
           CONSTRAINT \"audit_event_idempotency_key_length\" CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 200), \
           FOREIGN KEY (\"user_id\") REFERENCES \"user_account\" (\"id\") ON DELETE RESTRICT ON UPDATE RESTRICT \
         )",
        one_of("entity", entities),
        one_of("action", actions),
    )
}

const INDEXES: [(&str, &str); 3] = [
    ("audit_event_at_id_idx", "at, id"),
    (
        "audit_event_entity_entity_id_at_idx",
        "entity, entity_id, at",
    ),
    ("audit_event_user_id_at_idx", "user_id, at"),
];

async fn set_vocabulary(manager: &SchemaManager<'_>, with_shelters: bool) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let (entities, actions) = vocabulary(with_shelters);
    if !with_shelters {
        // Going back: the events of shelters go with the words that name them.
        db.execute_unprepared(&format!(
            "DELETE FROM audit_event WHERE {} OR {}",
            one_of("entity", &NEW_ENTITIES),
            one_of("action", &NEW_ACTIONS)
        ))
        .await?;
    }
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            // One string, so that every statement runs on one connection of the pool, in
            // order: another connection's older snapshot still sees the old table.
            let mut script = vec![
                sqlite_table("audit_event_next", &entities, &actions),
                "INSERT INTO audit_event_next SELECT * FROM audit_event".to_owned(),
                "DROP TABLE audit_event".to_owned(),
                "ALTER TABLE audit_event_next RENAME TO audit_event".to_owned(),
            ];
            for (name, columns) in INDEXES {
                script.push(format!(
                    "CREATE INDEX \"{name}\" ON \"audit_event\" ({columns})"
                ));
            }
            db.execute_unprepared(&script.join(";\n")).await?;
        }
        _ => {
            for (name, column, values) in [
                ("audit_event_entity_known", "entity", &entities),
                ("audit_event_action_known", "action", &actions),
            ] {
                db.execute_unprepared(&format!(
                    "ALTER TABLE audit_event DROP CONSTRAINT \"{name}\", \
                     ADD CONSTRAINT \"{name}\" CHECK ({})",
                    one_of(column, values)
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
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_vocabulary(manager, true).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_vocabulary(manager, false).await
    }
}
