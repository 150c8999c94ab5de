//! The lists of shipments, tasks, volunteers and organizations, and `taskStats`: filters checked
//! against SQL, scopes checked per role.

use serde_json::{Value, json};

use crate::helpers::client::Client;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::int;

async fn total(client: &Client, list: &str, filter_type: &str, filter: Value) -> Value {
    let query = format!(
        "query($f: {filter_type}) {{ {list}(filter: $f, first: 5) {{ totalCount edges {{ node {{ id }} }} }} }}"
    );
    let gql = client.gql(&query, json!({ "f": filter })).await;
    gql.data()[list]["totalCount"].clone()
}

#[tokio::test]
async fn list_filters_select_what_sql_selects() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let kz39 = "(SELECT id FROM region WHERE code = 'KZ-39')";
    let cases: Vec<(&str, &str, Value, String)> = vec![
        ("shipments", "ShipmentFilter", json!({ "status": { "eq": "DELIVERED" } }), "SELECT COUNT(*) FROM shipment WHERE status = 'delivered'".into()),
        ("shipments", "ShipmentFilter", json!({ "destinationRegionCode": { "eq": "KZ-39" } }), format!("SELECT COUNT(*) FROM shipment WHERE destination_region_id = {kz39}")),
        ("shipments", "ShipmentFilter", json!({ "not": { "status": { "in": ["CANCELLED", "PLANNED"] } } }), "SELECT COUNT(*) FROM shipment WHERE status NOT IN ('cancelled', 'planned')".into()),
        ("shipments", "ShipmentFilter", json!({ "deliveredAt": { "isNull": true } }), "SELECT COUNT(*) FROM shipment WHERE delivered_at IS NULL".into()),
        ("tasks", "TaskFilter", json!({ "kind": { "eq": "SANDBAGGING" }, "regionCode": { "eq": "KZ-39" } }), format!("SELECT COUNT(*) FROM task WHERE kind = 'sandbagging' AND region_id = {kz39}")),
        ("tasks", "TaskFilter", json!({ "volunteersNeeded": { "gte": 10 } }), "SELECT COUNT(*) FROM task WHERE volunteers_needed >= 10".into()),
        ("tasks", "TaskFilter", json!({ "title": { "contains": "мешков" } }), "SELECT COUNT(*) FROM task WHERE title LIKE '%мешков%'".into()),
        ("tasks", "TaskFilter", json!({ "or": [{ "status": { "eq": "OPEN" } }, { "status": { "eq": "ASSIGNED" } }] }), "SELECT COUNT(*) FROM task WHERE status IN ('open', 'assigned')".into()),
        ("volunteers", "VolunteerFilter", json!({ "regionCode": { "eq": "KZ-62" }, "available": { "eq": true } }), "SELECT COUNT(*) FROM volunteer WHERE region_id = (SELECT id FROM region WHERE code = 'KZ-62') AND available = TRUE".into()),
        ("volunteers", "VolunteerFilter", json!({ "fullName": { "startsWith": "Алихан" } }), "SELECT COUNT(*) FROM volunteer WHERE full_name LIKE 'Алихан%'".into()),
        ("organizations", "OrganizationFilter", json!({ "verified": { "eq": false } }), "SELECT COUNT(*) FROM organization WHERE verified_at IS NULL".into()),
        ("organizations", "OrganizationFilter", json!({ "kind": { "in": ["CHARITY", "BUSINESS"] } }), "SELECT COUNT(*) FROM organization WHERE kind IN ('charity', 'business')".into()),
        ("organizations", "OrganizationFilter", json!({ "name": { "contains": "Астана" } }), "SELECT COUNT(*) FROM organization WHERE name LIKE '%Астана%'".into()),
    ];
    for (list, filter_type, filter, sql) in cases {
        let expected = int(
            &db,
            &sql.replace("SELECT COUNT(*)", "SELECT CAST(COUNT(*) AS BIGINT)"),
        )
        .await;
        assert!(
            expected > 0,
            "a case that selects nothing proves little: {sql}"
        );
        assert_eq!(
            total(&ministry, list, filter_type, filter.clone()).await,
            expected,
            "{list} {filter}"
        );
    }
}

