//! How an [`ApiError`] crosses into GraphQL: its `extensions.code`, the `field` of a bad input,
//! the `current` record of a CONFLICT (with global ids) and the `retryAfter` of a rate limit.
//! An internal cause is logged under an `errorId`, which is all the client receives of it.

use async_graphql::ErrorExtensions;
use sea_orm::ActiveEnum;

use crate::error::{ApiError, Current};
use crate::graphql::relay::encode;

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        let message = match self {
            ApiError::Internal(cause) => {
                let error_id = format!("{:016x}", fastrand::u64(..));
                tracing::error!(error_id, error = format!("{cause:#}"), "internal error");
                return async_graphql::Error::new("internal error").extend_with(|_, e| {
                    e.set("code", self.code());
                    e.set("errorId", error_id.clone());
                });
            }
            other => other.to_string(),
        };
        async_graphql::Error::new(message).extend_with(|_, e| {
            e.set("code", self.code());
            match self {
                ApiError::BadUserInput {
                    field: Some(field), ..
                } => e.set("field", *field),
                ApiError::Conflict {
                    current: Some(current),
                    ..
                } => {
                    if let Ok(value) = async_graphql::Value::from_json(render(current)) {
                        e.set("current", value);
                    }
                }
                ApiError::RateLimited { retry_after_s } => e.set("retryAfter", *retry_after_s),
                _ => {}
            }
        })
    }
}

/// A CONFLICT's `current` as its clients read it.
fn render(current: &Current) -> serde_json::Value {
    match current {
        Current::Task {
            id,
            status,
            volunteers_needed,
            volunteers_assigned,
            version,
            updated_at,
        } => serde_json::json!({
            "id": encode("Task", *id).0,
            "status": status.to_value().to_uppercase(),
            "volunteersNeeded": volunteers_needed,
            "volunteersAssigned": volunteers_assigned,
            "version": version,
            "updatedAt": updated_at,
        }),
        Current::Shipment {
            id,
            status,
            version,
        } => serde_json::json!({
            "id": encode("Shipment", *id).0,
            "status": status.to_value().to_uppercase(),
            "version": version,
        }),
        Current::ShipmentState { status, version } => {
            serde_json::json!({ "status": status.to_value().to_uppercase(), "version": version })
        }
        Current::Organization {
            id,
            version,
            verified,
        } => serde_json::json!({
            "id": encode("Organization", *id).0,
            "version": version,
            "verified": verified,
        }),
        Current::Donation { id } => serde_json::json!({ "donationId": encode("Donation", *id).0 }),
        Current::Stock {
            id,
            grams,
            shipped_grams,
            written_off_grams,
            remaining_grams,
            version,
        } => {
            let kg = |g: i64| crate::mass::kilograms(g).0.normalize().to_string();
            serde_json::json!({
                "donationId": encode("Donation", *id).0,
                "kilograms": kg(*grams),
                "shippedKilograms": kg(*shipped_grams),
                "writtenOffKilograms": kg(*written_off_grams),
                "remainingKilograms": kg(*remaining_grams),
                "version": version,
            })
        }
        Current::MembershipRequest {
            volunteer_id,
            version,
        } => serde_json::json!({
            "volunteerId": encode("Volunteer", *volunteer_id).0,
            "version": version,
        }),
        Current::Need {
            id,
            status,
            version,
            updated_at,
        } => serde_json::json!({
            "id": encode("Need", *id).0,
            "status": status.to_value().to_uppercase(),
            "version": version,
            "updatedAt": updated_at,
        }),
        Current::Shelter {
            id,
            status,
            version,
        } => serde_json::json!({
            "id": encode("Shelter", *id).0,
            "status": status.to_value().to_uppercase(),
            "version": version,
        }),
        Current::NeedLine {
            id,
            need_status,
            requested_grams,
            allocated_grams,
        } => {
            let kg =
                |g: &Option<i64>| g.map(|g| crate::mass::kilograms(g).0.normalize().to_string());
            serde_json::json!({
                "needLineId": encode("NeedLine", *id).0,
                "needStatus": need_status.to_value().to_uppercase(),
                "requestedKilograms": kg(requested_grams),
                "allocatedKilograms": kg(allocated_grams),
                "outstandingKilograms": requested_grams
                    .zip(*allocated_grams)
                    .map(|(r, a)| crate::mass::kilograms(r - a).0.normalize().to_string()),
            })
        }
    }
}
