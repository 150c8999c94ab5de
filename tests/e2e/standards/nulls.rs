//! "Handling Field Errors": a withheld or failed nullable field is `null` in `data`, its key
//! present, with its error (path, code) in `errors` once; a failed non-null field nulls its
//! nearest nullable parent.

use birlik_api::graphql::relay::encode;
use serde_json::{Value, json};

use crate::helpers::client::Client;
use crate::helpers::sql::int;
use crate::helpers::{TestApp, spawn_app_with_demo};

/// An open task with a shipment in the demo volunteer's region, claimed by that volunteer
/// (through `claimTask`): they read the task's shipment, but not its driver's phone.
pub async fn claimed_task_with_shipment(app: &TestApp) -> String {
    let db = app.db.connect().await;
    let id = int(
        &db,
        "SELECT CAST(MIN(t.id) AS BIGINT) FROM task t WHERE t.status = 'open' \
         AND t.shipment_id IS NOT NULL AND t.volunteers_assigned < t.volunteers_needed \
         AND t.region_id = (SELECT v.region_id FROM volunteer v JOIN user_account u \
         ON u.volunteer_id = v.id WHERE u.email = 'volunteer@demo.birlik.kz')",
    )
    .await;
    let task = encode("Task", id as i32).0;
    let claimed = app
        .as_demo_volunteer()
        .await
        .gql(
            "mutation($t: ID!) { claimTask(taskId: $t, idempotencyKey: \"standards-claim\") { task { id } } }",
            json!({ "t": task }),
        )
        .await;
    claimed.data();
    task
}

/// What the volunteer asks of that task.
pub const TASK_SHIPMENT: &str = "query($id: ID!) { node(id: $id) { id ... on Task { title shipment { id vehicle driverPhone } } } }";

/// Asserts the spec's shape of field errors in one answer: every error with a path has its
/// key in `data` (at its path, or at the nearest ancestor that is `null`), that key is `null`,
/// and no path has two errors. Returns how many field errors it checked.
pub fn assert_field_errors_are_nulls(body: &Value, what: &str) -> usize {
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    let mut paths = Vec::new();
    for error in &errors {
        let Some(path) = error["path"].as_array() else {
            continue;
        };
        assert!(
            error["extensions"]["code"].is_string(),
            "{what}: an error without a code: {body}"
        );
        assert!(
            !paths.contains(path),
            "{what}: two errors on one path: {body}"
        );
        paths.push(path.clone());
        let object = body.as_object().unwrap_or_else(|| panic!("{what}: {body}"));
        assert!(
            object.contains_key("data"),
            "{what}: a field error with no data entry: {body}"
        );
        let mut at = &body["data"];
        let mut reached_null = at.is_null();
        for segment in path {
            if reached_null {
                break;
            }
            let next = match segment {
                Value::String(key) => at.as_object().and_then(|o| o.get(key)),
                Value::Number(i) => at
                    .as_array()
                    .and_then(|a| a.get(i.as_u64().unwrap() as usize)),
                _ => None,
            };
            at = next.unwrap_or_else(|| {
                panic!("{what}: the key {segment} of error path {path:?} is missing: {body}")
            });
            reached_null = at.is_null();
        }
        assert!(
            reached_null,
            "{what}: the field at {path:?} failed but is not null: {body}"
        );
    }
    paths.len()
}

