//! GraphQL over HTTP, audited by graphql-http's own `serverAudits` (every MUST, SHOULD and MAY
//! it checks), and the `data` entry of a request error.

use serde_json::{Value, json};

use super::node;
use crate::helpers::spawn_app_with_demo;

/// Audits that Birlik does not pass on purpose, with the reason (README and SECURITY.md).
/// Empty: every audit passes.
const DEVIATIONS: [(&str, &str); 0] = [];

#[tokio::test]
async fn graphql_http_audits_pass_every_must_should_and_may() {
    let app = spawn_app_with_demo().await;
    let url = format!("{}/graphql", app.base);
    let Some(out) = node("http-audit.mjs", &[&url]).await else {
        return;
    };
    let results: Vec<Value> = serde_json::from_str(out.trim()).expect("the audit prints JSON");
    assert!(results.len() >= 60, "graphql-http ran its audits: {out}");
    let mut failed = Vec::new();
    for result in &results {
        let id = result["id"].as_str().unwrap();
        let name = result["name"].as_str().unwrap();
        let passed = result["status"] == "ok";
        match DEVIATIONS.iter().find(|(d, _)| *d == id) {
            Some((_, why)) => assert!(
                !passed,
                "{id} {name} passes now; drop it from DEVIATIONS ({why})"
            ),
            None if !passed => failed.push(format!("{id} {name}: {}", result["reason"])),
            None => {}
        }
    }
    assert!(failed.is_empty(), "failed audits:\n{}", failed.join("\n"));
    // The ones the issue names, by name.
    for id in [
        "D586", "5E5B", "86EE", "556A", "74FF", "572B", "FDE2", "7B9B",
    ] {
        let result = results
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("audit {id} ran"));
        assert_eq!(result["status"], "ok", "{result}");
    }
}

#[tokio::test]
async fn a_request_error_has_no_data_entry() {
    let app = spawn_app_with_demo().await;
    let http = reqwest::Client::new();
    let url = format!("{}/graphql", app.base);
    let send = |accept: &'static str, body: Value| {
        let request = http.post(&url).header("Accept", accept).json(&body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            (status, kind, response.json::<Value>().await.unwrap())
        }
    };
    let failures = [
        ("parse", json!({ "query": "{" })),
        ("validation", json!({ "query": "{ regions { nope } }" })),
        (
            "variable coercion",
            json!({ "query": "query($code: String!) { region(code: $code) { code } }", "variables": { "code": null } }),
        ),
        (
            "scalar",
            json!({ "query": r#"{ donations(filter: { kilograms: { gt: "NaN" } }) { totalCount } }"# }),
        ),
    ];
    for (what, body) in failures {
        // graphql-response+json: 400, no `data`.
        let (status, kind, got) = send("application/graphql-response+json", body.clone()).await;
        assert_eq!(status, 400, "{what}: {got}");
        assert!(kind.starts_with("application/graphql-response+json"));
        assert!(got.get("data").is_none(), "{what}: no data entry: {got}");
        assert_eq!(
            got["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{what}: {got}"
        );
        // application/json: 200, as that media type asks; no `data` either (the GraphQL spec
        // leaves it out when the request fails before it runs).
        let (status, kind, got) = send("application/json", body).await;
        assert_eq!(status, 200, "{what}: {got}");
        assert!(kind.starts_with("application/json"));
        assert!(got.get("data").is_none(), "{what}: no data entry: {got}");
        assert!(got["errors"][0]["message"].is_string());
    }
    // A field error is no request error: `data` is there, and the status is 200.
    let (status, _, got) = send(
        "application/graphql-response+json",
        json!({ "query": "{ me { id } reliefSummary { collectedTonnes } }" }),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert!(got["data"].is_object(), "{got}");
    // In a batch, each operation is judged alone: the broken one has no `data`, the other has.
    let (status, _, got) = send(
        "application/graphql-response+json",
        json!([{ "query": "{ reliefSummary { collectedTonnes } }" }, { "query": "{" }]),
    )
    .await;
    assert_eq!(status, 200, "{got}");
    assert_eq!(got[0]["data"]["reliefSummary"]["collectedTonnes"], "10520");
    assert!(got[1].get("data").is_none(), "{got}");
    assert!(got[1]["errors"][0]["message"].is_string(), "{got}");
    // A request that names no document is no GraphQL-over-HTTP request: 400 either way.
    let (status, _, got) = send("application/json", json!({ "qeury": "{ __typename }" })).await;
    assert_eq!(status, 400, "{got}");
    assert!(got.get("data").is_none(), "{got}");
}
