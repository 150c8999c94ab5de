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
pub mod persist;
pub mod query;
pub mod relay;
pub mod scalars;
pub mod subscription;
pub mod tokens;
pub mod types;

use async_graphql::Schema;

use crate::context::{Actor, Lang, RequestCtx};
use crate::services::Deps;

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<query::Query, mutation::Mutation, subscription::Subscription>;

/// What the schema itself is set to: what one document may ask, which operations run, whether
/// it describes itself.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// What one GraphQL document may ask.
    pub query_limits: limits::QueryLimits,
    /// Which operations run.
    pub operations: crate::config::Operations,
    /// Whether introspection, GraphiQL and suggestions are served.
    pub introspection: bool,
}

/// Builds the schema over the services' dependencies.
pub fn build_schema(deps: Deps, settings: Settings) -> AppSchema {
    let builder = builder().extension(extensions::Gate::new(
        settings.query_limits,
        settings.operations,
        settings.introspection,
    ));
    let builder = if settings.introspection {
        builder
    } else {
        builder.disable_introspection().disable_suggestions()
    };
    builder.data(deps).finish()
}

/// Access to the request's context from a resolver.
pub trait ContextExt {
    /// The request's caller and the services' dependencies.
    fn request(&self) -> (&RequestCtx, &Deps);
    /// The services' dependencies.
    fn deps(&self) -> &Deps;
    /// The request's DataLoaders.
    fn loaders(&self) -> &loaders::Loaders;
}

impl ContextExt for async_graphql::Context<'_> {
    fn request(&self) -> (&RequestCtx, &Deps) {
        static ANONYMOUS: RequestCtx = RequestCtx {
            actor: Actor::Anonymous,
            lang: Lang::Ru,
            address: None,
        };
        let rc = self.data_opt::<RequestCtx>().unwrap_or(&ANONYMOUS);
        (rc, self.deps())
    }

    fn deps(&self) -> &Deps {
        self.data_unchecked::<Deps>()
    }

    fn loaders(&self) -> &loaders::Loaders {
        self.data_unchecked::<std::sync::Arc<loaders::Loaders>>()
    }
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
