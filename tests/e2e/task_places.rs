//! A volunteer moves their own place; the task's status follows from its places, so one
//! volunteer starting or finishing never closes the free places to the others.

use serde_json::{Value, json};

use crate::helpers::client::Client;
use crate::helpers::sql::int;
use crate::helpers::{TestApp, ops, spawn_app_with_demo};

fn task_input(places: i32) -> Value {
    let starts = chrono::Utc::now() + chrono::Duration::hours(5);
    json!({ "input": {
        "title": "Разгрузка гуманитарной помощи",
        "kind": "LOADING",
        "regionCode": "KZ-39",
        "startsAt": starts,
        "endsAt": starts + chrono::Duration::hours(4),
        "volunteersNeeded": places,
    }})
}

async fn volunteer(app: &TestApp, n: usize) -> Client {
    let signed = app
        .anonymous()
        .gql(
            ops::SIGN_UP,
            json!({ "input": {
            "fullName": format!("Волонтёр места {n}"), "phone": format!("+7 706 100 00 {n:02}"),
            "password": "correct horse", "regionCode": "KZ-39", "skills": [] } }),
        )
        .await;
    let token = signed.data()["registerVolunteer"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    app.anonymous().with_token(&token)
}

async fn claim(v: &Client, task: &Value, key: &str) -> Value {
    v.gql(
        ops::CLAIM_TASK,
        json!({ "taskId": task, "idempotencyKey": key }),
    )
    .await
    .data()["claimTask"]["task"]
        .clone()
}

/// Moves the caller's place, retrying with the current version while other volunteers' claims
/// change the task underneath (the CONFLICT carries it).
async fn move_place(v: &Client, task: &Value, status: &str, mut version: i64) -> Value {
    for _ in 0..20 {
        let gql = v
            .gql(
                ops::UPDATE_TASK_STATUS,
                json!({ "taskId": task, "status": status, "expectedVersion": version }),
            )
            .await;
        match gql.body.get("errors") {
            None => return gql.data()["updateTaskStatus"]["task"].clone(),
            Some(_) => {
                gql.assert_code("CONFLICT");
                version = gql.body["errors"][0]["extensions"]["current"]["version"]
                    .as_i64()
                    .expect("a stale version's CONFLICT carries the current task");
            }
        }
    }
    panic!("the place never moved");
}

#[tokio::test]
async fn a_claim_racing_another_volunteers_start_still_finds_the_free_places() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let mut people = Vec::new();
    for n in 0..3 {
        people.push(volunteer(&app, n).await);
    }
    let (first, second, third) = (&people[0], &people[1], &people[2]);
    for round in 0..6 {
        let task =
            ngo.gql(ops::POST_TASK, task_input(3)).await.data()["postTask"]["task"]["id"].clone();
        let claimed = claim(first, &task, &format!("a{round}")).await;
        let version = claimed["version"].as_i64().unwrap();
        // The first volunteer starts while the second claims.
        let (started, second_claim) = tokio::join!(
            move_place(first, &task, "IN_PROGRESS", version),
            second.gql(
                ops::CLAIM_TASK,
                json!({ "taskId": task, "idempotencyKey": format!("b{round}") }),
            )
        );
        assert!(
            second_claim.body.get("errors").is_none(),
            "round {round}: a free place was refused: {}",
            second_claim.body
        );
        assert_eq!(started["status"], "OPEN", "round {round}: places are free");
        // The third place is still free after the first volunteer started.
        let full = claim(third, &task, &format!("c{round}")).await;
        assert_eq!(full["volunteersAssigned"], 3);
        assert_eq!(
            full["status"], "IN_PROGRESS",
            "round {round}: full, and one volunteer has started"
        );
    }
    // No task anywhere is closed to claims while it has free places.
    let db = app.db.connect().await;
    assert_eq!(
        int(
            &db,
            "SELECT CAST(COUNT(*) AS BIGINT) FROM task WHERE status IN ('assigned', 'in_progress') \
             AND volunteers_assigned < volunteers_needed"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn finishing_a_place_opens_nothing_and_closes_nothing_for_the_others() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let (a, b) = (volunteer(&app, 10).await, volunteer(&app, 11).await);
    let task =
        ngo.gql(ops::POST_TASK, task_input(2)).await.data()["postTask"]["task"]["id"].clone();
    let v = claim(&a, &task, "a").await["version"].as_i64().unwrap();
    let started = move_place(&a, &task, "IN_PROGRESS", v).await;
    let done = move_place(&a, &task, "DONE", started["version"].as_i64().unwrap()).await;
    assert_eq!(done["status"], "OPEN", "one place of two is still free");
    let second = claim(&b, &task, "b").await;
    assert_eq!(
        second["status"], "IN_PROGRESS",
        "full, one finished, one not started"
    );
    // b releases: a place is free again, and the task is open.
    let released = b
        .gql(
            "mutation($t: ID!) { releaseTask(taskId: $t) { task { status volunteersAssigned } } }",
            json!({ "t": task }),
        )
        .await;
    assert_eq!(released.data()["releaseTask"]["task"]["status"], "OPEN");
    // b claims again, starts and finishes: every place is done, so the task is.
    let again = claim(&b, &task, "b2").await["version"].as_i64().unwrap();
    let started = move_place(&b, &task, "IN_PROGRESS", again).await;
    let finished = move_place(&b, &task, "DONE", started["version"].as_i64().unwrap()).await;
    assert_eq!(finished["status"], "DONE");
    // A finished task takes no more moves.
    b.gql(
        ops::UPDATE_TASK_STATUS,
        json!({ "taskId": task, "status": "IN_PROGRESS", "expectedVersion": finished["version"] }),
    )
    .await
    .assert_code("CONFLICT");
}

#[tokio::test]
async fn a_task_outside_a_volunteers_scope_is_not_found_by_its_mutations_either() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let task =
        ngo.gql(ops::POST_TASK, task_input(2)).await.data()["postTask"]["task"]["id"].clone();
    // A volunteer of another region: a stale version, a claim and a release all answer
    // NOT_FOUND, and no CONFLICT carries the task's `current` state.
    let signed = app
        .anonymous()
        .gql(
            ops::SIGN_UP,
            json!({ "input": {
            "fullName": "Чужой регион", "phone": "+7 706 100 00 99",
            "password": "correct horse", "regionCode": "KZ-75", "skills": [] } }),
        )
        .await;
    let stranger = app.anonymous().with_token(
        signed.data()["registerVolunteer"]["accessToken"]
            .as_str()
            .unwrap(),
    );
    for (query, variables) in [
        (
            ops::UPDATE_TASK_STATUS,
            json!({ "taskId": task, "status": "IN_PROGRESS", "expectedVersion": -1 }),
        ),
        (
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "stranger" }),
        ),
        (
            "mutation($taskId: ID!) { releaseTask(taskId: $taskId) { task { id } } }",
            json!({ "taskId": task }),
        ),
    ] {
        let gql = stranger.gql(query, variables).await;
        gql.assert_code("NOT_FOUND");
        assert!(
            gql.body["errors"][0]["extensions"].get("current").is_none(),
            "{}",
            gql.body
        );
    }
}
