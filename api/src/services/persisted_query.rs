//! Persisted queries (Apollo's automatic persisted queries): the texts clients sent once, kept
//! under their SHA-256 for every instance and across restarts. The protocol lives in
//! `http::apq`; this is the one way it reaches the store.

use crate::error::ApiResult;
use crate::services::Deps;
use crate::store;

/// The text stored under a hash, if any (marking it used now and then).
pub async fn get(deps: &Deps, hash: &str) -> ApiResult<Option<String>> {
    let db = &deps.db;
    Ok(store::persisted_query::get(db, hash).await?)
}

/// Stores a text under its hash, keeping at most `BIRLIK_PERSISTED_QUERY_MAX` texts (the least
/// recently used go).
pub async fn remember(deps: &Deps, hash: &str, query: &str) -> ApiResult<()> {
    Ok(store::persisted_query::put(&deps.db, hash, query, deps.persisted_query_max).await?)
}
