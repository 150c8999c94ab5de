//! `donationStats` and `shipmentFlows`, checked against SQL and against sums computed here from
//! the raw rows (for the Kazakhstan-time days and weeks).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::{int, thousandths};

/// `key → (count, grams)` from a `GROUP BY` whose first column is the key as text.
async fn sql_groups(
    db: &sea_orm::DatabaseConnection,
    key: &str,
    filter: &str,
) -> BTreeMap<String, (i64, i64)> {
    let sql = format!(
        "SELECT CAST({key} AS TEXT), CAST(COUNT(*) AS BIGINT), CAST(SUM(grams) AS BIGINT) FROM donation WHERE {filter} GROUP BY {key}"
    );
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).unwrap(),
                (
                    r.try_get_by_index(1).unwrap(),
                    r.try_get_by_index(2).unwrap(),
                ),
            )
        })
        .collect()
}

fn rows(gql: &crate::helpers::client::Gql) -> Vec<Value> {
    gql.data()["donationStats"].as_array().unwrap().clone()
}

fn figures(row: &Value) -> (i64, i64) {
    (
        row["donationCount"].as_i64().unwrap(),
        thousandths(row["kilograms"].as_str().unwrap()),
    )
}

#[tokio::test]
async fn donation_stats_by_region_and_category_match_sql() {
    let app = spawn_app_with_demo().await;
    let gql = app
        .as_demo_ministry()
        .await
        .gql(
            ops::DONATION_STATS,
            json!({ "groupBy": ["REGION", "CATEGORY"] }),
        )
        .await;
    let db = app.db.connect().await;
    let expected = sql_groups(
        &db,
        "(SELECT code FROM region r WHERE r.id = region_id) || '/' || category",
        "1 = 1",
    )
    .await;
    let got: BTreeMap<String, (i64, i64)> = rows(&gql)
        .iter()
        .map(|r| {
            assert!(
                r["organization"].is_null() && r["day"].is_null() && r["status"].is_null(),
                "ungrouped keys are null: {r}"
            );
            (
                format!(
                    "{}/{}",
                    r["region"]["code"].as_str().unwrap(),
                    r["category"].as_str().unwrap().to_lowercase()
                ),
                figures(r),
            )
        })
        .collect();
    assert_eq!(got, expected);
    for row in rows(&gql) {
        let (_, grams) = figures(&row);
        assert_eq!(thousandths(row["tonnes"].as_str().unwrap()), grams / 1000);
    }
}

#[tokio::test]
async fn every_dimension_groups_like_sql() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let query = "query($g: [DonationDimension!]!) { donationStats(groupBy: $g) { region { code } category organization { id } status collectionPoint { id } donationCount kilograms } }";
    for (dimension, key) in [
        ("REGION", "region_id"),
        ("CATEGORY", "category"),
        ("ORGANIZATION", "organization_id"),
        ("STATUS", "status"),
        ("COLLECTION_POINT", "collection_point_id"),
    ] {
        let gql = ministry.gql(query, json!({ "g": [dimension] })).await;
        let mut got: Vec<(i64, i64)> = rows(&gql).iter().map(figures).collect();
        let mut want: Vec<(i64, i64)> = sql_groups(&db, key, "1 = 1").await.into_values().collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "grouped by {dimension}");
    }
    let all = ministry.gql(query, json!({ "g": [] })).await;
    let total = rows(&all);
    assert_eq!(total.len(), 1);
    assert_eq!(
        figures(&total[0]).0,
        int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation").await
    );
}

