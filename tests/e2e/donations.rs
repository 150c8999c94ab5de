//! `donations`: the ministry's ad-hoc queries and the NGO portal's list, checked against SQL;
//! every filter operator; pages and cursors; scoping; refusals of bad arguments.

use std::collections::HashSet;

use birlik_api::graphql::relay::encode;
use serde_json::{Value, json};

use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::{int, ints, thousandths};

const TOTALS: &str = "query($filter: DonationFilter) { donations(filter: $filter, first: 1) { totalCount totalKilograms } }";

#[tokio::test]
async fn ad_hoc_donations_answers_what_sql_answers() {
    let app = spawn_app_with_demo().await;
    let gql = app
        .as_demo_ministry()
        .await
        .gql(ops::AD_HOC_DONATIONS, json!({}))
        .await;
    let donations = &gql.data()["donations"];
    let db = app.db.connect().await;
    let kz71 = "(SELECT id FROM region WHERE code = 'KZ-71')";
    let filter = format!(
        "grams >= 500000 AND received_at >= '2024-04-01T00:00:00+00:00' AND received_at < '2024-05-01T00:00:00+00:00' \
         AND (category IN ('food', 'drinking_water') OR region_id = {kz71}) AND NOT (status = 'cancelled')"
    );
    assert_eq!(
        donations["totalCount"],
        int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE {filter}")
        )
        .await
    );
    let grams = int(
        &db,
        &format!("SELECT CAST(SUM(grams) AS BIGINT) FROM donation WHERE {filter}"),
    )
    .await;
    assert_eq!(
        thousandths(donations["totalKilograms"].as_str().unwrap()),
        grams
    );

    let edges = donations["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 100);
    let top = ints(
        &db,
        &format!(
            "SELECT grams FROM donation WHERE {filter} ORDER BY grams DESC, id DESC LIMIT 100"
        ),
    )
    .await;
    let got: Vec<i64> = edges
        .iter()
        .map(|e| thousandths(e["node"]["kilograms"].as_str().unwrap()))
        .collect();
    assert_eq!(got, top, "heaviest first");
    for edge in edges {
        let node = &edge["node"];
        assert!(
            node["organization"]["name"]
                .as_str()
                .is_some_and(|n| !n.is_empty())
        );
        assert!(
            node["collectionPoint"]["region"]["code"]
                .as_str()
                .unwrap()
                .starts_with("KZ-")
        );
        let category = node["category"].as_str().unwrap();
        assert!(
            category == "FOOD"
                || category == "DRINKING_WATER"
                || node["collectionPoint"]["region"]["code"] == "KZ-71"
        );
    }
}

