//! The audit trail: appending an event (inside the caller's transaction) and reading keyset pages
//! of it, newest first. Nothing here updates or deletes an event.

use birlik_entity::audit_event;
use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{Condition, ConnectionTrait, DbErr, EntityTrait, Set};

use crate::store::page::{self, Field, KeyValue, Ordering, Page, PageRequest};

/// One event to append: when, who in which role, which row, what was done, from which status to
/// which, under which idempotency key.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub at: DateTime<Utc>,
    pub user_id: Option<i32>,
    pub role: AuditRole,
    pub entity: AuditEntity,
    pub entity_id: i32,
    pub action: AuditAction,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub idempotency_key: Option<String>,
}

/// Appends one event: a single INSERT on every database.
pub async fn insert(db: &impl ConnectionTrait, event: NewEvent) -> Result<(), DbErr> {
    let event = audit_event::ActiveModel {
        at: Set(event.at),
        user_id: Set(event.user_id),
        role: Set(event.role),
        entity: Set(event.entity),
        entity_id: Set(event.entity_id),
        action: Set(event.action),
        from_status: Set(event.from_status),
        to_status: Set(event.to_status),
        idempotency_key: Set(event.idempotency_key),
        ..Default::default()
    };
    audit_event::Entity::insert(event)
        .exec_without_returning(db)
        .await
        .map(|_| ())
}

/// What the trail is ordered by: when, then the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditField {
    At,
    Id,
}

impl Field for AuditField {
    type Model = audit_event::Model;
    const ID: Self = AuditField::Id;

    fn name(self) -> &'static str {
        match self {
            AuditField::At => "AT",
            AuditField::Id => "ID",
        }
    }

    fn column(self) -> SimpleExpr {
        let column = match self {
            AuditField::At => audit_event::Column::At,
            AuditField::Id => audit_event::Column::Id,
        };
        Expr::col((audit_event::Entity, column))
    }

    fn value(self, row: &audit_event::Model) -> KeyValue {
        match self {
            AuditField::At => KeyValue::Time(row.at),
            AuditField::Id => KeyValue::Int(row.id.into()),
        }
    }
}

/// The trail's one order: newest first (the `at_id` index).
pub fn newest_first() -> Ordering<AuditField> {
    Ordering(vec![(AuditField::At, true), (AuditField::Id, true)])
}

/// A page of the events matching `condition`, newest first.
pub async fn page(
    db: &impl ConnectionTrait,
    condition: Condition,
    req: &PageRequest,
) -> Result<Page<audit_event::Model>, DbErr> {
    page::read::<audit_event::Entity, _>(db, condition, &newest_first(), req).await
}

/// The events an actor may read (`scope`) that match `filter`.
pub fn within(scope: Condition, filter: Condition) -> Condition {
    Condition::all().add(scope).add(filter)
}

/// How many events match `condition`.
pub async fn count(db: &impl ConnectionTrait, condition: Condition) -> Result<i64, DbErr> {
    page::count::<audit_event::Entity>(db, condition).await
}
