//! `audit_event`: one state change of the domain, as the audit trail keeps it.

use sea_orm::entity::prelude::*;

use crate::enums::{AuditAction, AuditEntity, AuditRole};

/// Who changed which row, when, how, and with which idempotency key. Never updated.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub at: DateTimeUtc,
    /// The account that made the change; `None` for the system.
    pub user_id: Option<i32>,
    pub role: AuditRole,
    pub entity: AuditEntity,
    /// The id of the row in the `entity` table.
    pub entity_id: i32,
    pub action: AuditAction,
    /// The row's status before, as stored (`planned`), where it has one.
    pub from_status: Option<String>,
    /// The row's status after, as stored.
    pub to_status: Option<String>,
    /// The key the mutation was sent with, if any.
    pub idempotency_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
