//! The GraphQL schema: built once at start, cloned into every HTTP worker.

pub mod coercion;
pub mod errors;
pub mod extensions;
pub mod filters;
pub mod limits;
pub mod literals;
pub mod loaders;
pub mod mutation;
pub mod nulls;
pub mod parse_cache;
pub mod query;
pub mod relay;
pub mod scalars;
pub mod subscription;
pub mod tokens;
pub mod types;

use async_graphql::Schema;

use crate::context::AppState;

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// Builds the schema over the application's shared state.
pub fn build_schema(state: AppState) -> AppSchema {
    let builder = builder().extension(extensions::Gate::new(
        state.query_limits,
        state.operations,
        state.introspection,
    ));
    let builder = if state.introspection {
        builder
    } else {
        builder.disable_introspection().disable_suggestions()
    };
    builder.data(state).finish()
}

/// The schema as SDL, as `birlik schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    builder().finish().sdl()
}

fn builder()
-> async_graphql::SchemaBuilder<query::Query, mutation::Mutation, subscription::Subscription> {
    Schema::build(
        query::Query::default(),
        mutation::Mutation::default(),
        subscription::Subscription,
    )
}
