//! The schema walk: for each role, queries generated from introspection (not written by hand)
//! along every relation from every root query field to a depth of three relations, on the demo
//! data. No object outside the caller's scope and no personal field outside its audience may
//! come back, by any path: lists, `node`/`nodes`, relations between objects of different owners,
//! aggregates and counts.
//!
//! The scopes it checks against are the README's table "What each role reads", read from the
//! README itself and turned into plain SQL here (`rule`): the server's own `store::scope` is not
//! used, and a README that says something the server does not do fails the walk.

use std::collections::{BTreeSet, HashMap, HashSet};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::helpers::client::Client;
use crate::helpers::sql::{int, ints, thousandths};
use crate::helpers::{TestApp, TestDb, ops};

/// Relations followed from each root field.
const DEPTH: usize = 3;
/// Page size asked of every connection on the way.
const PAGE: usize = 2;

/// A field of an object type, from introspection.
#[derive(Clone, Debug)]
struct Field {
    name: String,
    /// The named type under any lists and non-nulls.
    ty: String,
    args: Vec<(String, String, bool)>,
}

/// The schema, as introspection tells it.
struct Schema {
    kinds: HashMap<String, String>,
    fields: HashMap<String, Vec<Field>>,
    possible: HashMap<String, Vec<String>>,
}

fn named(ty: &Value) -> (String, bool) {
    let required = ty["kind"] == "NON_NULL";
    let mut t = ty;
    while t["name"].is_null() {
        t = &t["ofType"];
    }
    (t["name"].as_str().unwrap().to_owned(), required)
}

const INTROSPECTION: &str = "{ __schema { types { name kind possibleTypes { name }
  fields { name type { ...T } args { name type { ...T } } } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

async fn schema(client: &Client) -> Schema {
    let gql = client.gql(INTROSPECTION, json!({})).await;
    let mut s = Schema {
        kinds: HashMap::new(),
        fields: HashMap::new(),
        possible: HashMap::new(),
    };
    for t in gql.data()["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap().to_owned();
        s.kinds
            .insert(name.clone(), t["kind"].as_str().unwrap().to_owned());
        if let Some(fields) = t["fields"].as_array() {
            let fields = fields
                .iter()
                .map(|f| Field {
                    name: f["name"].as_str().unwrap().to_owned(),
                    ty: named(&f["type"]).0,
                    args: f["args"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|a| {
                            let (ty, required) = named(&a["type"]);
                            (a["name"].as_str().unwrap().to_owned(), ty, required)
                        })
                        .collect(),
                })
                .collect();
            s.fields.insert(name.clone(), fields);
        }
        if let Some(types) = t["possibleTypes"].as_array() {
            s.possible.insert(
                name,
                types
                    .iter()
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect(),
            );
        }
    }
    s
}

impl Schema {
    fn is_leaf(&self, ty: &str) -> bool {
        matches!(self.kinds[ty].as_str(), "SCALAR" | "ENUM")
    }

    /// Wrappers that carry a list's objects (`edges`, `node`, `nodes`, `pageInfo`) do not count
    /// as a relation.
    fn is_wrapper(owner: &str, field: &str) -> bool {
        (owner.ends_with("Connection") || owner.ends_with("Edge"))
            && matches!(field, "edges" | "node" | "nodes" | "pageInfo")
    }

    /// The arguments a generated field is called with: a small page wherever one is taken;
    /// `None` when it has a required argument this walk cannot fill.
    fn arguments(field: &Field, fill: &Fill) -> Option<String> {
        let mut out = Vec::new();
        for (name, ty, required) in &field.args {
            match (name.as_str(), required) {
                ("first", _) => out.push(format!("first: {PAGE}")),
                (_, true) => out.push(format!("{name}: {}", fill.value(&field.name, name, ty)?)),
                _ => {}
            }
        }
        Some(if out.is_empty() {
            String::new()
        } else {
            format!("({})", out.join(", "))
        })
    }

