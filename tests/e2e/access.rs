//! The access matrix of the README, cell by cell: every query, mutation, subscription and
//! personal field, as the public, a volunteer, an organization's staff and the ministry.

use birlik_api::graphql::relay::encode;
use serde_json::{Value, json};

use crate::helpers::client::{Client, Gql};
use crate::helpers::ops;
use crate::helpers::sql::int;
use crate::helpers::{TestApp, spawn_app_with_demo};

/// What a cell expects.
#[derive(Clone, Copy, Debug)]
enum Cell {
    /// Answered, without errors.
    Ok,
    /// Refused with this code.
    No(&'static str),
}
use Cell::{No, Ok};

const UNAUTH: Cell = No("UNAUTHENTICATED");
const FORBID: Cell = No("FORBIDDEN");

fn check(gql: &Gql, cell: Cell, what: &str) {
    match cell {
        Ok => assert!(
            gql.body.get("errors").is_none() && gql.status == 200,
            "{what}: {}",
            gql.body
        ),
        No(code) => {
            let errors = gql.body["errors"]
                .as_array()
                .unwrap_or_else(|| panic!("{what}: expected {code}, got {}", gql.body));
            assert_eq!(
                errors[0]["extensions"]["code"], code,
                "{what}: {}",
                gql.body
            );
        }
    }
}

/// The four callers of one test app.
struct Callers {
    anonymous: Client,
    volunteer: Client,
    ngo: Client,
    ministry: Client,
}

async fn callers(app: &TestApp) -> Callers {
    Callers {
        anonymous: app.anonymous(),
        volunteer: app.as_demo_volunteer().await,
        ngo: app.as_demo_ngo().await,
        ministry: app.as_demo_ministry().await,
    }
}

/// Sends one operation as each caller, expecting the row's cells (anonymous, volunteer, ngo, ministry).
async fn row(
    c: &Callers,
    what: &str,
    query: &str,
    variables: impl Fn(usize) -> Value,
    cells: [Cell; 4],
) {
    for (i, (client, cell)) in [&c.anonymous, &c.volunteer, &c.ngo, &c.ministry]
        .into_iter()
        .zip(cells)
        .enumerate()
    {
        let role = ["anonymous", "volunteer", "ngo", "ministry"][i];
        check(
            &client.gql(query, variables(i)).await,
            cell,
            &format!("{what} as {role}"),
        );
    }
}

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

#[tokio::test]
async fn public_queries_are_open_to_everyone() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    row(
        &c,
        "reliefSummary",
        ops::RELIEF_SUMMARY,
        |_| json!({}),
        [Ok, Ok, Ok, Ok],
    )
    .await;
    row(
        &c,
        "regions",
        ops::REGIONS_OVERVIEW,
        |_| json!({}),
        [Ok, Ok, Ok, Ok],
    )
    .await;
    row(
        &c,
        "region.collectionPoints",
        ops::WHERE_TO_BRING_AID,
        |_| json!({ "regionCode": "KZ-71" }),
        [Ok, Ok, Ok, Ok],
    )
    .await;
    row(
        &c,
        "organizations",
        "{ organizations(first: 5) { totalCount } }",
        |_| json!({}),
        [Ok, Ok, Ok, Ok],
    )
    .await;
    row(
        &c,
        "login",
        ops::LOGIN,
        |_| json!({ "login": "ngo@demo.birlik.kz", "password": "demo-password" }),
        [Ok, Ok, Ok, Ok],
    )
    .await;
}

