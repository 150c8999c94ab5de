//! GraphQL over HTTP: POST (single or batched), GET (queries in the URL), the GraphiQL IDE's page
//! for a browser's GET (`ide`), and the upgrade to a WebSocket (`socket`). Each request's actor and language
//! are read here and handed to the schema as request data; every operation then runs through
//! the gate (`gate::admit`, `gate::run`), which every transport shares.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::extract;
use crate::context::{Actor, Lang, RequestCtx};
use crate::error::ApiError;
use crate::graphql::AppSchema;
use crate::graphql::loaders::Loaders;
use crate::http::State;
use crate::http::body::{ensure_not_simple, read_batch};
use crate::http::{admission, apq, gate, ide, socket};
use async_graphql::parser::types::OperationType;

/// Who sends a request, in which language, from where: read from its headers, before anything
/// touches the database (a bad token is refused here).
pub(crate) fn caller(req: &HttpRequest, state: &State) -> Result<RequestCtx, ApiError> {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    Ok(RequestCtx {
        actor: extract::actor(authorization, &state.deps.keys)?,
        lang,
        address: gate::client_address(req, state),
    })
}

/// A whole-request refusal, shaped as a GraphQL response, with the status its cause calls for.
pub fn refusal(err: ApiError) -> HttpResponse {
    use actix_web::http::StatusCode;
    use async_graphql::ErrorExtensions;
    let extended = err.extend();
    let mut error = async_graphql::ServerError::new(extended.message, None);
    error.extensions = extended.extensions;
    let body = RequestErrors {
        errors: std::slice::from_ref(&error),
    };
    let status = match err {
        ApiError::Unauthenticated => StatusCode::UNAUTHORIZED,
        ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
        ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut response = HttpResponse::build(status);
    match err {
        ApiError::RateLimited { retry_after_s } => {
            response.insert_header((header::RETRY_AFTER, retry_after_s.to_string()));
        }
        ApiError::Unavailable => {
            response.insert_header((header::RETRY_AFTER, admission::RETRY_AFTER_S.to_string()));
        }
        _ => {}
    }
    response.json(body)
}

/// The body of a request that failed before execution: only `errors`. The GraphQL spec leaves
/// the `data` entry out when a request fails before it runs, and graphql-over-http requires
/// its absence for such a failure served as `application/graphql-response+json`.
#[derive(serde::Serialize)]
struct RequestErrors<'a> {
    errors: &'a [async_graphql::ServerError],
}

