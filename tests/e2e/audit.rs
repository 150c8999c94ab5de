//! The audit trail: every state change writes exactly one event in its own transaction (who, in
//! which role, from which status to which, with which key); a refused change and a keyed replay
//! write none; the sweep's releases are the system's; the ministry alone reads the trail, in pages
//! and through filters, at a fixed number of statements.

use birlik_api::graphql::relay::{decode, encode};
use birlik_entity::audit_event;
use birlik_entity::enums::{AuditAction, AuditEntity, AuditRole};
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::client::Gql;
use crate::helpers::ops;
use crate::helpers::spawn_app_with_demo;
use crate::helpers::sql::int;

const NGO_ORG: &str =
    "(SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')";

/// The trail as the database holds it, oldest first.
async fn events(db: &DatabaseConnection) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await
        .unwrap()
}

/// The events seen so far, to tell what each call adds.
struct Trail<'a> {
    db: &'a DatabaseConnection,
    seen: usize,
}

impl<'a> Trail<'a> {
    async fn new(db: &'a DatabaseConnection) -> Self {
        let seen = events(db).await.len();
        Trail { db, seen }
    }

    /// The one event the last call wrote, failing on none or several.
    async fn one(&mut self, what: &str) -> audit_event::Model {
        let all = events(self.db).await;
        assert_eq!(all.len(), self.seen + 1, "{what}: {:#?}", &all[self.seen..]);
        self.seen += 1;
        all[self.seen - 1].clone()
    }

    /// Fails if the last call wrote any event.
    async fn none(&self, what: &str) {
        let all = events(self.db).await;
        assert_eq!(all.len(), self.seen, "{what}: {:#?}", &all[self.seen..]);
    }
}

/// What an event says, in a form `assert_eq!` compares and prints.
type Said<'a> = (
    Option<i32>,
    AuditRole,
    AuditEntity,
    i32,
    AuditAction,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn said(e: &audit_event::Model) -> Said<'_> {
    (
        e.user_id,
        e.role,
        e.entity,
        e.entity_id,
        e.action,
        e.from_status.as_deref(),
        e.to_status.as_deref(),
        e.idempotency_key.as_deref(),
    )
}

async fn user_id(db: &DatabaseConnection, email: &str) -> i32 {
    int(
        db,
        &format!("SELECT id FROM user_account WHERE email = '{email}'"),
    )
    .await as i32
}

fn id_of(kind: &str, value: &Value) -> i32 {
    decode(kind, "id", value.as_str().expect("an id")).unwrap()
}

fn refused(gql: &Gql, code: &str) {
    gql.assert_code(code);
}

