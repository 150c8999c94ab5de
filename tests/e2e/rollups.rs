//! The rollups under concurrent writers of every kind that moves them (registering and importing
//! donations, planning, dispatching, delivering and cancelling shipments, writing off, raising and closing
//! needs, opening and counting shelters, volunteers signing up), on SQLite and PostgreSQL: then
//! every rollup equals the bare `GROUP BY` over its rows to the gram, and `donationStats`,
//! `stockStats`, `needStats` and `reliefSummary` answer what the bare `GROUP BY`s give.

use birlik_api::graphql::relay::encode;
use birlik_api::store;
use birlik_api::store::stats::{DonationDimension, DonationSource};
use birlik_api::store::stock::StockDimension;
use serde_json::{Value, json};

use crate::helpers::client::Client;
use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::ints;
use crate::needs::{DEMO_ORG, hours, raise_input, regional_hq};

const IMPORT: &str =
    "mutation($input: ImportDonationsInput!) { importDonations(input: $input) { imported } }";

const CATEGORIES: [&str; 3] = ["FOOD", "CLOTHING", "MEDICINE"];

const CANCEL: &str = "mutation($shipmentId: ID!) { cancelShipment(shipmentId: $shipmentId) { shipment { id status } } }";

fn kg(grams: i64) -> String {
    format!("{}.{:03}", grams / 1000, grams % 1000)
}

/// Grams of a kilogram figure as the API writes it (`"12.5"`, `"12"`).
fn grams(kilograms: &Value) -> i64 {
    let text = kilograms.as_str().expect("kilograms as text");
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    whole.parse::<i64>().unwrap() * 1000 + format!("{fraction:0<3}").parse::<i64>().unwrap()
}

/// One shipment's life: planned from one donation, then (by `n`) cancelled, left planned,
/// dispatched, or dispatched and delivered.
async fn ship(ngo: Client, donation: i64, grams: i64, n: usize) {
    let planned = ngo
        .gql(
            ops::PLAN_SHIPMENT,
            json!({ "input": {
                "destinationRegionCode": "KZ-39",
                "items": [{ "donationId": encode("Donation", donation as i32).0, "kilograms": kg(grams) }],
                "vehicle": "ГАЗель, 777 KZ 02", "driverName": "Айдос Нурланов",
                "driverPhone": "+7 701 555 00 11", "idempotencyKey": format!("rollup-plan-{n}"),
            }}),
        )
        .await;
    let id = planned.data()["planShipment"]["shipment"]["id"].clone();
    match n % 4 {
        0 => {
            ngo.gql(CANCEL, json!({ "shipmentId": id })).await.data();
        }
        1 => {}
        _ => {
            ngo.gql(ops::DISPATCH_SHIPMENT, json!({ "shipmentId": id }))
                .await
                .data();
            if n % 4 == 3 {
                ngo.gql(ops::CONFIRM_DELIVERY, json!({ "shipmentId": id }))
                    .await
                    .data();
            }
        }
    }
}

/// Every grouping of `dims` taken one and two at a time.
fn groupings<T: Copy>(dims: &[T]) -> Vec<Vec<T>> {
    let mut out = vec![vec![]];
    for (i, a) in dims.iter().enumerate() {
        out.push(vec![*a]);
        for b in &dims[i + 1..] {
            out.push(vec![*a, *b]);
        }
    }
    out
}

/// A store dimension's GraphQL enum value (`CollectionPoint` → `COLLECTION_POINT`).
fn upper(dimension: impl std::fmt::Debug) -> String {
    birlik_api::http::page::view::screaming_snake(&format!("{dimension:?}"))
}

