//! Global object ids: opaque strings that name a type and a row (`base64url("Region:7")`), so a
//! client cache keyed on `id` never mixes two objects.

use async_graphql::connection::{Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields};
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

/// The largest page a connection serves.
pub const MAX_PAGE_SIZE: i32 = 100;

/// A cursor: the order it belongs to and the row's key values, opaque to clients.
pub fn encode_cursor(ordering: &str, values: &[crate::store::page::KeyValue]) -> String {
    let json = serde_json::json!({ "o": ordering, "v": values });
    URL_SAFE_NO_PAD.encode(json.to_string())
}

/// The key values in a cursor made for `ordering`.
pub fn decode_cursor(
    ordering: &str,
    field: &'static str,
    cursor: &str,
) -> ApiResult<Vec<crate::store::page::KeyValue>> {
    #[derive(serde::Deserialize)]
    struct Raw {
        o: String,
        v: Vec<crate::store::page::KeyValue>,
    }
    let bad = |why: &str| ApiError::bad_input(field, format!("invalid cursor: {why}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad("not one of ours"))?;
    let raw: Raw = serde_json::from_slice(&bytes).map_err(|_| bad("not one of ours"))?;
    if raw.o != ordering {
        return Err(bad("it was made for another order; start again without it"));
    }
    if raw.v.len() != ordering.split(',').count() {
        return Err(bad("not one of ours"));
    }
    Ok(raw.v)
}

/// Checks Relay page arguments and turns them into a page request for `ordering`.
pub fn page_request(
    first: Option<i32>,
    after: Option<&str>,
    last: Option<i32>,
    before: Option<&str>,
    ordering: &str,
    default_size: i32,
) -> ApiResult<crate::store::page::PageRequest> {
    let size = |n: i32, field: &'static str| {
        if !(0..=MAX_PAGE_SIZE).contains(&n) {
            return Err(ApiError::bad_input(
                field,
                format!("`{field}` must be between 0 and {MAX_PAGE_SIZE}"),
            ));
        }
        Ok(n as u64)
    };
    if first.is_some() && last.is_some() {
        return Err(ApiError::bad_input(
            "last",
            "give `first` or `last`, not both",
        ));
    }
    let (limit, from_end) = match (first, last) {
        (_, Some(last)) => (size(last, "last")?, true),
        (Some(first), None) => (size(first, "first")?, false),
        (None, None) => (default_size as u64, false),
    };
    Ok(crate::store::page::PageRequest {
        limit,
        after: after
            .map(|c| decode_cursor(ordering, "after", c))
            .transpose()?,
        before: before
            .map(|c| decode_cursor(ordering, "before", c))
            .transpose()?,
        from_end,
    })
}

/// A Relay connection over a page, with each edge's cursor made from its row's key values.
pub fn connection<M, N, F, Name, EdgeName>(
    page: crate::store::page::Page<M>,
    ordering: &str,
    keys: impl Fn(&M) -> Vec<crate::store::page::KeyValue>,
    fields: F,
) -> Connection<String, N, F, EmptyFields, Name, EdgeName>
where
    N: From<M> + async_graphql::OutputType,
    F: async_graphql::ObjectType,
    Name: ConnectionNameType,
    EdgeName: EdgeNameType,
{
    let mut conn =
        Connection::with_additional_fields(page.has_previous_page, page.has_next_page, fields);
    conn.edges.extend(page.rows.into_iter().map(|row| {
        let cursor = encode_cursor(ordering, &keys(&row));
        Edge::with_additional_fields(cursor, N::from(row), EmptyFields)
    }));
    conn
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