#[tokio::test]
async fn organization_data_is_for_organizations_and_the_ministry() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    let org_only = [UNAUTH, FORBID, Ok, Ok];
    row(
        &c,
        "donations",
        ops::ORGANIZATION_DONATIONS,
        |_| json!({}),
        org_only,
    )
    .await;
    row(
        &c,
        "donationStats",
        ops::DONATION_STATS,
        |_| json!({ "groupBy": ["REGION"] }),
        org_only,
    )
    .await;
    row(
        &c,
        "stockStats",
        ops::STOCK_ON_HAND,
        |_| json!({ "groupBy": ["COLLECTION_POINT", "CATEGORY"] }),
        org_only,
    )
    .await;
    row(
        &c,
        "shipments",
        "{ shipments(first: 5) { totalCount } }",
        |_| json!({}),
        org_only,
    )
    .await;
    row(
        &c,
        "shipmentFlows",
        ops::SHIPMENT_FLOWS,
        |_| json!({}),
        org_only,
    )
    .await;
    row(
        &c,
        "volunteers",
        "{ volunteers(first: 5) { totalCount } }",
        |_| json!({}),
        org_only,
    )
    .await;
    row(
        &c,
        "tasks",
        "{ tasks(first: 5) { totalCount } }",
        |_| json!({}),
        [UNAUTH, Ok, Ok, Ok],
    )
    .await;
    row(
        &c,
        "taskStats",
        "{ taskStats(groupBy: [STATUS]) { taskCount } }",
        |_| json!({}),
        [UNAUTH, Ok, Ok, Ok],
    )
    .await;
    row(&c, "me", ops::ME, |_| json!({}), [UNAUTH, Ok, Ok, Ok]).await;
}

#[tokio::test]
async fn the_audit_trail_is_for_the_ministry() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    row(
        &c,
        "auditTrail",
        "{ auditTrail(first: 5) { totalCount edges { node { id action } } } }",
        |_| json!({}),
        [UNAUTH, FORBID, FORBID, Ok],
    )
    .await;
}

#[tokio::test]
async fn volunteer_lists_are_for_volunteers() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    let volunteers_only = [UNAUTH, Ok, FORBID, FORBID];
    row(
        &c,
        "openTasks",
        ops::OPEN_TASKS,
        |_| json!({}),
        volunteers_only,
    )
    .await;
    row(&c, "myTasks", ops::MY_TASKS, |_| json!({}), volunteers_only).await;
}

#[tokio::test]
async fn node_reaches_only_what_the_caller_may_read() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    let db = app.db.connect().await;
    let id = |kind: &str, n: i64| encode(kind, n as i32).0;
    let own_donation = int(
        &db,
        &format!("SELECT MIN(id) FROM donation WHERE organization_id = {NGO_ORG}"),
    )
    .await;
    let other_donation = int(
        &db,
        &format!("SELECT MIN(id) FROM donation WHERE organization_id <> {NGO_ORG}"),
    )
    .await;
    let own_shipment = int(
        &db,
        &format!("SELECT MIN(id) FROM shipment WHERE organization_id = {NGO_ORG}"),
    )
    .await;
    let region_task = int(
        &db,
        "SELECT MIN(id) FROM task WHERE region_id = (SELECT id FROM region WHERE code = 'KZ-39')",
    )
    .await;
    let other_task = int(
        &db,
        "SELECT MIN(id) FROM task WHERE region_id <> (SELECT id FROM region WHERE code = 'KZ-39')",
    )
    .await;
    // A write-off of the NGO's stock and one of another organization's, by the ministry.
    let mut write_offs = Vec::new();
    for (n, org) in [format!("= {NGO_ORG}"), format!("<> {NGO_ORG}")]
        .iter()
        .enumerate()
    {
        let donation = int(
            &db,
            &format!(
                "SELECT MIN(id) FROM donation WHERE organization_id {org} AND status = 'received'"
            ),
        )
        .await;
        let gql = c
            .ministry
            .gql(
                ops::WRITE_OFF_STOCK,
                json!({ "input": { "donationId": id("Donation", donation), "kilograms": "0.001",
                    "reason": "LOST", "idempotencyKey": format!("node-{n}") } }),
            )
            .await;
        write_offs.push(gql.data()["writeOffStock"]["writeOff"]["id"].clone());
    }
    let q = "query($id: ID!) { node(id: $id) { id } }";
    let nf = No("NOT_FOUND");
    row(
        &c,
        "node(the NGO's write-off)",
        q,
        |_| json!({ "id": write_offs[0] }),
        [nf, nf, Ok, Ok],
    )
    .await;
    row(
        &c,
        "node(another organization's write-off)",
        q,
        |_| json!({ "id": write_offs[1] }),
        [nf, nf, nf, Ok],
    )
    .await;
    for (what, node, cells) in [
        ("a region", id("Region", 1), [Ok, Ok, Ok, Ok]),
        (
            "a collection point",
            id("CollectionPoint", 1),
            [Ok, Ok, Ok, Ok],
        ),
        ("an organization", id("Organization", 1), [Ok, Ok, Ok, Ok]),
        (
            "the NGO's donation",
            id("Donation", own_donation),
            [nf, nf, Ok, Ok],
        ),
        (
            "another organization's donation",
            id("Donation", other_donation),
            [nf, nf, nf, Ok],
        ),
        (
            "the NGO's shipment",
            id("Shipment", own_shipment),
            [nf, nf, Ok, Ok],
        ),
        (
            "a task of the volunteer's region",
            id("Task", region_task),
            [nf, Ok, Ok, Ok],
        ),
        (
            "a task of another region",
            id("Task", other_task),
            [nf, nf, Ok, Ok],
        ),
    ] {
        row(
            &c,
            &format!("node({what})"),
            q,
            |_| json!({ "id": node }),
            cells,
        )
        .await;
    }
}

