//! GraphQL over HTTP: POST (single or batched), GET (queries in the URL), the GraphiQL IDE for a
//! browser's GET, and WebSocket subscriptions (`graphql-transport-ws` and `graphql-ws`). Each
//! request's actor and language are read here and handed to the schema as request data.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use async_graphql::http::GraphiQLSource;
use async_graphql_actix_web::GraphQLBatchRequest;

use crate::auth::extract;
use crate::context::{Actor, AppState, Lang, RequestCtx};
use crate::error::ApiError;
use crate::graphql::AppSchema;
use crate::graphql::loaders::Loaders;
use crate::http::{apq, socket};
use std::sync::atomic::Ordering;

/// The request's actor and language, or the refusal of a bad token or a disabled account.
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
    let actor = extract::actor(authorization, &state.keys)?;
    extract::ensure_active(&state.db, &actor).await?;
    Ok(RequestCtx {
        actor,
        lang,
        address: req.peer_addr().map(|a| a.ip()),
    })
}

/// A whole-request refusal, shaped as a GraphQL response.
fn refusal(err: ApiError) -> HttpResponse {
    use async_graphql::ErrorExtensions;
    let extended = err.extend();
    let mut error = async_graphql::ServerError::new(extended.message, None);
    error.extensions = extended.extensions;
    let body = async_graphql::Response::from_errors(vec![error]);
    let status = match err {
        ApiError::Unauthenticated => actix_web::http::StatusCode::UNAUTHORIZED,
        _ => actix_web::http::StatusCode::BAD_REQUEST,
    };
    HttpResponse::build(status).json(body)
}

/// `POST /graphql`: one operation or a batch (at most `BIRLIK_MAX_BATCH`; a larger one is refused
/// whole, with nothing executed).
pub async fn post(
    req: HttpRequest,
    schema: web::Data<AppSchema>,
    state: web::Data<AppState>,
    body: GraphQLBatchRequest,
) -> HttpResponse {
    let rc = match request_ctx(&req, &state).await {
        Ok(rc) => rc,
        Err(err) => return refusal(err),
    };
    let batch = body.into_inner();
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
    let loaders = Loaders::new(&state.db);
    let run = |mut request: async_graphql::Request| {
        let (schema, state, rc, loaders) =
            (schema.clone(), state.clone(), rc.clone(), loaders.clone());
        async move {
            match apq::resolve(&state, &mut request).await {
                Ok(()) => schema.execute(request.data(rc).data(loaders)).await,
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
    let status = if accepts_graphql_json && whole_request_failed {
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
        return socket::start(
            &req,
            payload,
            schema.get_ref().clone(),
            state.get_ref().clone(),
        );
    }
    if req.query_string().is_empty() && accepts_html(&req) {
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
            request.data(rc).data(Loaders::new(&state.db))
        }
        Err(err) => {
            return Ok(refusal(ApiError::BadUserInput {
                field: None,
                message: format!("malformed GraphQL GET request: {err}"),
            }));
        }
    };
    Ok(respond(&req, actor, schema.execute(request).await.into()))
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
