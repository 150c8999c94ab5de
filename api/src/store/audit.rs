//! The audit trail: appending an event (inside the caller's transaction) and reading keyset pages
//! of it, newest first. Nothing here updates or deletes an event.

use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole};
use birlik_entity::{audit_event, enums};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveEnum, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, Set};

use crate::store::filter::{Cmp, Leaf, Text};
use crate::store::page::{self, KeyValue, Ordering, Page, PageRequest, sort_fields};

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

sort_fields!(
    /// What the trail is ordered by: when, then the id.
    SortField of audit_event {
        At => "AT", At, |r| KeyValue::Time(r.at);
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// The trail's one order: newest first (the `at_id` index).
pub fn newest_first() -> Ordering<SortField> {
    Ordering(vec![(SortField::At, true), (SortField::Id, true)])
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

/// One condition on an audit event.
#[derive(Clone, Debug, PartialEq)]
pub enum Where {
    /// When the change was made.
    At(Cmp<DateTime<Utc>>),
    /// The account that made it.
    UserId(Cmp<i32>),
    /// The role it was made in.
    Role(Cmp<enums::AuditRole>),
    /// The kind of object changed.
    Entity(Cmp<enums::AuditEntity>),
    /// The changed object's row id within its kind.
    EntityId(Cmp<i64>),
    /// The changed object is this one (`eq`) and any of these (`any_of`).
    Subject {
        /// This object.
        eq: Option<(enums::AuditEntity, i32)>,
        /// Any of these objects.
        any_of: Option<Vec<(enums::AuditEntity, i32)>>,
    },
    /// What the change did.
    Action(Cmp<enums::AuditAction>),
    /// The idempotency key the mutation was sent with.
    IdempotencyKey(Text),
}

impl Leaf for Where {
    fn condition(self, backend: DbBackend) -> Condition {
        use audit_event::Column as C;
        let c = |column: C| Expr::col((audit_event::Entity, column));
        match self {
            Where::At(f) => f.condition(c(C::At)),
            Where::UserId(f) => f.condition(c(C::UserId)),
            Where::Role(f) => f.enum_condition(c(C::Role)),
            Where::Entity(f) => f.enum_condition(c(C::Entity)),
            Where::EntityId(f) => f.condition(c(C::EntityId)),
            Where::Subject { eq, any_of } => {
                let one = |(entity, row): (enums::AuditEntity, i32)| {
                    Condition::all()
                        .add(c(C::Entity).eq(entity.to_value()))
                        // Bound as `EntityId`'s comparison binds it: PostgreSQL keeps the first
                        // type a statement's text was prepared with, and the two can write the
                        // same text.
                        .add(c(C::EntityId).eq(i64::from(row)))
                };
                let mut all = Condition::all();
                if let Some(subject) = eq {
                    all = all.add(one(subject));
                }
                if let Some(subjects) = any_of {
                    all = all.add(
                        subjects
                            .into_iter()
                            .fold(Condition::any(), |any, s| any.add(one(s))),
                    );
                }
                all
            }
            Where::Action(f) => f.enum_condition(c(C::Action)),
            Where::IdempotencyKey(f) => f.condition(c(C::IdempotencyKey), backend),
        }
    }
}