#[tokio::test]
async fn personal_fields_are_for_the_person_their_organization_and_the_ministry() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    let db = app.db.connect().await;
    let id = |kind: &str, n: i64| encode(kind, n as i32).0;
    // The demo volunteer's own record: themself, their organization (if it is the NGO's), the ministry.
    let me = int(
        &db,
        "SELECT volunteer_id FROM user_account WHERE email = 'volunteer@demo.birlik.kz'",
    )
    .await;
    let member = int(
        &db,
        &format!("SELECT MIN(id) FROM volunteer WHERE organization_id = {NGO_ORG}"),
    )
    .await;
    let stranger = int(
        &db,
        &format!("SELECT MIN(id) FROM volunteer WHERE organization_id <> {NGO_ORG} AND id <> {me}"),
    )
    .await;
    let phone = "query($id: ID!) { node(id: $id) { ... on Volunteer { fullName phone } } }";
    let nf = No("NOT_FOUND");
    let in_ngo = int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM volunteer WHERE id = {me} AND organization_id = {NGO_ORG}")).await == 1;
    row(
        &c,
        "a volunteer's own phone",
        phone,
        |_| json!({ "id": id("Volunteer", me) }),
        [nf, Ok, if in_ngo { Ok } else { nf }, Ok],
    )
    .await;
    row(
        &c,
        "a member's phone",
        phone,
        |_| json!({ "id": id("Volunteer", member) }),
        [nf, nf, Ok, Ok],
    )
    .await;
    row(
        &c,
        "a stranger's phone",
        phone,
        |_| json!({ "id": id("Volunteer", stranger) }),
        [nf, nf, nf, Ok],
    )
    .await;

    // A donation's donor: its organization and the ministry (nobody else reaches the donation).
    let donation = int(&db, &format!("SELECT MIN(id) FROM donation WHERE organization_id = {NGO_ORG} AND donor_name IS NOT NULL")).await;
    let donor = "query($id: ID!) { node(id: $id) { ... on Donation { kilograms donorName } } }";
    row(
        &c,
        "a donor's name",
        donor,
        |_| json!({ "id": id("Donation", donation) }),
        [nf, nf, Ok, Ok],
    )
    .await;

    // A shipment arriving where the NGO runs a point: the NGO reads it, but not the driver's phone.
    let arriving = int(&db, &format!(
        "SELECT CAST(COALESCE(MIN(id), 0) AS BIGINT) FROM shipment WHERE organization_id <> {NGO_ORG} \
         AND destination_region_id IN (SELECT region_id FROM collection_point WHERE organization_id = {NGO_ORG})"
    )).await;
    if arriving > 0 {
        let driver =
            "query($id: ID!) { node(id: $id) { ... on Shipment { vehicle driverPhone } } }";
        row(
            &c,
            "a receiving NGO and the driver's phone",
            driver,
            |_| json!({ "id": id("Shipment", arriving) }),
            [nf, nf, FORBID, Ok],
        )
        .await;
    }
    // An account's login email: its owner and the ministry.
    let email = "{ me { email } }";
    row(
        &c,
        "one's own login email",
        email,
        |_| json!({}),
        [UNAUTH, Ok, Ok, Ok],
    )
    .await;
}

