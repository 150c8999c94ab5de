//! The NGO portal's and the volunteer app's mutations, as the clients send them, checked against
//! the database: one effect per call, one per idempotency key, nothing written on refusal.

use birlik_api::graphql::relay::encode;
use serde_json::{Value, json};

use crate::helpers::client::Client;
use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::{int, thousandths};

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

async fn own_point(db: &sea_orm::DatabaseConnection) -> i32 {
    int(
        db,
        &format!("SELECT MIN(id) FROM collection_point WHERE organization_id = {NGO_ORG}"),
    )
    .await as i32
}

fn donation_input(point: i32, kilograms: Value, key: &str) -> Value {
    json!({ "input": {
        "collectionPointId": encode("CollectionPoint", point).0,
        "category": "DRINKING_WATER",
        "kilograms": kilograms,
        "itemCount": 40,
        "description": "вода 5 л",
        "donorName": "Асель Касымова",
        "idempotencyKey": key,
    }})
}

#[tokio::test]
async fn register_donation_writes_one_donation_per_key() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let point = own_point(&db).await;
    let count = || async { int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation").await };
    let before = count().await;

    let first = ngo
        .gql(
            ops::REGISTER_DONATION,
            donation_input(point, json!(240.5), "key-1"),
        )
        .await;
    let donation = first.data()["registerDonation"]["donation"].clone();
    assert_eq!(donation["kilograms"], "240.5");
    assert_eq!(donation["status"], "RECEIVED");
    assert_eq!(donation["category"], "DRINKING_WATER");
    assert_eq!(
        donation["collectionPoint"]["id"],
        encode("CollectionPoint", point).0
    );
    assert_eq!(count().await, before + 1);
    let id = birlik_api::graphql::relay::decode("Donation", "id", donation["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        int(&db, &format!("SELECT grams FROM donation WHERE id = {id}")).await,
        240_500
    );

    // The app retries after a lost answer: the same donation, not a second one.
    let retry = ngo
        .gql(
            ops::REGISTER_DONATION,
            donation_input(point, json!(240.5), "key-1"),
        )
        .await;
    assert_eq!(
        retry.data()["registerDonation"]["donation"]["id"],
        donation["id"]
    );
    assert_eq!(count().await, before + 1);
    // The same key for something else is refused.
    ngo.gql(
        ops::REGISTER_DONATION,
        donation_input(point, json!(99), "key-1"),
    )
    .await
    .assert_code("CONFLICT");
    assert_eq!(count().await, before + 1);
}

#[tokio::test]
async fn register_donation_refuses_bad_input_and_other_organizations_points() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let point = own_point(&db).await;
    let before = int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation").await;
    for (kilograms, field) in [
        (json!(0), "input.kilograms"),
        (json!(-5), "input.kilograms"),
        (json!("0.0001"), "input.kilograms"),
        (json!(5_000_000), "input.kilograms"),
    ] {
        let gql = ngo
            .gql(
                ops::REGISTER_DONATION,
                donation_input(point, kilograms.clone(), "k"),
            )
            .await;
        gql.assert_code("BAD_USER_INPUT");
        assert_eq!(
            gql.body["errors"][0]["extensions"]["field"], field,
            "{kilograms}"
        );
    }
    let foreign = int(
        &db,
        &format!("SELECT MIN(id) FROM collection_point WHERE organization_id <> {NGO_ORG}"),
    )
    .await as i32;
    ngo.gql(
        ops::REGISTER_DONATION,
        donation_input(foreign, json!(10), "k2"),
    )
    .await
    .assert_code("FORBIDDEN");
    app.as_demo_volunteer()
        .await
        .gql(
            ops::REGISTER_DONATION,
            donation_input(point, json!(10), "k3"),
        )
        .await
        .assert_code("FORBIDDEN");
    app.anonymous()
        .gql(
            ops::REGISTER_DONATION,
            donation_input(point, json!(10), "k4"),
        )
        .await
        .assert_code("UNAUTHENTICATED");
    let missing = ngo
        .gql(
            ops::REGISTER_DONATION,
            donation_input(99_999, json!(10), "k5"),
        )
        .await;
    missing.assert_code("NOT_FOUND");
    assert_eq!(
        int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM donation").await,
        before,
        "nothing was written"
    );
}

