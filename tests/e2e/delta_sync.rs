//! Exact delta sync: `myTasks(updatedSince:)` given the last `syncedAt` returns what changed since
//! that sync and nothing else: empty after a quiet moment, each change once, and nothing missed
//! while writers commit during the syncs, on one instance or two over one database.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::helpers::client::Client;
use crate::helpers::{TestApp, ops, spawn_app_with_demo};

const RELEASE: &str = "mutation($t: ID!) { releaseTask(taskId: $t) { task { id version } } }";

/// What one sync gave: the tasks (id → (version, status)), the removed ids, and `syncedAt`.
struct Delta {
    tasks: Vec<(String, i64, String)>,
    removed: Vec<String>,
    synced_at: Value,
}

/// One sync of the volunteer's tasks, every page (the `syncedAt` kept is the first page's).
async fn sync(v: &Client, since: Option<&Value>) -> Delta {
    let mut delta = Delta {
        tasks: Vec::new(),
        removed: Vec::new(),
        synced_at: Value::Null,
    };
    let mut after: Option<String> = None;
    loop {
        let mut vars = json!({ "first": 100, "after": after });
        if let Some(since) = since {
            vars["updatedSince"] = since.clone();
        }
        let gql = v.gql(ops::MY_TASKS, vars).await;
        let page = &gql.data()["myTasks"];
        if delta.synced_at.is_null() {
            delta.synced_at = page["syncedAt"].clone();
        }
        for e in page["edges"].as_array().unwrap() {
            let n = &e["node"];
            delta.tasks.push((
                n["id"].as_str().unwrap().to_owned(),
                n["version"].as_i64().unwrap(),
                n["status"].as_str().unwrap().to_owned(),
            ));
        }
        for id in page["removedIds"].as_array().unwrap() {
            delta.removed.push(id.as_str().unwrap().to_owned());
        }
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return delta;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
}

/// A new volunteer of KZ-39: its access token.
async fn sign_up(app: &TestApp, n: usize) -> String {
    let signed = app
        .anonymous()
        .gql(
            ops::SIGN_UP,
            json!({ "input": {
            "fullName": format!("Волонтёр синхронизации {n}"), "phone": format!("+7 706 200 00 {n:02}"),
            "password": "correct horse", "regionCode": "KZ-39", "skills": [] } }),
        )
        .await;
    signed.data()["registerVolunteer"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn post(ngo: &Client, places: i32) -> Value {
    let starts = chrono::Utc::now() + chrono::Duration::hours(5);
    let gql = ngo
        .gql(
            ops::POST_TASK,
            json!({ "input": {
                "title": "Сортировка на складе", "kind": "LOADING", "regionCode": "KZ-39",
                "startsAt": starts, "endsAt": starts + chrono::Duration::hours(4),
                "volunteersNeeded": places,
            }}),
        )
        .await;
    gql.data()["postTask"]["task"]["id"].clone()
}

/// Claims a place; the task's version after it, or None when refused.
async fn claim(v: &Client, task: &Value) -> Option<i64> {
    let key = uuid::Uuid::new_v4().to_string();
    let gql = v
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": key }),
        )
        .await;
    if gql.body.get("errors").is_some() {
        gql.assert_code("CONFLICT");
        return None;
    }
    gql.data()["claimTask"]["task"]["version"].as_i64()
}

async fn release(v: &Client, task: &Value) -> bool {
    let gql = v.gql(RELEASE, json!({ "t": task })).await;
    if gql.body.get("errors").is_some() {
        gql.assert_code("CONFLICT");
        return false;
    }
    true
}

/// Starts the caller's place at the version it read (a CONFLICT when the task moved on).
async fn start(v: &Client, task: &Value, version: i64) -> bool {
    let gql = v
        .gql(
            ops::UPDATE_TASK_STATUS,
            json!({ "taskId": task, "status": "IN_PROGRESS", "expectedVersion": version }),
        )
        .await;
    if gql.body.get("errors").is_some() {
        gql.assert_code("CONFLICT");
        return false;
    }
    true
}

fn ids(delta: &Delta) -> Vec<&str> {
    delta.tasks.iter().map(|(id, ..)| id.as_str()).collect()
}

#[tokio::test]
async fn after_a_quiet_moment_the_delta_is_empty() {
    let app = spawn_app_with_demo().await;
    let volunteer = app.as_demo_volunteer().await;
    let full = sync(&volunteer, None).await;
    assert!(!full.tasks.is_empty());
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for _ in 0..2 {
        let delta = sync(&volunteer, Some(&full.synced_at)).await;
        assert_eq!(ids(&delta), Vec::<&str>::new(), "nothing changed");
        assert_eq!(delta.removed, Vec::<String>::new());
        // Nothing was stamped since: the watermark has not moved, to the microsecond.
        assert_eq!(delta.synced_at, full.synced_at);
    }
}

#[tokio::test]
async fn each_change_arrives_once_in_the_following_syncs() {
    let app = spawn_app_with_demo().await;
    let ngo = app.as_demo_ngo().await;
    let v = Client::new(&app.base, Some(sign_up(&app, 1).await));
    let (kept, given_up, called_off) = (
        post(&ngo, 3).await,
        post(&ngo, 3).await,
        post(&ngo, 3).await,
    );
    let mut since = sync(&v, None).await.synced_at;
    let mut next = async |expect_tasks: &[&Value], expect_removed: &[&Value]| {
        let delta = sync(&v, Some(&since)).await;
        let want: Vec<&str> = expect_tasks.iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(ids(&delta), want);
        let removed: Vec<&str> = expect_removed.iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(delta.removed, removed);
        // And then nothing more.
        let quiet = sync(&v, Some(&delta.synced_at)).await;
        assert!(quiet.tasks.is_empty() && quiet.removed.is_empty());
        since = delta.synced_at.clone();
        delta
    };

    let before = chrono::Utc::now();
    let version = claim(&v, &kept).await.unwrap();
    let delta = next(&[&kept], &[]).await;
    assert_eq!(delta.tasks[0].1, version);
    let gql = v.gql(ops::MY_TASKS, json!({})).await;
    let shown = gql.data()["myTasks"]["edges"][0]["node"]["updatedAt"].clone();
    let shown = chrono::DateTime::parse_from_rfc3339(shown.as_str().unwrap()).unwrap();
    assert!(
        shown >= before && shown <= chrono::Utc::now(),
        "updatedAt is the moment of the change: {shown}"
    );

    assert!(start(&v, &kept, version).await);
    let delta = next(&[&kept], &[]).await;
    assert_eq!(delta.tasks[0].1, version + 1);

    claim(&v, &given_up).await.unwrap();
    next(&[&given_up], &[]).await;
    assert!(release(&v, &given_up).await);
    next(&[], &[&given_up]).await;

    let version = claim(&v, &called_off).await.unwrap();
    next(&[&called_off], &[]).await;
    ngo.gql(
        ops::UPDATE_TASK_STATUS,
        json!({ "taskId": called_off, "status": "CANCELLED", "expectedVersion": version }),
    )
    .await
    .data();
    next(&[], &[&called_off]).await;
}

/// Several volunteers claim, start and give up places on a few tasks through `bases` (one or
/// more instances over one database) while the observer, who holds a place on every task, syncs
/// in a loop chaining `syncedAt` (through each instance in turn) and also moves its own places.
/// Its deltas, applied in order, give exactly the final state, and no version comes twice.
async fn syncs_miss_nothing_while_writers_commit(app: &TestApp, bases: &[String]) {
    let ngo = app.as_demo_ngo().await;
    let mut tasks = Vec::new();
    for _ in 0..4 {
        tasks.push(post(&ngo, 6).await);
    }
    let token = sign_up(app, 0).await;
    let observer = Client::new(&bases[0], Some(token.clone()));
    for t in &tasks {
        claim(&observer, t).await.unwrap();
    }
    let mut writers = Vec::new();
    for n in 1..=4 {
        let v = Client::new(&bases[n % bases.len()], Some(sign_up(app, n).await));
        let tasks = tasks.clone();
        writers.push(tokio::spawn(async move {
            for round in 0..12 {
                let t = &tasks[(n + round) % tasks.len()];
                if let Some(version) = claim(&v, t).await {
                    if round % 3 == 0 {
                        start(&v, t, version).await;
                    }
                    if round % 2 == 0 {
                        release(&v, t).await;
                    }
                }
            }
        }));
    }
    // The observer's own changes: give up a place, take it again, start one.
    let own = {
        let v = Client::new(bases.last().unwrap(), Some(token.clone()));
        let tasks = tasks.clone();
        tokio::spawn(async move {
            for round in 0..6 {
                let t = &tasks[round % 2];
                if release(&v, t).await {
                    tokio::task::yield_now().await;
                    claim(&v, t).await;
                }
            }
            let t = &tasks[3];
            for _ in 0..5 {
                let gql = v.gql(ops::MY_TASKS, json!({})).await;
                let version = gql.data()["myTasks"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|e| e["node"]["id"] == *t)
                    .map(|e| e["node"]["version"].as_i64().unwrap());
                if start(&v, t, version.unwrap()).await {
                    break;
                }
            }
        })
    };

    let mut state: HashMap<String, (i64, String)> = HashMap::new();
    let mut delivered: HashSet<(String, i64)> = HashSet::new();
    let mut since = {
        let full = sync(&observer, None).await;
        for (id, version, status) in full.tasks {
            delivered.insert((id.clone(), version));
            state.insert(id, (version, status));
        }
        full.synced_at
    };
    let mut syncs = 0;
    let mut changes = 0;
    let mut apply = |delta: Delta, state: &mut HashMap<String, (i64, String)>| {
        for (id, version, status) in delta.tasks {
            assert!(
                delivered.insert((id.clone(), version)),
                "{id} at version {version} came twice"
            );
            changes += 1;
            state.insert(id, (version, status));
        }
        for id in delta.removed {
            changes += 1;
            state.remove(&id);
        }
    };
    let mut turn = 0;
    loop {
        let done = writers.iter().all(|w| w.is_finished()) && own.is_finished();
        let via = Client::new(&bases[turn % bases.len()], Some(token.clone()));
        turn += 1;
        let delta = sync(&via, Some(&since)).await;
        syncs += 1;
        since = delta.synced_at.clone();
        apply(delta, &mut state);
        if done {
            break;
        }
    }
    for w in writers {
        w.await.unwrap();
    }
    own.await.unwrap();
    // One more sync after everything committed brings nothing new.
    let last = sync(&observer, Some(&since)).await;
    assert!(last.tasks.is_empty() && last.removed.is_empty());

    let truth: HashMap<String, (i64, String)> = sync(&observer, None)
        .await
        .tasks
        .into_iter()
        .map(|(id, version, status)| (id, (version, status)))
        .collect();
    assert_eq!(state, truth, "the deltas add up to the final state");
    assert!(
        syncs > 3 && changes > 10,
        "{syncs} syncs, {changes} changes"
    );
}

#[tokio::test]
async fn syncs_miss_nothing_while_writers_commit_on_one_instance() {
    let app = spawn_app_with_demo().await;
    let bases = [app.base.clone()];
    syncs_miss_nothing_while_writers_commit(&app, &bases).await;
}

#[tokio::test]
async fn syncs_miss_nothing_while_writers_commit_on_two_instances() {
    let app = spawn_app_with_demo().await;
    let bases = [app.base.clone(), app.another_instance().await];
    syncs_miss_nothing_while_writers_commit(&app, &bases).await;
}