#[tokio::test]
async fn days_and_weeks_are_kazakhstan_time_on_every_database() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    // The expected groups, computed here from the raw timestamps.
    let raw = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT received_at, grams FROM donation",
        ))
        .await
        .unwrap();
    let mut days: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut weeks: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for row in raw {
        let at: DateTime<Utc> = row.try_get_by_index(0).unwrap();
        let grams: i64 = row.try_get_by_index(1).unwrap();
        let local = (at + Duration::hours(5)).date_naive();
        let monday = local - Duration::days(local.weekday().num_days_from_monday() as i64);
        let d = days.entry(local.to_string()).or_default();
        d.0 += 1;
        d.1 += grams;
        let w = weeks.entry(monday.to_string()).or_default();
        w.0 += 1;
        w.1 += grams;
    }
    let query = "query($g: [DonationDimension!]!) { donationStats(groupBy: $g) { day week donationCount kilograms } }";
    let by =
        |field: &'static str, gql: crate::helpers::client::Gql| -> BTreeMap<String, (i64, i64)> {
            rows(&gql)
                .iter()
                .map(|r| (r[field].as_str().unwrap().to_owned(), figures(r)))
                .collect()
        };
    assert_eq!(
        by("day", ministry.gql(query, json!({ "g": ["DAY"] })).await),
        days
    );
    let weekly = by("week", ministry.gql(query, json!({ "g": ["WEEK"] })).await);
    assert_eq!(weekly, weeks);
    for monday in weekly.keys() {
        let date = chrono::NaiveDate::parse_from_str(monday, "%Y-%m-%d").unwrap();
        assert_eq!(date.weekday(), chrono::Weekday::Mon);
    }
}

#[tokio::test]
async fn stats_count_cancelled_donations_unless_the_filter_leaves_them_out() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let query = "query($f: DonationFilter) { donationStats(groupBy: [], filter: $f) { tonnes } }";
    let without = ministry
        .gql(
            query,
            json!({ "f": { "not": { "status": { "eq": "CANCELLED" } } } }),
        )
        .await;
    assert_eq!(rows(&without)[0]["tonnes"], "10520");
    let with = ministry.gql(query, json!({})).await;
    assert!(thousandths(rows(&with)[0]["tonnes"].as_str().unwrap()) > 10_520_000);
}

#[tokio::test]
async fn an_organization_sees_its_own_stats_and_a_volunteer_none() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let org = int(
        &db,
        "SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await;
    let gql = app
        .as_demo_ngo()
        .await
        .gql(ops::DONATION_STATS, json!({ "groupBy": ["ORGANIZATION"] }))
        .await;
    let own = rows(&gql);
    assert_eq!(own.len(), 1);
    assert_eq!(
        own[0]["organization"]["id"],
        birlik_api::graphql::relay::encode("Organization", org as i32).0
    );
    assert_eq!(
        figures(&own[0]).0,
        int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE organization_id = {org}")
        )
        .await
    );
    app.as_demo_volunteer()
        .await
        .gql(ops::DONATION_STATS, json!({ "groupBy": [] }))
        .await
        .assert_code("FORBIDDEN");
    app.anonymous()
        .gql(ops::SHIPMENT_FLOWS, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn shipment_flows_carry_what_sql_says() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let delivered = ministry
        .gql(ops::SHIPMENT_FLOWS, json!({ "status": ["DELIVERED"] }))
        .await;
    let flows = delivered.data()["shipmentFlows"]
        .as_array()
        .unwrap()
        .clone();
    let total: i64 = flows
        .iter()
        .map(|f| thousandths(f["tonnes"].as_str().unwrap()))
        .sum();
    assert_eq!(total, 8_905_000, "8,905 t delivered, in kilograms");
    let db = app.db.connect().await;
    for flow in &flows {
        let (from, to) = (
            flow["originRegion"]["code"].as_str().unwrap(),
            flow["destinationRegion"]["code"].as_str().unwrap(),
        );
        assert_ne!(from, to);
        let filter = format!(
            "s.status = 'delivered' AND s.origin_region_id = (SELECT id FROM region WHERE code = '{from}') \
             AND s.destination_region_id = (SELECT id FROM region WHERE code = '{to}')"
        );
        let count = int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM shipment s WHERE {filter}"),
        )
        .await;
        assert_eq!(flow["shipmentCount"], count, "{from} → {to}");
        let kg = int(&db, &format!("SELECT CAST(SUM(i.grams) / 1000 AS BIGINT) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id WHERE {filter}")).await;
        assert_eq!(
            thousandths(flow["tonnes"].as_str().unwrap()),
            kg,
            "{from} → {to}"
        );
    }
    let all = ministry.gql(ops::SHIPMENT_FLOWS, json!({})).await;
    let shipments: i64 = all.data()["shipmentFlows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["shipmentCount"].as_i64().unwrap())
        .sum();
    assert_eq!(
        shipments,
        int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM shipment").await
    );
}
