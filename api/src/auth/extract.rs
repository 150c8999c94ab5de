//! `Authorization` header → [`Actor`]. No header is the anonymous public; a header that is present
//! but malformed, forged or expired is refused, never taken for anonymous.

use birlik_entity::enums::Role;

use crate::auth::jwt::Keys;
use crate::context::Actor;
use crate::error::{ApiError, ApiResult};

/// Reads the bearer token, if any, into an actor.
pub fn actor(header: Option<&str>, keys: &Keys) -> ApiResult<Actor> {
    Ok(actor_until(header, keys)?.0)
}

/// Reads the bearer token, if any, into an actor and the instant its token expires (none for the
/// anonymous public).
pub fn actor_until(
    header: Option<&str>,
    keys: &Keys,
) -> ApiResult<(Actor, Option<chrono::DateTime<chrono::Utc>>)> {
    let Some(header) = header else {
        return Ok((Actor::Anonymous, None));
    };
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthenticated)?;
    let claims = keys.verify(token).map_err(|_| ApiError::Unauthenticated)?;
    let user_id: i32 = claims.sub.parse().map_err(|_| ApiError::Unauthenticated)?;
    let expires_at =
        chrono::DateTime::from_timestamp(claims.exp, 0).ok_or(ApiError::Unauthenticated)?;
    let actor = match (claims.role, claims.org, claims.vol) {
        (Role::Ministry, None, None) => Ok(Actor::Ministry { user_id }),
        (Role::Ngo, Some(organization_id), None) => Ok(Actor::Ngo {
            user_id,
            organization_id,
        }),
        (Role::Volunteer, None, Some(volunteer_id)) => Ok(Actor::Volunteer {
            user_id,
            volunteer_id,
        }),
        _ => Err(ApiError::Unauthenticated),
    }?;
    Ok((actor, Some(expires_at)))
}

/// Refuses a token whose account is gone or disabled: disabling an account stops its tokens at
/// once, not when they expire. One indexed lookup per authenticated request.
pub async fn ensure_active(deps: &crate::services::Deps, actor: &Actor) -> ApiResult<()> {
    let Some(user_id) = actor.user_id() else {
        return Ok(());
    };
    match crate::services::account::active(deps, user_id).await? {
        Some(true) => Ok(()),
        _ => Err(ApiError::Unauthenticated),
    }
}

/// [`ensure_active`], unless the account was found active a moment ago (see
/// [`ActiveAccounts`](crate::auth::active::ActiveAccounts)): what every HTTP request runs.
pub async fn ensure_active_cached(deps: &crate::services::Deps, actor: &Actor) -> ApiResult<()> {
    let Some(user_id) = actor.user_id() else {
        return Ok(());
    };
    let accounts = deps.events.accounts();
    if accounts.recently_active(user_id) {
        return Ok(());
    }
    let generation = accounts.generation();
    ensure_active(deps, actor).await?;
    accounts.remember(user_id, generation);
    Ok(())
}
