//! Organizations: the ministry verifies them.

use birlik_entity::enums::{AuditAction, AuditEntity};
use birlik_entity::organization;
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::context::{Actor, RequestCtx};
use crate::error::{ApiError, ApiResult};
use crate::services::audit;

/// Marks an organization verified (the ministry only). Verifying a verified one changes nothing.
pub async fn verify(
    rc: &RequestCtx,
    db: &DatabaseConnection,
    id: i32,
    expected_version: Option<i32>,
) -> ApiResult<organization::Model> {
    match rc.actor {
        Actor::Ministry { .. } => {}
        Actor::Anonymous => return Err(ApiError::Unauthenticated),
        _ => {
            return Err(ApiError::Forbidden(
                "organizations are verified by the ministry".into(),
            ));
        }
    }
    let tx = crate::db::begin_write(db).await?;
    let org = organization::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound {
            entity: "organization",
        })?;
    if let Some(v) = expected_version.filter(|v| *v != org.version) {
        return Err(ApiError::Conflict {
            message: format!(
                "the organization changed (version {} now, {v} expected)",
                org.version
            ),
            current: Some(
                serde_json::json!({ "id": crate::graphql::relay::encode("Organization", org.id).0, "version": org.version, "verified": org.verified_at.is_some() }),
            ),
        });
    }
    if org.verified_at.is_none() {
        let now = Utc::now();
        let verified = organization::Entity::update_many()
            .col_expr(organization::Column::VerifiedAt, Expr::val(now))
            .col_expr(organization::Column::UpdatedAt, Expr::val(now))
            .col_expr(
                organization::Column::Version,
                Expr::col(organization::Column::Version).add(1),
            )
            .filter(organization::Column::Id.eq(id))
            .filter(organization::Column::VerifiedAt.is_null())
            .exec(&tx)
            .await?;
        // Verifying a verified organization changes nothing, and so is not on the trail.
        if verified.rows_affected == 1 {
            audit::record(
                &tx,
                audit::Who::of(&rc.actor)?,
                audit::Change::new(AuditEntity::Organization, id, AuditAction::Verified)
                    .from_text("unverified")
                    .to_text("verified"),
            )
            .await?;
        }
    }
    let org = organization::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(ApiError::NotFound {
            entity: "organization",
        })?;
    tx.commit().await?;
    Ok(org)
}
