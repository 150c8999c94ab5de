//! Raising a need with its lines, and closing or cancelling it.

use birlik_entity::enums::{DonationCategory, NeedCloseReason, NeedPriority, NeedStatus};
use birlik_entity::{need, need_line};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};

/// A need about to be raised, with its lines (one per category, grams requested).
#[derive(Clone, Debug)]
pub struct NewNeed {
    pub region_id: i32,
    pub shelter_id: Option<i32>,
    pub organization_id: Option<i32>,
    pub raised_by: Option<i32>,
    pub place: String,
    pub priority: NeedPriority,
    pub needed_by: DateTime<Utc>,
    pub contact_phone: Option<String>,
    pub note: Option<String>,
    pub lines: Vec<(DonationCategory, i64)>,
}

/// Inserts an open need with nothing allocated, at version 1, and its lines in one statement.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewNeed,
    now: DateTime<Utc>,
) -> Result<need::Model, DbErr> {
    let requested: i64 = new.lines.iter().map(|(_, g)| g).sum();
    let row = need::ActiveModel {
        region_id: Set(new.region_id),
        shelter_id: Set(new.shelter_id),
        organization_id: Set(new.organization_id),
        raised_by: Set(new.raised_by),
        place: Set(new.place),
        priority: Set(new.priority),
        needed_by: Set(new.needed_by),
        contact_phone: Set(new.contact_phone),
        note: Set(new.note),
        status: Set(NeedStatus::Open),
        close_reason: Set(None),
        closed_at: Set(None),
        line_count: Set(new.lines.len() as i32),
        complete_lines: Set(0),
        requested_grams: Set(requested),
        allocated_grams: Set(0),
        dispatched_grams: Set(0),
        delivered_grams: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let lines = new
        .lines
        .iter()
        .map(|(category, grams)| need_line::ActiveModel {
            need_id: Set(row.id),
            category: Set(*category),
            requested_grams: Set(*grams),
            allocated_grams: Set(0),
            dispatched_grams: Set(0),
            delivered_grams: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        });
    need_line::Entity::insert_many(lines).exec(db).await?;
    Ok(row)
}

/// Ends an open need still at `version`: closed for `reason`, or cancelled when `reason` is
/// `None`. False when it was no longer open at that version.
pub async fn close(
    db: &impl ConnectionTrait,
    id: i32,
    version: i32,
    reason: Option<NeedCloseReason>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let status = if reason.is_some() {
        NeedStatus::Closed
    } else {
        NeedStatus::Cancelled
    };
    let result = crate::store::touched(need::Entity::update_many(), now)
        .col_expr(need::Column::Status, Expr::val(status))
        .col_expr(need::Column::CloseReason, Expr::val(reason))
        .col_expr(need::Column::ClosedAt, Expr::val(now))
        .filter(need::Column::Id.eq(id))
        .filter(need::Column::Version.eq(version))
        .filter(need::Column::Status.eq(NeedStatus::Open))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}
