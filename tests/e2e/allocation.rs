//! Allocation: shipment items that serve need lines, on SQLite and PostgreSQL. A planned item
//! allocates its kilograms to its line (same region, same category, an open need, never beyond
//! what the line requested); dispatch and delivery move the same kilograms on, cancelling frees
//! them; a refusal writes nothing; twenty planners racing for one line never over-allocate it;
//! and after every test each line's and need's figures are the sums over the items that serve it,
//! by the status of their shipments (the demo data's too).

use birlik_api::graphql::relay::encode;
use birlik_entity::enums::{DonationCategory, NeedPriority, NeedStatus};
use birlik_entity::{need, need_line};
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};
use serde_json::{Value, json};

use crate::helpers::client::{Client, Gql};
use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::{int, ints, text};

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

const ITEMS: &str = "query($id: ID!) { node(id: $id) { ... on Shipment { status items { kilograms needLineId } } } }";
const CANCEL: &str = "mutation($shipmentId: ID!, $expectedVersion: Int) { cancelShipment(shipmentId: $shipmentId, expectedVersion: $expectedVersion) { shipment { id status cancelledAt version } } }";

/// Every line's and need's figures are the sums over the shipment items that serve it, by their
/// shipment's status; the needs' counts of lines and complete lines follow; every item serving a
/// line goes to its need's region and carries its category.
pub async fn assert_counters_match_items(db: &DatabaseConnection) {
    let sum = |statuses: &str| {
        format!(
            "COALESCE((SELECT SUM(i.grams) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id \
             WHERE i.need_line_id = l.id AND s.status IN ({statuses})), 0)"
        )
    };
    let lines_off = int(
        db,
        &format!(
            "SELECT COUNT(*) FROM need_line l WHERE l.allocated_grams <> {} \
             OR l.dispatched_grams <> {} OR l.delivered_grams <> {}",
            sum("'planned', 'dispatched', 'delivered'"),
            sum("'dispatched', 'delivered'"),
            sum("'delivered'"),
        ),
    )
    .await;
    assert_eq!(lines_off, 0, "a line's figures are its items' sums");
    let of_lines = |what: &str| format!("(SELECT {what} FROM need_line l WHERE l.need_id = n.id)");
    let needs_off = int(
        db,
        &format!(
            "SELECT COUNT(*) FROM need n WHERE n.requested_grams <> {} OR n.allocated_grams <> {} \
             OR n.dispatched_grams <> {} OR n.delivered_grams <> {} OR n.line_count <> {} \
             OR n.complete_lines <> {}",
            of_lines("SUM(l.requested_grams)"),
            of_lines("SUM(l.allocated_grams)"),
            of_lines("SUM(l.dispatched_grams)"),
            of_lines("SUM(l.delivered_grams)"),
            of_lines("COUNT(*)"),
            of_lines("COUNT(CASE WHEN l.delivered_grams = l.requested_grams THEN 1 END)"),
        ),
    )
    .await;
    assert_eq!(needs_off, 0, "a need's figures are its lines' sums");
    let astray = int(
        db,
        "SELECT COUNT(*) FROM shipment_item i JOIN need_line l ON l.id = i.need_line_id \
         JOIN need n ON n.id = l.need_id JOIN shipment s ON s.id = i.shipment_id \
         JOIN donation d ON d.id = i.donation_id \
         WHERE s.destination_region_id <> n.region_id OR d.category <> l.category",
    )
    .await;
    assert_eq!(
        astray, 0,
        "an item serves a line of its region and category"
    );
}