/// A donation of the demo NGO with at least `kg` kilograms in stock.
async fn stock(db: &sea_orm::DatabaseConnection, kg: i64) -> (i32, i64) {
    let id = int(
        db,
        &format!("SELECT MIN(id) FROM donation WHERE organization_id = {NGO_ORG} AND status = 'received' AND grams >= {}", kg * 1000),
    )
    .await as i32;
    (
        id,
        int(db, &format!("SELECT grams FROM donation WHERE id = {id}")).await,
    )
}

fn plan_input(items: Value, key: &str) -> Value {
    json!({ "input": {
        "destinationRegionCode": "KZ-39",
        "items": items,
        "vehicle": "КамАЗ-65117, 123 ABC 01",
        "driverName": "Ерлан Сапаров",
        "driverPhone": "+7 701 555 12 34",
        "idempotencyKey": key,
    }})
}

#[tokio::test]
async fn a_shipment_goes_from_plan_to_delivery_and_counts_in_the_figures() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let (donation, grams) = stock(&db, 20).await;
    let planned = ngo
        .gql(
            ops::PLAN_SHIPMENT,
            plan_input(
                json!([{ "donationId": encode("Donation", donation).0, "kilograms": "12.5" }]),
                "plan-1",
            ),
        )
        .await;
    let shipment = planned.data()["planShipment"]["shipment"].clone();
    assert_eq!(shipment["status"], "PLANNED");
    assert_eq!(shipment["totalKilograms"], "12.5");
    assert_eq!(shipment["originRegion"]["code"], "KZ-71");
    assert_eq!(shipment["destinationRegion"]["code"], "KZ-39");
    assert_eq!(
        shipment["items"][0]["donation"]["id"],
        encode("Donation", donation).0
    );
    assert_eq!(
        int(
            &db,
            &format!("SELECT shipped_grams FROM donation WHERE id = {donation}")
        )
        .await,
        12_500
    );
    let status = |db: &sea_orm::DatabaseConnection| {
        let db = db.clone();
        async move {
            int(&db, &format!("SELECT CAST(CASE status WHEN 'partly_shipped' THEN 1 ELSE 0 END AS BIGINT) FROM donation WHERE id = {donation}")).await
        }
    };
    assert_eq!(
        status(&db).await,
        i64::from(grams > 12_500),
        "partly shipped"
    );

    let summary = |c: Client| async move {
        c.gql(ops::RELIEF_SUMMARY, json!({})).await.data()["reliefSummary"]["deliveredTonnes"]
            .clone()
    };
    assert_eq!(summary(app.anonymous()).await, "8905");
    let id = shipment["id"].clone();
    let dispatched = ngo
        .gql(ops::DISPATCH_SHIPMENT, json!({ "shipmentId": id }))
        .await;
    assert_eq!(
        dispatched.data()["dispatchShipment"]["shipment"]["status"],
        "DISPATCHED"
    );
    assert_eq!(
        dispatched.data()["dispatchShipment"]["shipment"]["version"],
        2
    );
    ngo.gql(ops::DISPATCH_SHIPMENT, json!({ "shipmentId": id }))
        .await
        .assert_code("CONFLICT");

    let delivered = ngo
        .gql(
            ops::CONFIRM_DELIVERY,
            json!({ "shipmentId": id, "note": "принято, без расхождений" }),
        )
        .await;
    let d = &delivered.data()["confirmDelivery"]["shipment"];
    assert_eq!(d["status"], "DELIVERED");
    assert_eq!(d["totalKilograms"], "12.5");
    assert!(d["deliveredAt"].is_string());
    assert_eq!(summary(app.anonymous()).await, "8905.0125");
}

