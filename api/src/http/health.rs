//! Liveness and readiness for load balancers and orchestrators.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::context::AppState;
use crate::db;

/// `/healthz`: the process is up and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `/readyz`: the database answers and every migration is applied; 503 otherwise.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match db::ready(&state.db).await {
        Ok(true) => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Ok(false) => HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "reason": "migrations pending" })),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "unavailable", "reason": "database unreachable" }))
        }
    }
}