/// A need raised directly in the database (raising one is another feature's): `lines` are
/// (category, requested grams). Returns the need's id and its lines' ids, in `lines`' order.
pub async fn need(
    db: &DatabaseConnection,
    region: &str,
    status: NeedStatus,
    lines: &[(DonationCategory, i64)],
) -> (i32, Vec<i32>) {
    let now = chrono::Utc::now();
    let region_id = int(
        db,
        &format!("SELECT id FROM region WHERE code = '{region}'"),
    )
    .await as i32;
    let open = status == NeedStatus::Open;
    let raised = need::ActiveModel {
        region_id: Set(region_id),
        shelter_id: Set(None),
        organization_id: Set(None),
        raised_by: Set(None),
        place: Set("Школа № 5".into()),
        priority: Set(NeedPriority::Urgent),
        needed_by: Set(now + chrono::Duration::days(2)),
        contact_phone: Set(None),
        note: Set(None),
        status: Set(status),
        close_reason: Set((status == NeedStatus::Closed)
            .then_some(birlik_entity::enums::NeedCloseReason::NoLongerNeeded)),
        closed_at: Set((!open).then_some(now)),
        line_count: Set(lines.len() as i32),
        complete_lines: Set(0),
        requested_grams: Set(lines.iter().map(|l| l.1).sum()),
        allocated_grams: Set(0),
        dispatched_grams: Set(0),
        delivered_grams: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for (category, grams) in lines {
        let line = need_line::ActiveModel {
            need_id: Set(raised.id),
            category: Set(*category),
            requested_grams: Set(*grams),
            allocated_grams: Set(0),
            dispatched_grams: Set(0),
            delivered_grams: Set(0),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        ids.push(line.id);
    }
    (raised.id, ids)
}

/// Untouched donations (of 2 kg or more, outside the affected regions) of the two most stocked
/// categories among those `owned` selects (at least `n` of the first): (category, donation ids)
/// each.
async fn stock_of(
    db: &DatabaseConnection,
    owned: &str,
    n: usize,
) -> [(DonationCategory, Vec<i32>); 2] {
    let untouched = format!(
        "{owned} AND status = 'received' AND shipped_grams = 0 AND grams >= 2000 \
         AND region_id IN (SELECT id FROM region WHERE NOT affected)"
    );
    let mut categories = Vec::new();
    for _ in 0..2 {
        let taken: Vec<String> = categories.iter().map(|(c, _)| format!("'{c}'")).collect();
        let not_taken = if taken.is_empty() {
            String::new()
        } else {
            format!(" AND category NOT IN ({})", taken.join(", "))
        };
        let category = text(
            db,
            &format!(
                "SELECT category FROM donation WHERE {untouched}{not_taken} \
                 GROUP BY category ORDER BY COUNT(*) DESC, category LIMIT 1"
            ),
        )
        .await;
        let ids = ints(
            db,
            &format!(
                "SELECT id FROM donation WHERE {untouched} AND category = '{category}' ORDER BY id"
            ),
        )
        .await;
        categories.push((category, ids));
    }
    assert!(
        categories[0].1.len() >= n,
        "the NGO has {n} donations of one category"
    );
    categories
        .into_iter()
        .map(|(c, ids)| {
            let category = <DonationCategory as sea_orm::ActiveEnum>::try_from_value(&c).unwrap();
            (category, ids.into_iter().map(|i| i as i32).collect())
        })
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

/// The demo NGO's stock (see `stock_of`).
async fn stock(db: &DatabaseConnection, n: usize) -> [(DonationCategory, Vec<i32>); 2] {
    stock_of(db, &format!("organization_id = {NGO_ORG}"), n).await
}

fn item(donation: i32, kilograms: &str, line: Option<i32>) -> Value {
    let mut item = json!({ "donationId": encode("Donation", donation).0, "kilograms": kilograms });
    if let Some(line) = line {
        item["needLineId"] = json!(encode("NeedLine", line).0);
    }
    item
}

fn plan(destination: &str, items: Vec<Value>, key: &str) -> Value {
    json!({ "input": {
        "destinationRegionCode": destination,
        "items": items,
        "vehicle": "КамАЗ 65117, 123 KZ 02",
        "driverName": "Ерлан Сапаров",
        "idempotencyKey": key,
    }})
}

/// (allocated, dispatched, delivered) grams of a line.
async fn figures(db: &DatabaseConnection, table: &str, id: i32) -> (i64, i64, i64) {
    let column = |c: &str| format!("SELECT {c} FROM {table} WHERE id = {id}");
    (
        int(db, &column("allocated_grams")).await,
        int(db, &column("dispatched_grams")).await,
        int(db, &column("delivered_grams")).await,
    )
}

fn shipment_of(gql: &Gql) -> String {
    gql.data()["planShipment"]["shipment"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn moved(client: &Client, op: &str, shipment: &str) {
    let gql = client.gql(op, json!({ "shipmentId": shipment })).await;
    gql.data();
}

#[tokio::test]
async fn an_item_serves_its_line_and_dispatch_and_delivery_move_the_same_kilograms() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let [(water, ours), (other, theirs)] = stock(&db, 2).await;
    let (need_id, lines) = need(
        &db,
        "KZ-39",
        NeedStatus::Open,
        &[(water, 3_000), (other, 1_500)],
    )
    .await;

    // 1 kg for the first line, 1.5 kg (all of it) for the second, and 0.25 kg serving none.
    let first = ngo
        .gql(
            ops::PLAN_SHIPMENT,
            plan(
                "KZ-39",
                vec![
                    item(ours[0], "1", Some(lines[0])),
                    item(theirs[0], "1.5", Some(lines[1])),
                    item(ours[1], "0.25", None),
                ],
                "serve-1",
            ),
        )
        .await;
    let first = shipment_of(&first);
    let read = ngo.gql(ITEMS, json!({ "id": first })).await;
    let served: Vec<Value> = read.data()["node"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["needLineId"].clone())
        .collect();
    for line in &lines {
        assert!(
            served.contains(&json!(encode("NeedLine", *line).0)),
            "{served:?}"
        );
    }
    assert!(
        served.contains(&Value::Null),
        "an item serving no line: {served:?}"
    );
    assert_eq!(figures(&db, "need_line", lines[0]).await, (1_000, 0, 0));
    assert_eq!(figures(&db, "need_line", lines[1]).await, (1_500, 0, 0));
    assert_eq!(figures(&db, "need", need_id).await, (2_500, 0, 0));
    assert_counters_match_items(&db).await;

    moved(&ngo, ops::DISPATCH_SHIPMENT, &first).await;
    assert_eq!(figures(&db, "need_line", lines[0]).await, (1_000, 1_000, 0));
    assert_eq!(figures(&db, "need", need_id).await, (2_500, 2_500, 0));
    let complete = format!("SELECT complete_lines FROM need WHERE id = {need_id}");
    assert_eq!(int(&db, &complete).await, 0);
    assert_counters_match_items(&db).await;

    moved(&ngo, ops::CONFIRM_DELIVERY, &first).await;
    assert_eq!(
        figures(&db, "need_line", lines[0]).await,
        (1_000, 1_000, 1_000)
    );
    assert_eq!(
        figures(&db, "need_line", lines[1]).await,
        (1_500, 1_500, 1_500)
    );
    assert_eq!(figures(&db, "need", need_id).await, (2_500, 2_500, 2_500));
    assert_eq!(int(&db, &complete).await, 1, "the second line is complete");
    assert_counters_match_items(&db).await;

    // The rest of the first line, in two items of the same donation: the need is complete.
    let second = ngo
        .gql(
            ops::PLAN_SHIPMENT,
            plan(
                "KZ-39",
                vec![
                    item(ours[0], "0.5", Some(lines[0])),
                    item(ours[0], "1.5", Some(lines[0])),
                ],
                "serve-2",
            ),
        )
        .await;
    let second = shipment_of(&second);
    assert_eq!(
        figures(&db, "need_line", lines[0]).await,
        (3_000, 1_000, 1_000)
    );
    moved(&ngo, ops::DISPATCH_SHIPMENT, &second).await;
    moved(&ngo, ops::CONFIRM_DELIVERY, &second).await;
    assert_eq!(
        figures(&db, "need_line", lines[0]).await,
        (3_000, 3_000, 3_000)
    );
    assert_eq!(figures(&db, "need", need_id).await, (4_500, 4_500, 4_500));
    assert_eq!(int(&db, &complete).await, 2, "every line is complete");
    assert_counters_match_items(&db).await;
}

#[tokio::test]
async fn cancelling_a_planned_shipment_frees_its_lines_and_returns_its_stock() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let [(water, ours), _] = stock(&db, 2).await;
    let (need_id, lines) = need(&db, "KZ-11", NeedStatus::Open, &[(water, 2_000)]).await;
    let shipped = |id: i32| format!("SELECT shipped_grams FROM donation WHERE id = {id}");
    let status = |id: i32| format!("SELECT status FROM donation WHERE id = {id}");

    let planned = ngo
        .gql(
            ops::PLAN_SHIPMENT,
            plan(
                "KZ-11",
                vec![item(ours[0], "2", Some(lines[0]))],
                "cancel-1",
            ),
        )
        .await;
    let planned = shipment_of(&planned);
    assert_eq!(figures(&db, "need", need_id).await, (2_000, 0, 0));
    assert_eq!(int(&db, &shipped(ours[0])).await, 2_000);
    let events =
        "SELECT COUNT(*) FROM audit_event WHERE action = 'cancelled' AND entity = 'shipment'";
    let before = int(&db, events).await;

    // A stale version is refused and changes nothing.
    let stale = ngo
        .gql(
            CANCEL,
            json!({ "shipmentId": planned, "expectedVersion": 7 }),
        )
        .await;
    stale.assert_code("CONFLICT");
    assert_eq!(figures(&db, "need", need_id).await, (2_000, 0, 0));

    let cancelled = ngo.gql(CANCEL, json!({ "shipmentId": planned })).await;
    assert_eq!(
        cancelled.data()["cancelShipment"]["shipment"]["status"],
        "CANCELLED"
    );
    assert_eq!(figures(&db, "need_line", lines[0]).await, (0, 0, 0));
    assert_eq!(figures(&db, "need", need_id).await, (0, 0, 0));
    assert_eq!(int(&db, &shipped(ours[0])).await, 0, "back in stock");
    assert_eq!(text(&db, &status(ours[0])).await, "received");
    assert_eq!(int(&db, events).await, before + 1, "on the audit trail");
    assert_counters_match_items(&db).await;
    // Cancelled is final.
    ngo.gql(CANCEL, json!({ "shipmentId": planned }))
        .await
        .assert_code("CONFLICT");

    // The freed kilograms can be planned again; once dispatched, a shipment is not cancelled.
    let again = ngo
        .gql(
            ops::PLAN_SHIPMENT,
            plan(
                "KZ-11",
                vec![item(ours[0], "2", Some(lines[0]))],
                "cancel-2",
            ),
        )
        .await;
    let again = shipment_of(&again);
    moved(&ngo, ops::DISPATCH_SHIPMENT, &again).await;
    ngo.gql(CANCEL, json!({ "shipmentId": again }))
        .await
        .assert_code("CONFLICT");
    assert_eq!(figures(&db, "need", need_id).await, (2_000, 2_000, 0));
    // Another organization's shipment is not ours to cancel.
    let foreign = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM shipment WHERE organization_id <> {NGO_ORG} AND status = 'planned'"
        ),
    )
    .await as i32;
    ngo.gql(
        CANCEL,
        json!({ "shipmentId": encode("Shipment", foreign).0 }),
    )
    .await
    .assert_code("FORBIDDEN");
    assert_counters_match_items(&db).await;
}

/// What a refusal must leave as it was.
async fn snapshot(db: &DatabaseConnection) -> Vec<i64> {
    vec![
        int(db, "SELECT COUNT(*) FROM shipment").await,
        int(db, "SELECT COUNT(*) FROM shipment_item").await,
        int(
            db,
            "SELECT CAST(COALESCE(SUM(shipped_grams), 0) AS BIGINT) FROM donation",
        )
        .await,
        int(
            db,
            "SELECT CAST(COALESCE(SUM(allocated_grams), 0) AS BIGINT) FROM need_line",
        )
        .await,
        int(
            db,
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM need_line",
        )
        .await,
        int(
            db,
            "SELECT CAST(COALESCE(SUM(version), 0) AS BIGINT) FROM need",
        )
        .await,
        int(db, "SELECT COUNT(*) FROM audit_event").await,
    ]
}

#[tokio::test]
async fn a_line_is_served_only_in_its_region_category_and_open_need_and_never_beyond_it() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let [(water, ours), (_, theirs)] = stock(&db, 2).await;
    let (_, open) = need(&db, "KZ-39", NeedStatus::Open, &[(water, 2_500)]).await;
    let (_, closed) = need(&db, "KZ-39", NeedStatus::Closed, &[(water, 2_500)]).await;
    let (_, cancelled) = need(&db, "KZ-39", NeedStatus::Cancelled, &[(water, 2_500)]).await;
    let line = |id: i32| json!(encode("NeedLine", id).0);
    let (_, second) = need(&db, "KZ-39", NeedStatus::Open, &[(water, 2_500)]).await;
    let before = snapshot(&db).await;

    let refused = |items: Vec<Value>, destination: &'static str| {
        let ngo = ngo.clone();
        async move {
            ngo.gql(ops::PLAN_SHIPMENT, plan(destination, items, "refused"))
                .await
        }
    };
    // Another region.
    let gql = refused(vec![item(ours[0], "1", Some(open[0]))], "KZ-11").await;
    gql.assert_code("BAD_USER_INPUT");
    assert!(
        gql.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("KZ-39")
    );
    // Another category.
    refused(vec![item(theirs[0], "1", Some(open[0]))], "KZ-39")
        .await
        .assert_code("BAD_USER_INPUT");
    // A need that is no longer open, even alongside a good item.
    for line_id in [closed[0], cancelled[0]] {
        let gql = refused(
            vec![
                item(ours[1], "1", Some(open[0])),
                item(ours[0], "1", Some(line_id)),
            ],
            "KZ-39",
        )
        .await;
        gql.assert_code("CONFLICT");
        assert_eq!(
            gql.body["errors"][0]["extensions"]["current"]["needLineId"],
            line(line_id)
        );
    }
    // Beyond what the line requested, though each item alone fits.
    let gql = refused(
        vec![
            item(ours[0], "1.5", Some(open[0])),
            item(ours[1], "1.5", Some(open[0])),
        ],
        "KZ-39",
    )
    .await;
    gql.assert_code("CONFLICT");
    let current = &gql.body["errors"][0]["extensions"]["current"];
    assert_eq!(current["needLineId"], line(open[0]), "{}", gql.body);
    assert_eq!(current["outstandingKilograms"], "2.5");
    // One donation serving two lines on one shipment (it is one item of it).
    refused(
        vec![
            item(ours[0], "1", Some(open[0])),
            item(ours[0], "1", Some(second[0])),
        ],
        "KZ-39",
    )
    .await
    .assert_code("BAD_USER_INPUT");
    // No such line; an id of another type.
    refused(vec![item(ours[0], "1", Some(i32::MAX - 1))], "KZ-39")
        .await
        .assert_code("NOT_FOUND");
    let mut wrong = item(ours[0], "1", None);
    wrong["needLineId"] = json!(encode("Donation", ours[0]).0);
    refused(vec![wrong], "KZ-39")
        .await
        .assert_code("BAD_USER_INPUT");
    assert_eq!(snapshot(&db).await, before, "no refusal wrote anything");

    // What is left fits exactly.
    let gql = ngo
        .gql(
            ops::PLAN_SHIPMENT,
            plan("KZ-39", vec![item(ours[0], "2.5", Some(open[0]))], "fits"),
        )
        .await;
    gql.data();
    assert_eq!(figures(&db, "need_line", open[0]).await, (2_500, 0, 0));
    let gql = refused(vec![item(ours[1], "0.001", Some(open[0]))], "KZ-39").await;
    gql.assert_code("CONFLICT");
    assert_eq!(
        gql.body["errors"][0]["extensions"]["current"]["outstandingKilograms"],
        "0"
    );
    assert_counters_match_items(&db).await;
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