#[tokio::test]
async fn donations_and_shipments_write_one_event_per_change() {
    let app = spawn_app_with_demo().await;
    let (ngo, ministry) = (app.as_demo_ngo().await, app.as_demo_ministry().await);
    let db = app.db.connect().await;
    let ngo_user = Some(user_id(&db, "ngo@demo.birlik.kz").await);
    let ministry_user = Some(user_id(&db, "ministry@demo.birlik.kz").await);
    let mut trail = Trail::new(&db).await;
    assert_eq!(trail.seen, 0, "the demo data is loaded, not audited");

    let point = int(
        &db,
        &format!("SELECT MIN(id) FROM collection_point WHERE organization_id = {NGO_ORG}"),
    )
    .await as i32;
    let register = |kilograms: i32| {
        json!({ "input": { "collectionPointId": encode("CollectionPoint", point).0,
            "category": "FOOD", "kilograms": kilograms, "idempotencyKey": "audit-donation" } })
    };
    let gql = ngo.gql(ops::REGISTER_DONATION, register(12)).await;
    let donation = id_of(
        "Donation",
        &gql.data()["registerDonation"]["donation"]["id"],
    );
    let e = trail.one("registerDonation").await;
    assert_eq!(
        said(&e),
        (
            ngo_user,
            AuditRole::Ngo,
            AuditEntity::Donation,
            donation,
            AuditAction::Registered,
            None,
            Some("received"),
            Some("audit-donation")
        )
    );
    assert!((chrono::Utc::now() - e.at).num_seconds().abs() < 60);
    ngo.gql(ops::REGISTER_DONATION, register(12)).await.data();
    trail.none("a keyed replay of registerDonation").await;
    refused(
        &ngo.gql(ops::REGISTER_DONATION, register(13)).await,
        "CONFLICT",
    );
    trail.none("a key reused for other input").await;
    refused(
        &ngo.gql(ops::REGISTER_DONATION, register(0)).await,
        "BAD_USER_INPUT",
    );
    trail.none("a refused registerDonation").await;

    let plan = |kilograms: &str| {
        json!({ "input": { "destinationRegionCode": "KZ-39",
            "items": [{ "donationId": encode("Donation", donation).0, "kilograms": kilograms }],
            "vehicle": "КамАЗ", "driverName": "Серик", "idempotencyKey": format!("audit-plan-{kilograms}") } })
    };
    refused(&ngo.gql(ops::PLAN_SHIPMENT, plan("13")).await, "CONFLICT");
    trail.none("a shipment of more than the stock").await;
    let gql = ngo.gql(ops::PLAN_SHIPMENT, plan("2")).await;
    let shipment = id_of("Shipment", &gql.data()["planShipment"]["shipment"]["id"]);
    assert_eq!(
        said(&trail.one("planShipment").await),
        (
            ngo_user,
            AuditRole::Ngo,
            AuditEntity::Shipment,
            shipment,
            AuditAction::Planned,
            None,
            Some("planned"),
            Some("audit-plan-2")
        )
    );
    ngo.gql(ops::PLAN_SHIPMENT, plan("2")).await.data();
    trail.none("a keyed replay of planShipment").await;

    let on = json!({ "shipmentId": encode("Shipment", shipment).0 });
    refused(
        &ngo.gql(ops::CONFIRM_DELIVERY, on.clone()).await,
        "CONFLICT",
    );
    trail.none("a delivery of a shipment not dispatched").await;
    ngo.gql(ops::DISPATCH_SHIPMENT, on.clone()).await.data();
    assert_eq!(
        said(&trail.one("dispatchShipment").await),
        (
            ngo_user,
            AuditRole::Ngo,
            AuditEntity::Shipment,
            shipment,
            AuditAction::Dispatched,
            Some("planned"),
            Some("dispatched"),
            None
        )
    );
    refused(
        &ngo.gql(ops::DISPATCH_SHIPMENT, on.clone()).await,
        "CONFLICT",
    );
    trail.none("a second dispatch").await;
    ministry.gql(ops::CONFIRM_DELIVERY, on).await.data();
    assert_eq!(
        said(&trail.one("confirmDelivery").await),
        (
            ministry_user,
            AuditRole::Ministry,
            AuditEntity::Shipment,
            shipment,
            AuditAction::Delivered,
            Some("dispatched"),
            Some("delivered"),
            None
        )
    );
}

