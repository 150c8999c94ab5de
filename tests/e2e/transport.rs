//! GraphQL over HTTP as a phone on 3G needs it: content types and status codes of
//! graphql-over-http, GET for queries only, compressed answers, cache headers, batch caps.

use serde_json::{Value, json};

use crate::helpers::ops::{self, sha256_hex};
use crate::helpers::spawn_app_with_demo;

fn post(app: &crate::helpers::TestApp) -> reqwest::RequestBuilder {
    reqwest::Client::new().post(format!("{}/graphql", app.base))
}

#[tokio::test]
async fn the_response_type_and_status_follow_graphql_over_http() {
    let app = spawn_app_with_demo().await;
    let plain = post(&app)
        .json(&json!({ "query": "{ regions { code } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);
    assert!(
        plain.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );

    let modern = || {
        post(&app).header(
            "Accept",
            "application/graphql-response+json, application/json;q=0.9",
        )
    };
    let ok = modern()
        .json(&json!({ "query": "{ regions { code } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(
        ok.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/graphql-response+json")
    );
    // A document that does not parse or validate fails as a whole: 400 for a client that says it
    // understands graphql-response+json, 200 with errors for one that only knows application/json.
    let broken = modern()
        .json(&json!({ "query": "{ regions { nope } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(broken.status(), 400);
    let body: Value = broken.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let legacy = post(&app)
        .json(&json!({ "query": "{ regions { nope } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.status(), 200);
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let app = spawn_app_with_demo().await;
    let get = |query: &str| {
        reqwest::Client::new()
            .get(format!("{}/graphql", app.base))
            .query(&[("query", query)])
            .send()
    };
    let query = get(ops::RELIEF_SUMMARY).await.unwrap();
    assert_eq!(query.status(), 200);
    let mutation = get("mutation { logout(refreshToken: \"x\") { ok } }")
        .await
        .unwrap();
    assert_eq!(mutation.status(), 405);
    assert_eq!(mutation.headers()["allow"], "POST");
    let body: Value = mutation.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

#[tokio::test]
async fn public_answers_may_be_cached_and_personal_ones_never() {
    let app = spawn_app_with_demo().await;
    let public = post(&app)
        .json(&json!({ "query": ops::RELIEF_SUMMARY }))
        .send()
        .await
        .unwrap();
    let cache = public.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cache.contains("public") && cache.contains("max-age=30"),
        "{cache}"
    );
    assert!(
        public.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language")
    );
    let aid = post(&app)
        .json(&json!({ "query": ops::WHERE_TO_BRING_AID, "variables": { "regionCode": "KZ-71" } }))
        .send()
        .await
        .unwrap();
    assert!(
        aid.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("public")
    );

    // The demand side's public reads, asked anonymously, alike (Shelters, NeedStats, a board
    // without the requesters' phones); the verbatim NeedsBoard asks for the phones, which are
    // withheld from the public with an error, so its answer is never cached.
    for (query, variables) in [
        (ops::SHELTERS, json!({ "first": 5 })),
        (
            ops::NEED_STATS,
            json!({ "groupBy": ["REGION", "CATEGORY"] }),
        ),
        (ops::WHAT_IS_NEEDED, json!({})),
        (
            "{ needs(first: 5) { totalCount outstandingKilograms nodes { id place lines { category requestedKilograms } } } }",
            json!({}),
        ),
    ] {
        let resp = post(&app)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        let cache = resp.headers()["cache-control"].to_str().unwrap().to_owned();
        assert!(
            cache.contains("public") && cache.contains("max-age=30"),
            "{cache}: {query}"
        );
    }
    let board = post(&app)
        .json(&json!({ "query": ops::NEEDS_BOARD, "variables": { "first": 5 } }))
        .send()
        .await
        .unwrap();
    assert_eq!(board.headers()["cache-control"], "private, no-store");

    let token = {
        let login = app
            .anonymous()
            .gql(
                ops::LOGIN,
                json!({ "login": "ngo@demo.birlik.kz", "password": "demo-password" }),
            )
            .await;
        login.data()["login"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (query, auth) in [
        (ops::RELIEF_SUMMARY, Some(&token)),
        (ops::ORGANIZATION_DONATIONS, Some(&token)),
        (ops::LOGIN, None),
    ] {
        let mut req = post(&app)
            .json(&json!({ "query": query, "variables": { "login": "x", "password": "y" } }));
        if let Some(t) = auth {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(
            resp.headers()["cache-control"],
            "private, no-store",
            "{query}"
        );
    }
}

#[tokio::test]
async fn answers_are_compressed_as_the_client_asks() {
    let app = spawn_app_with_demo().await;
    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    for encoding in ["gzip", "br"] {
        let resp = raw
            .post(format!("{}/graphql", app.base))
            .header("Accept-Encoding", encoding)
            .json(&json!({ "query": ops::REGIONS_OVERVIEW }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.headers()["content-encoding"], encoding);
        // A short answer goes as it is: compressing it would only add bytes.
        let short = raw
            .post(format!("{}/graphql", app.base))
            .header("Accept-Encoding", encoding)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert!(short.headers().get("content-encoding").is_none());
        let body: Value = short.json().await.unwrap();
        assert_eq!(body["data"]["__typename"], "Query");
    }
    // A client that decodes them gets the same data.
    for (gzip, brotli) in [(true, false), (false, true)] {
        let client = reqwest::Client::builder()
            .gzip(gzip)
            .brotli(brotli)
            .build()
            .unwrap();
        let body: Value = client
            .post(format!("{}/graphql", app.base))
            .json(&json!({ "query": ops::REGIONS_OVERVIEW }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["data"]["regions"].as_array().unwrap().len(), 20);
    }
}

#[tokio::test]
async fn a_batch_runs_every_operation_and_an_oversized_one_none() {
    let app = spawn_app_with_demo().await;
    let one = json!({ "query": "{ reliefSummary { collectedTonnes } }" });
    let two: Value = post(&app)
        .json(&json!([one, { "query": "{ regions { code } }" }]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(two.as_array().unwrap().len(), 2);
    assert_eq!(two[0]["data"]["reliefSummary"]["collectedTonnes"], "10520");

    let before = app.statements().await;
    let eleven: Vec<Value> = (0..11).map(|_| one.clone()).collect();
    let refused = post(&app).json(&eleven).send().await.unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(app.statements().await, before, "nothing was executed");
}

#[tokio::test]
async fn persisted_queries_miss_then_register_then_hit_everywhere() {
    let app = spawn_app_with_demo().await;
    let send = |body: Value| {
        let request = post(&app).json(&body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    // The clients' own operations are known by their hash from the start.
    let known = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(ops::RELIEF_SUMMARY) } });
    let hit = send(json!({ "extensions": known })).await;
    assert_eq!(hit["data"]["reliefSummary"]["collectedTonnes"], "10520");

    // Any other query is learnt.
    let query = format!("# a dashboard's own copy\n{}", ops::RELIEF_SUMMARY);
    let extensions =
        json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(&query) } });
    let miss = send(json!({ "extensions": extensions })).await;
    assert_eq!(miss["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        miss["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    let registered = send(json!({ "query": query, "extensions": extensions })).await;
    assert_eq!(
        registered["data"]["reliefSummary"]["collectedTonnes"],
        "10520"
    );
    let hit = send(json!({ "extensions": extensions })).await;
    assert_eq!(hit["data"]["reliefSummary"]["collectedTonnes"], "10520");

    // GET with only the hash: the form a CDN can cache.
    let get = reqwest::Client::new()
        .get(format!("{}/graphql", app.base))
        .query(&[("extensions", extensions.to_string())])
        .send()
        .await
        .unwrap();
    assert!(
        get.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("public")
    );
    let body: Value = get.json().await.unwrap();
    assert_eq!(body["data"]["reliefSummary"]["deliveredTonnes"], "8905");

    // A hash that is not the text's is refused.
    let wrong = send(json!({ "query": "{ regions { code } }", "extensions": extensions })).await;
    assert_eq!(wrong["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    // Another instance over the same database (or this one restarted) knows the hash too.
    let other = app.another_instance().await;
    let elsewhere: Value = reqwest::Client::new()
        .post(format!("{other}/graphql"))
        .json(&json!({ "extensions": extensions }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        elsewhere["data"]["reliefSummary"]["collectedTonnes"],
        "10520"
    );
}

#[tokio::test]
async fn in_allowlist_mode_only_the_clients_operations_run() {
    use crate::helpers::ws;
    use birlik_api::config::Operations;
    let app = crate::helpers::app::spawn_with(crate::helpers::db::TestDb::demo().await, |c| {
        c.operations = Operations::Allowlist
    })
    .await;
    let public = app.anonymous();

    // A client operation runs as written, and without its comments or with other spacing.
    let summary = public.gql(ops::RELIEF_SUMMARY, json!({})).await;
    assert_eq!(summary.data()["reliefSummary"]["collectedTonnes"], "10520");
    let lines: Vec<&str> = ops::RELIEF_SUMMARY
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect();
    let compact = lines.join(" ");
    public.gql(&compact, json!({})).await.data();
    let token = app.login("volunteer@demo.birlik.kz").await;
    app.anonymous()
        .with_token(&token)
        .gql(ops::OPEN_TASKS, json!({ "first": 5 }))
        .await
        .data();

    // Anything else is refused before any SQL runs: ad-hoc queries, introspection, a client
    // operation with a field added.
    let before = app.statements().await;
    for query in [
        "{ regions { code } }".to_owned(),
        "{ __schema { types { name } } }".to_owned(),
        ops::RELIEF_SUMMARY.replacen("reliefSummary {", "reliefSummary { __typename", 1),
    ] {
        let refused = public.gql(&query, json!({})).await;
        refused.assert_code("FORBIDDEN");
        assert!(refused.body["data"].is_null(), "{}", refused.body);
    }
    assert_eq!(app.statements().await, before, "no statement for a refusal");

    // Persisted queries: the clients' hashes resolve; nothing new is learnt.
    let send = |body: Value| {
        let request = post(&app).json(&body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let known = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(ops::WHERE_TO_BRING_AID) } });
    let hit = send(json!({ "extensions": known, "variables": { "regionCode": "KZ-39" } })).await;
    assert!(hit["errors"].is_null(), "{hit}");
    let adhoc = "{ regions { code } }";
    let unknown = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(adhoc) } });
    let registering = send(json!({ "query": adhoc, "extensions": unknown })).await;
    assert_eq!(registering["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let miss = send(json!({ "extensions": unknown })).await;
    assert_eq!(
        miss["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );

    // Subscriptions too: the app's own is accepted, another is refused.
    let mut socket = ws::subscribe(&app.base, Some(&token), ops::TASK_EVENTS).await;
    ws::send(&mut socket, json!({ "type": "ping" })).await;
    assert_eq!(
        ws::next(&mut socket, 5).await["type"],
        "pong",
        "still subscribed"
    );
    let ngo = app.login("ngo@demo.birlik.kz").await;
    let mut socket = ws::subscribe(
        &app.base,
        Some(&ngo),
        "subscription { shipmentEvents { kind } }",
    )
    .await;
    let refused = ws::next(&mut socket, 5).await;
    assert!(refused["payload"]["data"].is_null(), "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
}