#[tokio::test]
async fn twenty_planners_never_over_allocate_one_line() {
    let app = spawn_app_with_demo().await;
    // The ministry plans from any organization's stock: twenty donations, twenty shipments.
    let ngo = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let [(water, ours), _] = stock_of(&db, "organization_id IS NOT NULL", 25).await;
    // Seven kilograms requested; twenty planners ask for one each, from twenty donations.
    let (need_id, lines) = need(&db, "KZ-39", NeedStatus::Open, &[(water, 7_000)]).await;
    let inputs = (0..20)
        .map(|n| {
            plan(
                "KZ-39",
                vec![item(ours[n], "1", Some(lines[0]))],
                &format!("race-{n}"),
            )
        })
        .collect();
    let results = all_at_once(&ngo, ops::PLAN_SHIPMENT, inputs).await;
    let mut won = Vec::new();
    for gql in &results {
        if gql.body.get("errors").is_none() {
            won.push(shipment_of(gql));
        } else {
            gql.assert_code("CONFLICT");
            assert_eq!(
                gql.body["errors"][0]["extensions"]["current"]["needLineId"],
                json!(encode("NeedLine", lines[0]).0),
                "a refusal names the line: {}",
                gql.body
            );
        }
    }
    assert_eq!(
        won.len(),
        7,
        "exactly what the line requested was allocated"
    );
    assert_eq!(figures(&db, "need_line", lines[0]).await, (7_000, 0, 0));
    assert_eq!(figures(&db, "need", need_id).await, (7_000, 0, 0));
    let live = int(
        &db,
        &format!(
            "SELECT COUNT(*) FROM shipment_item WHERE need_line_id = {}",
            lines[0]
        ),
    )
    .await;
    assert_eq!(live, 7);
    assert_counters_match_items(&db).await;

    // Then, all at once: four dispatched and three cancelled; then the four delivered and five
    // more planners for the three freed kilograms.
    let dispatch = won[..4]
        .iter()
        .map(|s| json!({ "shipmentId": s }))
        .collect();
    let cancel = won[4..]
        .iter()
        .map(|s| json!({ "shipmentId": s }))
        .collect();
    let (dispatched, cancelled) = tokio::join!(
        all_at_once(&ngo, ops::DISPATCH_SHIPMENT, dispatch),
        all_at_once(&ngo, CANCEL, cancel)
    );
    for gql in dispatched.iter().chain(&cancelled) {
        gql.data();
    }
    let deliver = won[..4]
        .iter()
        .map(|s| json!({ "shipmentId": s }))
        .collect();
    let replan = (0..5)
        .map(|n| {
            plan(
                "KZ-39",
                vec![item(ours[n + 20], "1", Some(lines[0]))],
                &format!("again-{n}"),
            )
        })
        .collect();
    let (delivered, replanned) = tokio::join!(
        all_at_once(&ngo, ops::CONFIRM_DELIVERY, deliver),
        all_at_once(&ngo, ops::PLAN_SHIPMENT, replan)
    );
    for gql in &delivered {
        gql.data();
    }
    let again = replanned
        .iter()
        .filter(|gql| {
            gql.body.get("errors").is_none() || {
                gql.assert_code("CONFLICT");
                false
            }
        })
        .count();
    assert_eq!(again, 3, "the three freed kilograms, once each");
    assert_eq!(
        figures(&db, "need_line", lines[0]).await,
        (7_000, 4_000, 4_000)
    );
    assert_eq!(figures(&db, "need", need_id).await, (7_000, 4_000, 4_000));
    assert_counters_match_items(&db).await;
}