#[tokio::test]
async fn every_filter_operator_selects_what_its_sql_selects() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let sample = int(&db, "SELECT id FROM donation WHERE status = 'received' AND item_count IS NOT NULL ORDER BY id LIMIT 1").await;
    let grams = int(
        &db,
        &format!("SELECT grams FROM donation WHERE id = {sample}"),
    )
    .await;
    let org = int(
        &db,
        &format!("SELECT organization_id FROM donation WHERE id = {sample}"),
    )
    .await as i32;
    let point = int(
        &db,
        &format!("SELECT collection_point_id FROM donation WHERE id = {sample}"),
    )
    .await as i32;
    let id = |n: i64| encode("Donation", n as i32).0;
    let kg = format!("{}.{:03}", grams / 1000, grams % 1000);
    let cases: Vec<(Value, String)> = vec![
        (json!({}), "1 = 1".into()),
        (json!({ "id": { "eq": id(sample) } }), format!("id = {sample}")),
        (json!({ "id": { "ne": id(sample) } }), format!("id <> {sample}")),
        (json!({ "id": { "in": [id(sample), id(sample + 1)] } }), format!("id IN ({sample}, {})", sample + 1)),
        (json!({ "id": { "notIn": [id(sample)] } }), format!("id NOT IN ({sample})")),
        (json!({ "category": { "eq": "FOOD" } }), "category = 'food'".into()),
        (json!({ "category": { "ne": "FOOD" } }), "category <> 'food'".into()),
        (json!({ "category": { "in": ["MEDICINE", "BEDDING"] } }), "category IN ('medicine', 'bedding')".into()),
        (json!({ "category": { "notIn": ["FOOD", "OTHER"] } }), "category NOT IN ('food', 'other')".into()),
        (json!({ "status": { "eq": "CANCELLED" } }), "status = 'cancelled'".into()),
        (json!({ "status": { "in": ["PARTLY_SHIPPED", "RECEIVED"] } }), "status IN ('partly_shipped', 'received')".into()),
        (json!({ "kilograms": { "eq": kg } }), format!("grams = {grams}")),
        (json!({ "kilograms": { "ne": kg } }), format!("grams <> {grams}")),
        (json!({ "kilograms": { "in": [kg, "1"] } }), format!("grams IN ({grams}, 1000)")),
        (json!({ "kilograms": { "notIn": [kg] } }), format!("grams NOT IN ({grams})")),
        (json!({ "kilograms": { "gte": 500 } }), "grams >= 500000".into()),
        (json!({ "kilograms": { "gt": 1000.5 } }), "grams > 1000500".into()),
        (json!({ "kilograms": { "lt": "12.5" } }), "grams < 12500".into()),
        (json!({ "kilograms": { "lte": 20, "gt": 10 } }), "grams <= 20000 AND grams > 10000".into()),
        (json!({ "shippedKilograms": { "gt": 0 } }), "shipped_grams > 0".into()),
        (json!({ "itemCount": { "isNull": true } }), "item_count IS NULL".into()),
        (json!({ "itemCount": { "isNull": false, "gte": 100 } }), "item_count IS NOT NULL AND item_count >= 100".into()),
        (json!({ "itemCount": { "in": [1, 2, 3] } }), "item_count IN (1, 2, 3)".into()),
        (json!({ "donorName": { "isNull": false } }), "donor_name IS NOT NULL".into()),
        (json!({ "donorName": { "contains": "ова" } }), "donor_name LIKE '%ова%'".into()),
        (json!({ "donorName": { "startsWith": "ТОО" } }), "donor_name LIKE 'ТОО%'".into()),
        (json!({ "description": { "eq": "сено и комбикорм" } }), "description = 'сено и комбикорм'".into()),
        (json!({ "receivedAt": { "gte": "2024-04-15T00:00:00Z", "lt": "2024-04-16T00:00:00Z" } }),
            "received_at >= '2024-04-15T00:00:00+00:00' AND received_at < '2024-04-16T00:00:00+00:00'".into()),
        (json!({ "receivedAt": { "lte": "2024-03-31T23:59:59Z" } }), "received_at <= '2024-03-31T23:59:59+00:00'".into()),
        (json!({ "regionCode": { "eq": "KZ-71" } }), "region_id = (SELECT id FROM region WHERE code = 'KZ-71')".into()),
        (json!({ "regionCode": { "in": ["KZ-75", "KZ-79"] } }), "region_id IN (SELECT id FROM region WHERE code IN ('KZ-75', 'KZ-79'))".into()),
        (json!({ "organizationId": { "eq": encode("Organization", org).0 } }), format!("organization_id = {org}")),
        (json!({ "collectionPointId": { "in": [encode("CollectionPoint", point).0] } }), format!("collection_point_id IN ({point})")),
        (json!({ "or": [{ "category": { "eq": "FOOD" } }, { "kilograms": { "gt": 5000 } }] }), "(category = 'food' OR grams > 5000000)".into()),
        (json!({ "not": { "category": { "eq": "FOOD" } } }), "NOT (category = 'food')".into()),
        (json!({ "and": [{ "not": { "or": [{ "status": { "eq": "SHIPPED" } }, { "status": { "eq": "CANCELLED" } }] } },
                         { "or": [{ "regionCode": { "eq": "KZ-75" } }, { "and": [{ "category": { "eq": "MEDICINE" } }, { "kilograms": { "lt": 100 } }] }] }] }),
            "NOT (status = 'shipped' OR status = 'cancelled') AND (region_id = (SELECT id FROM region WHERE code = 'KZ-75') OR (category = 'medicine' AND grams < 100000))".into()),
        (json!({ "category": { "eq": "FOOD" }, "kilograms": { "gte": 100 } }), "category = 'food' AND grams >= 100000".into()),
    ];
    for (filter, sql) in cases {
        let gql = ministry.gql(TOTALS, json!({ "filter": filter })).await;
        let got = &gql.data()["donations"];
        let count = int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE {sql}"),
        )
        .await;
        let grams = int(
            &db,
            &format!("SELECT CAST(COALESCE(SUM(grams), 0) AS BIGINT) FROM donation WHERE {sql}"),
        )
        .await;
        assert_eq!(got["totalCount"], count, "count for {filter} ~ {sql}");
        assert_eq!(
            thousandths(got["totalKilograms"].as_str().unwrap()),
            grams,
            "mass for {filter} ~ {sql}"
        );
        assert!(
            count > 0 || sql.contains("'%"),
            "a case that selects nothing proves little: {sql}"
        );
    }
}

