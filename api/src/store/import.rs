//! Bulk imports of donations: multi-row INSERTs of the donations and of their audit events (in
//! chunks that stay under both databases' bound-parameter limits), and the totals of an import
//! found again by the key its events carry. No rule is decided here.

use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole, DonationStatus};
use birlik_entity::{audit_event, donation};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr, EntityTrait, Set};

use crate::store::donation::{NewDonation, Totals};

/// Rows in one INSERT: 500 donations of 16 columns is 8,000 bound values (SQLite allows 32,766,
/// PostgreSQL 65,535).
pub const CHUNK: usize = 500;

/// Inserts received donations with nothing shipped, at version 1, `CHUNK` rows a statement;
/// returns their ids.
pub async fn insert_donations(
    db: &impl ConnectionTrait,
    rows: Vec<NewDonation>,
    now: DateTime<Utc>,
) -> Result<Vec<i32>, DbErr> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<donation::ActiveModel> = rows
            .by_ref()
            .take(CHUNK)
            .map(|new| new.into_row(now))
            .collect();
        let keys = donation::Entity::insert_many(chunk)
            .exec_with_returning_keys(db)
            .await?;
        ids.extend(keys);
    }
    Ok(ids)
}

/// Appends one `registered` event per donation (to `received`), under `key`, `CHUNK` a statement.
pub async fn audit_registered(
    db: &impl ConnectionTrait,
    ids: &[i32],
    user_id: i32,
    role: AuditRole,
    key: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        let events = chunk.iter().map(|id| audit_event::ActiveModel {
            at: Set(at),
            user_id: Set(Some(user_id)),
            role: Set(role),
            entity: Set(AuditEntity::Donation),
            entity_id: Set(*id),
            action: Set(AuditAction::Registered),
            from_status: Set(None),
            to_status: Set(Some(DonationStatus::Received.to_value())),
            idempotency_key: Set(Some(key.to_owned())),
            ..Default::default()
        });
        audit_event::Entity::insert_many(events)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Count and grams of the donations a user registered under `key` (their audit events carry it):
/// one statement.
pub async fn totals(db: &impl ConnectionTrait, user_id: i32, key: &str) -> Result<Totals, DbErr> {
    use sea_orm::ColumnTrait;
    let registered = Query::select()
        .column(audit_event::Column::EntityId)
        .from(audit_event::Entity)
        .and_where(Expr::col(audit_event::Column::Entity).eq(AuditEntity::Donation.to_value()))
        .and_where(Expr::col(audit_event::Column::Action).eq(AuditAction::Registered.to_value()))
        .and_where(Expr::col(audit_event::Column::UserId).eq(user_id))
        .and_where(Expr::col(audit_event::Column::IdempotencyKey).eq(key))
        .to_owned();
    let condition = sea_orm::Condition::all().add(donation::Column::Id.in_subquery(registered));
    crate::store::donation::totals(db, condition).await
}