#[tokio::test]
async fn no_kilogram_is_shipped_twice() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let (donation, grams) = stock(&db, 10).await;
    let shipments = || async { int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM shipment").await };
    let before = shipments().await;
    let too_much = format!("{}.001", grams / 1000);
    let over = ngo
        .gql(
            ops::PLAN_SHIPMENT,
            plan_input(
                json!([{ "donationId": encode("Donation", donation).0, "kilograms": too_much }]),
                "over",
            ),
        )
        .await;
    over.assert_code("CONFLICT");
    assert_eq!(shipments().await, before, "nothing was written");
    assert_eq!(
        int(
            &db,
            &format!("SELECT shipped_grams FROM donation WHERE id = {donation}")
        )
        .await,
        0
    );

    // Eight clients race for the same donation, each asking for a third of it: three win at most.
    let third = grams / 3;
    let kg = format!("{}.{:03}", third / 1000, third % 1000);
    let mut racers = Vec::new();
    for n in 0..8 {
        let ngo = ngo.clone();
        let input = plan_input(
            json!([{ "donationId": encode("Donation", donation).0, "kilograms": kg }]),
            &format!("race-{n}"),
        );
        racers.push(tokio::spawn(async move {
            ngo.gql(ops::PLAN_SHIPMENT, input).await
        }));
    }
    let mut won = 0;
    for r in racers {
        let gql = r.await.unwrap();
        if gql.body.get("errors").is_none() {
            won += 1;
        } else {
            gql.assert_code("CONFLICT");
        }
    }
    assert_eq!(won, 3);
    let shipped = int(
        &db,
        &format!("SELECT shipped_grams FROM donation WHERE id = {donation}"),
    )
    .await;
    assert_eq!(shipped, 3 * third);
    let on_items = int(
        &db,
        &format!(
            "SELECT CAST(SUM(grams) AS BIGINT) FROM shipment_item WHERE donation_id = {donation}"
        ),
    )
    .await;
    assert_eq!(on_items, shipped);
}

#[tokio::test]
async fn shipments_are_refused_to_strangers_and_to_unaffected_regions() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let db = app.db.connect().await;
    let (donation, _) = stock(&db, 1).await;
    let item = json!([{ "donationId": encode("Donation", donation).0, "kilograms": 1 }]);
    let mut input = plan_input(item.clone(), "x1");
    input["input"]["destinationRegionCode"] = json!("KZ-75");
    let gql = ngo.gql(ops::PLAN_SHIPMENT, input).await;
    gql.assert_code("BAD_USER_INPUT");
    assert_eq!(
        gql.body["errors"][0]["extensions"]["field"],
        "input.destinationRegionCode"
    );
    let foreign = int(&db, &format!("SELECT MIN(id) FROM donation WHERE organization_id <> {NGO_ORG} AND status = 'received'")).await as i32;
    ngo.gql(
        ops::PLAN_SHIPMENT,
        plan_input(
            json!([{ "donationId": encode("Donation", foreign).0, "kilograms": 1 }]),
            "x2",
        ),
    )
    .await
    .assert_code("FORBIDDEN");
    let other_shipment = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM shipment WHERE status = 'planned' AND organization_id <> {NGO_ORG}"
        ),
    )
    .await as i32;
    ngo.gql(
        ops::DISPATCH_SHIPMENT,
        json!({ "shipmentId": encode("Shipment", other_shipment).0 }),
    )
    .await
    .assert_code("FORBIDDEN");
}

fn task_input(key: Option<&str>, places: i32) -> Value {
    let starts = chrono::Utc::now() + chrono::Duration::hours(5);
    json!({ "input": {
        "title": "Сортировка воды на складе",
        "description": "Перчатки выдаются",
        "kind": "SORTING",
        "regionCode": "KZ-39",
        "startsAt": starts,
        "endsAt": starts + chrono::Duration::hours(4),
        "volunteersNeeded": places,
        "idempotencyKey": key,
    }})
}

