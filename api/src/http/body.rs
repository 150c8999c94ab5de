//! A POST's body as GraphQL over HTTP reads it: refused when a cross-site form could have sent
//! it (CSRF), when it is larger than `BIRLIK_MAX_BODY_BYTES`, or when it is not one request or a
//! non-empty batch of requests in JSON.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;
use crate::http::graphql::refusal;

/// Headers that a browser never sends on a cross-site "simple" request without a CORS
/// preflight: with one of them, a POST of another content type is no CSRF.
const PREFLIGHT_HEADERS: [&str; 3] = [
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "graphql-preflight",
];

/// Refuses a POST that a cross-site form or `text/plain` fetch could send (CSRF): the body must
/// be JSON, or the request must carry a header that forces a CORS preflight.
pub(crate) fn ensure_not_simple(req: &HttpRequest) -> Result<(), HttpResponse> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let json = essence == "application/json" || essence.ends_with("+json");
    if json
        || PREFLIGHT_HEADERS
            .iter()
            .any(|h| req.headers().contains_key(*h))
    {
        return Ok(());
    }
    let mut refused = refusal(ApiError::bad_input(
        "Content-Type",
        "send GraphQL requests as application/json",
    ));
    *refused.status_mut() = actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE;
    Err(refused)
}

/// Reads a JSON body of at most `BIRLIK_MAX_BODY_BYTES` into one operation or a batch.
pub(crate) async fn read_batch(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<async_graphql::BatchRequest, HttpResponse> {
    let body = limited(req, payload, limit, "a request body").await?;
    let not_a_request = |detail: String| {
        refusal(ApiError::BadUserInput {
            field: Some("body"),
            message: format!("the body is not a GraphQL request in JSON: {detail}"),
        })
    };
    // An object, or a non-empty array of objects (serde would also read a struct from an array).
    let json: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| not_a_request(e.to_string()))?;
    let shaped = match &json {
        serde_json::Value::Object(_) => true,
        serde_json::Value::Array(items) => {
            !items.is_empty() && items.iter().all(serde_json::Value::is_object)
        }
        _ => false,
    };
    if !shaped {
        return Err(not_a_request(
            "send an object, or a non-empty array of objects".into(),
        ));
    }
    // A request names its document: `query`, or a persisted query's hash.
    let names_a_document = |item: &serde_json::Value| {
        item.get("query").is_some() || item.pointer("/extensions/persistedQuery").is_some()
    };
    let all_name_one = match &json {
        serde_json::Value::Array(items) => items.iter().all(names_a_document),
        one => names_a_document(one),
    };
    if !all_name_one {
        return Err(not_a_request(
            "a request has a `query` (or a persisted query's hash)".into(),
        ));
    }
    serde_json::from_value(json).map_err(|e| not_a_request(e.to_string()))
}

/// The body, refused with 413 beyond `limit` bytes (by its declared length first, before any of
/// it is read); `what` names it in the refusal ("a request body holds at most … bytes").
pub(crate) async fn limited(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    what: &str,
) -> Result<web::Bytes, HttpResponse> {
    let too_large = || {
        let mut refused = refusal(ApiError::bad_input(
            "body",
            format!("{what} holds at most {limit} bytes"),
        ));
        *refused.status_mut() = actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
        refused
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    match payload.to_bytes_limited(limit).await {
        Err(_) => Err(too_large()),
        Ok(Err(_)) => Err(refusal(ApiError::bad_input(
            "body",
            "the request body could not be read",
        ))),
        Ok(Ok(body)) => Ok(body),
    }
}
