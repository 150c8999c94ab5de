//! Global object ids: opaque strings that name a type and a row (`base64url("Region:7")`), so a
//! client cache keyed on `id` never mixes two objects.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult};

/// The id of row `id` of GraphQL type `kind`.
pub fn encode(kind: &str, id: i32) -> async_graphql::ID {
    async_graphql::ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The row id inside a global id of type `kind`; a malformed id or one of another type is a bad
/// `field`.
pub fn decode(kind: &str, field: &'static str, id: &str) -> ApiResult<i32> {
    let bad = || ApiError::bad_input(field, format!("not a valid {kind} id"));
    let bytes = URL_SAFE_NO_PAD
        .decode(id.trim_end_matches('='))
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (found, row) = text.split_once(':').ok_or_else(bad)?;
    if found != kind {
        return Err(bad());
    }
    row.parse::<i32>().ok().filter(|n| *n > 0).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_type() {
        let id = encode("Region", 7);
        assert_eq!(decode("Region", "id", &id).unwrap(), 7);
        assert!(decode("Donation", "id", &id).is_err());
        assert!(decode("Region", "id", "!!").is_err());
    }
}
