//! Many clients at once, on SQLite and PostgreSQL: no kilogram shipped twice, no status moved
//! against the state machine, no version overwritten unseen, and totals that always reconcile.

use birlik_api::graphql::relay::encode;
use serde_json::{Value, json};

use crate::helpers::client::{Client, Gql};
use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::{int, ints};

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

fn plan(items: Value, key: &str) -> Value {
    json!({ "input": {
        "destinationRegionCode": "KZ-39",
        "items": items,
        "vehicle": "ГАЗель, 777 KZ 02",
        "driverName": "Айдос Нурланов",
        "driverPhone": "+7 701 555 00 11",
        "idempotencyKey": key,
    }})
}

/// Runs every request at once and waits for all.
async fn all_at_once(client: &Client, query: &'static str, inputs: Vec<Value>) -> Vec<Gql> {
    let tasks: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let client = client.clone();
            tokio::spawn(async move { client.gql(query, input).await })
        })
        .collect();
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.unwrap());
    }
    out
}

fn succeeded(gql: &Gql) -> bool {
    if gql.body.get("errors").is_none() {
        return true;
    }
    gql.assert_code("CONFLICT");
    false
}

/// collected = delivered + in transit + planned + unshipped, in grams, from the tables.
async fn assert_totals_reconcile(db: &sea_orm::DatabaseConnection) {
    let collected = int(
        db,
        "SELECT CAST(COALESCE(SUM(grams), 0) AS BIGINT) FROM donation WHERE status <> 'cancelled'",
    )
    .await;
    let unshipped = int(
        db,
        "SELECT CAST(COALESCE(SUM(grams - shipped_grams), 0) AS BIGINT) FROM donation WHERE status <> 'cancelled'",
    )
    .await;
    let on_shipments = ints(
        db,
        "SELECT CAST(COALESCE(SUM(i.grams), 0) AS BIGINT) FROM shipment_item i \
         JOIN shipment s ON s.id = i.shipment_id \
         WHERE s.status <> 'cancelled' GROUP BY s.status",
    )
    .await;
    assert_eq!(
        collected,
        on_shipments.iter().sum::<i64>() + unshipped,
        "collected = delivered + in transit + planned + unshipped"
    );
    let over = int(
        db,
        "SELECT count(*) FROM donation d WHERE d.shipped_grams > d.grams OR d.shipped_grams <> \
         (SELECT COALESCE(SUM(i.grams), 0) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id \
          WHERE i.donation_id = d.id AND s.status <> 'cancelled')",
    )
    .await;
    assert_eq!(
        over, 0,
        "every donation's shipped grams are its live items'"
    );
}

#[tokio::test]
async fn many_planners_never_ship_a_kilogram_twice() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    assert_totals_reconcile(&db).await;

    // Four untouched donations of the organization; each planner asks for 40 % of two of them.
    let donations = ints(
        &db,
        &format!(
            "SELECT id FROM donation WHERE organization_id = {NGO_ORG} AND status = 'received' \
             AND shipped_grams = 0 AND grams >= 10000 ORDER BY id LIMIT 4"
        ),
    )
    .await;
    assert_eq!(donations.len(), 4);
    let mut grams = Vec::new();
    for id in &donations {
        grams.push(int(&db, &format!("SELECT grams FROM donation WHERE id = {id}")).await);
    }
    let share = |i: usize| grams[i] * 2 / 5;
    let kg = |g: i64| format!("{}.{:03}", g / 1000, g % 1000);
    let pairs: Vec<(usize, usize)> = (0..16).map(|n| (n % 4, (n + 1 + n / 4) % 4)).collect();
    let inputs = pairs
        .iter()
        .enumerate()
        .map(|(n, (a, b))| {
            plan(
                json!([
                    { "donationId": encode("Donation", donations[*a] as i32).0, "kilograms": kg(share(*a)) },
                    { "donationId": encode("Donation", donations[*b] as i32).0, "kilograms": kg(share(*b)) },
                ]),
                &format!("planner-{n}"),
            )
        })
        .collect();
    let results = all_at_once(&ngo, ops::PLAN_SHIPMENT, inputs).await;

    let mut expected = [0i64; 4];
    for (gql, (a, b)) in results.iter().zip(&pairs) {
        if succeeded(gql) {
            expected[*a] += share(*a);
            expected[*b] += share(*b);
        }
    }
    for (i, id) in donations.iter().enumerate() {
        let shipped = int(
            &db,
            &format!("SELECT shipped_grams FROM donation WHERE id = {id}"),
        )
        .await;
        assert_eq!(
            shipped, expected[i],
            "donation {id}: what the winners asked for"
        );
        assert!(shipped <= grams[i], "never more than the donation");
        assert!(
            shipped >= share(i),
            "donation {id}: someone shipped from it (a refusal needs a full donation)"
        );
    }
    assert_totals_reconcile(&db).await;
}