    /// Every leaf of `ty`, and every relation followed `depth` more times.
    fn selection(&self, ty: &str, depth: usize, fill: &Fill) -> String {
        if let Some(types) = self.possible.get(ty) {
            let arms: Vec<String> = types
                .iter()
                .map(|t| format!("... on {t} {}", self.selection(t, depth, fill)))
                .collect();
            return format!("{{ __typename {} }}", arms.join(" "));
        }
        let mut out = vec!["__typename".to_owned()];
        for field in &self.fields[ty] {
            let Some(args) = Self::arguments(field, fill) else {
                continue;
            };
            if self.is_leaf(&field.ty) {
                out.push(format!("{}{args}", field.name));
                continue;
            }
            let hop = usize::from(!Self::is_wrapper(ty, &field.name));
            if depth >= hop {
                out.push(format!(
                    "{}{args} {}",
                    field.name,
                    self.selection(&field.ty, depth - hop, fill)
                ));
            }
        }
        format!("{{ {} }}", out.join(" "))
    }
}

/// Values for required arguments of root fields.
struct Fill {
    ids: Vec<String>,
}

impl Fill {
    fn value(&self, field: &str, arg: &str, ty: &str) -> Option<String> {
        Some(match (field, arg, ty) {
            ("region", "code", _) => "\"KZ-39\"".into(),
            ("node", "id", _) => format!("\"{}\"", self.ids[0]),
            ("nodes", "ids", _) => serde_json::to_string(&self.ids).unwrap(),
            (_, "groupBy", "DonationDimension") => "[REGION, ORGANIZATION, CATEGORY]".into(),
            (_, "groupBy", "TaskDimension") => "[REGION, STATUS]".into(),
            (_, "groupBy", "NeedDimension") => "[REGION, CATEGORY, ORGANIZATION]".into(),
            (_, "groupBy", "StockDimension") => {
                "[COLLECTION_POINT, CATEGORY, REGION, ORGANIZATION]".into()
            }
            _ => return None,
        })
    }
}

/// The types whose objects the walk checks, each a row of the README's table.
const SCOPED: [&str; 15] = [
    "Region",
    "Organization",
    "CollectionPoint",
    "Donation",
    "Shipment",
    "ShipmentItem",
    "Task",
    "Volunteer",
    "User",
    "AuditEvent",
    "MembershipRequest",
    "Need",
    "NeedLine",
    "WriteOff",
    "Shelter",
];

/// The personal fields, each with its own audience (`Oracle::personal`).
const PERSONAL: [&str; 7] = [
    "Volunteer.phone",
    "Volunteer.email",
    "Donation.donorName",
    "Shipment.driverPhone",
    "User.email",
    "User.phone",
    "Need.contactPhone",
];

/// Who asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Anonymous,
    Volunteer { volunteer: i64, user: i64 },
    Ngo { organization: i64, user: i64 },
    Ministry,
}

/// What each role may read, written in SQL from the README's table "What each role reads".
struct Oracle {
    readable: HashSet<(String, i64)>,
    owners: std::sync::Arc<Owners>,
}

/// The organization of each donation, shipment and volunteer.
struct Owners {
    donation_org: HashMap<i64, i64>,
    shipment_org: HashMap<i64, i64>,
    volunteer_org: HashMap<i64, Option<i64>>,
    need_org: HashMap<i64, Option<i64>>,
}

impl Owners {
    async fn read(db: &sea_orm::DatabaseConnection) -> Owners {
        let pairs = |table: &'static str| async move {
            let ids = ints(db, &format!("SELECT id FROM {table} ORDER BY id")).await;
            let orgs = ints(
                db,
                &format!("SELECT COALESCE(organization_id, -1) FROM {table} ORDER BY id"),
            )
            .await;
            ids.into_iter()
                .zip(orgs)
                .map(|(id, org)| (id, (org >= 0).then_some(org)))
                .collect::<HashMap<_, _>>()
        };
        Owners {
            donation_org: pairs("donation")
                .await
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect(),
            shipment_org: pairs("shipment")
                .await
                .into_iter()
                .filter_map(|(k, v)| Some((k, v?)))
                .collect(),
            volunteer_org: pairs("volunteer").await,
            need_org: pairs("need").await,
        }
    }
}

async fn ids_of(
    db: &sea_orm::DatabaseConnection,
    ty: &str,
    sql: &str,
    into: &mut HashSet<(String, i64)>,
) {
    for id in ints(db, sql).await {
        into.insert((ty.to_owned(), id));
    }
}

