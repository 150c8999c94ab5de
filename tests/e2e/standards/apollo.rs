//! Apollo Client 4's normalized cache reads back an answer with a withheld field: the key is
//! there, `null`, so `readQuery` returns the answer (with the key missing it returns nothing).

use serde_json::{Value, json};

use super::node;
use super::nulls::{TASK_SHIPMENT, claimed_task_with_shipment};
use crate::helpers::spawn_app_with_demo;

/// Runs `query` through Apollo's InMemoryCache and returns what the script reports.
async fn through_apollo(base: &str, query: &str, token: Option<&str>) -> Option<Value> {
    let url = format!("{base}/graphql");
    let mut args = vec![url.as_str(), query];
    if let Some(token) = token {
        args.push(token);
    }
    let out = node("apollo-cache.mjs", &args).await?;
    Some(serde_json::from_str(out.trim()).expect("the script prints JSON"))
}

#[tokio::test]
async fn apollo_clients_cache_reads_back_an_answer_with_withheld_fields() {
    let app = spawn_app_with_demo().await;

    // The public: `me` is withheld beside the public figures.
    let query = "{ me { id email } reliefSummary { collectedTonnes } }";
    let Some(got) = through_apollo(&app.base, query, None).await else {
        return;
    };
    assert_eq!(got["paths"], json!([["me"]]), "{got}");
    assert_eq!(got["codes"], json!(["UNAUTHENTICATED"]), "{got}");
    assert!(
        got["cached"].is_object(),
        "readQuery returns the answer: {got}"
    );
    assert!(got["cached"]["me"].is_null(), "{got}");
    assert_eq!(got["cached"]["reliefSummary"]["collectedTonnes"], "10520");
    assert_eq!(got["cached"], got["data"], "{got}");

    // A volunteer reading the shipment of a task they hold a place on, without the driver's phone.
    let task = claimed_task_with_shipment(&app).await;
    let token = app.login("volunteer@demo.birlik.kz").await;
    let query = TASK_SHIPMENT
        .replace("query($id: ID!)", "query")
        .replace("$id", &format!("\"{task}\""));
    let got = through_apollo(&app.base, &query, Some(&token))
        .await
        .expect("node ran once already");
    assert_eq!(
        got["paths"],
        json!([["node", "shipment", "driverPhone"]]),
        "{got}"
    );
    assert_eq!(got["codes"], json!(["FORBIDDEN"]), "{got}");
    let cached = &got["cached"]["node"]["shipment"];
    assert!(
        cached["vehicle"].is_string(),
        "readQuery returns the shipment: {got}"
    );
    assert!(
        cached
            .as_object()
            .is_some_and(|o| o.contains_key("driverPhone"))
            && cached["driverPhone"].is_null(),
        "{got}"
    );
    assert_eq!(got["cached"], got["data"], "{got}");
}