#[tokio::test]
async fn the_demo_needs_are_served_by_its_shipments() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    assert_counters_match_items(&db).await;
    // Needs in each of the ten affected regions; some complete, some partly met, some not at all.
    let regions = int(
        &db,
        "SELECT COUNT(DISTINCT n.region_id) FROM need n JOIN region r ON r.id = n.region_id WHERE r.affected",
    )
    .await;
    assert_eq!(regions, 10);
    let unaffected = int(
        &db,
        "SELECT COUNT(*) FROM need n JOIN region r ON r.id = n.region_id WHERE NOT r.affected",
    )
    .await;
    assert_eq!(unaffected, 0);
    let complete = int(
        &db,
        "SELECT COUNT(*) FROM need WHERE complete_lines = line_count",
    )
    .await;
    let partly = int(
        &db,
        "SELECT COUNT(*) FROM need WHERE delivered_grams > 0 AND complete_lines < line_count",
    )
    .await;
    let none = int(&db, "SELECT COUNT(*) FROM need WHERE delivered_grams = 0").await;
    assert!(
        complete > 0 && partly > 0 && none > 0,
        "{complete} {partly} {none}"
    );
    let in_transit = int(
        &db,
        "SELECT COUNT(*) FROM need WHERE allocated_grams > delivered_grams",
    )
    .await;
    assert!(in_transit > 0, "some lines have kilograms on the way");
    let outstanding = int(
        &db,
        "SELECT COUNT(*) FROM need WHERE status = 'open' AND requested_grams > allocated_grams",
    )
    .await;
    assert!(
        outstanding > 0,
        "some open needs still want kilograms nobody covers"
    );
    // Delivered to needs is part of the delivered 8,905 t.
    let to_needs = int(
        &db,
        "SELECT CAST(COALESCE(SUM(delivered_grams), 0) AS BIGINT) FROM need",
    )
    .await;
    assert!(to_needs > 0 && to_needs <= 8_905_000_000, "{to_needs}");
    let closed = int(
        &db,
        "SELECT COUNT(*) FROM need WHERE status = 'closed' AND close_reason = 'met' AND complete_lines = line_count",
    )
    .await;
    assert!(closed > 0, "some met needs are closed");
}