#[tokio::test]
async fn the_portals_mutations_are_for_organizations_and_the_ministry() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    let db = app.db.connect().await;
    let point = int(
        &db,
        &format!("SELECT MIN(id) FROM collection_point WHERE organization_id = {NGO_ORG}"),
    )
    .await as i32;
    let register = |i: usize| json!({ "input": { "collectionPointId": encode("CollectionPoint", point).0, "category": "FOOD", "kilograms": 5, "idempotencyKey": format!("r{i}") } });
    row(
        &c,
        "registerDonation",
        ops::REGISTER_DONATION,
        register,
        [UNAUTH, FORBID, Ok, Ok],
    )
    .await;

    let import = |i: usize| json!({ "input": { "rows": [{ "collectionPointId": encode("CollectionPoint", point).0, "category": "FOOD", "kilograms": 5, "description": format!("import {i}") }] } });
    row(
        &c,
        "importDonations",
        "mutation($input: ImportDonationsInput!) { importDonations(input: $input) { imported replayed } }",
        import,
        [UNAUTH, FORBID, Ok, Ok],
    )
    .await;

    let donation = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM donation WHERE organization_id = {NGO_ORG} AND status = 'received'"
        ),
    )
    .await as i32;
    let plan = |i: usize| {
        json!({ "input": { "destinationRegionCode": "KZ-39", "items": [{ "donationId": encode("Donation", donation).0, "kilograms": "0.5" }],
        "vehicle": "ГАЗель", "driverName": "Серик", "idempotencyKey": format!("p{i}") } })
    };
    row(
        &c,
        "planShipment",
        ops::PLAN_SHIPMENT,
        plan,
        [UNAUTH, FORBID, Ok, Ok],
    )
    .await;

    // writeOffStock: the organization its own stock (another's is not found), the ministry any.
    let stock = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM donation WHERE organization_id = {NGO_ORG} AND status = 'received' AND grams >= 10000"
        ),
    )
    .await as i32;
    let theirs = int(
        &db,
        &format!("SELECT MIN(id) FROM donation WHERE organization_id <> {NGO_ORG} AND status = 'received'"),
    )
    .await as i32;
    let write_off = |donation: i32| {
        move |i: usize| {
            json!({ "input": { "donationId": encode("Donation", donation).0, "kilograms": "0.5",
            "reason": "DAMAGED", "idempotencyKey": format!("w{donation}-{i}") } })
        }
    };
    row(
        &c,
        "writeOffStock (own stock)",
        ops::WRITE_OFF_STOCK,
        write_off(stock),
        [UNAUTH, FORBID, Ok, Ok],
    )
    .await;
    row(
        &c,
        "writeOffStock (another organization's stock)",
        ops::WRITE_OFF_STOCK,
        write_off(theirs),
        [UNAUTH, FORBID, No("NOT_FOUND"), Ok],
    )
    .await;

    // Two planned shipments of the NGO: one for the NGO to move, one for the ministry.
    let planned: Vec<i64> = crate::helpers::sql::ints(&db, &format!("SELECT id FROM shipment WHERE organization_id = {NGO_ORG} AND status = 'planned' ORDER BY id DESC LIMIT 2")).await;
    let shipment = |i: usize| json!({ "shipmentId": encode("Shipment", planned[if i == 3 { 1 } else { 0 }] as i32).0 });
    row(
        &c,
        "dispatchShipment",
        ops::DISPATCH_SHIPMENT,
        shipment,
        [UNAUTH, FORBID, Ok, Ok],
    )
    .await;
    row(
        &c,
        "confirmDelivery",
        ops::CONFIRM_DELIVERY,
        shipment,
        [UNAUTH, FORBID, Ok, Ok],
    )
    .await;

    // cancelShipment: two more planned shipments of the NGO, and one of another organization.
    for i in 0..2 {
        check(
            &c.ngo.gql(ops::PLAN_SHIPMENT, plan(10 + i)).await,
            Ok,
            "planning to cancel",
        );
    }
    let planned: Vec<i64> = crate::helpers::sql::ints(&db, &format!("SELECT id FROM shipment WHERE organization_id = {NGO_ORG} AND status = 'planned' ORDER BY id DESC LIMIT 2")).await;
    let cancel = "mutation($shipmentId: ID!) { cancelShipment(shipmentId: $shipmentId) { shipment { id status } } }";
    row(
        &c,
        "cancelShipment",
        cancel,
        |i: usize| json!({ "shipmentId": encode("Shipment", planned[if i == 3 { 1 } else { 0 }] as i32).0 }),
        [UNAUTH, FORBID, Ok, Ok],
    )
    .await;
    let foreign = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM shipment WHERE organization_id <> {NGO_ORG} AND status = 'planned'"
        ),
    )
    .await as i32;
    check(
        &c.ngo
            .gql(
                cancel,
                json!({ "shipmentId": encode("Shipment", foreign).0 }),
            )
            .await,
        FORBID,
        "cancelShipment of another organization's shipment as ngo",
    );

    let starts = chrono::Utc::now() + chrono::Duration::hours(3);
    let post = |i: usize| {
        json!({ "input": { "title": format!("Сортировка {i}"), "kind": "SORTING", "regionCode": "KZ-39", "startsAt": starts,
        "endsAt": starts + chrono::Duration::hours(2), "volunteersNeeded": 3 } })
    };
    row(
        &c,
        "postTask",
        ops::POST_TASK,
        post,
        [UNAUTH, FORBID, Ok, Ok],
    )
    .await;

    let unverified: Vec<i64> = crate::helpers::sql::ints(
        &db,
        "SELECT id FROM organization WHERE verified_at IS NULL ORDER BY id LIMIT 1",
    )
    .await;
    let verify = |_| json!({ "organizationId": encode("Organization", unverified[0] as i32).0 });
    row(
        &c,
        "verifyOrganization",
        ops::VERIFY_ORGANIZATION,
        verify,
        [UNAUTH, FORBID, FORBID, Ok],
    )
    .await;

    let create =
        "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }";
    let staff = |i: usize| json!({ "i": { "organizationId": encode("Organization", 1).0, "email": format!("s{i}@org.kz"), "displayName": "Staff", "password": "long-enough" } });
    row(
        &c,
        "createStaffAccount",
        create,
        staff,
        [UNAUTH, FORBID, FORBID, Ok],
    )
    .await;
    let target = int(&db, "SELECT MAX(id) FROM user_account").await as i32;
    for op in ["disableAccount", "enableAccount"] {
        let q = format!("mutation($id: ID!) {{ {op}(userId: $id) {{ user {{ id }} }} }}");
        row(
            &c,
            op,
            &q,
            |_| json!({ "id": encode("User", target).0 }),
            [UNAUTH, FORBID, FORBID, Ok],
        )
        .await;
    }
}

