//! The audit trail: one row for every state change of the domain, written in the same transaction
//! as the change (so a refused or rolled-back change leaves none). Who (`user_id`, null for the
//! system), in which role, when, on which row, what it did, from which status to which, and the
//! idempotency key it came with. Rows are only ever inserted.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    integer, integer_null, pk_auto, string, string_null, timestamp_with_time_zone,
};

use crate::common::{fk, index, one_of};

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    At,
    UserId,
    Role,
    Entity,
    EntityId,
    Action,
    FromStatus,
    ToStatus,
    IdempotencyKey,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
}

const ROLES: [&str; 4] = ["volunteer", "ngo", "ministry", "system"];

const ENTITIES: [&str; 7] = [
    "donation",
    "shipment",
    "task",
    "task_assignment",
    "organization",
    "user_account",
    "volunteer",
];

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

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(pk_auto(AuditEvent::Id))
                    .col(timestamp_with_time_zone(AuditEvent::At))
                    .col(integer_null(AuditEvent::UserId))
                    .col(string(AuditEvent::Role))
                    .col(string(AuditEvent::Entity))
                    .col(integer(AuditEvent::EntityId))
                    .col(string(AuditEvent::Action))
                    .col(string_null(AuditEvent::FromStatus))
                    .col(string_null(AuditEvent::ToStatus))
                    .col(string_null(AuditEvent::IdempotencyKey))
                    .check(("audit_event_role_known", one_of(AuditEvent::Role, &ROLES)))
                    .check((
                        "audit_event_entity_known",
                        one_of(AuditEvent::Entity, &ENTITIES),
                    ))
                    .check((
                        "audit_event_action_known",
                        one_of(AuditEvent::Action, &ACTIONS),
                    ))
                    .check((
                        // Nobody acts as the system, and the system has no account.
                        "audit_event_system_has_no_user",
                        Expr::col(AuditEvent::Role)
                            .eq("system")
                            .eq(Expr::col(AuditEvent::UserId).is_null()),
                    ))
                    .check((
                        "audit_event_idempotency_key_length",
                        Expr::cust(
                            "idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 200",
                        ),
                    ))
                    .foreign_key(&mut fk(
                        AuditEvent::Table,
                        AuditEvent::UserId,
                        UserAccount::Table,
                    ))
                    .to_owned(),
            )
            .await?;
        // Newest first, for the whole trail and for one object's or one user's.
        for columns in [
            &["at", "id"][..],
            &["entity", "entity_id", "at"][..],
            &["user_id", "at"][..],
        ] {
            manager
                .create_index(index(AuditEvent::Table, columns, false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEvent::Table).to_owned())
            .await
    }
}
