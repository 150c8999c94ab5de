//! The clients' operations, verbatim, as the server knows them (`api/operations/`).

pub use birlik_api::operations::*;

/// Terms in [`slow_donations_query`]'s filter: within the filter limits (200 values), and still
/// seconds of work on the demo's donations.
const SLOW_TERMS: usize = 180;

/// A query whose statements run for seconds on the demo data: hundreds of `contains` over every
/// donation (in groups of 30, so that no list is wide and the condition stays shallow), then a
/// term every donation meets, so that the page finds a row and its count (read with the page)
/// goes through every donation, each failing the terms before it first; three times, so that
/// even a fast machine spends well over a short time limit.
pub fn slow_donations_query() -> serde_json::Value {
    use serde_json::json;
    let mut groups: Vec<serde_json::Value> = (0..SLOW_TERMS / 30)
        .map(|g| {
            let terms: Vec<serde_json::Value> = (0..30)
                .map(|i| json!({ "description": { "contains": format!("zq{}x", g * 30 + i) } }))
                .collect();
            json!({ "or": terms })
        })
        .collect();
    groups.push(json!({ "kilograms": { "gt": 0 } }));
    json!({
        "query": "query($f: DonationFilter) { a: donations(filter: $f, first: 1) { totalCount } \
                  b: donations(filter: $f, first: 1) { totalCount } \
                  c: donations(filter: $f, first: 1) { totalCount } }",
        "variables": { "f": { "or": groups } },
    })
}