/// The README's table "What each role reads": `(type, [anonymous, volunteer, ngo, ministry])`.
fn readme_reads() -> Vec<(String, [String; 4])> {
    let readme = include_str!("../../README.md");
    let start = readme
        .find("### What each role reads")
        .expect("the README's table of reads");
    let mut rows = Vec::new();
    for line in readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| type"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
    {
        let cells: Vec<String> = line
            .trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_owned())
            .collect();
        assert_eq!(cells.len(), 5, "a row of the README's table: {line}");
        for ty in cells[0].split(", ") {
            rows.push((
                ty.trim_matches('`').to_owned(),
                [
                    cells[1].clone(),
                    cells[2].clone(),
                    cells[3].clone(),
                    cells[4].clone(),
                ],
            ));
        }
    }
    rows
}

/// The rows of `ty` that a README cell names, for `role`, as SQL.
fn rule(ty: &str, cell: &str, role: Role) -> String {
    let table = match ty {
        "CollectionPoint" => "collection_point".to_owned(),
        "ShipmentItem" => "shipment_item".to_owned(),
        "AuditEvent" => "audit_event".to_owned(),
        "User" => "user_account".to_owned(),
        "NeedLine" => "need_line".to_owned(),
        "WriteOff" => "write_off".to_owned(),
        other => other.to_lowercase(),
    };
    let held = |v: i64| {
        format!(
            "SELECT task_id FROM task_assignment WHERE volunteer_id = {v} AND status <> 'released'"
        )
    };
    match (cell, role, ty) {
        ("all", _, t) if t != "MembershipRequest" => format!("SELECT id FROM {table}"),
        ("none", _, _) => "SELECT id FROM region WHERE 1 = 0".to_owned(),
        ("its own", Role::Ngo { organization, .. }, _) => {
            format!("SELECT id FROM {table} WHERE organization_id = {organization}")
        }
        ("its members", Role::Ngo { organization, .. }, "Volunteer") => {
            format!("SELECT id FROM volunteer WHERE organization_id = {organization}")
        }
        ("their own", Role::Volunteer { volunteer, .. }, "Volunteer") => {
            format!("SELECT id FROM volunteer WHERE id = {volunteer}")
        }
        ("their own", Role::Volunteer { user, .. } | Role::Ngo { user, .. }, "User") => {
            format!("SELECT id FROM user_account WHERE id = {user}")
        }
        (
            "their region's, and those they hold a place on",
            Role::Volunteer { volunteer, .. },
            "Task",
        ) => format!(
            "SELECT id FROM task WHERE region_id = (SELECT region_id FROM volunteer WHERE id = {volunteer}) \
             OR id IN ({})",
            held(volunteer)
        ),
        (
            "those of the tasks they hold a place on",
            Role::Volunteer { volunteer, .. },
            "Shipment",
        ) => format!(
            "SELECT shipment_id FROM task WHERE shipment_id IS NOT NULL AND id IN ({})",
            held(volunteer)
        ),
        (
            "those it sends, and those coming into a region where it runs a collection point",
            Role::Ngo { organization, .. },
            "Shipment",
        ) => format!(
            "SELECT id FROM shipment WHERE organization_id = {organization} OR destination_region_id IN \
             (SELECT region_id FROM collection_point WHERE organization_id = {organization})"
        ),
        ("those to it", Role::Ngo { organization, .. }, "MembershipRequest") => {
            format!("SELECT id FROM volunteer WHERE requested_organization_id = {organization}")
        }
        ("all", Role::Ministry, "MembershipRequest") => {
            "SELECT id FROM volunteer WHERE requested_organization_id IS NOT NULL".to_owned()
        }
        // An item is read with its shipment: the shipment's rule, one level down.
        (cell, role, "ShipmentItem") => format!(
            "SELECT id FROM shipment_item WHERE shipment_id IN ({})",
            rule("Shipment", cell, role)
        ),
        _ => {
            panic!("the README says \"{cell}\" for {ty} and {role:?}: the walk knows no such rule")
        }
    }
}

impl Oracle {
    async fn of(
        db: &sea_orm::DatabaseConnection,
        role: Role,
        owners: &std::sync::Arc<Owners>,
    ) -> Oracle {
        let column = match role {
            Role::Anonymous => 0,
            Role::Volunteer { .. } => 1,
            Role::Ngo { .. } => 2,
            Role::Ministry => 3,
        };
        let mut readable = HashSet::new();
        let reads = readme_reads();
        for ty in SCOPED {
            let (_, cells) = reads
                .iter()
                .find(|(t, _)| t == ty)
                .unwrap_or_else(|| panic!("the README's table of reads has no row for {ty}"));
            ids_of(db, ty, &rule(ty, &cells[column], role), &mut readable).await;
        }
        Oracle {
            readable,
            owners: owners.clone(),
        }
    }