#[tokio::test]
async fn every_rollup_equals_the_group_by_after_concurrent_writers_of_every_kind() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let ngo = app.as_demo_ngo().await;
    let ministry = app.as_demo_ministry().await;
    let hq = regional_hq(&app).await;
    let point = ints(
        &db,
        &format!(
            "SELECT id FROM collection_point WHERE organization_id = {DEMO_ORG} ORDER BY id LIMIT 1"
        ),
    )
    .await[0];
    let donations = ints(
        &db,
        &format!(
            "SELECT id FROM donation WHERE organization_id = {DEMO_ORG} AND status = 'received' \
             AND shipped_grams = 0 AND written_off_grams = 0 AND grams >= 10000 ORDER BY id LIMIT 16"
        ),
    )
    .await;
    assert_eq!(donations.len(), 16);

    let mut writers: Vec<tokio::task::JoinHandle<()>> = Vec::new();
    for (n, donation) in donations[..8].iter().copied().enumerate() {
        writers.push(tokio::spawn(ship(ngo.clone(), donation, 4000, n)));
    }
    for (n, donation) in donations[8..].iter().copied().enumerate() {
        let ngo = ngo.clone();
        writers.push(tokio::spawn(async move {
            ngo.gql(
                ops::WRITE_OFF_STOCK,
                json!({ "input": { "donationId": encode("Donation", donation as i32).0,
                    "kilograms": "1.5", "reason": "DAMAGED", "idempotencyKey": format!("rollup-off-{n}") } }),
            )
            .await
            .data();
        }));
    }
    for n in 0..6 {
        let ngo = ngo.clone();
        writers.push(tokio::spawn(async move {
            ngo.gql(
                ops::REGISTER_DONATION,
                json!({ "input": { "collectionPointId": encode("CollectionPoint", point as i32).0,
                    "category": if n % 2 == 0 { "DRINKING_WATER" } else { "FOOD" },
                    "kilograms": format!("{}.250", 10 + n), "itemCount": 3,
                    "idempotencyKey": format!("rollup-donation-{n}") } }),
            )
            .await
            .data();
        }));
    }
    for n in 0..2 {
        let ngo = ngo.clone();
        let point = encode("CollectionPoint", point as i32).0;
        writers.push(tokio::spawn(async move {
            let rows: Vec<Value> = (0..25)
                .map(|i| json!({ "collectionPointId": point, "category": CATEGORIES[i % 3],
                    "kilograms": format!("{}.5", i + n), "receivedAt": format!("2024-04-{:02}T10:00:00Z", 1 + i) }))
                .collect();
            let imported = ngo.gql(IMPORT, json!({ "input": { "rows": rows } })).await;
            assert_eq!(imported.data()["importDonations"]["imported"], 25);
        }));
    }
    for n in 0..3 {
        let region = hq.region.clone();
        let hq = hq.client.clone();
        writers.push(tokio::spawn(async move {
            let raised = hq
                .gql(
                    ops::RAISE_NEED,
                    raise_input(
                        &region,
                        "HIGH",
                        &hours(24),
                        json!([{ "category": "FOOD", "kilograms": "500" },
                               { "category": "MEDICINE", "kilograms": "20" }]),
                        &format!("rollup-need-{n}"),
                    ),
                )
                .await;
            let need = raised.data()["raiseNeed"]["need"]["id"].clone();
            if n != 1 {
                hq.gql(
                    ops::CLOSE_NEED,
                    json!({ "needId": need, "reason": "NO_LONGER_NEEDED", "expectedVersion": 1 }),
                )
                .await
                .data();
            }
        }));
    }
    for n in 0..3 {
        let ministry = ministry.clone();
        writers.push(tokio::spawn(async move {
            let opened = ministry
                .gql(
                    ops::OPEN_SHELTER,
                    json!({ "input": { "regionCode": "KZ-23", "name": format!("Школа №{n}"),
                        "address": "ул. Абая, 1", "capacity": 120, "idempotencyKey": format!("rollup-shelter-{n}") } }),
                )
                .await;
            let shelter = opened.data()["openShelter"]["shelter"]["id"].clone();
            ministry
                .gql(
                    ops::REPORT_SHELTER_COUNT,
                    json!({ "input": { "shelterId": shelter, "people": 40 + n, "children": 9,
                        "countedAt": chrono::Utc::now().to_rfc3339(), "idempotencyKey": format!("rollup-count-{n}") } }),
                )
                .await
                .data();
        }));
    }
    for n in 0..3 {
        let public = app.anonymous();
        writers.push(tokio::spawn(async move {
            public
                .gql(
                    ops::SIGN_UP,
                    json!({ "input": { "fullName": format!("Гость {n}"), "phone": format!("+7 799 444 55 {n:02}"),
                        "password": "correct horse", "regionCode": "KZ-23" } }),
                )
                .await
                .data();
        }));
    }
    // Fold the logs while the writers run (PostgreSQL): a fold meanwhile loses nothing.
    store::rollup::fold(&db).await.unwrap();
    for writer in writers {
        writer.await.unwrap();
    }

    let differences = store::rollup::verify(&db).await.unwrap();
    assert!(differences.is_empty(), "rollups differ: {differences:#?}");
    store::rollup::fold(&db).await.unwrap();
    assert_eq!(store::rollup::verify(&db).await.unwrap(), vec![]);

    // donationStats for every grouping one and two dimensions wide, as the ministry.
    use DonationDimension as D;
    let all = [
        D::Region,
        D::Category,
        D::Organization,
        D::Day,
        D::Week,
        D::Status,
        D::CollectionPoint,
    ];
    for dims in groupings(&all) {
        let bare = store::stats::donation_groups(
            &db,
            DonationSource::Rows,
            &dims,
            sea_orm::Condition::all(),
        )
        .await
        .unwrap();
        let group_by: Vec<String> = dims.iter().map(|d| upper(*d)).collect();
        let answer = ministry
            .gql(
                "query($g: [DonationDimension!]!) { donationStats(groupBy: $g) { donationCount kilograms day week } }",
                json!({ "g": group_by }),
            )
            .await;
        let rows = answer.data()["donationStats"].as_array().unwrap().clone();
        assert_eq!(rows.len(), bare.len(), "{dims:?}");
        for (row, group) in rows.iter().zip(&bare) {
            assert_eq!(row["donationCount"], json!(group.count), "{dims:?}");
            assert_eq!(grams(&row["kilograms"]), group.grams, "{dims:?}");
            assert_eq!(row["day"].as_str(), group.day.as_deref(), "{dims:?}");
            assert_eq!(row["week"].as_str(), group.week.as_deref(), "{dims:?}");
        }
    }

    // stockStats for every grouping, as the ministry.
    use StockDimension as S;
    for dims in groupings(&[S::CollectionPoint, S::Category, S::Region, S::Organization]) {
        let bare = store::stock::groups(&db, false, &dims, sea_orm::Condition::all())
            .await
            .unwrap();
        let rolled = store::stock::groups(&db, true, &dims, sea_orm::Condition::all())
            .await
            .unwrap();
        assert_eq!(rolled, bare, "{dims:?}");
        let group_by: Vec<String> = dims.iter().map(|d| upper(*d)).collect();
        let answer = ministry
            .gql(
                "query($g: [StockDimension!]!) { stockStats(groupBy: $g) { onHandKilograms } }",
                json!({ "g": group_by }),
            )
            .await;
        let rows = answer.data()["stockStats"].as_array().unwrap().clone();
        let on_hand: Vec<i64> = bare.iter().map(|g| g.on_hand_grams).collect();
        let answered: Vec<i64> = rows.iter().map(|r| grams(&r["onHandKilograms"])).collect();
        assert_eq!(answered, on_hand, "{dims:?}");
    }

    // needStats for every grouping one and two dimensions wide, under filters the rollup
    // answers: equal to the same filter ANDed with one it cannot answer (a condition every need
    // meets), which reads the lines.
    use store::need::{NeedDimension as N, NeedSource};
    let org = ints(&db, &format!("SELECT {DEMO_ORG}")).await;
    let org = encode("Organization", org[0] as i32).0;
    let filters = [
        json!(null),
        json!({ "status": { "eq": "OPEN" } }),
        json!({ "priority": { "in": ["URGENT", "HIGH"] }, "regionCode": { "eq": "KZ-23" } }),
        json!({ "or": [{ "organizationId": { "eq": org } }, { "not": { "status": { "eq": "OPEN" } } }] }),
    ];
    let stats = "query($g: [NeedDimension!]!, $f: NeedFilter) { needStats(groupBy: $g, filter: $f) \
        { region { code } category priority fulfilment organization { id } lineCount \
          requestedKilograms allocatedKilograms deliveredKilograms outstandingKilograms } }";
    let all = [
        N::Region,
        N::Category,
        N::Priority,
        N::Fulfilment,
        N::Organization,
    ];
    for dims in groupings(&all) {
        let lines = store::need::groups(&db, NeedSource::Lines, &dims, sea_orm::Condition::all())
            .await
            .unwrap();
        let rolled = store::need::groups(&db, NeedSource::Rollup, &dims, sea_orm::Condition::all())
            .await
            .unwrap();
        assert_eq!(rolled, lines, "{dims:?}");
        let group_by: Vec<String> = dims.iter().map(|d| upper(*d)).collect();
        for filter in &filters {
            let every = json!({ "createdAt": { "gt": "2000-01-01T00:00:00Z" } });
            let bare = match filter {
                Value::Null => every,
                f => json!({ "and": [f, every] }),
            };
            let answer = |f: Value| {
                let public = app.anonymous();
                let g = group_by.clone();
                async move {
                    public.gql(stats, json!({ "g": g, "f": f })).await.data()["needStats"].clone()
                }
            };
            let (rolled, bare) = (answer(filter.clone()).await, answer(bare).await);
            if filter.is_null() {
                assert!(rolled.as_array().is_some_and(|r| !r.is_empty()), "{dims:?}");
            }
            assert_eq!(rolled, bare, "{dims:?} {filter}");
        }
    }

    // The regions' figures and so reliefSummary.
    assert_eq!(
        store::stats::region_figures(&db).await.unwrap(),
        store::stats::region_figures_from_rows(&db).await.unwrap()
    );
}

