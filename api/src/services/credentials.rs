//! Checks of logins and passwords shared by sessions, sign-up and accounts: the lengths counted
//! before any SQL or hashing, the rules of a new password, and argon2 work off the async threads.
//! Nothing here reads the database.

use crate::auth::password;
use crate::error::{ApiError, ApiResult};

/// Longest login accepted (an email address's limit), counted before any SQL.
pub const MAX_LOGIN: usize = 254;
/// Longest password accepted, in bytes, counted before any hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// Refuses a text argument longer than `max` characters, naming it, before anything else sees it.
pub fn ensure_length(field: &'static str, value: &str, max: usize) -> ApiResult<()> {
    // Bytes first: a string of more than 4 × max bytes has more than max characters.
    if value.len() > max.saturating_mul(4) || value.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// Refuses a password longer than [`MAX_PASSWORD_BYTES`], naming the argument.
pub fn ensure_password_length(field: &'static str, secret: &str) -> ApiResult<()> {
    if secret.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// Refuses a password shorter than [`MIN_PASSWORD`] characters or longer than
/// [`MAX_PASSWORD_BYTES`], naming the argument.
pub fn ensure_new_password(field: &'static str, secret: &str) -> ApiResult<()> {
    ensure_password_length(field, secret)?;
    if secret.chars().count() < MIN_PASSWORD {
        return Err(ApiError::bad_input(
            field,
            format!("must be at least {MIN_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// Hashes a password on a blocking thread (argon2 takes tens of milliseconds).
pub async fn hash(secret: &str) -> ApiResult<String> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(ApiError::Internal)
}

/// Whether a password matches a stored hash, checked on a blocking thread.
pub async fn verify(secret: &str, stored: String) -> ApiResult<bool> {
    let secret = secret.to_owned();
    tokio::task::spawn_blocking(move || password::verify(&secret, &stored))
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}
