//! Persisted queries (Apollo's automatic persisted queries): the texts clients sent once, kept
//! under their SHA-256 for every instance and across restarts. The protocol lives in
//! `http::apq`; this is the one way it reaches the store.

use sea_orm::DatabaseConnection;

use crate::error::ApiResult;
use crate::store;

/// The text stored under a hash, if any (marking it used now and then).
pub async fn get(db: &DatabaseConnection, hash: &str) -> ApiResult<Option<String>> {
    Ok(store::persisted_query::get(db, hash).await?)
}

/// Stores a text under its hash, keeping at most `cap` texts (the least recently used go).
pub async fn remember(db: &DatabaseConnection, hash: &str, query: &str, cap: u64) -> ApiResult<()> {
    Ok(store::persisted_query::put(db, hash, query, cap).await?)
}