#[tokio::test]
async fn the_apps_mutations_are_for_volunteers() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    let open = c
        .volunteer
        .gql(ops::OPEN_TASKS, json!({ "first": 1 }))
        .await;
    let task = open.data()["openTasks"]["edges"][0]["node"]["id"].clone();
    let claim = |i: usize| json!({ "taskId": task, "idempotencyKey": format!("c{i}") });
    row(
        &c,
        "claimTask",
        ops::CLAIM_TASK,
        claim,
        [UNAUTH, Ok, FORBID, FORBID],
    )
    .await;
    let release = "mutation($id: ID!) { releaseTask(taskId: $id) { task { id } } }";
    row(
        &c,
        "releaseTask",
        release,
        |_| json!({ "id": task }),
        [UNAUTH, Ok, FORBID, FORBID],
    )
    .await;

    let sign_up = |i: usize| json!({ "input": { "fullName": "Новый волонтёр", "phone": format!("+7 702 000 00 {i:02}"), "password": "long-enough", "regionCode": "KZ-39" } });
    row(
        &c,
        "registerVolunteer",
        ops::SIGN_UP,
        sign_up,
        [Ok, FORBID, FORBID, Ok],
    )
    .await;

    // updateTaskStatus: a volunteer their own place; the task's organization or the ministry the task.
    let held = c
        .volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "again" }),
        )
        .await;
    let version = held.data()["claimTask"]["task"]["version"]
        .as_i64()
        .unwrap();
    let start = json!({ "taskId": task, "status": "IN_PROGRESS", "expectedVersion": version });
    check(
        &c.anonymous
            .gql(ops::UPDATE_TASK_STATUS, start.clone())
            .await,
        UNAUTH,
        "updateTaskStatus as anonymous",
    );
    check(
        &c.volunteer.gql(ops::UPDATE_TASK_STATUS, start).await,
        Ok,
        "updateTaskStatus as volunteer",
    );
    let cancel = |v: i64| json!({ "taskId": task, "status": "CANCELLED", "expectedVersion": v });
    let current = |c: &Client| {
        let c = c.clone();
        let task = task.clone();
        async move {
            c.gql(
                "query($id: ID!) { node(id: $id) { ... on Task { version } } }",
                json!({ "id": task }),
            )
            .await
            .data()["node"]["version"]
                .as_i64()
                .unwrap()
        }
    };
    let v = current(&c.ministry).await;
    // The demo NGO did not post this task (unless the demo data says so): only its poster or the ministry cancels.
    let db = app.db.connect().await;
    let task_id = birlik_api::graphql::relay::decode("Task", "id", task.as_str().unwrap()).unwrap();
    let posted_by_ngo = int(&db, &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM task WHERE id = {task_id} AND organization_id = {NGO_ORG}")).await == 1;
    if !posted_by_ngo {
        check(
            &c.ngo.gql(ops::UPDATE_TASK_STATUS, cancel(v)).await,
            FORBID,
            "updateTaskStatus as another organization",
        );
    }
    check(
        &c.ministry.gql(ops::UPDATE_TASK_STATUS, cancel(v)).await,
        Ok,
        "updateTaskStatus as ministry",
    );

    let change = "mutation { changePassword(currentPassword: \"demo-password\", newPassword: \"another-password\") { accessToken } }";
    check(
        &c.anonymous.gql(change, json!({})).await,
        UNAUTH,
        "changePassword as anonymous",
    );
    for (who, client) in [
        ("volunteer", &c.volunteer),
        ("ngo", &c.ngo),
        ("ministry", &c.ministry),
    ] {
        check(
            &client.gql(change, json!({})).await,
            Ok,
            &format!("changePassword as {who}"),
        );
    }
}

