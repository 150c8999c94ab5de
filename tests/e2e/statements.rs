//! Every client operation costs a fixed number of SQL statements, whatever the page size: the
//! relations of a page are loaded in batches, reference data comes from memory. The counts of a
//! signed-in caller include the one lookup that checks the account is still enabled.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::client::Client;
use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::int;

async fn cost(app: &TestApp, client: &Client, op: &str, variables: Value) -> u64 {
    let before = app.statements().await;
    let gql = client.gql(op, variables).await;
    gql.data();
    app.statements().await - before
}

#[tokio::test]
async fn every_query_of_the_clients_costs_a_fixed_number_of_statements() {
    let app = spawn_app_with_demo().await;
    let (anonymous, ministry, ngo, volunteer) = (
        app.anonymous(),
        app.as_demo_ministry().await,
        app.as_demo_ngo().await,
        app.as_demo_volunteer().await,
    );
    // (operation, client, variables for a small page, for a large page, statements)
    let cases: Vec<(&str, &Client, Value, Value, u64)> = vec![
        (ops::RELIEF_SUMMARY, &anonymous, json!({}), json!({}), 1),
        (ops::SITUATION, &anonymous, json!({}), json!({}), 1),
        // totals, page; regions from memory
        (
            ops::SHELTERS,
            &anonymous,
            json!({ "first": 1 }),
            json!({ "first": 100 }),
            2,
        ),
        (ops::REGIONS_OVERVIEW, &ministry, json!({}), json!({}), 2),
        // page, count, organizations
        (
            ops::WHERE_TO_BRING_AID,
            &anonymous,
            json!({ "regionCode": "KZ-71", "first": 1 }),
            json!({ "regionCode": "KZ-71", "first": 100 }),
            3,
        ),
        // page with its totals (issue 17: the totals were a statement of their own), collection
        // points
        (
            ops::ORGANIZATION_DONATIONS,
            &ngo,
            json!({ "first": 10 }),
            json!({ "first": 100 }),
            3,
        ),
        // the GROUP BY; regions from memory
        (
            ops::DONATION_STATS,
            &ministry,
            json!({ "groupBy": ["REGION", "CATEGORY"] }),
            json!({ "groupBy": ["REGION", "CATEGORY", "DAY"] }),
            2,
        ),
        // the GROUP BY and the organizations of its rows
        (
            ops::DONATION_STATS,
            &ministry,
            json!({ "groupBy": ["ORGANIZATION"] }),
            json!({ "groupBy": ["ORGANIZATION", "CATEGORY"] }),
            3,
        ),
        (
            ops::SHIPMENT_FLOWS,
            &ministry,
            json!({ "status": ["DELIVERED"] }),
            json!({}),
            2,
        ),
        // the account, its volunteer record, the volunteer's organization
        (ops::ME, &volunteer, json!({}), json!({}), 4),
        // page with the volunteer's region and the count read within it (issue 17: each was a
        // statement of its own), collection points
        (
            ops::OPEN_TASKS,
            &volunteer,
            json!({ "first": 2 }),
            json!({ "first": 100 }),
            3,
        ),
        // account, page with the sync clock's watermark (issue 17: one statement, one
        // snapshot), collection points, shipments
        (
            ops::MY_TASKS,
            &volunteer,
            json!({ "first": 3 }),
            json!({ "first": 100 }),
            4,
        ),
    ];
    for (op, client, small, large, expected) in cases {
        let name = op.lines().find(|l| l.starts_with("query")).unwrap_or(op);
        assert_eq!(cost(&app, client, op, small).await, expected, "{name}");
        assert_eq!(
            cost(&app, client, op, large).await,
            expected,
            "{name} (large)"
        );
    }
    // AdHocDonations: page with its totals (issue 17: were a statement of their own),
    // organizations, collection points.
    assert_eq!(
        cost(&app, &ministry, ops::AD_HOC_DONATIONS, json!({})).await,
        4
    );
}

