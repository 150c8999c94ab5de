//! The URL space.

use actix_web::web;

use crate::http::{graphql, health, imports};

/// `/graphql` (POST, GET, WebSocket, GraphiQL), `/imports/donations` (POST), `/healthz`,
/// `/readyz`, `/metrics`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get)),
    )
    .route("/imports/donations", web::post().to(imports::donations))
    .route("/healthz", web::get().to(health::healthz))
    .route("/readyz", web::get().to(health::readyz))
    .route("/metrics", web::get().to(health::metrics));
}
