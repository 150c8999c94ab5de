//! Scope on the paths the schema walk does not take: subscriptions.

use serde_json::json;

use crate::helpers::sql::{int, text};
use crate::helpers::{TestApp, ops, spawn_app_with_demo, ws};

/// A staff account for `organization`, made by the ministry; its access token.
async fn staff_of(app: &TestApp, organization: i64, email: &str) -> String {
    let ministry = app.as_demo_ministry().await;
    ministry
        .gql(
            "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }",
            json!({ "i": { "organizationId": birlik_api::graphql::relay::encode("Organization", organization as i32).0,
                "email": email, "displayName": "Staff", "password": "correct horse battery" } }),
        )
        .await
        .data();
    app.token_of(email).await
}

#[tokio::test]
async fn shipment_events_reach_the_organizations_that_read_the_shipment_and_no_other() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let sender = int(
        &db,
        "SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await;
    let runs_in = |region: &str| {
        format!(
            "SELECT MIN(organization_id) FROM collection_point WHERE organization_id <> {sender} \
             AND region_id = (SELECT id FROM region WHERE code = '{region}')"
        )
    };
    // One organization runs a point in Kostanay; another runs one in a second affected region,
    // and none in Kostanay.
    let receiver = int(&db, &runs_in("KZ-39")).await;
    let elsewhere_region = text(
        &db,
        &format!(
            "SELECT MIN(r.code) FROM region r JOIN collection_point cp ON cp.region_id = r.id \
             WHERE r.affected AND r.code <> 'KZ-39' AND cp.organization_id NOT IN ({sender}, {receiver}) \
             AND cp.organization_id NOT IN (SELECT organization_id FROM collection_point \
             WHERE region_id = (SELECT id FROM region WHERE code = 'KZ-39'))"
        ),
    )
    .await;
    let bystander = int(
        &db,
        &format!(
            "SELECT MIN(organization_id) FROM collection_point WHERE organization_id NOT IN ({sender}, {receiver}) \
             AND region_id = (SELECT id FROM region WHERE code = '{elsewhere_region}') \
             AND organization_id NOT IN (SELECT organization_id FROM collection_point \
             WHERE region_id = (SELECT id FROM region WHERE code = 'KZ-39'))"
        ),
    )
    .await;
    let query = "subscription { shipmentEvents { kind shipment { id destinationRegion { code } driverPhone } } }";
    let mut heard = ws::subscribe(
        &app.base,
        Some(&staff_of(&app, receiver, "receiver@ngo.example").await),
        query,
    )
    .await;
    let mut unheard = ws::subscribe(
        &app.base,
        Some(&staff_of(&app, bystander, "bystander@ngo.example").await),
        query,
    )
    .await;

    let ngo = app.as_demo_ngo().await;
    let donation = int(
        &db,
        &format!(
            "SELECT MIN(id) FROM donation WHERE organization_id = {sender} AND status = 'received'"
        ),
    )
    .await;
    let plan = |region: &str, key: &str| {
        json!({ "input": { "destinationRegionCode": region,
        "items": [{ "donationId": birlik_api::graphql::relay::encode("Donation", donation as i32).0, "kilograms": "0.5" }],
        "vehicle": "КамАЗ", "driverName": "Ерлан", "driverPhone": "+7 701 555 00 11", "idempotencyKey": key } })
    };
    let into_kostanay = ngo
        .gql(ops::PLAN_SHIPMENT, plan("KZ-39", "into-kostanay"))
        .await
        .data()["planShipment"]["shipment"]["id"]
        .clone();
    let elsewhere = ngo
        .gql(ops::PLAN_SHIPMENT, plan(&elsewhere_region, "elsewhere"))
        .await
        .data()["planShipment"]["shipment"]["id"]
        .clone();

    // The receiving organization hears of the shipment into its region, without the driver's
    // phone (the sender's personal data).
    let event = ws::next(&mut heard, 5).await;
    let shipment = &event["payload"]["data"]["shipmentEvents"]["shipment"];
    assert_eq!(shipment["id"], into_kostanay, "{event}");
    assert!(shipment["driverPhone"].is_null(), "{event}");
    assert_eq!(
        event["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{event}"
    );
    // The other organization's first event is the shipment into its own region: it never heard
    // of the one into Kostanay.
    let event = ws::next(&mut unheard, 5).await;
    assert_eq!(
        event["payload"]["data"]["shipmentEvents"]["shipment"]["id"], elsewhere,
        "{event}"
    );
}