#[tokio::test]
async fn a_posted_task_is_claimed_once_per_key_and_moved_with_its_version() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let volunteer = app.as_demo_volunteer().await;
    let input = task_input(Some("post-1"), 2);
    let posted = ngo.gql(ops::POST_TASK, input.clone()).await;
    let task = posted.data()["postTask"]["task"].clone();
    assert_eq!(task["status"], "OPEN");
    assert_eq!(task["region"]["code"], "KZ-39");
    let again = ngo.gql(ops::POST_TASK, input).await;
    assert_eq!(
        again.data()["postTask"]["task"]["id"],
        task["id"],
        "a retried post is the same task"
    );

    let open = volunteer
        .gql(ops::OPEN_TASKS, json!({ "first": 100 }))
        .await;
    assert!(
        open.data()["openTasks"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["id"] == task["id"])
    );

    let claim = volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task["id"], "idempotencyKey": "claim-1" }),
        )
        .await;
    let claimed = claim.data()["claimTask"]["task"].clone();
    assert_eq!(claimed["volunteersAssigned"], 1);
    assert_eq!(claimed["status"], "OPEN");
    let retry = volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task["id"], "idempotencyKey": "claim-1" }),
        )
        .await;
    assert_eq!(
        retry.data()["claimTask"]["task"]["volunteersAssigned"],
        1,
        "a retry does not claim twice"
    );
    volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task["id"], "idempotencyKey": "claim-2" }),
        )
        .await
        .assert_code("CONFLICT");

    let version = claimed["version"].as_i64().unwrap();
    let stale = volunteer
        .gql(ops::UPDATE_TASK_STATUS, json!({ "taskId": task["id"], "status": "IN_PROGRESS", "expectedVersion": version - 1 }))
        .await;
    stale.assert_code("CONFLICT");
    assert_eq!(
        stale.body["errors"][0]["extensions"]["current"]["version"],
        version
    );
    let started = volunteer
        .gql(
            ops::UPDATE_TASK_STATUS,
            json!({ "taskId": task["id"], "status": "IN_PROGRESS", "expectedVersion": version }),
        )
        .await;
    // One of two places started: the other is still free, so the task stays open.
    assert_eq!(started.data()["updateTaskStatus"]["task"]["status"], "OPEN");
    let done = volunteer
        .gql(ops::UPDATE_TASK_STATUS, json!({ "taskId": task["id"], "status": "DONE", "expectedVersion": started.data()["updateTaskStatus"]["task"]["version"] }))
        .await;
    assert_eq!(done.data()["updateTaskStatus"]["task"]["status"], "OPEN");
    let closed = ngo
        .gql(ops::UPDATE_TASK_STATUS, json!({ "taskId": task["id"], "status": "DONE", "expectedVersion": done.data()["updateTaskStatus"]["task"]["version"] }))
        .await;
    assert_eq!(closed.data()["updateTaskStatus"]["task"]["status"], "DONE");
}

