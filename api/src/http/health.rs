//! Liveness and readiness for load balancers and orchestrators, and counters for monitoring.

use actix_web::{HttpResponse, web};
use serde_json::json;

use crate::db;
use crate::http::State;

/// `/healthz`: the process is up and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

/// `/readyz`: the database answers and every migration is applied; 503 otherwise, and while the
/// server is stopping.
pub async fn readyz(state: web::Data<State>) -> HttpResponse {
    if *state.stopping.borrow() {
        return HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "reason": "stopping" }));
    }
    match db::ready(&state.deps.db).await {
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

/// `/metrics`: Prometheus text counters of this instance since it started.
pub async fn metrics(state: web::Data<State>) -> HttpResponse {
    use std::sync::atomic::Ordering;
    let statements = state.deps.statements.load(Ordering::Relaxed);
    let requests = state.requests.load(Ordering::Relaxed);
    let a = state.admission.snapshot();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(format!(
            "# HELP birlik_sql_statements_total SQL statements run.\n\
         # TYPE birlik_sql_statements_total counter\n\
         birlik_sql_statements_total {statements}\n\
         # HELP birlik_graphql_requests_total GraphQL operations served.\n\
         # TYPE birlik_graphql_requests_total counter\n\
         birlik_graphql_requests_total {requests}\n\
         # HELP birlik_admission_admitted_total Operations given a turn (at once or after a wait).\n\
         # TYPE birlik_admission_admitted_total counter\n\
         birlik_admission_admitted_total {}\n\
         # HELP birlik_admission_queued_total Operations that waited for a turn.\n\
         # TYPE birlik_admission_queued_total counter\n\
         birlik_admission_queued_total {}\n\
         # HELP birlik_admission_refused_total Operations refused with SERVICE_UNAVAILABLE: no turn, no place, or too long a wait.\n\
         # TYPE birlik_admission_refused_total counter\n\
         birlik_admission_refused_total {}\n\
         # HELP birlik_admission_in_flight Operations holding a turn now.\n\
         # TYPE birlik_admission_in_flight gauge\n\
         birlik_admission_in_flight {}\n\
         # HELP birlik_admission_waiting Operations waiting for a turn now.\n\
         # TYPE birlik_admission_waiting gauge\n\
         birlik_admission_waiting {}\n{}",
            a.admitted, a.queued, a.refused, a.in_flight, a.waiting,
            state.deps.reads.metrics()
        ))
}
