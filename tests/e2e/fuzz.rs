//! Property-based fuzzing (bounded, in CI): the parsers and checks at the edge take any input
//! without panicking, and the server answers any body with a GraphQL error, never a crash, a
//! hang or a 500.

use async_graphql::ScalarType;
use birlik_api::context::Lang;
use birlik_api::graphql::limits::{QueryLimits, Shapes, count_tokens, measure};
use birlik_api::graphql::relay;
use birlik_api::operations::canonical;
use birlik_api::services::validate;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

/// The schema's shapes, read once.
fn shapes() -> &'static Shapes {
    static SHAPES: std::sync::LazyLock<Shapes> = std::sync::LazyLock::new(Shapes::of_schema);
    &SHAPES
}

/// Documents that look like GraphQL: fragments of real operations, punctuation and noise.
fn graphql_like() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("...".to_owned()),
        Just("fragment F on Query".to_owned()),
        Just("...F".to_owned()),
        Just("query".to_owned()),
        Just("mutation".to_owned()),
        Just("subscription".to_owned()),
        Just("__schema { types { fields { name } } }".to_owned()),
        Just("tasks(first: 100) { edges { node { id } } }".to_owned()),
        Just("regions { code }".to_owned()),
        Just("$x: Int = 1".to_owned()),
        Just(
            "($x: DonationFilter = { kilograms: { gt: \"79228162514264337593543950335\" } })"
                .to_owned()
        ),
        Just("donations(filter: $x, first: $first) { totalCount }".to_owned()),
        Just("@include(if: true)".to_owned()),
        Just("\"str\\\"ing\"".to_owned()),
        Just("\"\"\"block\"\"\"".to_owned()),
        Just("# comment\n".to_owned()),
        "[a-zA-Z_]{1,8}",
        "-?[0-9]{1,12}(\\.[0-9]{1,4})?",
        any::<String>(),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|p| p.join(" "))
}

proptest! {
    #![proptest_config(Config { cases: 512, ..Config::default() })]

    #[test]
    fn the_document_checks_take_anything(doc in graphql_like(), value in variable_value()) {
        let limits = QueryLimits::default();
        let tokens = count_tokens(&doc, limits.tokens);
        prop_assert!(tokens <= limits.tokens + 1);
        let _ = canonical(&doc);
        if let Ok(parsed) = async_graphql::parser::parse_query(&doc) {
            for variables in [json!({ "x": 5, "first": 100 }), json!({ "x": value, "first": value })] {
                let variables = async_graphql::Variables::from_json(variables);
                let _ = measure(&parsed, &variables, &limits, shapes());
                let _ = birlik_api::graphql::filters::check_arguments(&parsed, &variables);
            }
        }
    }

    #[test]
    fn ids_and_cursors_take_anything(text in any::<String>()) {
        // An id that decodes names a Task and encodes back to a working id for the same row.
        if let Ok(id) = relay::decode("Task", "id", &text) {
            let again = relay::encode("Task", id);
            prop_assert_eq!(relay::decode("Task", "id", &again).ok(), Some(id));
        }
        let _ = relay::decode_cursor("starts_at,id", "after", &text);
        let _ = Lang::from_accept_language(Some(&text));
    }

    #[test]
    fn text_checks_take_anything(text in any::<String>(), max in 0usize..300) {
        if let Ok(kept) = validate::text("f", &text, max) {
            prop_assert!(kept.chars().count() <= max);
            prop_assert!(!kept.contains('\0'));
        }
        if let Ok(phone) = validate::phone("p", &text) {
            prop_assert!(phone.starts_with("+7") && phone.len() == 12, "{phone}");
        }
        let _ = validate::email("e", &text);
    }

    #[test]
    fn masses_take_any_number_or_string(n in any::<f64>(), s in any::<String>()) {
        for value in [json!(n), json!(s), json!(format!("{n}"))] {
            let value = async_graphql::Value::from_json(value).unwrap_or_default();
            if let Ok(mass) = birlik_api::mass::Decimal::parse(value) {
                let _ = validate::grams("kilograms", mass.0);
            }
        }
    }
}

/// Bodies for the HTTP endpoint: JSON of any shape, GraphQL-like queries with odd variables.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::from),
    ];
    let json = leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::hash_map("[a-z]{1,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        (graphql_like(), json.clone()).prop_map(|(query, variables)| {
            serde_json::to_vec(&json!({ "query": query, "variables": variables })).unwrap()
        }),
        json.prop_map(|v| serde_json::to_vec(&v).unwrap()),
        prop::collection::vec(any::<u8>(), 0..200),
    ]
}

/// Operations with one typed variable `$v`, for the fuzzer to fill (in `variables`, or as the
/// variable's default value).
const TYPED: &[(&str, &str)] = &[
    (
        "DonationFilter",
        "donations(filter: $v, first: 1) { totalCount totalKilograms }",
    ),
    (
        "ShipmentFilter",
        "shipments(filter: $v, first: 1) { totalCount }",
    ),
    ("TaskFilter", "tasks(filter: $v, first: 1) { totalCount }"),
    (
        "[DonationDimension!]!",
        "donationStats(groupBy: $v) { donationCount kilograms }",
    ),
    ("Int", "tasks(first: $v) { totalCount }"),
    ("String!", "region(code: $v) { code }"),
    ("ID!", "node(id: $v) { id }"),
    ("[ID!]!", "nodes(ids: $v) { id }"),
    (
        "String",
        "organizations(first: 1, after: $v) { totalCount }",
    ),
];