#[tokio::test]
async fn a_withheld_personal_field_is_null_beside_its_error() {
    let app = spawn_app_with_demo().await;
    let task = claimed_task_with_shipment(&app).await;
    let got = app
        .as_demo_volunteer()
        .await
        .gql(TASK_SHIPMENT, json!({ "id": task }))
        .await;
    assert_eq!(got.status, 200);
    let shipment = got.body["data"]["node"]["shipment"]
        .as_object()
        .unwrap_or_else(|| panic!("{}", got.body));
    assert!(shipment["vehicle"].is_string(), "{}", got.body);
    assert!(
        shipment.contains_key("driverPhone") && shipment["driverPhone"].is_null(),
        "driverPhone is present and null: {}",
        got.body
    );
    let errors = got.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "one error: {}", got.body);
    assert_eq!(
        errors[0]["path"],
        json!(["node", "shipment", "driverPhone"])
    );
    assert_eq!(errors[0]["extensions"]["code"], "FORBIDDEN");
    assert_field_errors_are_nulls(&got.body, "driverPhone");

    // The public without a token: `me` is null beside the public figures.
    let got = app
        .anonymous()
        .gql(
            "{ me { id email } reliefSummary { collectedTonnes } }",
            json!({}),
        )
        .await;
    assert_eq!(got.status, 200);
    let data = got.body["data"].as_object().unwrap();
    assert!(
        data.contains_key("me") && data["me"].is_null(),
        "{}",
        got.body
    );
    assert_eq!(data["reliefSummary"]["collectedTonnes"], "10520");
    assert_eq!(got.body["errors"].as_array().unwrap().len(), 1);
    assert_eq!(got.body["errors"][0]["path"], json!(["me"]));
    assert_eq!(
        got.body["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
}

#[tokio::test]
async fn a_failed_non_null_field_nulls_its_nearest_nullable_parent() {
    let app = spawn_app_with_demo().await;
    let public = app.anonymous();
    // `Region.collectionPoints` is non-null: a bad cursor there nulls the region (nullable),
    // and its sibling is untouched.
    let got = public
        .gql(
            r#"{ a: region(code: "KZ-71") { code }
                 b: region(code: "KZ-71") { code collectionPoints(after: "nope") { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["data"]["a"]["code"], "KZ-71");
    assert!(
        got.body["data"].as_object().unwrap().contains_key("b") && got.body["data"]["b"].is_null(),
        "{}",
        got.body
    );
    assert_eq!(got.body["errors"].as_array().unwrap().len(), 1);
    assert_eq!(
        got.body["errors"][0]["path"],
        json!(["b", "collectionPoints"])
    );
    assert_eq!(
        got.body["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );

    // In `[Region!]!` the null climbs past the non-null items and list to `data` itself.
    let got = public
        .gql(
            r#"{ regions { code collectionPoints(after: "nope") { totalCount } } }"#,
            json!({}),
        )
        .await;
    assert!(got.body["data"].is_null(), "{}", got.body);
    let errors = got.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 20, "one error per region: {}", got.body);
    assert_eq!(errors[3]["path"][0], "regions");
    assert_field_errors_are_nulls(&got.body, "regions");
}

/// Builds, from introspection, a query of every field without required arguments down to
/// `depth` object levels under `root` (connections included, pages of 3).
fn selection(schema: &Value, ty: &str, depth: usize) -> Option<String> {
    let types = schema["types"].as_array().unwrap();
    let find = |name: &str| types.iter().find(|t| t["name"] == name).unwrap();
    let named = |mut t: &Value| {
        while t["name"].is_null() {
            t = &t["ofType"];
        }
        (
            t["name"].as_str().unwrap().to_owned(),
            t["kind"].as_str().unwrap().to_owned(),
        )
    };
    let here = find(ty);
    let mut parts = Vec::new();
    if here["kind"] == "INTERFACE" || here["kind"] == "UNION" {
        parts.push("__typename".to_owned());
        for possible in here["possibleTypes"].as_array().unwrap() {
            let name = possible["name"].as_str().unwrap();
            if let Some(inner) = selection(schema, name, depth) {
                parts.push(format!("... on {name} {inner}"));
            }
        }
        return Some(format!("{{ {} }}", parts.join(" ")));
    }
    for field in here["fields"].as_array().unwrap() {
        let name = field["name"].as_str().unwrap();
        let required = field["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null());
        if required {
            continue;
        }
        let pages = field["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "first");
        let call = if pages {
            format!("{name}(first: 3)")
        } else {
            name.to_owned()
        };
        let (inner, kind) = named(&field["type"]);
        match kind.as_str() {
            "SCALAR" | "ENUM" => parts.push(call),
            _ if depth > 0 => {
                if let Some(sub) = selection(schema, &inner, depth - 1) {
                    parts.push(format!("{call} {sub}"));
                }
            }
            _ => {}
        }
    }
    (!parts.is_empty()).then(|| format!("{{ {} }}", parts.join(" ")))
}

#[tokio::test]
async fn every_field_error_across_the_schema_is_a_null_key() {
    // The generated documents are large on purpose; the query limits are tested elsewhere.
    let app = crate::helpers::app::spawn_with(crate::helpers::TestDb::demo().await, |c| {
        c.max_tokens = 1_000_000;
        c.max_complexity = 10_000_000;
        c.max_body_bytes = 10_000_000;
    })
    .await;
    let intro = app
        .anonymous()
        .gql(
            "{ __schema { types { name kind possibleTypes { name } fields { name \
             args { name defaultValue type { kind } } \
             type { name kind ofType { name kind ofType { name kind ofType { name kind } } } } } } } }",
            json!({}),
        )
        .await;
    let schema = &intro.data()["__schema"];
    let roots: Vec<String> = schema["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Query")
        .unwrap()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    let task = claimed_task_with_shipment(&app).await;
    let callers: [(&str, Client); 4] = [
        ("anonymous", app.anonymous()),
        ("volunteer", app.as_demo_volunteer().await),
        ("ngo", app.as_demo_ngo().await),
        ("ministry", app.as_demo_ministry().await),
    ];
    let mut checked = 0;
    let mut withheld = 0;
    for root in &roots {
        // Each root field alone (so that one refused root does not null the others), its
        // objects three levels deep.
        let query_type = schema["types"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "Query")
            .unwrap();
        let field = query_type["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| &f["name"] == root)
            .unwrap();
        let mut inner = field["type"].clone();
        while inner["name"].is_null() {
            inner = inner["ofType"].clone();
        }
        let (call, variables) = match root.as_str() {
            "node" => ("node(id: $id)".to_owned(), json!({ "id": task })),
            "nodes" => ("nodes(ids: [$id])".to_owned(), json!({ "id": task })),
            other => {
                let required = field["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null());
                if required {
                    continue;
                }
                let pages = field["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a["name"] == "first");
                (
                    if pages {
                        format!("{other}(first: 3)")
                    } else {
                        other.to_owned()
                    },
                    json!({}),
                )
            }
        };
        let sub = if inner["kind"] == "SCALAR" || inner["kind"] == "ENUM" {
            String::new()
        } else {
            selection(schema, inner["name"].as_str().unwrap(), 2).unwrap_or_default()
        };
        let declared = if variables.get("id").is_some() {
            "($id: ID!)"
        } else {
            ""
        };
        let query = format!("query{declared} {{ {call} {sub} }}");
        for (role, client) in &callers {
            let got = client.gql(&query, variables.clone()).await;
            let what = format!("{root} as {role}");
            assert!(
                got.body.get("data").is_some(),
                "{what}: refused as a whole: {}",
                got.body
            );
            checked += assert_field_errors_are_nulls(&got.body, &what);
            withheld += got.body["errors"]
                .as_array()
                .map(|e| {
                    e.iter()
                        .filter(|e| e["path"].as_array().is_some_and(|p| p.len() > 1))
                        .count()
                })
                .unwrap_or(0);
        }
    }
    // The walk met refusals at the root and personal fields withheld inside objects.
    assert!(
        checked > 0 && withheld > 0,
        "{checked} errors, {withheld} nested"
    );
}
