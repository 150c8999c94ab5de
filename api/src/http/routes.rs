//! The URL space.

use actix_web::web;

use crate::http::{exports, graphql, health, ide, imports, page};

/// `/graphql` (POST, GET, WebSocket, GraphiQL), the IDE's files under `/graphql/ide/`,
/// `/exports/{dataset}.csv`, `/imports/donations` (POST), `/healthz`, `/readyz`, `/metrics`, and
/// the situation page at `/` and `/kk`, `/ru`, `/en` (any other language is the default 404).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get)),
    )
    .route("/graphql/ide/{file:.+}", web::get().to(ide::asset))
    .route("/exports/{file}", web::get().to(exports::get))
    .route("/imports/donations", web::post().to(imports::donations))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(health::metrics))
    .route("/", web::get().to(page::index))
    .route("/{lang:kk|ru|en}", web::get().to(page::in_language));
}