#[tokio::test]
async fn concurrent_status_changes_follow_the_state_machine() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let donation = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM donation WHERE organization_id = {NGO_ORG} AND status = 'received' \
             AND shipped_grams = 0 AND grams >= 2000"
        ),
    )
    .await as i32;

    for round in 0..3 {
        let planned = ngo
            .gql(
                ops::PLAN_SHIPMENT,
                plan(
                    json!([{ "donationId": encode("Donation", donation).0, "kilograms": "0.5" }]),
                    &format!("machine-{round}"),
                ),
            )
            .await;
        let shipment = planned.data()["planShipment"]["shipment"]["id"].clone();
        let dispatches = {
            let ngo = ngo.clone();
            let shipment = shipment.clone();
            tokio::spawn(async move {
                all_at_once(
                    &ngo,
                    ops::DISPATCH_SHIPMENT,
                    vec![json!({ "shipmentId": shipment }); 6],
                )
                .await
            })
        };
        let confirmations = all_at_once(
            &ngo,
            ops::CONFIRM_DELIVERY,
            vec![json!({ "shipmentId": shipment, "note": "race" }); 6],
        )
        .await;
        let dispatches = dispatches.await.unwrap();
        let dispatched = dispatches.iter().filter(|g| succeeded(g)).count();
        let delivered = confirmations.iter().filter(|g| succeeded(g)).count();
        assert_eq!(dispatched, 1, "one dispatch, whatever the race");
        assert!(delivered <= 1, "at most one delivery");

        // The stored row agrees with the answers, and finishing it works.
        let id = birlik_api::graphql::relay::decode("Shipment", "id", shipment.as_str().unwrap())
            .unwrap();
        let status =
            crate::helpers::sql::text(&db, &format!("SELECT status FROM shipment WHERE id = {id}"))
                .await;
        assert_eq!(
            status,
            if delivered == 1 {
                "delivered"
            } else {
                "dispatched"
            }
        );
        if delivered == 0 {
            ngo.gql(ops::CONFIRM_DELIVERY, json!({ "shipmentId": shipment }))
                .await
                .data();
        }
        // A delivered shipment goes nowhere else.
        ngo.gql(ops::DISPATCH_SHIPMENT, json!({ "shipmentId": shipment }))
            .await
            .assert_code("CONFLICT");
        assert_eq!(
            crate::helpers::sql::text(&db, &format!("SELECT status FROM shipment WHERE id = {id}"))
                .await,
            "delivered"
        );
    }
    assert_totals_reconcile(&db).await;
}

#[tokio::test]
async fn one_version_is_overwritten_once() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let ngo = app.as_demo_ngo().await;
    let ministry = app.as_demo_ministry().await;
    // A task of the organization: its staff close it while the ministry cancels it, all from the
    // same version.
    for round in 0..3 {
        let starts = chrono::Utc::now() + chrono::Duration::hours(2);
        let posted = ngo
            .gql(
                ops::POST_TASK,
                json!({ "input": {
                    "title": format!("Разгрузка {round}"), "description": "Мешки с песком",
                    "kind": "LOADING", "regionCode": "KZ-39", "volunteersNeeded": 5,
                    "startsAt": starts, "endsAt": starts + chrono::Duration::hours(3),
                } }),
            )
            .await;
        let id = posted.data()["postTask"]["task"]["id"].clone();
        let task = birlik_api::graphql::relay::decode("Task", "id", id.as_str().unwrap()).unwrap();
        let version = int(&db, &format!("SELECT version FROM task WHERE id = {task}")).await;
        let done = {
            let ngo = ngo.clone();
            let id = id.clone();
            tokio::spawn(async move {
                all_at_once(
                    &ngo,
                    ops::UPDATE_TASK_STATUS,
                    vec![json!({ "taskId": id, "status": "DONE", "expectedVersion": version }); 4],
                )
                .await
            })
        };
        let cancelled = all_at_once(
            &ministry,
            ops::UPDATE_TASK_STATUS,
            vec![json!({ "taskId": id, "status": "CANCELLED", "expectedVersion": version }); 4],
        )
        .await;
        let done = done.await.unwrap();
        let won_done = done.iter().filter(|g| succeeded(g)).count();
        let won_cancel = cancelled.iter().filter(|g| succeeded(g)).count();
        assert_eq!(won_done + won_cancel, 1, "one change per version");
        let (status, stored) = (
            crate::helpers::sql::text(&db, &format!("SELECT status FROM task WHERE id = {task}"))
                .await,
            int(&db, &format!("SELECT version FROM task WHERE id = {task}")).await,
        );
        assert_eq!(status, if won_done == 1 { "done" } else { "cancelled" });
        assert_eq!(stored, version + 1);
    }
}