#[tokio::test]
async fn tasks_and_claims_write_one_event_per_change() {
    let app = spawn_app_with_demo().await;
    let (ngo, volunteer) = (app.as_demo_ngo().await, app.as_demo_volunteer().await);
    let db = app.db.connect().await;
    let ngo_user = Some(user_id(&db, "ngo@demo.birlik.kz").await);
    let volunteer_user = Some(user_id(&db, "volunteer@demo.birlik.kz").await);
    let mut trail = Trail::new(&db).await;

    let starts = chrono::Utc::now() + chrono::Duration::hours(2);
    let post = json!({ "input": { "title": "Мешки с песком", "kind": "SANDBAGGING", "regionCode": "KZ-39",
        "startsAt": starts, "endsAt": starts + chrono::Duration::hours(3), "volunteersNeeded": 2,
        "idempotencyKey": "audit-task" } });
    let gql = ngo.gql(ops::POST_TASK, post.clone()).await;
    let task_gid = gql.data()["postTask"]["task"]["id"].clone();
    let task = id_of("Task", &task_gid);
    assert_eq!(
        said(&trail.one("postTask").await),
        (
            ngo_user,
            AuditRole::Ngo,
            AuditEntity::Task,
            task,
            AuditAction::Posted,
            None,
            Some("open"),
            Some("audit-task")
        )
    );
    ngo.gql(ops::POST_TASK, post).await.data();
    trail.none("a keyed replay of postTask").await;

    let claim = json!({ "taskId": task_gid, "idempotencyKey": "audit-claim" });
    volunteer.gql(ops::CLAIM_TASK, claim.clone()).await.data();
    let assignment = int(
        &db,
        &format!("SELECT id FROM task_assignment WHERE task_id = {task}"),
    )
    .await as i32;
    assert_eq!(
        said(&trail.one("claimTask").await),
        (
            volunteer_user,
            AuditRole::Volunteer,
            AuditEntity::TaskAssignment,
            assignment,
            AuditAction::Claimed,
            None,
            Some("claimed"),
            Some("audit-claim")
        )
    );
    volunteer.gql(ops::CLAIM_TASK, claim).await.data();
    trail.none("a keyed replay of claimTask").await;
    refused(
        &volunteer
            .gql(
                ops::CLAIM_TASK,
                json!({ "taskId": task_gid, "idempotencyKey": "audit-claim-2" }),
            )
            .await,
        "CONFLICT",
    );
    trail.none("a second claim on the same task").await;

    let version = || async {
        int(
            &db,
            &format!("SELECT CAST(version AS BIGINT) FROM task WHERE id = {task}"),
        )
        .await
    };
    let status = |status: &str, version: i64| json!({ "taskId": task_gid, "status": status, "expectedVersion": version });
    let stale = version().await - 1;
    refused(
        &volunteer
            .gql(ops::UPDATE_TASK_STATUS, status("IN_PROGRESS", stale))
            .await,
        "CONFLICT",
    );
    trail.none("a stale version").await;
    volunteer
        .gql(
            ops::UPDATE_TASK_STATUS,
            status("IN_PROGRESS", version().await),
        )
        .await
        .data();
    // The volunteer moved their own place; the task, with a place still free, stays open.
    assert_eq!(
        said(&trail.one("updateTaskStatus IN_PROGRESS").await),
        (
            volunteer_user,
            AuditRole::Volunteer,
            AuditEntity::TaskAssignment,
            assignment,
            AuditAction::StatusChanged,
            Some("claimed"),
            Some("in_progress"),
            None
        )
    );

    let release = "mutation($t: ID!) { releaseTask(taskId: $t) { task { id status } } }";
    volunteer
        .gql(release, json!({ "t": task_gid }))
        .await
        .data();
    assert_eq!(
        said(&trail.one("releaseTask").await),
        (
            volunteer_user,
            AuditRole::Volunteer,
            AuditEntity::TaskAssignment,
            assignment,
            AuditAction::Released,
            Some("in_progress"),
            Some("released"),
            None
        )
    );
    refused(
        &volunteer.gql(release, json!({ "t": task_gid })).await,
        "CONFLICT",
    );
    trail.none("releasing a place not held").await;

    ngo.gql(
        ops::UPDATE_TASK_STATUS,
        status("CANCELLED", version().await),
    )
    .await
    .data();
    assert_eq!(
        said(&trail.one("updateTaskStatus CANCELLED").await),
        (
            ngo_user,
            AuditRole::Ngo,
            AuditEntity::Task,
            task,
            AuditAction::Cancelled,
            // Its one volunteer released their place: open, with every place free.
            Some("open"),
            Some("cancelled"),
            None
        )
    );
    refused(
        &ngo.gql(ops::UPDATE_TASK_STATUS, status("DONE", version().await))
            .await,
        "CONFLICT",
    );
    trail.none("closing a cancelled task").await;
}

