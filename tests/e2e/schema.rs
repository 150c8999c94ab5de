//! `schema.graphql` is what the code serves.

#[test]
fn schema_graphql_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    let generated = birlik_api::graphql::sdl();
    assert!(
        checked_in == generated,
        "schema.graphql is out of date; regenerate it with:\n    cargo run -q -- schema > schema.graphql"
    );
}
