//! The volunteer app's reads: `openTasks`, `myTasks`, `me`.

use std::collections::HashSet;

use birlik_api::graphql::relay::encode;
use serde_json::json;

use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::{int, ints};

const VOLUNTEER: &str =
    "(SELECT volunteer_id FROM user_account WHERE email = 'volunteer@demo.birlik.kz')";

#[tokio::test]
async fn open_tasks_are_the_free_places_of_the_volunteers_region_soonest_first() {
    let app = spawn_app_with_demo().await;
    let volunteer = app.as_demo_volunteer().await;
    let db = app.db.connect().await;
    let filter = format!(
        "region_id = (SELECT region_id FROM volunteer WHERE id = {VOLUNTEER}) AND status = 'open' \
         AND id NOT IN (SELECT task_id FROM task_assignment WHERE volunteer_id = {VOLUNTEER} AND status <> 'released')"
    );
    let expected = int(
        &db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM task WHERE {filter}"),
    )
    .await;
    assert!(expected >= 5);
    let held: HashSet<String> = ints(
        &db,
        &format!("SELECT task_id FROM task_assignment WHERE volunteer_id = {VOLUNTEER}"),
    )
    .await
    .into_iter()
    .map(|id| encode("Task", id as i32).0)
    .collect();
    assert!(!held.is_empty(), "the demo volunteer holds tasks");

    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let gql = volunteer
            .gql(ops::OPEN_TASKS, json!({ "first": 7, "after": after }))
            .await;
        let page = &gql.data()["openTasks"];
        assert_eq!(page["totalCount"], expected);
        for edge in page["edges"].as_array().unwrap() {
            let node = &edge["node"];
            assert_eq!(node["status"], "OPEN");
            assert_eq!(node["region"]["code"], "KZ-39");
            assert!(node["volunteersAssigned"].as_i64() < node["volunteersNeeded"].as_i64());
            assert!(
                !held.contains(node["id"].as_str().unwrap()),
                "a task the volunteer already holds"
            );
            seen.push(node["startsAt"].as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len() as i64, expected);
    let parsed: Vec<_> = seen
        .iter()
        .map(|s| chrono::DateTime::parse_from_rfc3339(s).unwrap())
        .collect();
    assert!(parsed.windows(2).all(|w| w[0] <= w[1]), "soonest first");
}

#[tokio::test]
async fn my_tasks_are_the_volunteers_live_claims() {
    let app = spawn_app_with_demo().await;
    let volunteer = app.as_demo_volunteer().await;
    let db = app.db.connect().await;
    let held: HashSet<String> =
        ints(&db, &format!("SELECT task_id FROM task_assignment WHERE volunteer_id = {VOLUNTEER} AND status <> 'released'"))
            .await
            .into_iter()
            .map(|id| encode("Task", id as i32).0)
            .collect();
    let before = chrono::Utc::now();
    let gql = volunteer.gql(ops::MY_TASKS, json!({})).await;
    let mine = &gql.data()["myTasks"];
    let got: HashSet<String> = mine["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got, held);
    assert_eq!(mine["removedIds"], json!([]));
    // The sync clock's watermark: the stamp of the last change committed before the read, never
    // after the read, and at or after every task shown.
    let synced = chrono::DateTime::parse_from_rfc3339(mine["syncedAt"].as_str().unwrap()).unwrap();
    assert!(synced <= chrono::Utc::now(), "{synced} after {before}");
    for edge in mine["edges"].as_array().unwrap() {
        let updated = edge["node"]["updatedAt"].as_str().unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(updated).unwrap() <= synced);
    }

    let done = volunteer
        .gql(ops::MY_TASKS, json!({ "status": ["DONE"] }))
        .await;
    for edge in done.data()["myTasks"]["edges"].as_array().unwrap() {
        assert_eq!(edge["node"]["status"], "DONE");
    }
    // Nothing changed since that sync.
    let delta = volunteer
        .gql(ops::MY_TASKS, json!({ "updatedSince": mine["syncedAt"] }))
        .await;
    assert_eq!(delta.data()["myTasks"]["edges"], json!([]));
}

#[tokio::test]
async fn me_is_the_callers_account_with_its_volunteer_record() {
    let app = spawn_app_with_demo().await;
    let gql = app.as_demo_volunteer().await.gql(ops::ME, json!({})).await;
    let me = &gql.data()["me"];
    assert_eq!(me["role"], "VOLUNTEER");
    assert_eq!(me["volunteer"]["phone"], "+77000000001");
    assert_eq!(me["volunteer"]["region"]["code"], "KZ-39");
    assert!(me["volunteer"]["skills"].as_array().is_some());
    app.anonymous()
        .gql(ops::ME, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn task_lists_are_for_volunteers() {
    let app = spawn_app_with_demo().await;
    app.anonymous()
        .gql(ops::OPEN_TASKS, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
    app.as_demo_ngo()
        .await
        .gql(ops::OPEN_TASKS, json!({}))
        .await
        .assert_code("FORBIDDEN");
    app.as_demo_ministry()
        .await
        .gql(ops::MY_TASKS, json!({}))
        .await
        .assert_code("FORBIDDEN");
}

#[tokio::test]
async fn volunteer_pages_cost_the_same_statements_whatever_their_size() {
    let app = spawn_app_with_demo().await;
    let volunteer = app.as_demo_volunteer().await;
    // OpenTasks: account, page (with the volunteer's region and the count, issue 17: each was a
    // statement of its own), collection points. MyTasks reads the sync clock's watermark
    // (`syncedAt`) in its page's statement.
    for (op, sizes, cost) in [(ops::OPEN_TASKS, [2, 20], 3), (ops::MY_TASKS, [3, 50], 4)] {
        let mut costs = Vec::new();
        for first in sizes {
            let before = app.statements().await;
            volunteer.gql(op, json!({ "first": first })).await.data();
            costs.push(app.statements().await - before);
        }
        assert_eq!(
            costs,
            [cost, cost],
            "{}",
            op.lines().find(|l| l.starts_with("query")).unwrap()
        );
    }
}

#[tokio::test]
async fn a_change_that_commits_during_a_sync_arrives_with_the_next_one() {
    use birlik_entity::task;
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let app = spawn_app_with_demo().await;
    let volunteer = app.as_demo_volunteer().await;
    let db = app.db.connect().await;
    let held = int(&db, &format!("SELECT MAX(task_id) FROM task_assignment WHERE volunteer_id = {VOLUNTEER} AND status <> 'released'")).await as i32;

    // Another writer changes the task and takes its stamp (as every task write does, last),
    // and commits only after the app has synced.
    let writer = app.db.connect().await;
    let tx = birlik_api::db::begin_write(&writer).await.unwrap();
    let now = chrono::Utc::now();
    task::Entity::update_many()
        .col_expr(
            task::Column::Title,
            Expr::value("Перенесено: новое место сбора"),
        )
        .filter(task::Column::Id.eq(held))
        .exec(&tx)
        .await
        .unwrap();
    birlik_api::store::task::stamp_task(&tx, held, now, birlik_api::store::task::Places::Kept)
        .await
        .unwrap();
    let first = volunteer
        .gql(
            ops::MY_TASKS,
            json!({ "updatedSince": "2020-01-01T00:00:00Z" }),
        )
        .await;
    let synced = first.data()["myTasks"]["syncedAt"].clone();
    let title = |gql: &crate::helpers::client::Gql| {
        gql.data()["myTasks"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["id"] == encode("Task", held).0)
            .map(|e| e["node"]["title"].clone())
    };
    assert_ne!(
        title(&first),
        Some(json!("Перенесено: новое место сбора")),
        "the uncommitted change is not visible yet"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    tx.commit().await.unwrap();

    let next = volunteer
        .gql(ops::MY_TASKS, json!({ "updatedSince": synced }))
        .await;
    assert_eq!(
        title(&next),
        Some(json!("Перенесено: новое место сбора")),
        "the late commit is in the next sync"
    );
}
