//! `GET /exports/{dataset}.csv`: the open-data exports over HTTP. The caller is read as for
//! `/graphql` (a bearer token, or the public), counted against the same rate, and the export is
//! planned by `services::export` (access, filters, validator) before anything is sent: a refusal
//! is a JSON error with its code and the status it calls for (401 with `WWW-Authenticate`, 403,
//! 400 naming the parameter). The CSV is then streamed as the service produces it. A public
//! dataset carries a strong `ETag` and `public, max-age=30` and answers `If-None-Match` with 304;
//! one with per-organization rows is `private, no-store`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use crate::auth::extract;
use crate::context::Lang;
use crate::error::ApiError;
use crate::http::State;
use crate::http::gate;
use crate::http::graphql::{caller, refusal};
use crate::services::export::{self, Dataset};

/// A refusal; a 401 also names the scheme that would be accepted, and an unknown dataset is a 404.
fn refused(err: ApiError) -> HttpResponse {
    let unauthenticated = matches!(err, ApiError::Unauthenticated);
    let not_found = matches!(err, ApiError::NotFound { .. });
    let mut response = refusal(err);
    if not_found {
        *response.status_mut() = StatusCode::NOT_FOUND;
    }
    if unauthenticated {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, no-store"),
    );
    response
}

/// The request's language: `?lang=` when given (kk, ru or en), else `Accept-Language`.
fn language(req: &HttpRequest, params: &[(String, String)]) -> Result<Lang, ApiError> {
    match params.iter().find(|(k, _)| k == "lang") {
        Some((_, v)) => match v.as_str() {
            "kk" => Ok(Lang::Kk),
            "ru" => Ok(Lang::Ru),
            "en" => Ok(Lang::En),
            _ => Err(ApiError::bad_input("lang", "one of kk, ru, en")),
        },
        None => Ok(Lang::from_accept_language(
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )),
    }
}

/// Whether `If-None-Match` names this tag (or `*`).
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
}

/// `GET /exports/{file}`: `file` is a dataset's name followed by `.csv`.
pub async fn get(
    req: HttpRequest,
    file: web::Path<String>,
    state: web::Data<State>,
) -> HttpResponse {
    let Some(dataset) = file.strip_suffix(".csv").and_then(Dataset::named) else {
        return refused(ApiError::NotFound { entity: "dataset" });
    };
    let params = match web::Query::<Vec<(String, String)>>::from_query(req.query_string()) {
        Ok(params) => params.into_inner(),
        Err(_) => return refused(ApiError::bad_input("query", "a malformed query string")),
    };
    let lang = match language(&req, &params) {
        Ok(lang) => lang,
        Err(err) => return refused(err),
    };
    let mut rc = match caller(&req, &state) {
        Ok(rc) => rc,
        Err(err) => return refused(err),
    };
    rc.lang = lang;
    if let Err(err) = gate::check_rate(&state, &rc.actor, rc.address) {
        return refused(err);
    }
    if let Err(err) = extract::ensure_active_cached(&state.deps, &rc.actor).await {
        return refused(err);
    }
    let filters: Vec<(String, String)> = params.into_iter().filter(|(k, _)| k != "lang").collect();
    let plan = match export::plan(&rc, &state.deps, dataset, &filters).await {
        Ok(plan) => plan,
        Err(err) => return refused(err),
    };
    let cache_control = match plan.etag {
        Some(_) => crate::http::PUBLIC_CACHE_CONTROL,
        None => "private, no-store",
    };
    if let Some(etag) = &plan.etag
        && not_modified(&req, etag)
    {
        return HttpResponse::build(StatusCode::NOT_MODIFIED)
            .insert_header((header::ETAG, etag.clone()))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .insert_header((header::VARY, "Accept-Language, Authorization"))
            .finish();
    }
    let etag = plan.etag.clone();
    let filename = plan.filename.clone();
    let mut chunks = export::start(
        &state.deps,
        plan,
        std::time::Instant::now() + state.request_timeout,
    );
    // The first chunk (the header rows and the first records, or all of a small export) is
    // awaited before answering, so a failure to start is a proper error status.
    let first = match chunks.recv().await {
        Some(Ok(chunk)) => chunk,
        Some(Err(err)) => return refused(err),
        None => return refused(ApiError::Unavailable),
    };
    let rest = tokio_stream::wrappers::ReceiverStream::new(chunks);
    let body = futures_util::stream::once(async move { Ok(first) })
        .chain(rest)
        .map(|chunk| match chunk {
            Ok(bytes) => Ok(web::Bytes::from(bytes)),
            // Ends the body without its final chunk: the client sees a broken download, never
            // a truncated file that looks whole. The cause is logged by the service.
            Err(err) => Err(actix_web::error::ErrorInternalServerError(err.code())),
        });
    let mut response = HttpResponse::Ok();
    response
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .insert_header((header::VARY, "Accept-Language, Authorization"));
    if let Some(etag) = etag {
        response.insert_header((header::ETAG, etag));
    }
    response.streaming(body)
}
