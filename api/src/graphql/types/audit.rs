//! `AuditEvent`: one state change on the audit trail, its filter and its connection.

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use birlik_entity::{audit_event, enums};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveEnum, Condition};

use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult, ResultExt};
use crate::graphql::filters::{
    DateTimeFilter, FilterCx, FilterTree, IdFilter, IntFilter, StringFilter, enum_filter,
};
use crate::graphql::relay;
use crate::graphql::types::enums::{AuditAction, AuditEntity, AuditRole};
use crate::graphql::types::volunteer::User;
use crate::services;

/// The GraphQL type of the objects of each entity that has one: their global ids name it.
const SUBJECTS: [(&str, enums::AuditEntity); 6] = [
    ("Donation", enums::AuditEntity::Donation),
    ("Shipment", enums::AuditEntity::Shipment),
    ("Task", enums::AuditEntity::Task),
    ("Organization", enums::AuditEntity::Organization),
    ("User", enums::AuditEntity::UserAccount),
    ("Volunteer", enums::AuditEntity::Volunteer),
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

/// Compares the changed object by its global id (a Donation, Shipment, Task, Organization, User
/// or Volunteer id).
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
                "not the id of a donation, shipment, task, organization, user or volunteer",
            )
        })
}

impl SubjectIdFilter {
    fn condition(&self) -> ApiResult<Condition> {
        use audit_event::Column as C;
        let one = |(entity, row): (enums::AuditEntity, i32)| {
            Condition::all()
                .add(Expr::col((audit_event::Entity, C::Entity)).eq(entity.to_value()))
                // Bound as `entityId`'s IntFilter binds it: PostgreSQL keeps the first type a
                // statement's text was prepared with, and the two filters can write the same text.
                .add(Expr::col((audit_event::Entity, C::EntityId)).eq(i64::from(row)))
        };
        let mut all = Condition::all();
        if let Some(id) = &self.eq {
            all = all.add(one(subject("filter.subjectId.eq", id)?));
        }
        if let Some(ids) = &self.is_in {
            let mut any = Condition::any();
            for id in ids {
                any = any.add(one(subject("filter.subjectId.in", id)?));
            }
            all = all.add(any);
        }
        Ok(all)
    }
}

/// Conditions on audit events. Sibling fields are ANDed; `and`, `or` and `not` combine filters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AuditEventFilter {
    /// All of these.
    pub and: Option<Vec<AuditEventFilter>>,
    /// Any of these.
    pub or: Option<Vec<AuditEventFilter>>,
    /// Not this.
    pub not: Option<Box<AuditEventFilter>>,
    /// When the change was made: a time range with `gte` / `lt`.
    pub at: Option<DateTimeFilter>,
    /// The account that made the change.
    pub user_id: Option<IdFilter>,
    /// The role it was made in (SYSTEM for the system's own changes).
    pub role: Option<AuditRoleFilter>,
    /// The kind of object changed.
    pub entity: Option<AuditEntityFilter>,
    /// The changed object's row id within its kind (combine with `entity`).
    pub entity_id: Option<IntFilter>,
    /// The changed object, by its global id.
    pub subject_id: Option<SubjectIdFilter>,
    /// What the change did.
    pub action: Option<AuditActionFilter>,
    /// The idempotency key the mutation was sent with.
    pub idempotency_key: Option<StringFilter>,
}

impl FilterTree for AuditEventFilter {
    fn nested(&self) -> (Option<&[Self]>, Option<&[Self]>, Option<&Self>) {
        (self.and.as_deref(), self.or.as_deref(), self.not.as_deref())
    }

    fn fields(&self, cx: FilterCx) -> ApiResult<Condition> {
        use audit_event::Column as C;
        let c = |column: C| Expr::col((audit_event::Entity, column));
        let mut all = Condition::all();
        if let Some(f) = &self.at {
            all = all.add(f.condition(c(C::At)));
        }
        if let Some(f) = &self.user_id {
            all = all.add(f.condition(c(C::UserId), "User", "filter.userId")?);
        }
        if let Some(f) = &self.role {
            all = all.add(f.condition(c(C::Role)));
        }
        if let Some(f) = &self.entity {
            all = all.add(f.condition(c(C::Entity)));
        }
        if let Some(f) = &self.entity_id {
            all = all.add(f.condition(c(C::EntityId)));
        }
        if let Some(f) = &self.subject_id {
            all = all.add(f.condition()?);
        }
        if let Some(f) = &self.action {
            all = all.add(f.condition(c(C::Action)));
        }
        if let Some(f) = &self.idempotency_key {
            all = all.add(f.condition(c(C::IdempotencyKey), cx));
        }
        Ok(all)
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
