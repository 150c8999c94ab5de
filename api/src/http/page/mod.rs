//! The public situation page: `GET /` (in the language `Accept-Language` asks for) and `GET /kk`,
//! `/ru`, `/en`. One server-rendered HTML page with the figures of `reliefSummary` and `regions`,
//! what is still needed, shelters and where to bring aid, from `services::situation`. No
//! script, nothing loaded from elsewhere (the style is inline), cacheable like the public
//! queries. Every value is escaped by askama: never build markup by hand here.

pub mod strings;
pub mod view;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::context::{Actor, Lang};
use crate::error::ApiError;
use crate::http::{State, gate};

/// The page's template, filled with its view.
#[derive(Template)]
#[template(path = "situation.html")]
struct Page {
    v: view::View,
}

/// `GET /`: the page in the language `Accept-Language` prefers (Russian by default).
pub async fn index(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    let lang = Lang::from_accept_language(
        req.headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let mut response = render(&req, &state, lang).await;
    if response.status().is_success() {
        response.headers_mut().insert(
            header::VARY,
            header::HeaderValue::from_static("Accept-Language"),
        );
    }
    response
}

/// `GET /{lang}`: the page in one language (the route admits only `kk`, `ru` and `en`).
pub async fn in_language(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<State>,
) -> HttpResponse {
    let lang = match path.as_str() {
        "kk" => Lang::Kk,
        "ru" => Lang::Ru,
        "en" => Lang::En,
        _ => return HttpResponse::NotFound().finish(),
    };
    render(&req, &state, lang).await
}

/// The page, once its client is within its rate (the public queries' rate: the page counts as
/// one operation).
async fn render(req: &HttpRequest, state: &State, lang: Lang) -> HttpResponse {
    let address = gate::client_address(req, state);
    if let Err(err) = gate::check_rate(state, &Actor::Anonymous, address) {
        return failure(err);
    }
    let situation = match crate::services::situation::get(&state.deps).await {
        Ok(situation) => situation,
        Err(err) => return failure(err),
    };
    let page = Page {
        v: view::build(&situation, lang),
    };
    match page.render() {
        Ok(html) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, crate::http::PUBLIC_CACHE_CONTROL))
            .insert_header((header::CONTENT_LANGUAGE, strings::of(lang).code))
            .body(html),
        Err(e) => failure(ApiError::Internal(e.into())),
    }
}

/// A page that could not be made (or not now): a short plain answer that no one caches (an internal error
/// is logged under an id, never shown).
fn failure(err: ApiError) -> HttpResponse {
    let status = match err {
        ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    if let ApiError::Internal(cause) = &err {
        tracing::error!(error = %format!("{cause:#}"), "the situation page failed");
    }
    let mut response = HttpResponse::build(status);
    if let ApiError::RateLimited { retry_after_s } = err {
        response.insert_header((header::RETRY_AFTER, retry_after_s.to_string()));
    }
    response
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(status.canonical_reason().unwrap_or("error"))
}