/// One response of a body: as executed, or only its errors.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Body<'a> {
    Executed(&'a async_graphql::Response),
    Refused(RequestErrors<'a>),
}

/// Whether a response is a request error: nothing ran (no `data`), and no error lies on a path.
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// `POST /graphql`: one operation or a batch (at most `BIRLIK_MAX_BATCH`; a larger one is refused
/// whole, with nothing executed). Each operation passes the gate on its own: one over the
/// client's rate gets `RATE_LIMITED` in its place, and a request of nothing but such is a 429.
pub async fn post(
    req: HttpRequest,
    payload: web::Payload,
    schema: web::Data<AppSchema>,
    state: web::Data<State>,
) -> HttpResponse {
    if let Err(refused) = ensure_not_simple(&req) {
        return refused;
    }
    let rc = match caller(&req, &state) {
        Ok(rc) => rc,
        Err(err) => return refusal(err),
    };
    let batch = match read_batch(&req, payload, state.max_body_bytes).await {
        Ok(batch) => batch,
        Err(refused) => return refused,
    };
    let (single, requests) = match batch {
        async_graphql::BatchRequest::Single(request) => (true, vec![request]),
        async_graphql::BatchRequest::Batch(requests) => (false, requests),
    };
    if requests.len() > state.max_batch {
        return refusal(ApiError::bad_input(
            "batch",
            format!("a batch holds at most {} operations", state.max_batch),
        ));
    }
    let mut admitted = gate::admit_batch(&state, &rc.actor, rc.address, requests.len()).await;
    if admitted.iter().all(Result::is_err)
        && let Err(err) = admitted.swap_remove(0)
    {
        return refusal(err);
    }
    if let Err(err) = extract::ensure_active_cached(&state.deps, &rc.actor).await {
        return refusal(err);
    }
    let queries_only = requests
        .iter()
        .all(|r| gate::operation_type(r) == Some(OperationType::Query));
    let actor = rc.actor;
    let loaders = Loaders::new(&state.deps, &rc.actor);
    let run =
        |(mut request, admitted): (async_graphql::Request, Result<gate::Admitted, ApiError>)| {
            let (schema, state, rc, loaders) =
                (schema.clone(), state.clone(), rc.clone(), loaders.clone());
            async move {
                let admitted = match admitted {
                    Ok(admitted) => admitted,
                    Err(err) => return gate::refused(err),
                };
                match apq::resolve(&state, &mut request).await {
                    Ok(()) => {
                        gate::run(&schema, &state, admitted, request.data(rc).data(loaders)).await
                    }
                    Err(refused) => async_graphql::Response::from_errors(vec![refused]),
                }
            }
        };
    let mut responses =
        futures_util::future::join_all(requests.into_iter().zip(admitted).map(run)).await;
    let response = if single {
        async_graphql::BatchResponse::Single(responses.remove(0))
    } else {
        async_graphql::BatchResponse::Batch(responses)
    };
    respond(&req, actor, queries_only, response)
}

/// Writes a GraphQL response as graphql-over-http asks: `application/graphql-response+json` when
/// the client accepts it, `application/json` otherwise. A request that failed before it ran has
/// no `data` entry, and with `application/graphql-response+json` it is a 400 (403 when refused
/// as not permitted); with `application/json` it is a 200, as that media type asks. An answer made
/// wholly of queries for the public, each with a cache hint, may be cached briefly; anything else
/// (a mutation among them, a signed-in caller) is private.
fn respond(
    req: &HttpRequest,
    actor: Actor,
    queries_only: bool,
    response: async_graphql::BatchResponse,
) -> HttpResponse {
    use actix_web::http::StatusCode;
    let accepts_graphql_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/graphql-response+json"));
    let each_public = match &response {
        async_graphql::BatchResponse::Single(r) => vec![r],
        async_graphql::BatchResponse::Batch(rs) => rs.iter().collect(),
    }
    .into_iter()
    .all(|r| r.cache_control.public && r.cache_control.value().is_some());
    let cache_control = match (actor, response.is_ok(), response.cache_control().value()) {
        (Actor::Anonymous, true, Some(value))
            if queries_only && each_public && !value.contains("private") =>
        {
            format!("public, {value}")
        }
        _ => "private, no-store".to_owned(),
    };
    let all_coded = |r: &async_graphql::Response, code: &str| {
        r.errors.iter().all(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|c| *c == async_graphql::Value::from(code))
        })
    };
    let unavailable = |r: &async_graphql::Response| {
        r.data == async_graphql::Value::Null
            && !r.errors.is_empty()
            && all_coded(r, ApiError::Unavailable.code())
    };
    let status = match &response {
        async_graphql::BatchResponse::Single(r) if unavailable(r) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        async_graphql::BatchResponse::Single(r) if accepts_graphql_json && is_request_error(r) => {
            if all_coded(r, "FORBIDDEN") {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            }
        }
        _ => StatusCode::OK,
    };
    // Without `data`: a request error, and any refusal served as graphql-response+json (a
    // non-2xx status there means that no GraphQL response was produced).
    let body_of = |r| {
        if is_request_error(r) || (accepts_graphql_json && !status.is_success()) {
            Body::Refused(RequestErrors { errors: &r.errors })
        } else {
            Body::Executed(r)
        }
    };
    let body = match &response {
        async_graphql::BatchResponse::Single(r) => serde_json::to_vec(&body_of(r)),
        async_graphql::BatchResponse::Batch(rs) => {
            serde_json::to_vec(&rs.iter().map(body_of).collect::<Vec<_>>())
        }
    };
    let body = match body {
        Ok(body) => body,
        Err(e) => return refusal(ApiError::Internal(e.into())),
    };
    let mut response = HttpResponse::build(status);
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // Refused at admission, out of time, or out of connections: all pass in a moment.
        response.insert_header((header::RETRY_AFTER, admission::RETRY_AFTER_S.to_string()));
    }
    response
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
    state: web::Data<State>,
) -> actix_web::Result<HttpResponse> {
    if req.headers().contains_key(header::UPGRADE) {
        return socket::start(
            &req,
            payload,
            schema.get_ref().clone(),
            state.get_ref().clone(),
        );
    }
    if state.graphql.introspection && req.query_string().is_empty() && accepts_html(&req) {
        return Ok(ide::page());
    }
    let rc = match caller(&req, &state) {
        Ok(rc) => rc,
        Err(err) => return Ok(refusal(err)),
    };
    let mut request = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(request) => request,
        Err(err) => {
            return Ok(refusal(ApiError::BadUserInput {
                field: None,
                message: format!("malformed GraphQL GET request: {err}"),
            }));
        }
    };
    let admitted = match gate::admit(&state, &rc.actor, rc.address).await {
        Ok(admitted) => admitted,
        Err(err) => return Ok(refusal(err)),
    };
    if let Err(err) = extract::ensure_active_cached(&state.deps, &rc.actor).await {
        return Ok(refusal(err));
    }
    let actor = rc.actor;
    if let Err(refused) = apq::resolve(&state, &mut request).await {
        return Ok(respond(
            &req,
            actor,
            false,
            async_graphql::Response::from_errors(vec![refused]).into(),
        ));
    }
    let kind = gate::operation_type(&request);
    if kind.is_some_and(|kind| kind != OperationType::Query) {
        // GET is for queries: a state change over GET could be triggered by a link.
        let mut refused = refusal(ApiError::bad_input("query", "mutations are sent with POST"));
        *refused.status_mut() = actix_web::http::StatusCode::METHOD_NOT_ALLOWED;
        refused
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return Ok(refused);
    }
    let request = request.data(rc).data(Loaders::new(&state.deps, &actor));
    let response = gate::run(&schema, &state, admitted, request).await;
    Ok(respond(
        &req,
        actor,
        kind == Some(OperationType::Query),
        response.into(),
    ))
}

fn accepts_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}
