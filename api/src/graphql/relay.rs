//! Global object ids: opaque strings that name a type and a row (`base64url("Region:7")`), so a
//! client cache keyed on `id` never mixes two objects; and the one cursor codec of every
//! connection: a cursor carries its ordering's signature (derived from the typed
//! `store::page::Ordering`) and the row's key values, so a cursor of one order is refused by
//! another.

use async_graphql::connection::{Connection, ConnectionNameType, Edge, EdgeNameType, EmptyFields};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{ApiError, ApiResult};
use crate::store::page::{Field, KeyValue, Ordering, Page, PageRequest};

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

/// A cursor: the signature of the ordering it belongs to ([`Ordering::signature`]) and the row's
/// key values, opaque to clients.
pub fn encode_cursor(signature: &str, values: &[KeyValue]) -> String {
    let json = serde_json::json!({ "o": signature, "v": values });
    URL_SAFE_NO_PAD.encode(json.to_string())
}

/// The key values in a cursor made for the ordering of this signature; a cursor of another
/// ordering, or none of ours, is a bad `field`.
pub fn decode_cursor(
    signature: &str,
    field: &'static str,
    cursor: &str,
) -> ApiResult<Vec<KeyValue>> {
    #[derive(serde::Deserialize)]
    struct Raw {
        o: String,
        v: Vec<KeyValue>,
    }
    let bad = |why: &str| ApiError::bad_input(field, format!("invalid cursor: {why}"));
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad("not one of ours"))?;
    let raw: Raw = serde_json::from_slice(&bytes).map_err(|_| bad("not one of ours"))?;
    if raw.o != signature {
        return Err(bad("it was made for another order; start again without it"));
    }
    if raw.v.len() != signature.split(',').count() {
        return Err(bad("not one of ours"));
    }
    Ok(raw.v)
}

/// Checks Relay page arguments and turns them into a page request in `ordering`.
pub fn page_request<F: Field>(
    first: Option<i32>,
    after: Option<&str>,
    last: Option<i32>,
    before: Option<&str>,
    ordering: &Ordering<F>,
    default_size: i32,
) -> ApiResult<PageRequest> {
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
    let signature = ordering.signature();
    Ok(PageRequest {
        limit,
        after: after
            .map(|c| decode_cursor(&signature, "after", c))
            .transpose()?,
        before: before
            .map(|c| decode_cursor(&signature, "before", c))
            .transpose()?,
        from_end,
    })
}

/// A Relay connection over a page read in `ordering`, with each edge's cursor made from its
/// row's key values.
pub fn connection<F, N, T, Name, EdgeName>(
    page: Page<F::Model>,
    ordering: &Ordering<F>,
    fields: T,
) -> Connection<String, N, T, EmptyFields, Name, EdgeName>
where
    F: Field,
    N: From<F::Model> + async_graphql::OutputType,
    T: async_graphql::ObjectType,
    Name: ConnectionNameType,
    EdgeName: EdgeNameType,
{
    let signature = ordering.signature();
    let mut conn =
        Connection::with_additional_fields(page.has_previous_page, page.has_next_page, fields);
    conn.edges.extend(page.rows.into_iter().map(|row| {
        let cursor = encode_cursor(&signature, &ordering.key_values(&row));
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

    #[test]
    fn cursors_belong_to_their_ordering() {
        use crate::store::task::{SortField, soonest_first};
        let ordering = soonest_first();
        assert_eq!(ordering.signature(), "STARTS_AT:ASC,ID:ASC");
        let values = [
            KeyValue::Time(chrono::DateTime::UNIX_EPOCH),
            KeyValue::Int(7),
        ];
        let cursor = encode_cursor(&ordering.signature(), &values);
        let request = |ordering: &Ordering<SortField>| {
            page_request(Some(5), Some(&cursor), None, None, ordering, 20)
        };
        assert_eq!(request(&ordering).unwrap().after, Some(values.to_vec()));
        let other = Ordering(vec![(SortField::StartsAt, true)]);
        assert!(request(&other).is_err());
    }
}