#[tokio::test]
async fn an_organization_pages_through_its_own_donations_only() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let org = int(
        &db,
        "SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await;
    let expected = int(
        &db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE organization_id = {org}"),
    )
    .await;
    let own_points: HashSet<String> = ints(
        &db,
        &format!("SELECT id FROM collection_point WHERE organization_id = {org}"),
    )
    .await
    .into_iter()
    .map(|id| encode("CollectionPoint", id as i32).0)
    .collect();

    let mut seen = HashSet::new();
    let mut after: Option<String> = None;
    let mut previous: Option<String> = None;
    loop {
        let gql = ngo
            .gql(
                ops::ORGANIZATION_DONATIONS,
                json!({ "first": 100, "after": after }),
            )
            .await;
        let page = &gql.data()["donations"];
        assert_eq!(page["totalCount"], expected);
        for edge in page["edges"].as_array().unwrap() {
            let node = &edge["node"];
            assert!(
                own_points.contains(node["collectionPoint"]["id"].as_str().unwrap()),
                "another organization's donation"
            );
            assert!(
                seen.insert(node["id"].as_str().unwrap().to_owned()),
                "a donation on two pages"
            );
            // Newest first.
            let received = node["receivedAt"].as_str().unwrap().to_owned();
            if let Some(prev) = &previous {
                assert!(
                    chrono::DateTime::parse_from_rfc3339(prev).unwrap()
                        >= chrono::DateTime::parse_from_rfc3339(&received).unwrap()
                );
            }
            previous = Some(received);
            assert!(node.get("donorName").is_some(), "staff see donor names");
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len() as i64, expected);
}

#[tokio::test]
async fn cursors_stay_valid_while_donations_are_inserted() {
    use birlik_entity::donation;
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};

    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let first = ministry
        .gql(ops::ORGANIZATION_DONATIONS, json!({ "first": 5 }))
        .await;
    let cursor = first.data()["donations"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = ministry
        .gql(
            ops::ORGANIZATION_DONATIONS,
            json!({ "first": 5, "after": cursor }),
        )
        .await;

    // A new donation arrives: the newest of all, so it lands on the first page.
    let db = app.db.connect().await;
    let template = donation::Entity::find().one(&db).await.unwrap().unwrap();
    let mut fresh = template.into_active_model().reset_all();
    fresh.id = sea_orm::ActiveValue::NotSet;
    fresh.received_at = sea_orm::ActiveValue::Set(chrono::Utc::now());
    fresh.insert(&db).await.unwrap();

    let after = ministry
        .gql(
            ops::ORGANIZATION_DONATIONS,
            json!({ "first": 5, "after": cursor }),
        )
        .await;
    let ids = |g: &crate::helpers::client::Gql| -> Vec<Value> {
        g.data()["donations"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].clone())
            .collect()
    };
    assert_eq!(ids(&before), ids(&after));
    assert_eq!(
        after.data()["donations"]["totalCount"],
        before.data()["donations"]["totalCount"].as_i64().unwrap() + 1
    );
}

