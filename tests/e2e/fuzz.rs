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
    fn the_document_checks_take_anything(doc in graphql_like()) {
        let limits = QueryLimits::default();
        let tokens = count_tokens(&doc, limits.tokens);
        prop_assert!(tokens <= limits.tokens + 1);
        let _ = canonical(&doc);
        if let Ok(parsed) = async_graphql::parser::parse_query(&doc) {
            let variables = async_graphql::Variables::from_json(json!({ "x": 5, "first": 100 }));
            let _ = measure(&parsed, &variables, &limits, shapes());
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
