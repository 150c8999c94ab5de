//! Requests to join an organization: volunteers with `requested_organization_id` set, read oldest
//! first, and the one UPDATE that decides a request.

use birlik_entity::volunteer;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::store::page::{self, KeyValue, Ordering, Page, PageRequest, sort_fields};

sort_fields!(
    /// What pending requests are ordered by: when they were made, then the volunteer's id.
    SortField of volunteer {
        RequestedAt => "REQUESTED_AT", RequestedAt, |r| KeyValue::Time(r.requested_at.unwrap_or(r.created_at));
        Id => "ID", Id, |r| KeyValue::Int(r.id.into());
    }
);

/// Pending requests' one order: oldest first (the `requested_organization_id, requested_at` index).
pub fn oldest_first() -> Ordering<SortField> {
    Ordering(vec![
        (SortField::RequestedAt, false),
        (SortField::Id, false),
    ])
}

/// Pending requests to one organization, or to any (`None`).
pub fn pending(organization_id: Option<i32>) -> Condition {
    match organization_id {
        Some(org) => Condition::all().add(volunteer::Column::RequestedOrganizationId.eq(org)),
        None => Condition::all().add(volunteer::Column::RequestedOrganizationId.is_not_null()),
    }
}

/// A page of the requests matching `condition`, oldest first.
pub async fn page(
    db: &impl ConnectionTrait,
    condition: Condition,
    req: &PageRequest,
) -> Result<Page<volunteer::Model>, DbErr> {
    page::read::<volunteer::Entity, _>(db, condition, &oldest_first(), req).await
}

/// The volunteer of a pending request within `condition`, if any.
pub async fn get(
    db: &impl ConnectionTrait,
    volunteer_id: i32,
    condition: Condition,
) -> Result<Option<volunteer::Model>, DbErr> {
    volunteer::Entity::find_by_id(volunteer_id)
        .filter(condition)
        .one(db)
        .await
}

/// Decides the request of a volunteer at `version` for `organization_id`: approved, they become
/// its member; declined, they stay outside. False when the row moved on meanwhile.
pub async fn decide(
    db: &impl ConnectionTrait,
    volunteer_id: i32,
    version: i32,
    organization_id: i32,
    approved: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = crate::store::touched(volunteer::Entity::update_many(), now)
        .col_expr(
            volunteer::Column::RequestedOrganizationId,
            Expr::val(None::<i32>),
        )
        .col_expr(
            volunteer::Column::RequestedAt,
            Expr::val(None::<DateTime<Utc>>),
        );
    if approved {
        update = update.col_expr(
            volunteer::Column::OrganizationId,
            Expr::val(organization_id),
        );
    }
    let done = update
        .filter(volunteer::Column::Id.eq(volunteer_id))
        .filter(volunteer::Column::Version.eq(version))
        .filter(volunteer::Column::RequestedOrganizationId.eq(organization_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected == 1)
}