#[tokio::test]
async fn last_and_before_walk_backwards() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let query = "query($first: Int, $last: Int, $before: String) { donations(first: $first, last: $last, before: $before) { pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } }";
    let forward = ministry.gql(query, json!({ "first": 10 })).await;
    let edges = forward.data()["donations"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let tenth = edges[9]["cursor"].as_str().unwrap();
    let back = ministry
        .gql(query, json!({ "last": 4, "before": tenth }))
        .await;
    let got: Vec<&Value> = back.data()["donations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"]["id"])
        .collect();
    let want: Vec<&Value> = edges[5..9].iter().map(|e| &e["node"]["id"]).collect();
    assert_eq!(got, want);
    assert_eq!(
        back.data()["donations"]["pageInfo"]["hasPreviousPage"],
        true
    );
    assert_eq!(back.data()["donations"]["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn bad_arguments_are_refused_with_the_argument_named() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let page = ministry
        .gql(ops::ORGANIZATION_DONATIONS, json!({ "first": 101 }))
        .await;
    page.assert_code("BAD_USER_INPUT");
    assert_eq!(page.body["errors"][0]["extensions"]["field"], "first");

    let cursor = ministry
        .gql(
            ops::ORGANIZATION_DONATIONS,
            json!({ "after": "not-a-cursor" }),
        )
        .await;
    cursor.assert_code("BAD_USER_INPUT");
    assert_eq!(cursor.body["errors"][0]["extensions"]["field"], "after");

    let bad_id = ministry
        .gql(
            TOTALS,
            json!({ "filter": { "organizationId": { "eq": encode("Donation", 1).0 } } }),
        )
        .await;
    bad_id.assert_code("BAD_USER_INPUT");
    assert_eq!(
        bad_id.body["errors"][0]["extensions"]["field"],
        "filter.organizationId"
    );

    let too_precise = ministry
        .gql(
            TOTALS,
            json!({ "filter": { "kilograms": { "gte": "0.0001" } } }),
        )
        .await;
    too_precise.assert_code("BAD_USER_INPUT");

    let mut deep = json!({ "category": { "eq": "FOOD" } });
    for _ in 0..10 {
        deep = json!({ "not": deep });
    }
    ministry
        .gql(TOTALS, json!({ "filter": deep }))
        .await
        .assert_code("BAD_USER_INPUT");

    // A cursor made for one order is refused by another.
    let by_mass = ministry
        .gql(
            "{ donations(first: 1, orderBy: [{ field: KILOGRAMS }]) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let cursor = by_mass.data()["donations"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    ministry
        .gql(ops::ORGANIZATION_DONATIONS, json!({ "after": cursor }))
        .await
        .assert_code("BAD_USER_INPUT");
}

#[tokio::test]
async fn donations_are_for_their_organization_and_the_ministry_only() {
    let app = spawn_app_with_demo().await;
    app.anonymous()
        .gql(ops::ORGANIZATION_DONATIONS, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
    app.as_demo_volunteer()
        .await
        .gql(ops::ORGANIZATION_DONATIONS, json!({}))
        .await
        .assert_code("FORBIDDEN");
    // A filter cannot reach another organization's rows.
    let db = app.db.connect().await;
    let own = int(
        &db,
        "SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await;
    let other = int(
        &db,
        &format!("SELECT MIN(organization_id) FROM donation WHERE organization_id <> {own}"),
    )
    .await;
    let gql = app
        .as_demo_ngo()
        .await
        .gql(TOTALS, json!({ "filter": { "organizationId": { "eq": encode("Organization", other as i32).0 } } }))
        .await;
    assert_eq!(gql.data()["donations"]["totalCount"], 0);
}

#[tokio::test]
async fn where_to_bring_aid_lists_a_regions_collection_points_publicly() {
    let app = spawn_app_with_demo().await;
    let gql = app
        .anonymous()
        .gql(
            ops::WHERE_TO_BRING_AID,
            json!({ "regionCode": "KZ-71", "first": 2 }),
        )
        .await;
    let region = &gql.data()["region"];
    assert_eq!(region["code"], "KZ-71");
    let db = app.db.connect().await;
    let expected = int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM collection_point WHERE region_id = (SELECT id FROM region WHERE code = 'KZ-71')").await;
    let points = &region["collectionPoints"];
    assert_eq!(points["totalCount"], expected);
    assert_eq!(points["edges"].as_array().unwrap().len(), 2);
    assert_eq!(points["pageInfo"]["hasNextPage"], expected > 2);
    for edge in points["edges"].as_array().unwrap() {
        assert!(
            edge["node"]["address"]
                .as_str()
                .unwrap()
                .starts_with("Астана")
        );
        assert!(
            !edge["node"]["organization"]["name"]
                .as_str()
                .unwrap()
                .is_empty()
        );
    }
    let rest = app
        .anonymous()
        .gql(ops::WHERE_TO_BRING_AID, json!({ "regionCode": "KZ-71", "first": 100, "after": points["pageInfo"]["endCursor"] }))
        .await;
    assert_eq!(
        rest.data()["region"]["collectionPoints"]["edges"]
            .as_array()
            .unwrap()
            .len() as i64,
        expected - 2
    );
}

#[tokio::test]
async fn a_page_costs_the_same_statements_whatever_its_size() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let query = ops::AD_HOC_DONATIONS
        .replace("first: 100", "first: $first")
        .replace(
            "query AdHocDonations {",
            "query AdHocDonations($first: Int) {",
        );
    let mut costs = Vec::new();
    for first in [10, 100] {
        let before = app.statements().await;
        let gql = ministry.gql(&query, json!({ "first": first })).await;
        assert_eq!(
            gql.data()["donations"]["edges"].as_array().unwrap().len(),
            first
        );
        costs.push(app.statements().await - before);
    }
    // The page with its totals (count and mass, in the page's statement since issue 17),
    // organizations, collection points; regions are reference data held in memory.
    assert_eq!(costs, [4, 4], "with the account check");
    let mut costs = Vec::new();
    for first in [10, 50] {
        let before = app.statements().await;
        app.as_demo_ngo()
            .await
            .gql(ops::ORGANIZATION_DONATIONS, json!({ "first": first }))
            .await
            .data();
        costs.push(app.statements().await - before);
    }
    assert_eq!(
        costs,
        [3, 3],
        "account, page with its totals (issue 17: were a statement of their own), collection points"
    );
}

#[tokio::test]
async fn an_oversized_page_is_refused_before_any_resolver_runs() {
    let app = spawn_app_with_demo().await;
    let ministry = app.anonymous();
    // `reliefSummary` would run first; the whole request is refused instead, with no SQL.
    let query = "query($n: Int = 500) { reliefSummary { collectedTonnes } donations(first: $n) { totalCount } }";
    let before = app.statements().await;
    let gql = ministry.gql(query, json!({})).await;
    gql.assert_code("BAD_USER_INPUT");
    assert_eq!(gql.body["errors"][0]["extensions"]["field"], "first");
    assert!(gql.body["data"].is_null(), "{}", gql.body);
    let literal = ministry.gql("{ reliefSummary { asOf } region(code: \"KZ-71\") { collectionPoints(last: 101) { totalCount } } }", json!({})).await;
    literal.assert_code("BAD_USER_INPUT");
    assert_eq!(literal.body["errors"][0]["extensions"]["field"], "last");
    assert_eq!(app.statements().await, before, "no SQL ran");
}
