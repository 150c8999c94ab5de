//! GraphQL over HTTP: POST (single or batched), GET (queries in the URL), the GraphiQL IDE for a
//! browser's GET, and WebSocket subscriptions (`graphql-transport-ws` and `graphql-ws`). Each
//! request's actor and language are read here and handed to the schema as request data.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;

use crate::auth::extract;
use crate::context::{Actor, AppState, Lang, RequestCtx};
use crate::error::ApiError;
use crate::graphql::AppSchema;
use crate::graphql::loaders::Loaders;
use crate::http::{apq, rate_limit, socket};
use std::sync::atomic::Ordering;

/// The request's actor and language, or the refusal of a bad token, a client over its rate, or a
/// disabled account. The rate is counted before anything touches the database.
async fn request_ctx(req: &HttpRequest, state: &AppState) -> Result<RequestCtx, ApiError> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let address = crate::http::client_address(req, &state.trusted_proxies);
    let actor = extract::actor(authorization, &state.keys)?;
    rate_check(state, &actor, address)?;
    extract::ensure_active_cached(&state.db, state.events.accounts(), &actor).await?;
    Ok(RequestCtx {
        actor,
        lang,
        address,
    })
}

/// Counts a request against its client's rate.
pub fn rate_check(
    state: &AppState,
    actor: &Actor,
    address: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    state
        .rate_limiter
        .check(&rate_limit::Client::of(actor, address))
        .map_err(|wait| ApiError::RateLimited {
            retry_after_s: wait.as_secs_f64().ceil().max(1.0) as u64,
        })
}