#[tokio::test]
async fn organizations_and_accounts_write_one_event_per_change() {
    let app = spawn_app_with_demo().await;
    let ministry = app.as_demo_ministry().await;
    let db = app.db.connect().await;
    let ministry_id = user_id(&db, "ministry@demo.birlik.kz").await;
    let ministry_user = Some(ministry_id);
    let mut trail = Trail::new(&db).await;

    let unverified = int(
        &db,
        "SELECT MIN(id) FROM organization WHERE verified_at IS NULL",
    )
    .await as i32;
    let verify = json!({ "organizationId": encode("Organization", unverified).0 });
    refused(
        &app.as_demo_ngo()
            .await
            .gql(ops::VERIFY_ORGANIZATION, verify.clone())
            .await,
        "FORBIDDEN",
    );
    trail.none("a verification by an organization").await;
    ministry
        .gql(ops::VERIFY_ORGANIZATION, verify.clone())
        .await
        .data();
    assert_eq!(
        said(&trail.one("verifyOrganization").await),
        (
            ministry_user,
            AuditRole::Ministry,
            AuditEntity::Organization,
            unverified,
            AuditAction::Verified,
            Some("unverified"),
            Some("verified"),
            None
        )
    );
    ministry.gql(ops::VERIFY_ORGANIZATION, verify).await.data();
    trail
        .none("verifying a verified organization changes nothing")
        .await;

    let create =
        "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }";
    let input = json!({ "i": { "organizationId": encode("Organization", unverified).0,
        "email": "audit.staff@org.kz", "displayName": "Аудит", "password": "first-password" } });
    let gql = ministry.gql(create, input.clone()).await;
    let staff = id_of("User", &gql.data()["createStaffAccount"]["user"]["id"]);
    assert_eq!(
        said(&trail.one("createStaffAccount").await),
        (
            ministry_user,
            AuditRole::Ministry,
            AuditEntity::UserAccount,
            staff,
            AuditAction::AccountCreated,
            None,
            Some("enabled"),
            None
        )
    );
    refused(&ministry.gql(create, input).await, "CONFLICT");
    trail.none("a second account with the same email").await;

    let change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken } }";
    let as_staff = app.as_account("audit.staff@org.kz").await;
    refused(
        &as_staff
            .gql(
                change,
                json!({ "c": "wrong-password", "n": "second-password" }),
            )
            .await,
        "BAD_USER_INPUT",
    );
    trail.none("a wrong current password").await;
    as_staff
        .gql(
            change,
            json!({ "c": "first-password", "n": "second-password" }),
        )
        .await
        .data();
    assert_eq!(
        said(&trail.one("changePassword").await),
        (
            Some(staff),
            AuditRole::Ngo,
            AuditEntity::UserAccount,
            staff,
            AuditAction::PasswordChanged,
            None,
            None,
            None
        )
    );

    for (op, action, from, to) in [
        (
            "disableAccount",
            AuditAction::Disabled,
            "enabled",
            "disabled",
        ),
        ("enableAccount", AuditAction::Enabled, "disabled", "enabled"),
    ] {
        let q = format!("mutation($id: ID!) {{ {op}(userId: $id) {{ user {{ id }} }} }}");
        ministry
            .gql(&q, json!({ "id": encode("User", staff).0 }))
            .await
            .data();
        assert_eq!(
            said(&trail.one(op).await),
            (
                ministry_user,
                AuditRole::Ministry,
                AuditEntity::UserAccount,
                staff,
                action,
                Some(from),
                Some(to),
                None
            )
        );
    }
    let own = format!(
        "mutation {{ disableAccount(userId: \"{}\") {{ user {{ id }} }} }}",
        encode("User", ministry_id).0
    );
    refused(&ministry.gql(&own, json!({})).await, "BAD_USER_INPUT");
    trail.none("disabling one's own account").await;

    let sign_up = json!({ "input": { "fullName": "Айгерим Сейтова", "phone": "+77015550101",
        "password": "s3cret-enough", "regionCode": "KZ-39", "idempotencyKey": "audit-sign-up" } });
    let gql = app.anonymous().gql(ops::SIGN_UP, sign_up.clone()).await;
    let account = id_of("User", &gql.data()["registerVolunteer"]["user"]["id"]);
    let record = int(
        &db,
        &format!("SELECT volunteer_id FROM user_account WHERE id = {account}"),
    )
    .await as i32;
    assert_eq!(
        said(&trail.one("registerVolunteer").await),
        (
            Some(account),
            AuditRole::Volunteer,
            AuditEntity::Volunteer,
            record,
            AuditAction::SignedUp,
            None,
            None,
            Some("audit-sign-up")
        )
    );
    app.anonymous().gql(ops::SIGN_UP, sign_up).await.data();
    trail.none("a keyed replay of registerVolunteer").await;
    let taken = json!({ "input": { "fullName": "Другой", "phone": "+77015550101",
        "password": "s3cret-enough", "regionCode": "KZ-39" } });
    refused(&app.anonymous().gql(ops::SIGN_UP, taken).await, "CONFLICT");
    trail.none("a sign-up with a taken phone").await;
}