/// Over nothing, a rollup answers as the bare `GROUP BY` does: with no dimension, one row of
/// zeros; with one, no row.
#[tokio::test]
async fn a_grouping_over_nothing_answers_as_the_bare_group_by() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let public = app.anonymous();
    // Two categories at once: no donation, no need. The second filter adds a condition every
    // row meets that no rollup answers, so it reads the rows.
    let none = json!({ "and": [{ "category": { "eq": "FOOD" } }, { "category": { "eq": "DRINKING_WATER" } }] });
    let every = json!({ "createdAt": { "gt": "2000-01-01T00:00:00Z" } });
    let bare = json!({ "and": [none, every] });
    let donations = "query($g: [DonationDimension!]!, $f: DonationFilter) \
        { donationStats(groupBy: $g, filter: $f) { donationCount kilograms } }";
    let needs = "query($g: [NeedDimension!]!, $f: NeedFilter) \
        { needStats(groupBy: $g, filter: $f) { lineCount requestedKilograms outstandingKilograms } }";
    // Needs in two regions at once: none (a region is what the need rollup answers).
    let no_need = json!({ "and": [{ "regionCode": { "eq": "KZ-23" } }, { "regionCode": { "eq": "KZ-10" } }] });
    let no_need_bare = json!({ "and": [no_need, every] });
    let cases = [
        (&ministry, donations, "donationStats", none, bare),
        (&public, needs, "needStats", no_need, no_need_bare),
    ];
    for (g, expected_rows) in [(json!([]), 1), (json!(["CATEGORY"]), 0)] {
        for (client, query, field, rolled, read) in &cases {
            let answer = |f: &Value| {
                let vars = json!({ "g": g, "f": f });
                async move { client.gql(query, vars).await.data()[*field].clone() }
            };
            let (rolled, read) = (answer(rolled).await, answer(read).await);
            assert_eq!(rolled, read, "{field} {g}");
            assert_eq!(
                rolled.as_array().unwrap().len(),
                expected_rows,
                "{field} {g}"
            );
        }
    }
}