/// A whole-request refusal, shaped as a GraphQL response, with the status its cause calls for.
pub fn refusal(err: ApiError) -> HttpResponse {
    use actix_web::http::StatusCode;
    use async_graphql::ErrorExtensions;
    let extended = err.extend();
    let mut error = async_graphql::ServerError::new(extended.message, None);
    error.extensions = extended.extensions;
    let body = async_graphql::Response::from_errors(vec![error]);
    let status = match err {
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = HttpResponse::build(status);
    if let ApiError::RateLimited { retry_after_s } = err {
        response.insert_header((header::RETRY_AFTER, retry_after_s.to_string()));
    }
    response.json(body)
}

/// Headers that a browser never sends on a cross-site "simple" request without a CORS
/// preflight: with one of them, a POST of another content type is no CSRF.
const PREFLIGHT_HEADERS: [&str; 3] = [
    "apollo-require-preflight",
    "x-apollo-operation-name",
    "graphql-preflight",
];

/// Refuses a POST that a cross-site form or `text/plain` fetch could send (CSRF): the body must
/// be JSON, or the request must carry a header that forces a CORS preflight.
fn ensure_not_simple(req: &HttpRequest) -> Result<(), HttpResponse> {
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
async fn read_batch(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<async_graphql::BatchRequest, HttpResponse> {
    let too_large = || {
        let mut refused = refusal(ApiError::bad_input(
            "body",
            format!("a request body holds at most {limit} bytes"),
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
    let body = match payload.to_bytes_limited(limit).await {
        Err(_) => return Err(too_large()),
        Ok(Err(_)) => {
            return Err(refusal(ApiError::bad_input(
                "body",
                "the request body could not be read",
            )));
        }
        Ok(Ok(body)) => body,
    };
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
    serde_json::from_value(json).map_err(|e| not_a_request(e.to_string()))
}

/// `POST /graphql`: one operation or a batch (at most `BIRLIK_MAX_BATCH`; a larger one is refused
/// whole, with nothing executed).
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
) -> HttpResponse {
    if let Err(refused) = ensure_not_simple(&req) {
        return refused;
    }
    let rc = match request_ctx(&req, &state).await {
        Ok(rc) => rc,
        Err(err) => return refusal(err),
    };
    let batch = match read_batch(&req, payload, state.max_body_bytes).await {
        Ok(batch) => batch,
        Err(refused) => return refused,
    };
    let operations = match &batch {
        async_graphql::BatchRequest::Single(_) => 1,
        async_graphql::BatchRequest::Batch(requests) => requests.len(),
    };
    if operations > state.max_batch {
        return refusal(ApiError::bad_input(
            "batch",
            format!("a batch holds at most {} operations", state.max_batch),
        ));
    }
    state
        .requests
        .fetch_add(operations as u64, Ordering::Relaxed);
    let actor = rc.actor;
    let loaders = Loaders::new(&state);
    let run = |mut request: async_graphql::Request| {
        let (schema, state, rc, loaders) =
            (schema.clone(), state.clone(), rc.clone(), loaders.clone());
        async move {
            match apq::resolve(&state, &mut request).await {
                Ok(()) => execute(&schema, &state, request.data(rc).data(loaders)).await,
                Err(refused) => async_graphql::Response::from_errors(vec![refused]),
            }
        }
    };
    let response = match batch {
        async_graphql::BatchRequest::Single(request) => {
            async_graphql::BatchResponse::Single(run(request).await)
        }
        async_graphql::BatchRequest::Batch(requests) => async_graphql::BatchResponse::Batch(
            futures_util::future::join_all(requests.into_iter().map(run)).await,
        ),
    };
    respond(&req, actor, response)
}

/// Runs one operation within `BIRLIK_REQUEST_TIMEOUT_MS`; past it, the work is dropped (an open
/// transaction rolls back) and the client is told to retry later.
async fn execute(
    schema: &AppSchema,
    state: &AppState,
    request: async_graphql::Request,
) -> async_graphql::Response {
    match tokio::time::timeout(state.request_timeout, schema.execute(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout = ?state.request_timeout, "a GraphQL request ran out of time");
            let error = crate::error::request_error(
                format!(
                    "the request took longer than {} ms; nothing of it was kept",
                    state.request_timeout.as_millis()
                ),
                ApiError::Unavailable.code(),
                |_| {},
            );
            async_graphql::Response::from_errors(vec![error])
        }
    }
}

/// Writes a GraphQL response as graphql-over-http asks: `application/graphql-response+json` when
/// the client accepts it (then a request that failed as a whole is a 400), `application/json`
/// otherwise. Public answers to the public may be cached briefly; everything else is private.
fn respond(
    req: &HttpRequest,
    actor: Actor,
    response: async_graphql::BatchResponse,
) -> HttpResponse {
    let accepts_graphql_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/graphql-response+json"));
    let whole_request_failed = match &response {
        async_graphql::BatchResponse::Single(r) => {
            r.data == async_graphql::Value::Null
                && !r.errors.is_empty()
                && r.errors.iter().all(|e| e.path.is_empty())
        }
        async_graphql::BatchResponse::Batch(_) => false,
    };
    let cache_control = match (actor, response.is_ok(), response.cache_control().value()) {
        (Actor::Anonymous, true, Some(value)) if !value.contains("private") => {
            format!("public, {value}")
        }
        _ => "private, no-store".to_owned(),
    };
    let body = match serde_json::to_vec(&response) {
        Ok(body) => body,
        Err(e) => return refusal(ApiError::Internal(e.into())),
    };
    let unavailable = match &response {
        async_graphql::BatchResponse::Single(r) => {
            r.data == async_graphql::Value::Null
                && !r.errors.is_empty()
                && r.errors.iter().all(|e| {
                    e.extensions
                        .as_ref()
                        .and_then(|x| x.get("code"))
                        .is_some_and(|c| {
                            *c == async_graphql::Value::from(ApiError::Unavailable.code())
                        })
                })
        }
        async_graphql::BatchResponse::Batch(_) => false,
    };
    let status = if unavailable {
        actix_web::http::StatusCode::SERVICE_UNAVAILABLE
    } else if accepts_graphql_json && whole_request_failed {
        actix_web::http::StatusCode::BAD_REQUEST
    } else {
        actix_web::http::StatusCode::OK
    };
    HttpResponse::build(status)
        .content_type(if accepts_graphql_json {
            "application/graphql-response+json; charset=utf-8"
        } else {
            "application/json; charset=utf-8"
        })
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::VARY, "Accept, Accept-Language, Authorization"))
        .body(body)
}

/// `GET /graphql`: a WebSocket upgrade, the GraphiQL IDE for a browser, or a query in the URL.
pub async fn get(
    req: HttpRequest,
    payload: web::Payload,
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    if req.headers().contains_key(header::UPGRADE) {
        let address = crate::http::client_address(&req, &state.trusted_proxies);
        if let Err(err) = rate_check(&state, &Actor::Anonymous, address) {
            return Ok(refusal(err));
        }
        return socket::start(
            &req,
            payload,
            schema.get_ref().clone(),
            state.get_ref().clone(),
        );
    }
    if state.introspection && req.query_string().is_empty() && accepts_html(&req) {
        let page = GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql")
            .finish();
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(page));
    }
    let rc = match request_ctx(&req, &state).await {
        Ok(rc) => rc,
        Err(err) => return Ok(refusal(err)),
    };
    let actor = rc.actor;
    let parsed = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(mut request) => match apq::resolve(&state, &mut request).await {
            Ok(()) => Ok(request),
            Err(refused) => {
                return Ok(respond(
                    &req,
                    actor,
                    async_graphql::Response::from_errors(vec![refused]).into(),
                ));
            }
        },
        Err(err) => Err(err),
    };
    let request = match parsed {
        Ok(request) if is_mutation(&request) => {
            // GET is for queries: a state change over GET could be triggered by a link.
            let mut refused = refusal(ApiError::bad_input("query", "mutations are sent with POST"));
            *refused.status_mut() = actix_web::http::StatusCode::METHOD_NOT_ALLOWED;
            refused
                .headers_mut()
                .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
            return Ok(refused);
        }
        Ok(request) => {
            state.requests.fetch_add(1, Ordering::Relaxed);
            request.data(rc).data(Loaders::new(&state))
        }
        Err(err) => {
            return Ok(refusal(ApiError::BadUserInput {
                field: None,
                message: format!("malformed GraphQL GET request: {err}"),
            }));
        }
    };
    Ok(respond(
        &req,
        actor,
        execute(&schema, &state, request).await.into(),
    ))
}

/// Whether the operation a request would run is a mutation (or a subscription).
fn is_mutation(request: &async_graphql::Request) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    let Ok(doc) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    let kind = match (&doc.operations, request.operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => op.node.ty,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op.node.ty,
            None => return false,
        },
        (DocumentOperations::Multiple(ops), None) => match ops.values().next() {
            Some(op) => op.node.ty,
            None => return false,
        },
    };
    kind != OperationType::Query
}

fn accepts_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}