#[tokio::test]
async fn every_mutation_of_the_clients_costs_a_fixed_number_of_statements() {
    let app = spawn_app_with_demo().await;
    let (ministry, ngo, volunteer) = (
        app.as_demo_ministry().await,
        app.as_demo_ngo().await,
        app.as_demo_volunteer().await,
    );
    let db = app.db.connect().await;
    let org = "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";
    let point = int(
        &db,
        &format!("SELECT MIN(id) FROM collection_point WHERE organization_id = {org}"),
    )
    .await as i32;
    let enc = |k: &str, id: i64| birlik_api::graphql::relay::encode(k, id as i32).0;

    // replay check, point, organization, insert, key, audit; then point and organization for the answer
    let register = json!({ "input": { "collectionPointId": enc("CollectionPoint", point.into()), "category": "FOOD", "kilograms": 10, "idempotencyKey": "s1" } });
    assert_eq!(
        cost(&app, &ngo, ops::REGISTER_DONATION, register.clone()).await,
        9
    );
    // a replay: the key, the donation; then point and organization
    assert_eq!(cost(&app, &ngo, ops::REGISTER_DONATION, register).await, 5);

    let donation = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM donation WHERE organization_id = {org} AND status = 'received'"
        ),
    )
    .await;
    let items = |n: usize| {
        (0..n)
            .map(|_| json!({ "donationId": enc("Donation", donation), "kilograms": "0.001" }))
            .collect::<Vec<_>>()
    };
    let plan = |key: &str, n: usize| json!({ "input": { "destinationRegionCode": "KZ-39", "items": items(n), "vehicle": "ГАЗель", "driverName": "Серик", "idempotencyKey": key } });
    // replay check, donations, insert shipment, (load + item) per donation, key, audit; then totals, items, donations
    let one = cost(&app, &ngo, ops::PLAN_SHIPMENT, plan("p1", 1)).await;
    assert_eq!(one, 11);
    let shipment = int(&db, "SELECT MAX(id) FROM shipment").await;
    // read, update, whether it serves need lines, read back, audit; then nothing more
    assert_eq!(
        cost(
            &app,
            &ngo,
            ops::DISPATCH_SHIPMENT,
            json!({ "shipmentId": enc("Shipment", shipment) })
        )
        .await,
        6
    );
    // receiving check (the shipment, the organization's points), read, update, whether it serves
    // need lines, read back, audit; then the totals
    assert_eq!(
        cost(
            &app,
            &ngo,
            ops::CONFIRM_DELIVERY,
            json!({ "shipmentId": enc("Shipment", shipment) })
        )
        .await,
        9
    );

    // Items serving need lines: one line, then two lines of two needs.
    let in_stock = format!(
        "organization_id = {org} AND status IN ('received', 'partly_shipped') AND shipped_grams < grams"
    );
    let category = crate::helpers::sql::text(
        &db,
        &format!(
            "SELECT category FROM donation WHERE {in_stock} GROUP BY category \
             ORDER BY COUNT(*) DESC, category LIMIT 1"
        ),
    )
    .await;
    let from = crate::helpers::sql::ints(
        &db,
        &format!("SELECT id FROM donation WHERE {in_stock} AND category = '{category}' ORDER BY id LIMIT 3"),
    )
    .await;
    let category =
        <birlik_entity::enums::DonationCategory as sea_orm::ActiveEnum>::try_from_value(&category)
            .unwrap();
    let mut lines = Vec::new();
    for _ in 0..3 {
        let (_, ids) = crate::allocation::need(
            &db,
            "KZ-39",
            birlik_entity::enums::NeedStatus::Open,
            &[(category, 10)],
        )
        .await;
        lines.push(ids[0]);
    }
    let serving = |key: &str, lines: &[i32]| {
        let items: Vec<Value> = lines
            .iter()
            .zip(&from)
            .map(|(l, d)| json!({ "donationId": enc("Donation", *d), "kilograms": "0.001", "needLineId": enc("NeedLine", (*l).into()) }))
            .collect();
        json!({ "input": { "destinationRegionCode": "KZ-39", "items": items, "vehicle": "ГАЗель", "driverName": "Серик", "idempotencyKey": key } })
    };
    // as above with one item, and the line with its need, the line's allocation, the need's
    let served = cost(&app, &ngo, ops::PLAN_SHIPMENT, serving("p2", &lines[..1])).await;
    assert_eq!(served, 11 + 3);
    // one more donation (its load, its item); the lines with their needs, then per line its
    // allocation and its need's
    let served = cost(&app, &ngo, ops::PLAN_SHIPMENT, serving("p3", &lines[1..])).await;
    assert_eq!(served, 11 + 2 + 1 + 2 * 2);
    // the shipment serving one line, then the one serving two
    for back in [1, 0] {
        let id = int(&db, &format!("SELECT MAX(id) - {back} FROM shipment")).await;
        let moved = json!({ "shipmentId": enc("Shipment", id) });
        // as above, and the lines' figures, their needs' sums: whatever the number of lines
        assert_eq!(
            cost(&app, &ngo, ops::DISPATCH_SHIPMENT, moved.clone()).await,
            6 + 2
        );
        assert_eq!(cost(&app, &ngo, ops::CONFIRM_DELIVERY, moved).await, 9 + 2);
    }

    let starts = chrono::Utc::now() + chrono::Duration::hours(3);
    let post = json!({ "input": { "title": "Погрузка", "kind": "LOADING", "regionCode": "KZ-39", "startsAt": starts,
        "endsAt": starts + chrono::Duration::hours(2), "volunteersNeeded": 2, "idempotencyKey": "t1" } });
    // replay check, organization, insert, the sync clock's stamp and the task's, key, audit
    assert_eq!(cost(&app, &ngo, ops::POST_TASK, post.clone()).await, 8);
    let task = int(&db, "SELECT MAX(id) FROM task").await;
    // replay check, task, volunteer, holds, take place, claim, settle the task's status from
    // its places, the sync clock's stamp and the task's, key, audit, read back
    assert_eq!(
        cost(
            &app,
            &volunteer,
            ops::CLAIM_TASK,
            json!({ "taskId": enc("Task", task), "idempotencyKey": "c1" })
        )
        .await,
        13
    );
    let version = int(
        &db,
        &format!("SELECT CAST(version AS BIGINT) FROM task WHERE id = {task}"),
    )
    .await;
    // read, the claim, move it, audit it, settle the task from its places, the sync clock's
    // stamp and the task's, read back
    let update =
        json!({ "taskId": enc("Task", task), "status": "IN_PROGRESS", "expectedVersion": version });
    assert_eq!(
        cost(&app, &volunteer, ops::UPDATE_TASK_STATUS, update).await,
        9
    );

    let unverified = int(
        &db,
        "SELECT MIN(id) FROM organization WHERE verified_at IS NULL",
    )
    .await;
    // read, update, audit, read back
    assert_eq!(
        cost(
            &app,
            &ministry,
            ops::VERIFY_ORGANIZATION,
            json!({ "organizationId": enc("Organization", unverified) })
        )
        .await,
        5
    );
}