#[tokio::test]
async fn task_events_are_for_volunteers() {
    use crate::helpers::ws;
    let app = spawn_app_with_demo().await;
    let tokens = [
        None,
        Some(app.login("volunteer@demo.birlik.kz").await),
        Some(app.login("ngo@demo.birlik.kz").await),
        Some(app.login("ministry@demo.birlik.kz").await),
    ];
    for (token, expected) in tokens.into_iter().zip([
        Some("UNAUTHENTICATED"),
        None,
        Some("FORBIDDEN"),
        Some("FORBIDDEN"),
    ]) {
        let mut socket = ws::subscribe(&app.base, token.as_deref(), ops::TASK_EVENTS).await;
        match expected {
            Some(code) => {
                let msg = ws::next(&mut socket, 5).await;
                // graphql-transport-ws sends the refusal as a result carrying the error.
                let errors = if msg["type"] == "error" {
                    &msg["payload"]
                } else {
                    &msg["payload"]["errors"]
                };
                assert_eq!(errors[0]["extensions"]["code"], code, "{msg}");
                assert!(msg["payload"]["data"].is_null(), "{msg}");
            }
            None => {
                // Accepted: nothing arrives until an event does.
                use futures_util::StreamExt;
                let quiet =
                    tokio::time::timeout(std::time::Duration::from_millis(300), socket.next())
                        .await;
                assert!(quiet.is_err(), "a volunteer's subscription stays open");
            }
        }
    }
}

