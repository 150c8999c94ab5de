//! `POST /imports/donations`: a CSV file of donations (`text/csv`, UTF-8) with the caller's
//! bearer token, as `registerDonation` would take them one by one. The file is read within its
//! own size limit (`BIRLIK_IMPORT_MAX_BYTES`, not the GraphQL body's) and its rows counted
//! (`BIRLIK_IMPORT_MAX_ROWS`) before any SQL; the service checks every row and imports the
//! whole file or nothing.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::auth::extract;
use crate::context::Actor;
use crate::error::ApiError;
use crate::graphql::relay;
use crate::http::graphql::caller;
use crate::http::{State, gate};
use crate::services::import::{self, ImportKey};

/// How large a file may be.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most data rows (the header aside).
    pub max_rows: usize,
    /// Most bytes.
    pub max_bytes: usize,
}

/// `POST /imports/donations`: 201 with `{ imported, kilograms, replayed: false, firstDonationId }`
/// for a file imported now, 200 with `replayed: true` for the same file sent again by the same
/// caller; 422 with every bad row (`{ code, message, errors: [{ line, column, reason }] }`) and
/// nothing written; 401, 403, 413, 415 as their causes call for.
pub async fn donations(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<State>,
) -> HttpResponse {
    let rc = match caller(&req, &state) {
        Ok(rc) => rc,
        Err(err) => return refusal(err),
    };
    if rc.actor == Actor::Anonymous {
        return refusal(ApiError::Unauthenticated);
    }
    if !is_csv(&req) {
        let mut refused = refusal(ApiError::bad_input(
            "Content-Type",
            "send the file as text/csv (UTF-8)",
        ));
        *refused.status_mut() = StatusCode::UNSUPPORTED_MEDIA_TYPE;
        return refused;
    }
    let limits = state.import_limits;
    let body = match crate::http::body::limited(&req, payload, limits.max_bytes, "an imported file")
        .await
    {
        Ok(body) => body,
        Err(refused) => return refused,
    };
    // Counted and given a turn once its file is in: a slow upload holds no turn.
    let _admitted = match gate::admit(&state, &rc.actor, rc.address).await {
        Ok(admitted) => admitted,
        Err(err) => return refusal(err),
    };
    let drafts = match import::csv::parse(&body, limits.max_rows, |cell| {
        relay::decode("CollectionPoint", "collectionPointId", cell).ok()
    }) {
        Ok(Ok(drafts)) => drafts,
        Ok(Err(report)) => return rows_refused(&report),
        Err(
            err @ ApiError::BadUserInput {
                field: Some("rows"),
                ..
            },
        ) => {
            let mut refused = refusal(err);
            *refused.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return refused;
        }
        Err(err) => return refusal(err),
    };
    if let Err(err) = extract::ensure_active_cached(&state.deps, &rc.actor).await {
        return refusal(err);
    }
    let key = ImportKey::of_content(&body);
    match import::import(&rc, &state.deps, drafts, &key).await {
        Ok(Ok(outcome)) => {
            let status = if outcome.replayed {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            HttpResponse::build(status)
                .insert_header((header::CACHE_CONTROL, "private, no-store"))
                .json(json!({
                    "imported": outcome.imported,
                    "kilograms": crate::mass::kilograms(outcome.grams).0.to_string(),
                    "replayed": outcome.replayed,
                    "firstDonationId": relay::encode("Donation", outcome.first_id).0,
                    "importKey": key.key,
                }))
        }
        Ok(Err(report)) => rows_refused(&report),
        Err(err) => refusal(err),
    }
}

/// Whether the body is declared CSV (`text/csv`; `application/csv` as some tools send it).
fn is_csv(req: &HttpRequest) -> bool {
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    essence == "text/csv" || essence == "application/csv"
}

/// 422: every bad row, nothing written.
fn rows_refused(report: &[import::RowError]) -> HttpResponse {
    let lines = {
        let mut lines: Vec<usize> = report.iter().map(|e| e.line).collect();
        lines.dedup();
        lines.len()
    };
    HttpResponse::UnprocessableEntity()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(json!({
            "code": "BAD_USER_INPUT",
            "message": format!("{lines} line(s) refused; nothing was imported"),
            "errors": report,
        }))
}

/// A refusal of the whole request: `{ code, message }` (and `errorId` for an internal error,
/// whose cause is logged under it), with the status its cause calls for.
fn refusal(err: ApiError) -> HttpResponse {
    use async_graphql::ErrorExtensions;
    let status = match err {
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
        ApiError::Conflict { .. } => StatusCode::CONFLICT,
        ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        ApiError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
    };
    let mut response = HttpResponse::build(status);
    match err {
        ApiError::RateLimited { retry_after_s } => {
            response.insert_header((header::RETRY_AFTER, retry_after_s.to_string()));
        }
        ApiError::Unavailable => {
            let retry_after_s = crate::http::admission::RETRY_AFTER_S;
            response.insert_header((header::RETRY_AFTER, retry_after_s.to_string()));
        }
        _ => {}
    }
    let extended = err.extend();
    let mut body = json!({ "code": err.code(), "message": extended.message });
    if let Some(extensions) = extended.extensions
        && let Ok(serde_json::Value::Object(more)) = serde_json::to_value(&extensions)
    {
        for (name, value) in more {
            if name != "code" {
                body[name] = value;
            }
        }
    }
    response
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(body)
}
