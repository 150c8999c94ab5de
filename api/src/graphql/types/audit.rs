//! `AuditEvent`: one state change on the audit trail, its filter and its connection.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use birlik_entity::{audit_event, enums};
use chrono::{DateTime, Utc};
use sea_orm::Condition;

use crate::error::{ApiError, ApiResult, ResultExt};
use crate::graphql::ContextExt;
use crate::graphql::filters::{
    DateTimeFilter, EntityFilter, IdFilter, IntFilter, Leaves, StringFilter, entity_filter,
    enum_filter,
};
use crate::graphql::relay;
use crate::graphql::types::enums::{AuditAction, AuditEntity, AuditRole};
use crate::graphql::types::volunteer::User;
use crate::services;
use crate::store::audit::Where;

/// The GraphQL type of the objects of each entity that has one: their global ids name it.
const SUBJECTS: [(&str, enums::AuditEntity); 9] = [
    ("Donation", enums::AuditEntity::Donation),
    ("Shipment", enums::AuditEntity::Shipment),
    ("Task", enums::AuditEntity::Task),
    ("Organization", enums::AuditEntity::Organization),
    ("User", enums::AuditEntity::UserAccount),
    ("Volunteer", enums::AuditEntity::Volunteer),
    ("Need", enums::AuditEntity::Need),
    ("WriteOff", enums::AuditEntity::WriteOff),
    ("Shelter", enums::AuditEntity::Shelter),
];

/// One state change: who made it (in which role), when, on which object, what it did, from which
/// status to which, and the idempotency key the mutation came with.
pub struct AuditEvent(pub audit_event::Model);

impl From<audit_event::Model> for AuditEvent {
    fn from(m: audit_event::Model) -> Self {
        AuditEvent(m)
    }
}

/// One state change: who made it (in which role), when, on which object, what it did, from which
/// status to which, and the idempotency key the mutation came with.
#[Object]
impl AuditEvent {
    /// Global object id.
    async fn id(&self) -> ID {
        relay::encode("AuditEvent", self.0.id)
    }

    /// When the change was made (committed with it, in the same transaction).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// The account that made the change; null when the system made it (role SYSTEM).
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.user_id {
            Some(id) => Ok(ctx.loaders().user.load_one(id).await?.map(User)),
            None => Ok(None),
        }
    }

    /// The role the change was made in.
    async fn role(&self) -> AuditRole {
        self.0.role.into()
    }

    /// The kind of object changed.
    async fn entity(&self) -> AuditEntity {
        self.0.entity.into()
    }

    /// The changed object's row id within its kind (task assignments have no global id).
    async fn entity_id(&self) -> i32 {
        self.0.entity_id
    }

    /// The changed object's global id, for `node(id:)`; null for task assignments.
    async fn subject_id(&self) -> Option<ID> {
        SUBJECTS
            .iter()
            .find(|(_, entity)| *entity == self.0.entity)
            .map(|(kind, _)| relay::encode(kind, self.0.entity_id))
    }

    /// What the change did.
    async fn action(&self) -> AuditAction {
        self.0.action.into()
    }

    /// The object's status before (as its enum spells it: `PLANNED`); null when it had none yet
    /// or has no status.
    async fn from_status(&self) -> Option<String> {
        self.0.from_status.as_deref().map(str::to_uppercase)
    }

    /// The object's status after (as its enum spells it: `DISPATCHED`); null when it has none.
    async fn to_status(&self) -> Option<String> {
        self.0.to_status.as_deref().map(str::to_uppercase)
    }

    /// The idempotency key the mutation was sent with, if any.
    async fn idempotency_key(&self) -> Option<&str> {
        self.0.idempotency_key.as_deref()
    }
}

enum_filter!(
    AuditRoleFilter,
    AuditRole,
    enums::AuditRole,
    "Compares the role a change was made in."
);
enum_filter!(
    AuditEntityFilter,
    AuditEntity,
    enums::AuditEntity,
    "Compares the kind of object changed."
);
enum_filter!(
    AuditActionFilter,
    AuditAction,
    enums::AuditAction,
    "Compares what a change did."
);

/// Compares the changed object by its global id (a Donation, Shipment, Task, Organization, User,
/// Volunteer or WriteOff id).
#[derive(InputObject, Clone, Debug, Default)]
pub struct SubjectIdFilter {
    /// This object.
    pub eq: Option<ID>,
    /// Any of these objects.
    #[graphql(name = "in")]
    pub is_in: Option<Vec<ID>>,
}

/// The kind and row a global id names, for the objects the trail records.
fn subject(field: &'static str, id: &ID) -> ApiResult<(enums::AuditEntity, i32)> {
    SUBJECTS
        .iter()
        .find_map(|(kind, entity)| {
            relay::decode(kind, field, id)
                .ok()
                .map(|row| (*entity, row))
        })
        .ok_or_else(|| {
            ApiError::bad_input(
                field,
                "not the id of a donation, shipment, task, organization, user, volunteer or write-off",
            )
        })
}

impl SubjectIdFilter {
    /// The objects it names, as kinds and rows.
    fn subjects(self) -> ApiResult<Where> {
        let eq = self
            .eq
            .map(|id| subject("filter.subjectId.eq", &id))
            .transpose()?;
        let any_of = self
            .is_in
            .map(|ids| {
                ids.iter()
                    .map(|id| subject("filter.subjectId.in", id))
                    .collect::<ApiResult<Vec<_>>>()
            })
            .transpose()?;
        Ok(Where::Subject { eq, any_of })
    }
}

entity_filter!(
    /// Conditions on audit events. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
    AuditEventFilter {
        /// When the change was made: a time range with `gte` / `lt`.
        at: DateTimeFilter,
        /// The account that made the change.
        user_id: IdFilter,
        /// The role it was made in (SYSTEM for the system's own changes).
        role: AuditRoleFilter,
        /// The kind of object changed.
        entity: AuditEntityFilter,
        /// The changed object's row id within its kind (combine with `entity`).
        entity_id: IntFilter,
        /// The changed object, by its global id.
        subject_id: SubjectIdFilter,
        /// What the change did.
        action: AuditActionFilter,
        /// The idempotency key the mutation was sent with.
        idempotency_key: StringFilter,
    }
);

impl EntityFilter for AuditEventFilter {
    type Leaf = Where;

    fn leaves(self) -> ApiResult<Vec<Where>> {
        Leaves::default()
            .add(self.at, |f| Where::At(f.cmp()))
            .check(self.user_id, |f| {
                Ok(Where::UserId(f.rows("User", "filter.userId")?))
            })?
            .add(self.role, |f| Where::Role(f.stored()))
            .add(self.entity, |f| Where::Entity(f.stored()))
            .add(self.entity_id, |f| Where::EntityId(f.cmp()))
            .check(self.subject_id, SubjectIdFilter::subjects)?
            .add(self.action, |f| Where::Action(f.stored()))
            .add(self.idempotency_key, |f| Where::IdempotencyKey(f.text()))
            .done()
    }
}

/// Counts over every page of the audit trail.
pub struct AuditTotals {
    pub condition: Condition,
}

/// Counts over every page of the audit trail.
#[Object]
impl AuditTotals {
    /// How many events the trail holds under the filter, over all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        services::audit::count(ctx.request().1, self.condition.clone())
            .await
            .extend()
    }
}

/// A page of the audit trail, newest first.
pub type AuditEventConnection = Connection<String, AuditEvent, AuditTotals>;