/// A fold that empties a log reclaims its space (PostgreSQL): a log emptied by DELETE keeps its
/// dead rows' pages, which every read of its rollup would scan (after a bulk load, a million of
/// them) until autovacuum came by.
#[tokio::test]
async fn folding_a_bulk_write_leaves_no_dead_log_behind() {
    use crate::helpers::db::{TestDb, skip_without_postgres};
    use crate::helpers::sql::int;
    if skip_without_postgres("folding_a_bulk_write_leaves_no_dead_log_behind") {
        return;
    }
    let test_db = TestDb::demo().await;
    let db = test_db.connect().await;
    store::rollup::fold_and_vacuum(&db).await.unwrap();
    // 3,000 donations change at once: the triggers log the change per rollup key.
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        "UPDATE donation SET grams = grams + 1 WHERE id IN (SELECT id FROM donation WHERE status = 'received' ORDER BY id LIMIT 3000)",
    )
    .await
    .unwrap();
    let logged = int(&db, "SELECT COUNT(*) FROM donation_rollup_delta").await;
    assert!(logged > 0, "{logged}");
    let moved = store::rollup::fold_and_vacuum(&db).await.unwrap();
    assert!(
        moved.contains(&("donation_rollup", logged as u64)),
        "{moved:?}"
    );
    for (table, _) in moved {
        let log = format!("{table}_delta");
        assert_eq!(
            int(&db, &format!("SELECT COUNT(*) FROM {log}")).await,
            0,
            "{log}"
        );
        let bytes = int(&db, &format!("SELECT pg_relation_size('{log}')")).await;
        assert_eq!(bytes, 0, "{log} keeps {bytes} bytes of dead rows");
    }
    assert_eq!(store::rollup::verify(&db).await.unwrap(), vec![]);
}