#[tokio::test]
async fn needs_are_read_by_everyone_and_raised_by_those_working_there() {
    use crate::needs::{hours, raise, raise_input, regional_hq};
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    let hq = regional_hq(&app).await;
    let db = app.db.connect().await;
    let food = || json!([{ "category": "FOOD", "kilograms": 10 }]);
    let (need, _) = raise(
        &hq.client,
        raise_input(&hq.region, "URGENT", &hours(20), food(), "acc-0"),
    )
    .await;
    let everyone = [Ok, Ok, Ok, Ok];
    row(
        &c,
        "needs",
        "{ needs(first: 5) { totalCount outstandingKilograms edges { node { id place organization { name } lines { id category } } } } }",
        |_| json!({}),
        everyone,
    )
    .await;
    row(
        &c,
        "needStats",
        ops::NEED_STATS,
        |_| json!({ "groupBy": ["REGION", "ORGANIZATION"] }),
        everyone,
    )
    .await;
    row(
        &c,
        "neededCategories",
        ops::WHAT_IS_NEEDED,
        |_| json!({ "regionCode": hq.region }),
        everyone,
    )
    .await;
    row(
        &c,
        "node(Need)",
        "query($id: ID!) { node(id: $id) { ... on Need { id lines { requestedKilograms } } } }",
        |_| json!({ "id": need }),
        everyone,
    )
    .await;
    // The phone: the raising organization's staff and the ministry.
    let phone = "query($id: ID!) { node(id: $id) { ... on Need { contactPhone } } }";
    row(
        &c,
        "Need.contactPhone",
        phone,
        |_| json!({ "id": need }),
        [FORBID, FORBID, FORBID, Ok],
    )
    .await;
    check(
        &hq.client.gql(phone, json!({ "id": need })).await,
        Ok,
        "Need.contactPhone as its organization",
    );

    // raiseNeed: the demo organization does not work in `elsewhere`; the ministry raises in any
    // affected region, and the regional headquarters where it runs a point.
    let elsewhere = crate::helpers::sql::text(
        &db,
        &format!(
            "SELECT code FROM region WHERE affected AND id NOT IN \
             (SELECT region_id FROM collection_point WHERE organization_id = {NGO_ORG}) \
             AND id <> (SELECT region_id FROM organization WHERE id = {NGO_ORG}) ORDER BY id LIMIT 1"
        ),
    )
    .await;
    row(
        &c,
        "raiseNeed",
        ops::RAISE_NEED,
        |i| raise_input(&elsewhere, "HIGH", &hours(5), food(), &format!("acc-{i}")),
        [UNAUTH, FORBID, FORBID, Ok],
    )
    .await;
    check(
        &hq.client
            .gql(
                ops::RAISE_NEED,
                raise_input(&hq.region, "HIGH", &hours(5), food(), "acc-hq"),
            )
            .await,
        Ok,
        "raiseNeed as the regional headquarters",
    );

    // closeNeed, cancelNeed: the raising organization and the ministry.
    let close = |need: &str| json!({ "needId": need, "reason": "MET", "expectedVersion": 1 });
    row(
        &c,
        "closeNeed",
        ops::CLOSE_NEED,
        |_| close(&need),
        [UNAUTH, FORBID, FORBID, Ok],
    )
    .await;
    let cancel =
        "mutation($id: ID!) { cancelNeed(needId: $id, expectedVersion: 1) { need { status } } }";
    let (other, _) = raise(
        &hq.client,
        raise_input(&hq.region, "LOW", &hours(20), food(), "acc-1"),
    )
    .await;
    row(
        &c,
        "cancelNeed",
        cancel,
        |_| json!({ "id": other }),
        [UNAUTH, FORBID, FORBID, Ok],
    )
    .await;
    let (own, _) = raise(
        &hq.client,
        raise_input(&hq.region, "LOW", &hours(20), food(), "acc-2"),
    )
    .await;
    check(
        &hq.client.gql(ops::CLOSE_NEED, close(&own)).await,
        Ok,
        "closeNeed as its organization",
    );
    let (own, _) = raise(
        &hq.client,
        raise_input(&hq.region, "LOW", &hours(20), food(), "acc-3"),
    )
    .await;
    check(
        &hq.client.gql(cancel, json!({ "id": own })).await,
        Ok,
        "cancelNeed as its organization",
    );
}