#[tokio::test]
async fn the_sweep_releases_unstarted_claims_as_the_system() {
    let db = crate::helpers::TestDb::demo().await;
    let app = crate::helpers::app::spawn_with(db, |c| c.sweep_interval_s = 1).await;
    let (ngo, volunteer, ministry) = (
        app.as_demo_ngo().await,
        app.as_demo_volunteer().await,
        app.as_demo_ministry().await,
    );
    let dbc = app.db.connect().await;
    let started = chrono::Utc::now() - chrono::Duration::minutes(31);
    let input = json!({ "input": { "title": "Раздача воды", "kind": "DISTRIBUTION", "regionCode": "KZ-39",
        "startsAt": started, "endsAt": started + chrono::Duration::hours(4), "volunteersNeeded": 2 } });
    let task = ngo.gql(ops::POST_TASK, input).await.data()["postTask"]["task"]["id"].clone();
    volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "late" }),
        )
        .await
        .data();
    let task = id_of("Task", &task);
    let assignment = int(
        &dbc,
        &format!("SELECT id FROM task_assignment WHERE task_id = {task}"),
    )
    .await as i32;

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let released = loop {
        let found = events(&dbc)
            .await
            .into_iter()
            .find(|e| e.action == AuditAction::Released);
        if let Some(e) = found {
            break e;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no release on the trail within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert_eq!(
        said(&released),
        (
            None,
            AuditRole::System,
            AuditEntity::TaskAssignment,
            assignment,
            AuditAction::Released,
            Some("claimed"),
            Some("released"),
            None
        )
    );
    // Every event: the post, the claim, the release; nothing more however often the sweep runs.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(events(&dbc).await.len(), 3);

    let gql = ministry
        .gql(
            "{ auditTrail(filter: { role: { eq: SYSTEM } }) { totalCount edges { node { role user { id } action entity entityId subjectId fromStatus toStatus } } } }",
            json!({}),
        )
        .await;
    let trail = &gql.data()["auditTrail"];
    assert_eq!(trail["totalCount"], 1);
    assert_eq!(
        trail["edges"][0]["node"],
        json!({ "role": "SYSTEM", "user": null, "action": "RELEASED", "entity": "TASK_ASSIGNMENT",
            "entityId": assignment, "subjectId": null, "fromStatus": "CLAIMED", "toStatus": "RELEASED" })
    );
}

const TRAIL: &str = "query($first: Int, $after: String, $filter: AuditEventFilter) {
  auditTrail(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { id at role action entity entityId subjectId fromStatus toStatus idempotencyKey user { id displayName } } }
  }
}";