    fn count(&self, ty: &str) -> usize {
        self.readable.iter().filter(|(t, _)| t == ty).count()
    }

    /// Whether `role` may see the personal field `ty.field` of the object `id`.
    fn personal(&self, role: Role, ty: &str, field: &str, id: i64) -> Option<bool> {
        let org_is = |org: Option<i64>| matches!(role, Role::Ngo { organization, .. } if Some(organization) == org);
        Some(match (ty, field) {
            ("Volunteer", "phone" | "email") => match role {
                Role::Ministry => true,
                Role::Volunteer { volunteer, .. } => volunteer == id,
                _ => org_is(self.owners.volunteer_org.get(&id).copied().flatten()),
            },
            ("Donation", "donorName") => {
                role == Role::Ministry || org_is(self.owners.donation_org.get(&id).copied())
            }
            ("Shipment", "driverPhone") => {
                role == Role::Ministry || org_is(self.owners.shipment_org.get(&id).copied())
            }
            ("Need", "contactPhone") => {
                role == Role::Ministry || org_is(self.owners.need_org.get(&id).copied().flatten())
            }
            ("User", "email" | "phone") => match role {
                Role::Ministry => true,
                Role::Volunteer { user, .. } | Role::Ngo { user, .. } => user == id,
                Role::Anonymous => false,
            },
            _ => return None,
        })
    }
}

/// The start of a generated query, for a failure's message.
fn short(query: &str) -> &str {
    query
        .char_indices()
        .nth(400)
        .map_or(query, |(i, _)| &query[..i])
}

/// `(type, row id)` of a global id.
fn global(id: &str) -> (String, i64) {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id).unwrap()).unwrap();
    let (ty, row) = text.split_once(':').unwrap();
    (ty.to_owned(), row.parse().unwrap())
}

/// What the walk saw, for the coverage checks.
#[derive(Default)]
struct Seen {
    types: BTreeSet<String>,
    personal_shown: BTreeSet<String>,
    personal_withheld: BTreeSet<String>,
    objects: usize,
}

/// Checks every object in an answer against the oracle.
fn check(value: &Value, role: Role, oracle: &Oracle, seen: &mut Seen, query: &str) {
    match value {
        Value::Array(items) => items
            .iter()
            .for_each(|v| check(v, role, oracle, seen, query)),
        Value::Object(map) => {
            if let Some(ty) = map.get("__typename").and_then(Value::as_str) {
                seen.types.insert(ty.to_owned());
                // A membership request is known by its volunteer.
                let identity = match ty {
                    "MembershipRequest" => map
                        .get("volunteerId")
                        .and_then(Value::as_str)
                        .map(|id| (ty.to_owned(), global(id).1)),
                    _ => map.get("id").and_then(Value::as_str).map(global),
                };
                if let Some((kind, row)) = identity {
                    assert_eq!(kind, ty, "an id of another type");
                    seen.objects += 1;
                    assert!(
                        oracle.readable.contains(&(kind.clone(), row)),
                        "{role:?} got {kind} {row}, outside their scope, from\n{}",
                        short(query)
                    );
                    // Every leaf is selected, so a withheld field must be there as null.
                    for field in PERSONAL
                        .iter()
                        .filter_map(|p| p.strip_prefix(&format!("{ty}.")))
                    {
                        assert!(
                            map.contains_key(field),
                            "{role:?}: {ty}.{field} of {row} is missing rather than null, from\n{}",
                            short(query)
                        );
                    }
                    for (field, v) in map {
                        match oracle.personal(role, ty, field, row) {
                            Some(true) => {
                                seen.personal_shown.insert(format!("{ty}.{field}"));
                            }
                            Some(false) => {
                                assert!(
                                    v.is_null(),
                                    "{role:?} got {ty}.{field} of {row}, personal data outside its audience, from\n{}",
                                    short(query)
                                );
                                seen.personal_withheld.insert(format!("{ty}.{field}"));
                            }
                            None => {}
                        }
                    }
                }
            }
            map.values()
                .for_each(|v| check(v, role, oracle, seen, query));
        }
        _ => {}
    }
}

