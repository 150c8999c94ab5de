//! The URL space.

use actix_web::web;

use crate::http::{exports, graphql, health};

/// `/graphql` (POST, GET, WebSocket, GraphiQL), `/exports/{dataset}.csv`, `/healthz`, `/readyz`,
/// `/metrics`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get)),
    )
    .route("/exports/{file}", web::get().to(exports::get))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(health::metrics));
}
