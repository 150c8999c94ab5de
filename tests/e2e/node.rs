//! Relay global object identification: `node(id:)` and `nodes(ids:)` refetch every kind of object,
//! within what the caller may read.

use birlik_api::graphql::relay::encode;
use serde_json::json;

use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::int;

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

#[tokio::test]
async fn every_kind_of_object_is_refetched_by_its_id() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    for (kind, table) in [
        ("Region", "region"),
        ("Organization", "organization"),
        ("CollectionPoint", "collection_point"),
        ("Volunteer", "volunteer"),
        ("User", "user_account"),
        ("Donation", "donation"),
        ("Shipment", "shipment"),
        ("ShipmentItem", "shipment_item"),
        ("Task", "task"),
        ("Shelter", "shelter"),
    ] {
        let row = int(&db, &format!("SELECT MAX(id) FROM {table}")).await as i32;
        let id = encode(kind, row).0;
        let gql = ministry.gql(NODE, json!({ "id": id })).await;
        assert_eq!(
            gql.data()["node"],
            json!({ "__typename": kind, "id": id }),
            "{kind}"
        );
    }
    let ids = [
        encode("Region", 1).0,
        encode("Task", 1).0,
        encode("Donation", 1).0,
    ];
    let gql = ministry
        .gql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    let got: Vec<&str> = gql.data()["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, ids);
}

#[tokio::test]
async fn ids_of_one_type_never_collide_with_another() {
    let region = encode("Region", 1).0;
    let task = encode("Task", 1).0;
    assert_ne!(region, task);
    let app = spawn_app_with_demo().await;
    let gql = app
        .anonymous()
        .gql(
            "query($id: ID!) { region(code: \"KZ-71\") { id } node(id: $id) { id } }",
            json!({ "id": region }),
        )
        .await;
    assert_eq!(gql.data()["region"]["id"], gql.data()["node"]["id"]);
}

#[tokio::test]
async fn unknown_malformed_and_unreadable_ids_are_refused() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    ministry
        .gql(NODE, json!({ "id": encode("Donation", 99_999_999).0 }))
        .await
        .assert_code("NOT_FOUND");
    ministry
        .gql(NODE, json!({ "id": "%%%" }))
        .await
        .assert_code("BAD_USER_INPUT");
    ministry
        .gql(NODE, json!({ "id": encode("Nothing", 1).0 }))
        .await
        .assert_code("BAD_USER_INPUT");

    // Another organization's donation does not exist for this NGO; a volunteer's record is not public.
    let db = app.db.connect().await;
    let own = int(
        &db,
        "SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await;
    let foreign = int(
        &db,
        &format!("SELECT MIN(id) FROM donation WHERE organization_id <> {own}"),
    )
    .await as i32;
    app.as_demo_ngo()
        .await
        .gql(NODE, json!({ "id": encode("Donation", foreign).0 }))
        .await
        .assert_code("NOT_FOUND");
    app.anonymous()
        .gql(NODE, json!({ "id": encode("Volunteer", 2).0 }))
        .await
        .assert_code("NOT_FOUND");
    // Public objects are public.
    app.anonymous()
        .gql(NODE, json!({ "id": encode("CollectionPoint", 1).0 }))
        .await
        .data();
}

#[tokio::test]
async fn personal_fields_are_null_with_forbidden_and_the_rest_intact() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let own = int(
        &db,
        "SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await;
    let stranger = int(&db, &format!("SELECT MIN(id) FROM volunteer WHERE organization_id IS NULL OR organization_id <> {own}")).await as i32;
    // The ministry reads it whole; the shipment's driver phone is the sender's and the ministry's.
    let query = "query($id: ID!) { node(id: $id) { ... on Volunteer { fullName phone } } }";
    let ministry = app
        .as_demo_ministry()
        .await
        .gql(query, json!({ "id": encode("Volunteer", stranger).0 }))
        .await;
    assert!(
        ministry.data()["node"]["phone"]
            .as_str()
            .unwrap()
            .starts_with("+7")
    );

    let shipment = int(
        &db,
        &format!("SELECT MIN(id) FROM shipment WHERE organization_id <> {own}"),
    )
    .await as i32;
    let receiving = int(&db, &format!(
        "SELECT CAST(COALESCE(MIN(s.id), 0) AS BIGINT) FROM shipment s WHERE s.organization_id <> {own} AND s.destination_region_id IN (SELECT region_id FROM collection_point WHERE organization_id = {own})"
    )).await;
    let target = if receiving > 0 {
        receiving as i32
    } else {
        shipment
    };
    let q = "query($id: ID!) { node(id: $id) { ... on Shipment { vehicle driverPhone } } }";
    let gql = app
        .as_demo_ngo()
        .await
        .gql(q, json!({ "id": encode("Shipment", target).0 }))
        .await;
    if receiving > 0 {
        assert!(
            gql.body["data"]["node"]["vehicle"].is_string(),
            "the rest of the answer is intact: {}",
            gql.body
        );
        assert!(gql.body["data"]["node"]["driverPhone"].is_null());
        gql.assert_code("FORBIDDEN");
        assert_eq!(
            gql.body["errors"][0]["path"],
            json!(["node", "driverPhone"])
        );
    }
}