#[tokio::test]
async fn the_ministry_reads_the_trail_in_pages_and_through_filters() {
    let app = spawn_app_with_demo().await;
    let (ngo, ministry, volunteer) = (
        app.as_demo_ngo().await,
        app.as_demo_ministry().await,
        app.as_demo_volunteer().await,
    );
    let db = app.db.connect().await;
    let ngo_user = user_id(&db, "ngo@demo.birlik.kz").await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);

    let point = int(
        &db,
        &format!("SELECT MIN(id) FROM collection_point WHERE organization_id = {NGO_ORG}"),
    )
    .await as i32;
    let mut donations = Vec::new();
    for i in 0..3 {
        let input = json!({ "input": { "collectionPointId": encode("CollectionPoint", point).0,
            "category": "CLOTHING", "kilograms": 5 + i, "idempotencyKey": format!("page-{i}") } });
        let gql = ngo.gql(ops::REGISTER_DONATION, input).await;
        donations.push(gql.data()["registerDonation"]["donation"]["id"].clone());
    }
    let starts = chrono::Utc::now() + chrono::Duration::hours(5);
    let post = json!({ "input": { "title": "Сортировка", "kind": "SORTING", "regionCode": "KZ-39",
        "startsAt": starts, "endsAt": starts + chrono::Duration::hours(2), "volunteersNeeded": 3 } });
    let task = ngo.gql(ops::POST_TASK, post).await.data()["postTask"]["task"]["id"].clone();
    volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "page-claim" }),
        )
        .await
        .data();
    let after_all = chrono::Utc::now() + chrono::Duration::seconds(1);

    // Newest first, two at a time, every event once.
    let read = |variables: Value| {
        let ministry = ministry.clone();
        async move {
            let gql = ministry.gql(TRAIL, variables).await;
            gql.data()["auditTrail"].clone()
        }
    };
    let first = read(json!({ "first": 2 })).await;
    assert_eq!(first["totalCount"], 5);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    let newest = &first["edges"][0]["node"];
    assert_eq!(newest["action"], "CLAIMED");
    assert_eq!(newest["role"], "VOLUNTEER");
    assert_eq!(newest["entity"], "TASK_ASSIGNMENT");
    assert_eq!(newest["subjectId"], Value::Null);
    assert_eq!(newest["toStatus"], "CLAIMED");
    assert_eq!(newest["idempotencyKey"], "page-claim");
    assert!(newest["user"]["displayName"].is_string());
    let posted = &first["edges"][1]["node"];
    assert_eq!(posted["action"], "POSTED");
    assert_eq!(posted["subjectId"], task);
    assert_eq!(posted["user"]["id"], encode("User", ngo_user).0);
    let mut seen: Vec<Value> = first["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let mut cursor = first["pageInfo"]["endCursor"].clone();
    loop {
        let page = read(json!({ "first": 2, "after": cursor })).await;
        assert_eq!(page["totalCount"], 5);
        assert_eq!(page["pageInfo"]["hasPreviousPage"], true);
        seen.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        cursor = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 5);
    let ats: Vec<chrono::DateTime<chrono::Utc>> = seen
        .iter()
        .map(|n| n["at"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut sorted = ats.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(ats, sorted, "newest first");
    let actions: Vec<&str> = seen.iter().map(|n| n["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "CLAIMED",
            "POSTED",
            "REGISTERED",
            "REGISTERED",
            "REGISTERED"
        ]
    );
    assert_eq!(seen[4]["subjectId"], donations[0]);
    assert_eq!(seen[4]["idempotencyKey"], "page-0");

    // Filters: by kind, by object, by user, by time, combined.
    let count = |filter: Value| {
        let read = &read;
        async move { read(json!({ "filter": filter })).await["totalCount"].clone() }
    };
    assert_eq!(count(json!({ "entity": { "eq": "DONATION" } })).await, 3);
    assert_eq!(
        count(json!({ "subjectId": { "eq": donations[1] } })).await,
        1
    );
    assert_eq!(
        count(json!({ "subjectId": { "in": [donations[0], task] } })).await,
        2
    );
    assert_eq!(
        count(json!({ "userId": { "eq": encode("User", ngo_user).0 } })).await,
        4
    );
    assert_eq!(count(json!({ "role": { "eq": "VOLUNTEER" } })).await, 1);
    assert_eq!(
        count(json!({ "at": { "gte": before, "lt": after_all } })).await,
        5
    );
    assert_eq!(count(json!({ "at": { "gte": after_all } })).await, 0);
    assert_eq!(
        count(json!({ "action": { "eq": "REGISTERED" }, "idempotencyKey": { "eq": "page-2" } }))
            .await,
        1
    );
    assert_eq!(
        count(json!({ "or": [{ "entity": { "eq": "TASK" } }, { "entity": { "eq": "TASK_ASSIGNMENT" } }] }))
            .await,
        2
    );
    let donation_row = id_of("Donation", &donations[2]);
    assert_eq!(
        count(json!({ "entity": { "eq": "DONATION" }, "entityId": { "eq": donation_row } })).await,
        1
    );
    let by_one = read(json!({ "filter": { "subjectId": { "eq": donations[2] } } })).await;
    assert_eq!(by_one["edges"][0]["node"]["entityId"], donation_row);
    assert_eq!(by_one["edges"][0]["node"]["fromStatus"], Value::Null);
    assert_eq!(by_one["edges"][0]["node"]["toStatus"], "RECEIVED");

    // An id of no audited kind, or a cursor of nothing, is bad input.
    ministry
        .gql(
            TRAIL,
            json!({ "filter": { "subjectId": { "eq": encode("Region", 1).0 } } }),
        )
        .await
        .assert_code("BAD_USER_INPUT");
    ministry
        .gql(TRAIL, json!({ "after": "bm90LWEtY3Vyc29y" }))
        .await
        .assert_code("BAD_USER_INPUT");

    // The same statements for a page of one as for a page of every event, users included.
    let cost = |variables: Value| {
        let (app, ministry) = (&app, &ministry);
        async move {
            let before = app.statements().await;
            ministry.gql(TRAIL, variables).await.data();
            app.statements().await - before
        }
    };
    // the account check, the page, the count, the users
    assert_eq!(cost(json!({ "first": 1 })).await, 4);
    assert_eq!(cost(json!({ "first": 100 })).await, 4);
}

#[tokio::test]
async fn only_the_ministry_reads_the_trail() {
    let app = spawn_app_with_demo().await;
    let query = "{ auditTrail(first: 5) { totalCount edges { node { id } } } }";
    app.anonymous()
        .gql(query, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
    for client in [app.as_demo_volunteer().await, app.as_demo_ngo().await] {
        let gql = client.gql(query, json!({})).await;
        gql.assert_code("FORBIDDEN");
        assert_eq!(gql.body["data"], Value::Null, "{}", gql.body);
    }
    app.as_demo_ministry()
        .await
        .gql(query, json!({}))
        .await
        .data();
}