/// Ids to ask `node`/`nodes` for: some of every type, in and out of every role's scope, among
/// them the rows that cross owners (tasks with shipments, items of other organizations'
/// donations, shipments into regions where the other organization runs points).
async fn sample_ids(db: &sea_orm::DatabaseConnection, org: i64, other: i64) -> Vec<String> {
    let enc = |ty: &str, id: i64| birlik_api::graphql::relay::encode(ty, id as i32).0;
    let picks: [(&str, String); 14] = [
        ("Shelter", "SELECT MIN(id) FROM shelter".into()),
        (
            "Shipment",
            format!("SELECT id FROM shipment WHERE organization_id = {other} ORDER BY id LIMIT 2"),
        ),
        (
            "Task",
            "SELECT id FROM task WHERE shipment_id IS NOT NULL ORDER BY id DESC LIMIT 12".into(),
        ),
        ("Task", "SELECT MIN(id) FROM task".into()),
        (
            "Shipment",
            format!("SELECT id FROM shipment WHERE organization_id = {org} ORDER BY id LIMIT 3"),
        ),
        (
            "Shipment",
            format!(
                "SELECT id FROM shipment WHERE organization_id <> {other} AND destination_region_id IN \
                 (SELECT region_id FROM collection_point WHERE organization_id = {other}) ORDER BY id LIMIT 3"
            ),
        ),
        (
            "Shipment",
            format!(
                "SELECT id FROM shipment WHERE organization_id <> {org} ORDER BY id DESC LIMIT 3"
            ),
        ),
        (
            "ShipmentItem",
            format!(
                "SELECT MIN(i.id) FROM shipment_item i JOIN shipment s ON s.id = i.shipment_id GROUP BY s.organization_id = {org}"
            ),
        ),
        (
            "Donation",
            format!("SELECT MIN(id) FROM donation GROUP BY organization_id = {org}"),
        ),
        (
            "Volunteer",
            format!(
                "SELECT MIN(id) FROM volunteer GROUP BY COALESCE(organization_id = {org}, FALSE)"
            ),
        ),
        (
            "WriteOff",
            format!("SELECT MIN(id) FROM write_off GROUP BY organization_id = {org}"),
        ),
        ("User", "SELECT id FROM user_account ORDER BY id".into()),
        ("Need", "SELECT id FROM need ORDER BY id".into()),
        (
            "Organization",
            format!("SELECT id FROM organization WHERE id <> {org} ORDER BY id LIMIT 2"),
        ),
    ];
    let mut out = Vec::new();
    for (ty, sql) in picks {
        for id in ints(db, &sql).await {
            out.push(enc(ty, id));
        }
    }
    out.push(enc("CollectionPoint", 1));
    out.push(enc("Region", 1));
    out.truncate(100);
    out
}

