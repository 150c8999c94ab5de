//! The audit trail: appending an event (inside the caller's transaction) and reading keyset pages
//! of it, newest first. Nothing here updates or deletes an event.

use birlik_entity::audit_event;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{Condition, ConnectionTrait, DbErr, EntityTrait};

use crate::store::page::{self, Field, KeyValue, Ordering, Page, PageRequest};

/// Appends one event: a single INSERT on every database.
pub async fn insert(
    db: &impl ConnectionTrait,
    event: audit_event::ActiveModel,
) -> Result<(), DbErr> {
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

/// How many events match `condition`.
pub async fn count(db: &impl ConnectionTrait, condition: Condition) -> Result<i64, DbErr> {
    page::count::<audit_event::Entity>(db, condition).await
}
