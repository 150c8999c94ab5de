//! The audit trail: every state-changing service calls [`record`] inside its own transaction,
//! after its last check and before its commit, so a refused or rolled-back change leaves no event
//! and a committed one always has exactly one. A keyed replay returns before it acts, and so
//! records nothing. The ministry reads the trail.

use birlik_entity::audit_event;
use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole};
use chrono::Utc;
use sea_orm::{ActiveEnum, Condition, ConnectionTrait};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::Deps;
use crate::store;
use crate::store::page::{Page, PageRequest};

/// Who made a change: an account in its role, or the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Who {
    pub user_id: Option<i32>,
    pub role: AuditRole,
}

impl Who {
    /// Birlik itself (the sweep that releases unstarted claims).
    pub const SYSTEM: Who = Who {
        user_id: None,
        role: AuditRole::System,
    };

    /// The signed-in caller. The public changes nothing but by signing up, which names the new
    /// account instead.
    pub fn of(actor: &Actor) -> ApiResult<Who> {
        let (user_id, role) = match *actor {
            Actor::Volunteer { user_id, .. } => (user_id, AuditRole::Volunteer),
            Actor::Ngo { user_id, .. } => (user_id, AuditRole::Ngo),
            Actor::Ministry { user_id } => (user_id, AuditRole::Ministry),
            Actor::Anonymous => return Err(ApiError::Unauthenticated),
        };
        Ok(Who {
            user_id: Some(user_id),
            role,
        })
    }

    /// An account in a role.
    pub fn user(user_id: i32, role: AuditRole) -> Who {
        Who {
            user_id: Some(user_id),
            role,
        }
    }
}

/// One change: which row, what was done, from which status to which, under which key.
#[derive(Clone, Debug)]
pub struct Change<'a> {
    pub entity: AuditEntity,
    pub entity_id: i32,
    pub action: AuditAction,
    pub from: Option<String>,
    pub to: Option<String>,
    pub idempotency_key: Option<&'a str>,
}

impl<'a> Change<'a> {
    /// A change without statuses or key; add them with the builders below.
    pub fn new(entity: AuditEntity, entity_id: i32, action: AuditAction) -> Self {
        Change {
            entity,
            entity_id,
            action,
            from: None,
            to: None,
            idempotency_key: None,
        }
    }

    /// The status before, as stored.
    pub fn from(mut self, status: impl ActiveEnum<Value = String>) -> Self {
        self.from = Some(status.to_value());
        self
    }

    /// The status after, as stored.
    pub fn to(mut self, status: impl ActiveEnum<Value = String>) -> Self {
        self.to = Some(status.to_value());
        self
    }

    /// The status before, as text (for states no stored enum names, like an account's).
    pub fn from_text(mut self, status: &str) -> Self {
        self.from = Some(status.to_owned());
        self
    }

    /// The status after, as text.
    pub fn to_text(mut self, status: &str) -> Self {
        self.to = Some(status.to_owned());
        self
    }

    /// The idempotency key the mutation came with.
    pub fn key(mut self, key: Option<&'a str>) -> Self {
        self.idempotency_key = key;
        self
    }
}

/// Records a change in the caller's transaction: call it after the change's last check and
/// before the commit.
pub async fn record(db: &impl ConnectionTrait, who: Who, change: Change<'_>) -> ApiResult<()> {
    store::audit::insert(
        db,
        store::audit::NewEvent {
            at: Utc::now(),
            user_id: who.user_id,
            role: who.role,
            entity: change.entity,
            entity_id: change.entity_id,
            action: change.action,
            from_status: change.from,
            to_status: change.to,
            idempotency_key: change.idempotency_key.map(str::to_owned),
        },
    )
    .await?;
    Ok(())
}

/// A page of the trail, newest first, of the events matching `filter` (the ministry only), and
/// the condition that selects all of them (for the count).
pub async fn page(
    rc: &RequestCtx,
    deps: &Deps,
    filter: Condition,
    req: PageRequest,
) -> ApiResult<(Page<audit_event::Model>, Condition)> {
    let db = &deps.db;
    let condition = store::audit::within(crate::services::access::audit_trail(&rc.actor)?, filter);
    Ok((
        store::audit::page(db, condition.clone(), &req).await?,
        condition,
    ))
}

/// How many events a condition selects.
pub async fn count(deps: &Deps, condition: Condition) -> ApiResult<i64> {
    let db = &deps.db;
    Ok(store::audit::count(db, condition).await?)
}
