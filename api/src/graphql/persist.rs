//! The one write an accepted document makes: the text of an automatic persisted query, stored
//! once it has validated. `http::apq` marks the request with [`Persist`]; the `Gate` extension
//! calls [`store`] after validation.

use async_graphql::ServerError;

use crate::services::Deps;

/// A text to store under its hash once the request's document has validated.
#[derive(Clone, Debug)]
pub struct Persist {
    pub hash: String,
    pub query: String,
}

/// Stores the text a request was marked with, evicting the least recently used beyond the cap.
pub async fn store(deps: &Deps, persist: &Persist) -> Result<(), ServerError> {
    crate::services::persisted_query::remember(deps, &persist.hash, &persist.query)
        .await
        .map_err(|e| {
            use async_graphql::ErrorExtensions;
            let extended = e.extend();
            let mut err = ServerError::new(extended.message, None);
            err.extensions = extended.extensions;
            err
        })
}
