//! Automatic persisted queries, in Apollo's protocol: a request may carry
//! `extensions.persistedQuery.sha256Hash` instead of its text. Unknown hash →
//! `PersistedQueryNotFound`; the client then sends text and hash together, and the text is
//! stored (its hash checked) in the database, for every instance and across restarts.
//!
//! A text is stored only once it has passed every check a document passes before it runs (its
//! tokens, the query limits, parsing and validation against the schema): this module marks the
//! request with [`Persist`], and the schema's `Gate` extension stores it after validation. The
//! store keeps at most `BIRLIK_PERSISTED_QUERY_MAX` texts, dropping the least recently used.

use async_graphql::{Request, ServerError, Value};

use crate::config::Operations;
use crate::http::State;

use crate::error::ApiError;

/// Longest query text stored.
const MAX_QUERY_BYTES: usize = 64 * 1024;

fn error(message: &str, code: &str) -> ServerError {
    crate::error::request_error(message, code, |_| {})
}

pub use crate::graphql::persist::Persist;

/// Fills in the text of a persisted query, or marks a text to store ([`Persist`]). Requests without one pass untouched.
/// With `BIRLIK_OPERATIONS=allowlist` nothing new is stored: only the clients' operations run.
pub async fn resolve(state: &State, request: &mut Request) -> Result<(), ServerError> {
    let Some(Value::Object(persisted)) = request.extensions.get("persistedQuery") else {
        return Ok(());
    };
    let Some(Value::String(hash)) = persisted.get("sha256Hash") else {
        return Err(error("persistedQuery needs a sha256Hash", "BAD_USER_INPUT"));
    };
    let hash = hash.to_ascii_lowercase();
    let internal = |e: ApiError| {
        use async_graphql::ErrorExtensions;
        let extended = e.extend();
        let mut err = ServerError::new(extended.message, None);
        err.extensions = extended.extensions;
        err
    };
    if request.query.trim().is_empty() {
        // The clients' own operations are known without a lookup.
        if let Some(query) = crate::operations::by_hash(&hash) {
            request.query = query.to_owned();
            return Ok(());
        }
        return match crate::services::persisted_query::get(&state.deps, &hash)
            .await
            .map_err(internal)?
        {
            Some(query) => {
                request.query = query;
                Ok(())
            }
            None => Err(error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")),
        };
    }
    if crate::operations::sha256_hex(&request.query) != hash {
        return Err(error("provided sha does not match query", "BAD_USER_INPUT"));
    }
    let stores =
        state.graphql.operations == Operations::Any && crate::operations::by_hash(&hash).is_none();
    if stores && request.query.len() <= MAX_QUERY_BYTES {
        let query = request.query.clone();
        request.data.insert(Persist { hash, query });
    }
    Ok(())
}