#[tokio::test]
async fn relations_under_thousands_of_rows_load_in_one_batch_each() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    // Some 4,000 groups, each following its organization and collection point: one statement
    // for the groups and one per relation, however long resolving the rows takes.
    let query = "{ donationStats(groupBy: [DAY, COLLECTION_POINT]) { donationCount
        collectionPoint { name organization { name } } } }";
    let gql = ministry.gql(query, json!({})).await;
    let rows = gql.data()["donationStats"].as_array().unwrap().len();
    assert!(rows > 3000, "{rows} groups");
    for _ in 0..3 {
        // the account, the groups, the collection points, their organizations
        assert_eq!(cost(&app, &ministry, query, json!({})).await, 4);
    }
}

#[tokio::test]
async fn the_campaign_figures_are_read_once_per_request_however_many_places_ask() {
    // No server keeps figures between requests (they come from the rollups), so every read
    // would be a statement: the request reads them once, whether one field asks or many,
    // at any depth, in however many batches their timing splits them.
    let app = spawn_app_with_demo().await;
    let anonymous = app.anonymous();
    let once = "{ reliefSummary { collectedTonnes } }";
    let many = "{ a: reliefSummary { collectedTonnes } b: reliefSummary { deliveredTonnes }
        regions { collectedTonnes receivedKilograms
          collectionPoints(first: 3) { nodes { region { shippedOutTonnes } } } }
        c: region(code: \"KZ-11\") { receivedTonnes collectionPoints { nodes { region {
          collectedKilograms collectionPoints(first: 2) { nodes { region { volunteerCount } } }
        } } } } }";
    let one = cost(&app, &anonymous, once, json!({})).await;
    assert_eq!(one, 1, "the figures are one statement");
    for _ in 0..3 {
        let cost_many = cost(&app, &anonymous, many, json!({})).await;
        // the figures, and the collection point pages: one per page size (3, the default, 2)
        assert_eq!(cost_many, one + 3, "{many}");
    }
}