/// A volunteer who signs up in `region` now.
async fn sign_up(
    app: &TestApp,
    n: u32,
    region: &str,
    joining: Option<String>,
) -> (Client, i64, i64) {
    let gql = app
        .anonymous()
        .gql(
            ops::SIGN_UP,
            json!({ "input": {
            "fullName": format!("Обходчик {n}"), "phone": format!("+7 707 300 00 {n:02}"),
            "password": "correct horse", "regionCode": region, "skills": [],
            "organizationId": joining } }),
        )
        .await;
    let token = gql.data()["registerVolunteer"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = app.anonymous().with_token(&token);
    let me = client
        .gql("{ me { id volunteer { id } } }", json!({}))
        .await;
    let user = global(me.data()["me"]["id"].as_str().unwrap()).1;
    let volunteer = global(me.data()["me"]["volunteer"]["id"].as_str().unwrap()).1;
    (client, volunteer, user)
}

#[tokio::test]
async fn no_path_from_any_root_reaches_beyond_the_callers_scope() {
    let app = crate::helpers::app::spawn_with(TestDb::demo().await, |c| {
        // The walk's documents are large on purpose; the query limits are tested elsewhere.
        c.max_tokens = 1_000_000;
        c.max_complexity = 10_000_000;
        c.max_depth = 40;
        c.max_aliases = 1000;
        c.max_body_bytes = 10_000_000;
    })
    .await;
    let db = app.db.connect().await;
    let ministry = app.as_demo_ministry().await;
    let ngo = app.as_demo_ngo().await;
    let org = int(
        &db,
        "SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await;
    let ngo_user = int(
        &db,
        "SELECT id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await;

    // A second organization's staff: the one running points where the most shipments of other
    // organizations arrive, so that it sees shipments it did not send.
    let other = int(
        &db,
        &format!(
            "SELECT cp.organization_id FROM collection_point cp JOIN shipment s \
             ON s.destination_region_id = cp.region_id AND s.organization_id <> cp.organization_id \
             WHERE cp.organization_id <> {org} \
             GROUP BY cp.organization_id ORDER BY COUNT(*) DESC, cp.organization_id LIMIT 1"
        ),
    )
    .await;
    let enc = |ty: &str, id: i64| birlik_api::graphql::relay::encode(ty, id as i32).0;
    ministry
        .gql(
            "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }",
            json!({ "i": { "organizationId": enc("Organization", other), "email": "walker@ngo.example",
                "displayName": "Walker", "password": "correct horse battery" } }),
        )
        .await
        .data();
    let other_ngo = app.as_account("walker@ngo.example").await;
    let other_user = int(
        &db,
        "SELECT id FROM user_account WHERE email = 'walker@ngo.example'",
    )
    .await;

    // Volunteers: a fresh one in Kostanay who holds a place on a task escorting one of the demo
    // organization's shipments, the demo volunteer (same region, not on that task), and one of
    // another region.
    // The one elsewhere asks to join the second organization: a request, not a membership.
    let (fresh, fresh_v, fresh_u) = sign_up(&app, 1, "KZ-39", None).await;
    let (elsewhere, elsewhere_v, elsewhere_u) =
        sign_up(&app, 2, "KZ-75", Some(enc("Organization", other))).await;
    let shipment = int(
        &db,
        &format!("SELECT MIN(id) FROM shipment WHERE organization_id = {org}"),
    )
    .await;
    let starts = chrono::Utc::now() + chrono::Duration::hours(4);
    let task = ngo
        .gql(
            ops::POST_TASK,
            json!({ "input": {
            "title": "Сопровождение колонны", "kind": "DELIVERY_ESCORT", "regionCode": "KZ-39",
            "shipmentId": enc("Shipment", shipment), "startsAt": starts,
            "endsAt": starts + chrono::Duration::hours(6), "volunteersNeeded": 3 } }),
        )
        .await
        .data()["postTask"]["task"]["id"]
        .clone();
    fresh
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "walk" }),
        )
        .await
        .data();
    // Write-offs of both organizations' stock: the demo organization's own, and one the
    // ministry makes of the second organization's.
    for (n, (client, owner)) in [(&ngo, org), (&ministry, other)].into_iter().enumerate() {
        let donation = int(
            &db,
            &format!(
                "SELECT MIN(id) FROM donation WHERE organization_id = {owner} AND status = 'received'"
            ),
        )
        .await;
        client
            .gql(
                ops::WRITE_OFF_STOCK,
                json!({ "input": { "donationId": enc("Donation", donation), "kilograms": "1",
                    "reason": "EXPIRED", "idempotencyKey": format!("walk-{n}") } }),
            )
            .await
            .data();
    }
    let demo_volunteer = app.as_demo_volunteer().await;
    let (demo_v, demo_u) = (
        int(
            &db,
            "SELECT volunteer_id FROM user_account WHERE email = 'volunteer@demo.birlik.kz'",
        )
        .await,
        int(
            &db,
            "SELECT id FROM user_account WHERE email = 'volunteer@demo.birlik.kz'",
        )
        .await,
    );

    // Needs: one the ministry raised, one the second organization raised where it runs a point
    // (each with a contact phone, shown to its audience only).
    let affected_point = crate::helpers::sql::text(
        &db,
        &format!(
            "SELECT r.code FROM collection_point cp JOIN region r ON r.id = cp.region_id \
             WHERE cp.organization_id = {other} AND r.affected ORDER BY r.id LIMIT 1"
        ),
    )
    .await;
    for (client, key) in [(&ministry, "walk-need-1"), (&other_ngo, "walk-need-2")] {
        crate::needs::raise(
            client,
            crate::needs::raise_input(
                &affected_point,
                "HIGH",
                &crate::needs::hours(30),
                json!([{ "category": "FOOD", "kilograms": 10 }, { "category": "BEDDING", "kilograms": 5 }]),
                key,
            ),
        )
        .await;
    }

    let schema = schema(&ministry).await;
    let mut ids = vec![task.as_str().unwrap().to_owned()];
    ids.extend(sample_ids(&db, org, other).await);
    ids.truncate(100);
    let fill = Fill { ids };
    let roots: Vec<Field> = schema.fields["Query"]
        .iter()
        .filter(|f| !f.name.starts_with("__"))
        .cloned()
        .collect();

    let roles = [
        ("anonymous", app.anonymous(), Role::Anonymous),
        (
            "fresh volunteer",
            fresh,
            Role::Volunteer {
                volunteer: fresh_v,
                user: fresh_u,
            },
        ),
        (
            "demo volunteer",
            demo_volunteer,
            Role::Volunteer {
                volunteer: demo_v,
                user: demo_u,
            },
        ),
        (
            "volunteer elsewhere",
            elsewhere,
            Role::Volunteer {
                volunteer: elsewhere_v,
                user: elsewhere_u,
            },
        ),
        (
            "demo NGO",
            ngo,
            Role::Ngo {
                organization: org,
                user: ngo_user,
            },
        ),
        (
            "other NGO",
            other_ngo,
            Role::Ngo {
                organization: other,
                user: other_user,
            },
        ),
        ("ministry", ministry, Role::Ministry),
    ];
    let owners = std::sync::Arc::new(Owners::read(&db).await);
    let mut all_seen = Seen::default();
    let mut queries = 0;
    for (name, client, role) in &roles {
        let started = std::time::Instant::now();
        let oracle = Oracle::of(&db, *role, &owners).await;
        let mut seen = Seen::default();
        for root in &roots {
            let Some(args) = Schema::arguments(root, &fill) else {
                panic!(
                    "the walk cannot call Query.{}: give its arguments in Fill",
                    root.name
                );
            };
            let query = if schema.is_leaf(&root.ty) {
                format!("{{ {}{args} }}", root.name)
            } else {
                format!(
                    "{{ {}{args} {} }}",
                    root.name,
                    schema.selection(&root.ty, DEPTH, &fill)
                )
            };
            let gql = client.gql(&query, json!({})).await;
            queries += 1;
            assert!(
                gql.status == 200 || gql.status == 401 || gql.status == 403,
                "{name}: status {} for Query.{}: {}",
                gql.status,
                root.name,
                gql.body
            );
            for error in gql.body["errors"].as_array().into_iter().flatten() {
                let code = error["extensions"]["code"].as_str().unwrap_or_default();
                assert!(
                    matches!(code, "FORBIDDEN" | "UNAUTHENTICATED" | "NOT_FOUND"),
                    "{name}: Query.{} failed with {error}",
                    root.name
                );
            }
            check(&gql.body["data"], *role, &oracle, &mut seen, &query);
            // A root list counts exactly the rows in the caller's scope.
            let data = &gql.body["data"][&root.name];
            if let Some(total) = data.get("totalCount").and_then(Value::as_i64)
                && !matches!(root.name.as_str(), "openTasks" | "myTasks")
            {
                let node_ty = schema.fields[&root.ty]
                    .iter()
                    .find(|f| f.name == "nodes")
                    .map(|f| f.ty.clone())
                    .unwrap();
                assert_eq!(
                    total as usize,
                    oracle.count(&node_ty),
                    "{name}: Query.{}.totalCount",
                    root.name
                );
            }
        }
        // The aggregates add up exactly what the caller may read.
        aggregates(client, &db, &oracle, name).await;
        all_seen.types.extend(seen.types);
        all_seen.personal_shown.extend(seen.personal_shown);
        all_seen.personal_withheld.extend(seen.personal_withheld);
        all_seen.objects += seen.objects;
        eprintln!("schema walk: {name} in {:?}", started.elapsed());
    }
    // The walk reached every object type with an id, and saw every personal field shown to its
    // audience, and withheld where a reader's scope is wider than the field's audience (the
    // drivers' phones of shipments arriving at another organization's points): it cannot pass
    // by looking at nothing.
    for ty in SCOPED {
        assert!(all_seen.types.contains(ty), "the walk never reached {ty}");
    }
    for field in PERSONAL {
        assert!(
            all_seen.personal_shown.contains(field),
            "{field} was never shown"
        );
    }
    assert!(
        all_seen.personal_withheld.contains("Shipment.driverPhone"),
        "no driver's phone was withheld"
    );
    eprintln!(
        "schema walk: {queries} queries, {} objects checked, {} types",
        all_seen.objects,
        all_seen.types.len()
    );
}