/// The always-sent start of the corpus: inputs that once took the server down or near it.
fn corpus() -> Vec<Value> {
    let huge = "79228162514264337593543950335";
    let donations = "query($v: DonationFilter) { donations(filter: $v, first: 1) { totalCount } }";
    vec![
        // A kilograms filter near the Decimal maximum overflowed converting to grams (issue 13).
        json!({ "query": donations, "variables": { "v": { "kilograms": { "gt": huge } } } }),
        json!({ "query": donations, "variables": { "v": { "shippedKilograms": { "in": [huge, 7.9e28] } } } }),
        json!({ "query": format!("query($v: DonationFilter = {{ kilograms: {{ lt: \"-{huge}\" }} }}) {{ donations(filter: $v, first: 1) {{ totalCount }} }}") }),
        json!({ "query": format!("{{ donations(filter: {{ kilograms: {{ eq: {huge} }} }}) {{ totalCount }} }}") }),
    ]
}

/// A value for a variable: any JSON, or one aimed at the edges (huge decimals, NULs, widths).
fn variable_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::from),
        Just(json!("79228162514264337593543950335")),
        Just(json!("-7.9e28")),
        Just(json!("0.0001")),
        Just(json!("a\u{0}b")),
        Just(json!("KZ-71")),
        Just(json!("VGFzazox")),
        Just(json!("REGION")),
    ];
    let keys = prop_oneof![
        Just("kilograms".to_owned()),
        Just("shippedKilograms".to_owned()),
        Just("itemCount".to_owned()),
        Just("description".to_owned()),
        Just("or".to_owned()),
        Just("and".to_owned()),
        Just("not".to_owned()),
        Just("in".to_owned()),
        Just("gt".to_owned()),
        Just("eq".to_owned()),
        Just("contains".to_owned()),
        "[a-zA-Z]{1,8}",
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::from),
            prop::collection::vec(inner.clone(), 150..151).prop_map(Value::from),
            prop::collection::hash_map(keys.clone(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON value written as a GraphQL literal (strings as JSON strings, which GraphQL reads alike).
fn literal(value: &Value) -> String {
    match value {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(literal).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(fields) => format!(
            "{{ {} }}",
            fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", literal(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// Requests with typed variables, given in `variables` or as the variable's default.
fn typed_request() -> impl Strategy<Value = Value> {
    (0..TYPED.len(), variable_value(), any::<bool>()).prop_map(|(i, value, as_default)| {
        let (ty, field) = TYPED[i];
        if as_default {
            json!({ "query": format!("query($v: {ty} = {}) {{ {field} }}", literal(&value)) })
        } else {
            json!({ "query": format!("query($v: {ty}) {{ {field} }}"), "variables": { "v": value } })
        }
    })
}

/// Checks an answer is a GraphQL answer with no internal error.
fn assert_answer(status: u16, text: &str, sent: &str) {
    // A body past the server's limit (the generator nests lists of 150) is refused whole.
    let too_large = sent.len() > 102_400 && status == 413;
    assert!(
        status == 200 || status == 400 || too_large,
        "{status} for {}: {text}",
        sent.char_indices()
            .nth(2000)
            .map_or(sent, |(i, _)| &sent[..i])
    );
    let answer: Value = serde_json::from_str(text).expect("a JSON answer");
    if let Some(errors) = answer["errors"].as_array() {
        for error in errors {
            assert_ne!(
                error["extensions"]["code"], "INTERNAL_SERVER_ERROR",
                "for {sent}: {error}"
            );
        }
    }
}

#[tokio::test]
async fn typed_variables_and_their_defaults_take_anything() {
    let app = crate::helpers::spawn_app_with_demo().await;
    // Signed in as the ministry, so that every argument reaches its resolver.
    let ministry = app.as_demo_ministry().await;
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    let strategy = typed_request();
    let mut bodies = corpus();
    bodies.extend((0..200).map(|_| strategy.new_tree(&mut runner).unwrap().current()));
    for body in bodies {
        let sent = body.to_string();
        let answer = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            ministry.gql(
                body["query"].as_str().unwrap(),
                body.get("variables").cloned().unwrap_or(json!({})),
            ),
        )
        .await
        .expect("an answer in time");
        assert_answer(answer.status, &answer.body.to_string(), &sent);
    }
    let health = app.anonymous().gql("{ __typename }", json!({})).await;
    assert_eq!(health.data()["__typename"], "Query");
}

#[tokio::test]
async fn the_server_answers_any_body_without_failing() {
    let app = crate::helpers::spawn_app_with_demo().await;
    let client = reqwest::Client::new();
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    let strategy = body();
    for _ in 0..200 {
        let body = strategy.new_tree(&mut runner).unwrap().current();
        let response = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            client
                .post(format!("{}/graphql", app.base))
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send(),
        )
        .await
        .expect("an answer in time")
        .expect("an answer");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(
            status == 200 || status == 400,
            "{status} for {}: {text}",
            String::from_utf8_lossy(&body)
        );
        let answer: Value = serde_json::from_str(&text).expect("a JSON answer");
        if let Some(errors) = answer["errors"].as_array() {
            for error in errors {
                assert_ne!(
                    error["extensions"]["code"],
                    "INTERNAL_SERVER_ERROR",
                    "for {}: {error}",
                    String::from_utf8_lossy(&body)
                );
            }
        }
    }
    let health = app.anonymous().gql("{ __typename }", json!({})).await;
    assert_eq!(health.data()["__typename"], "Query");
}