#[tokio::test]
async fn fifty_volunteers_race_for_three_places_and_exactly_three_win() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let task =
        ngo.gql(ops::POST_TASK, task_input(None, 3)).await.data()["postTask"]["task"]["id"].clone();
    let mut volunteers = Vec::new();
    for n in 0..50 {
        let signed = app
            .anonymous()
            .gql(ops::SIGN_UP, json!({ "input": {
                "fullName": format!("Волонтёр {n}"), "phone": format!("+7 705 000 00 {n:02}"), "password": "correct horse",
                "regionCode": "KZ-39", "skills": ["погрузка"] } }))
            .await;
        let token = signed.data()["registerVolunteer"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        volunteers.push(app.anonymous().with_token(&token));
    }
    let racers: Vec<_> = volunteers
        .into_iter()
        .enumerate()
        .map(|(n, v)| {
            let task = task.clone();
            tokio::spawn(async move {
                v.gql(
                    ops::CLAIM_TASK,
                    json!({ "taskId": task, "idempotencyKey": format!("k{n}") }),
                )
                .await
            })
        })
        .collect();
    let mut won = 0;
    for r in racers {
        let gql = r.await.unwrap();
        if gql.body.get("errors").is_none() {
            won += 1;
        } else {
            gql.assert_code("CONFLICT");
        }
    }
    assert_eq!(won, 3);
    let db = app.db.connect().await;
    let id = birlik_api::graphql::relay::decode("Task", "id", task.as_str().unwrap()).unwrap();
    assert_eq!(
        int(
            &db,
            &format!("SELECT CAST(volunteers_assigned AS BIGINT) FROM task WHERE id = {id}")
        )
        .await,
        3
    );
    assert_eq!(
        int(
            &db,
            &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM task_assignment WHERE task_id = {id}")
        )
        .await,
        3
    );
}

#[tokio::test]
async fn the_ministry_verifies_organizations() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let unverified = int(
        &db,
        "SELECT MIN(id) FROM organization WHERE verified_at IS NULL",
    )
    .await as i32;
    let id = encode("Organization", unverified).0;
    app.as_demo_ngo()
        .await
        .gql(ops::VERIFY_ORGANIZATION, json!({ "organizationId": id }))
        .await
        .assert_code("FORBIDDEN");
    let gql = app
        .as_demo_ministry()
        .await
        .gql(ops::VERIFY_ORGANIZATION, json!({ "organizationId": id }))
        .await;
    let org = &gql.data()["verifyOrganization"]["organization"];
    assert_eq!(org["verified"], true);
    assert!(org["verifiedAt"].is_string());
    let summary = app.anonymous().gql(ops::RELIEF_SUMMARY, json!({})).await;
    let verified = int(
        &db,
        "SELECT CAST(COUNT(*) AS BIGINT) FROM organization WHERE verified_at IS NOT NULL",
    )
    .await;
    assert_eq!(
        summary.data()["reliefSummary"]["organizationCount"],
        verified
    );
    let _ = thousandths("1");
}

#[tokio::test]
async fn a_claim_not_started_30_minutes_after_the_start_is_released() {
    let db = crate::helpers::TestDb::demo().await;
    let app = crate::helpers::app::spawn_with(db, |c| c.sweep_interval_s = 1).await;
    let ngo = app.as_demo_ngo().await;
    let volunteer = app.as_demo_volunteer().await;
    let started = chrono::Utc::now() - chrono::Duration::minutes(31);
    let input = json!({ "input": { "title": "Раздача воды", "kind": "DISTRIBUTION", "regionCode": "KZ-39", "startsAt": started,
        "endsAt": started + chrono::Duration::hours(4), "volunteersNeeded": 2 } });
    let task = ngo.gql(ops::POST_TASK, input).await.data()["postTask"]["task"]["id"].clone();
    let since = volunteer.gql(ops::MY_TASKS, json!({})).await.data()["myTasks"]["syncedAt"].clone();
    volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "late" }),
        )
        .await
        .data();

    let id = birlik_api::graphql::relay::decode("Task", "id", task.as_str().unwrap()).unwrap();
    let dbc = app.db.connect().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let released = int(&dbc, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM task_assignment WHERE task_id = {id} AND status = 'released' AND release_reason = 'not_started'")).await;
        if released == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not released within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        int(
            &dbc,
            &format!("SELECT CAST(volunteers_assigned AS BIGINT) FROM task WHERE id = {id}")
        )
        .await,
        0
    );
    // The app learns it at its next sync.
    let delta = volunteer
        .gql(ops::MY_TASKS, json!({ "updatedSince": since }))
        .await;
    assert!(
        delta.data()["myTasks"]["removedIds"]
            .as_array()
            .unwrap()
            .contains(&task),
        "{}",
        delta.body
    );
}