/// `donationStats`, `stockStats`, `shipmentFlows` and `taskStats` add up what the role may read, to
/// the gram.
async fn aggregates(
    client: &Client,
    db: &sea_orm::DatabaseConnection,
    oracle: &Oracle,
    name: &str,
) {
    let ids = |ty: &str| {
        let list: Vec<String> = oracle
            .readable
            .iter()
            .filter(|(t, _)| t == ty)
            .map(|(_, id)| id.to_string())
            .collect();
        if list.is_empty() {
            "-1".to_owned()
        } else {
            list.join(",")
        }
    };
    let stats = client
        .gql(
            "{ donationStats(groupBy: [REGION]) { kilograms donationCount } }",
            json!({}),
        )
        .await;
    if let Some(rows) = stats.body["data"]["donationStats"].as_array() {
        let grams: i64 = rows
            .iter()
            .map(|r| thousandths(r["kilograms"].as_str().unwrap()))
            .sum();
        let expected = int(
            db,
            &format!(
                "SELECT CAST(COALESCE(SUM(grams), 0) AS BIGINT) FROM donation WHERE id IN ({})",
                ids("Donation")
            ),
        )
        .await;
        assert_eq!(grams, expected, "{name}: donationStats");
    } else {
        assert!(stats.body["errors"].is_array(), "{name}: {}", stats.body);
    }
    let stock = client
        .gql(
            "{ stockStats(groupBy: [REGION]) { receivedKilograms writtenOffKilograms } }",
            json!({}),
        )
        .await;
    if let Some(rows) = stock.body["data"]["stockStats"].as_array() {
        let sum = |field: &str| -> i64 {
            rows.iter()
                .map(|r| thousandths(r[field].as_str().unwrap()))
                .sum()
        };
        let received = int(
            db,
            &format!(
                "SELECT CAST(COALESCE(SUM(grams), 0) AS BIGINT) FROM donation WHERE status <> 'cancelled' AND id IN ({})",
                ids("Donation")
            ),
        )
        .await;
        let written_off = int(
            db,
            &format!(
                "SELECT CAST(COALESCE(SUM(grams), 0) AS BIGINT) FROM write_off WHERE id IN ({})",
                ids("WriteOff")
            ),
        )
        .await;
        assert_eq!(
            (sum("receivedKilograms"), sum("writtenOffKilograms")),
            (received, written_off),
            "{name}: stockStats"
        );
    } else {
        assert!(stock.body["errors"].is_array(), "{name}: {}", stock.body);
    }
    let flows = client
        .gql("{ shipmentFlows { shipmentCount kilograms } }", json!({}))
        .await;
    if let Some(rows) = flows.body["data"]["shipmentFlows"].as_array() {
        let count: i64 = rows
            .iter()
            .map(|r| r["shipmentCount"].as_i64().unwrap())
            .sum();
        assert_eq!(
            count as usize,
            oracle.count("Shipment"),
            "{name}: shipmentFlows"
        );
    }
    let needs = client
        .gql("{ needStats(groupBy: [REGION]) { lineCount } }", json!({}))
        .await;
    let rows = needs.body["data"]["needStats"].as_array().unwrap();
    let lines: i64 = rows.iter().map(|r| r["lineCount"].as_i64().unwrap()).sum();
    assert_eq!(
        lines as usize,
        oracle.count("NeedLine"),
        "{name}: needStats"
    );
    let tasks = client
        .gql("{ taskStats(groupBy: [REGION]) { taskCount } }", json!({}))
        .await;
    if let Some(rows) = tasks.body["data"]["taskStats"].as_array() {
        let count: i64 = rows.iter().map(|r| r["taskCount"].as_i64().unwrap()).sum();
        assert_eq!(count as usize, oracle.count("Task"), "{name}: taskStats");
    }
}