#[tokio::test]
async fn lists_are_scoped_to_the_caller() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let org = "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";
    let ngo = app.as_demo_ngo().await;
    let own_shipments = int(
        &db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM shipment WHERE organization_id = {org}"),
    )
    .await;
    assert_eq!(
        total(&ngo, "shipments", "ShipmentFilter", json!({})).await,
        own_shipments
    );
    let members = int(
        &db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM volunteer WHERE organization_id = {org}"),
    )
    .await;
    assert_eq!(
        total(&ngo, "volunteers", "VolunteerFilter", json!({})).await,
        members
    );

    let volunteer = app.as_demo_volunteer().await;
    let region_tasks = int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM task WHERE region_id = (SELECT id FROM region WHERE code = 'KZ-39')").await;
    assert_eq!(
        total(&volunteer, "tasks", "TaskFilter", json!({})).await,
        region_tasks
    );
    let query = "{ volunteers(first: 1) { totalCount } }";
    volunteer
        .gql(query, json!({}))
        .await
        .assert_code("FORBIDDEN");
    app.anonymous()
        .gql("{ shipments(first: 1) { totalCount } }", json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
    let all_orgs = int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM organization").await;
    assert_eq!(
        total(
            &app.anonymous(),
            "organizations",
            "OrganizationFilter",
            json!({})
        )
        .await,
        all_orgs,
        "organizations are public"
    );
}

#[tokio::test]
async fn list_orderings_page_without_gaps_or_repeats() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let query = "query($after: String) { organizations(first: 40, after: $after, orderBy: [{ field: KIND, direction: ASC }, { field: NAME }]) { totalCount pageInfo { hasNextPage endCursor } edges { node { id kind name } } } }";
    let mut seen = std::collections::HashSet::new();
    let mut keys = Vec::new();
    let mut after = Value::Null;
    loop {
        let gql = ministry.gql(query, json!({ "after": after })).await;
        let page = &gql.data()["organizations"];
        for e in page["edges"].as_array().unwrap() {
            assert!(seen.insert(e["node"]["id"].as_str().unwrap().to_owned()));
            keys.push((
                e["node"]["kind"].as_str().unwrap().to_owned(),
                e["node"]["name"].as_str().unwrap().to_owned(),
            ));
        }
        if page["pageInfo"]["hasNextPage"] == false {
            assert_eq!(page["totalCount"].as_u64().unwrap() as usize, seen.len());
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    // Kinds ascending; names within a kind follow the database's collation, so only the first
    // key is checked here.
    for pair in keys.windows(2) {
        assert!(pair[0].0 <= pair[1].0, "{pair:?}");
    }
}

#[tokio::test]
async fn task_stats_group_like_sql() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let gql = ministry
        .gql("{ taskStats(groupBy: [KIND, STATUS]) { kind status region { code } taskCount volunteersNeeded volunteersAssigned } }", json!({}))
        .await;
    let rows = gql.data()["taskStats"].as_array().unwrap().clone();
    for row in &rows {
        assert!(row["region"].is_null());
        let kind = row["kind"].as_str().unwrap().to_lowercase();
        let status = row["status"].as_str().unwrap().to_lowercase();
        let filter = format!("kind = '{kind}' AND status = '{status}'");
        assert_eq!(
            row["taskCount"],
            int(
                &db,
                &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM task WHERE {filter}")
            )
            .await
        );
        assert_eq!(
            row["volunteersAssigned"],
            int(
                &db,
                &format!(
                    "SELECT CAST(SUM(volunteers_assigned) AS BIGINT) FROM task WHERE {filter}"
                )
            )
            .await
        );
        assert_eq!(
            row["volunteersNeeded"],
            int(
                &db,
                &format!("SELECT CAST(SUM(volunteers_needed) AS BIGINT) FROM task WHERE {filter}")
            )
            .await
        );
    }
    let total: i64 = rows.iter().map(|r| r["taskCount"].as_i64().unwrap()).sum();
    assert_eq!(
        total,
        int(&db, "SELECT CAST(COUNT(*) AS BIGINT) FROM task").await
    );

    let by_region = app
        .as_demo_volunteer()
        .await
        .gql(
            "{ taskStats(groupBy: [REGION]) { region { code } taskCount } }",
            json!({}),
        )
        .await;
    let regions: Vec<&str> = by_region.data()["taskStats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        regions,
        ["KZ-39"],
        "a volunteer sees their region's tasks only"
    );
}
