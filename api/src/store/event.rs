//! What the event bus reads and writes: the task or shipment an event names, as it stands after
//! the change (read once per instance, not per subscriber), and PostgreSQL's `NOTIFY`.

use birlik_entity::{shipment, task};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Statement};

/// The task with this id, whoever may read it (subscribers filter what they receive).
pub async fn task(db: &impl ConnectionTrait, id: i32) -> Result<Option<task::Model>, DbErr> {
    task::Entity::find_by_id(id).one(db).await
}

/// The shipment with this id, whoever may read it (subscribers filter what they receive).
pub async fn shipment(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<shipment::Model>, DbErr> {
    shipment::Entity::find_by_id(id).one(db).await
}

/// Sends `payload` on the PostgreSQL channel `channel` (`pg_notify`).
pub async fn notify(
    db: &impl ConnectionTrait,
    channel: &str,
    payload: String,
) -> Result<(), DbErr> {
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [channel.into(), payload.into()],
    );
    db.execute_raw(stmt).await.map(|_| ())
}