#[tokio::test]
async fn shelters_are_public_and_run_by_their_organizations_and_the_ministry() {
    let app = spawn_app_with_demo().await;
    let c = callers(&app).await;
    row(
        &c,
        "shelters",
        ops::SHELTERS,
        |_| json!({ "first": 5 }),
        [Ok, Ok, Ok, Ok],
    )
    .await;
    let open = |code: &'static str| {
        move |i: usize| {
            json!({ "input": { "regionCode": code, "name": format!("Школа {i}"),
                "address": "ул. Абая, 1", "capacity": 100, "idempotencyKey": format!("o{i}") } })
        }
    };
    // The demo organization works in Astana only, which is not affected: nowhere to open one.
    row(
        &c,
        "openShelter",
        ops::OPEN_SHELTER,
        open("KZ-23"),
        [UNAUTH, FORBID, FORBID, Ok],
    )
    .await;
    // An organization working in an affected region (its headquarters there) opens one there.
    let db = app.db.connect().await;
    let akimat = int(&db, "SELECT MIN(o.id) FROM organization o JOIN region r ON r.id = o.region_id WHERE r.code = 'KZ-23' AND o.kind = 'government_body'").await as i32;
    let create =
        "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }";
    c.ministry
        .gql(
            create,
            json!({ "i": { "organizationId": encode("Organization", akimat).0,
            "email": "hq@atyrau.kz", "displayName": "Штаб", "password": "long-enough" } }),
        )
        .await
        .data();
    let staff = app.as_account("hq@atyrau.kz").await;
    let own = staff.gql(ops::OPEN_SHELTER, open("KZ-23")(9)).await;
    check(&own, Ok, "openShelter as a regional organization");
    let own = own.data()["openShelter"]["shelter"]["id"].clone();
    check(
        &staff.gql(ops::OPEN_SHELTER, open("KZ-39")(10)).await,
        FORBID,
        "openShelter outside its regions",
    );

    // Counting and closing: its own shelters, once verified; the ministry any.
    let count = |shelter: Value| {
        move |i: usize| {
            json!({ "input": { "shelterId": shelter, "people": 10, "children": 2,
                "countedAt": "2024-04-08T10:00:00Z", "idempotencyKey": format!("c{i}") } })
        }
    };
    row(
        &c,
        "reportShelterCount",
        ops::REPORT_SHELTER_COUNT,
        count(own.clone()),
        [UNAUTH, FORBID, FORBID, Ok],
    )
    .await;
    check(
        &staff
            .gql(ops::REPORT_SHELTER_COUNT, count(own.clone())(7))
            .await,
        Ok,
        "reportShelterCount of its own shelter",
    );
    let close = "mutation($id: ID!, $v: Int!) { closeShelter(shelterId: $id, expectedVersion: $v) { shelter { version } } }";
    let version = int(
        &db,
        &format!(
            "SELECT version FROM shelter WHERE id = {}",
            birlik_api::graphql::relay::decode("Shelter", "id", own.as_str().unwrap()).unwrap()
        ),
    )
    .await;
    for (client, cell, who) in [
        (&c.anonymous, UNAUTH, "anonymous"),
        (&c.volunteer, FORBID, "volunteer"),
        (&c.ngo, FORBID, "another organization"),
    ] {
        check(
            &client.gql(close, json!({ "id": own, "v": version })).await,
            cell,
            &format!("closeShelter as {who}"),
        );
    }
    check(
        &staff.gql(close, json!({ "id": own, "v": version })).await,
        Ok,
        "closeShelter of its own shelter",
    );
    let other = c
        .ministry
        .gql(ops::OPEN_SHELTER, open("KZ-15")(11))
        .await
        .data()["openShelter"]["shelter"]["id"]
        .clone();
    check(
        &staff.gql(close, json!({ "id": other, "v": 1 })).await,
        FORBID,
        "closeShelter of a shelter it does not run",
    );
    check(
        &c.ministry.gql(close, json!({ "id": other, "v": 1 })).await,
        Ok,
        "closeShelter as the ministry",
    );
}
