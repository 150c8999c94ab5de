//! Input named where it was given, and introspection refused with a code when it is off.

use serde_json::json;

use crate::helpers::spawn_app_with_demo;

#[tokio::test]
async fn a_scalar_that_does_not_parse_names_its_argument() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let count = "SELECT CAST(COUNT(*) AS BIGINT) FROM donation";
    let donations = crate::helpers::sql::int(&db, count).await;
    let register = "mutation($input: RegisterDonationInput!) { registerDonation(input: $input) { donation { id } } }";
    let input = |kilograms| json!({ "input": { "collectionPointId": "Q29sbGVjdGlvblBvaW50OjE", "category": "FOOD", "kilograms": kilograms, "idempotencyKey": "k1" } });
    for bad in [json!("NaN"), json!(1e40), json!(true), json!("12,5")] {
        let got = ministry.gql(register, input(bad.clone())).await;
        got.assert_code("BAD_USER_INPUT");
        let error = &got.body["errors"][0];
        assert_eq!(
            error["extensions"]["field"], "input.kilograms",
            "{bad}: {}",
            got.body
        );
        assert!(
            error["message"]
                .as_str()
                .unwrap()
                .contains("input.kilograms"),
            "{bad}: {}",
            got.body
        );
    }
    // In a literal, and deep in a filter's list.
    let got = ministry
        .gql(
            r#"{ donations(filter: { kilograms: { in: ["1", "NaN"] } }) { totalCount } }"#,
            json!({}),
        )
        .await;
    got.assert_code("BAD_USER_INPUT");
    assert_eq!(
        got.body["errors"][0]["extensions"]["field"], "filter.kilograms.in.1",
        "{}",
        got.body
    );
    // A built-in scalar that fails only when parsed (DateTime) is named at the field.
    let got = ministry
        .gql(
            "query($t: DateTime) { donations(first: 1, filter: { receivedAt: { gt: $t } }) { totalCount } }",
            json!({ "t": "yesterday" }),
        )
        .await;
    got.assert_code("BAD_USER_INPUT");
    assert_eq!(
        got.body["errors"][0]["extensions"]["field"], "filter.receivedAt.gt",
        "{}",
        got.body
    );
    assert!(
        got.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("filter.receivedAt.gt")
    );
    // Nothing was written.
    assert_eq!(crate::helpers::sql::int(&db, count).await, donations);
}

#[tokio::test]
async fn with_introspection_off_schema_and_type_are_forbidden() {
    let app = crate::helpers::app::spawn_with(crate::helpers::TestDb::demo().await, |c| {
        c.introspection = false
    })
    .await;
    let public = app.anonymous();
    for query in [
        "{ __schema { queryType { name } } }",
        r#"{ __type(name: "Region") { name } }"#,
        "query { reliefSummary { collectedTonnes } ...Intro } fragment Intro on Query { __type(name: \"Region\") { name } }",
    ] {
        let got = public.gql(query, json!({})).await;
        got.assert_code("FORBIDDEN");
        assert!(
            got.body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("introspection is off"),
            "{}",
            got.body
        );
    }
    // Served as graphql-response+json, the refusal is a 403 without a `data` entry.
    let refused = reqwest::Client::new()
        .post(format!("{}/graphql", app.base))
        .header("Accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ __schema { queryType { name } } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    // `__typename` is no introspection of the schema: it still answers.
    let got = public
        .gql("{ reliefSummary { __typename } }", json!({}))
        .await;
    assert_eq!(got.data()["reliefSummary"]["__typename"], "ReliefSummary");
}
