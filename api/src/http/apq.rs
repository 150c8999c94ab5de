//! Automatic persisted queries, in Apollo's protocol: a request may carry
//! `extensions.persistedQuery.sha256Hash` instead of its text. Unknown hash →
//! `PersistedQueryNotFound`; the client then sends text and hash together, and the text is
//! stored (its hash checked) in the database, for every instance and across restarts.

use async_graphql::{Request, ServerError, Value};
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Longest query text stored.
const MAX_QUERY_BYTES: usize = 64 * 1024;

fn error(message: &str, code: &str) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", code);
    err.extensions = Some(ext);
    err
}

/// Fills in (or stores) the text of a persisted query. Requests without one pass untouched.
pub async fn resolve(db: &DatabaseConnection, request: &mut Request) -> Result<(), ServerError> {
    let Some(Value::Object(persisted)) = request.extensions.get("persistedQuery") else {
        return Ok(());
    };
    let Some(Value::String(hash)) = persisted.get("sha256Hash") else {
        return Err(error("persistedQuery needs a sha256Hash", "BAD_USER_INPUT"));
    };
    let hash = hash.to_ascii_lowercase();
    let internal = |e: sea_orm::DbErr| {
        use async_graphql::ErrorExtensions;
        let extended = ApiError::from(e).extend();
        let mut err = ServerError::new(extended.message, None);
        err.extensions = extended.extensions;
        err
    };
    if request.query.trim().is_empty() {
        return match crate::store::persisted_query::get(db, &hash)
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
    let actual: String = Sha256::digest(request.query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if actual != hash {
        return Err(error("provided sha does not match query", "BAD_USER_INPUT"));
    }
    if request.query.len() <= MAX_QUERY_BYTES {
        crate::store::persisted_query::put(db, &hash, &request.query)
            .await
            .map_err(internal)?;
    }
    Ok(())
}
