//! Abuse-resistant identity: joining an organization is a request its staff approve; failed
//! passwords are counted atomically and locked per login and address, per address, and per login
//! for addresses that failed; the client address comes from `X-Forwarded-For` only behind trusted
//! proxies (IPv6 by its /64); sign-ups and password changes are throttled; logins, passwords and
//! tokens are bounded before any SQL.

use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::helpers::app::{TestApp, spawn_app_with_demo, spawn_with};
use crate::helpers::client::Client;
use crate::helpers::ops;
use crate::helpers::sql::int;
use birlik_api::config::RateLimit;
use birlik_api::graphql::relay::encode;

const APPROVE: &str = "mutation($v: ID!, $ver: Int) { approveMember(volunteerId: $v, expectedVersion: $ver) { volunteer { id fullName phone organization { id } } } }";
const DECLINE: &str = "mutation($v: ID!) { declineMember(volunteerId: $v) { volunteerId } }";
const REQUESTS: &str = "{ membershipRequests(first: 100) { totalCount edges { node { volunteerId fullName version requestedAt organization { id } } } } }";
const MEMBER: &str = "query($v: ID!) { volunteers(filter: { id: { eq: $v } }) { totalCount edges { node { phone } } } }";
const CHANGE_PASSWORD: &str = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken } }";

fn sign_up(n: u32, organization: Option<i32>) -> Value {
    json!({ "input": {
        "fullName": format!("Гость {n}"),
        "phone": format!("+7 799 555 {:02} {:02}", n / 100, n % 100),
        "password": "correct horse",
        "regionCode": "KZ-39",
        "organizationId": organization.map(|o| encode("Organization", o).0),
    } })
}

/// The demo NGO's organization, and another verified organization with a staff login of its own.
async fn two_organizations(app: &TestApp) -> (i32, i32, Client) {
    let db = app.db.connect().await;
    let own = int(
        &db,
        "SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz'",
    )
    .await as i32;
    let other = int(
        &db,
        &format!("SELECT MIN(id) FROM organization WHERE verified_at IS NOT NULL AND id <> {own}"),
    )
    .await as i32;
    let create =
        "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }";
    app.as_demo_ministry()
        .await
        .gql(
            create,
            json!({ "i": { "organizationId": encode("Organization", other).0, "email": "staff@other.kz", "displayName": "Other", "password": "long-enough" } }),
        )
        .await
        .data();
    (own, other, app.as_account("staff@other.kz").await)
}

/// The volunteer record a phone signed up.
async fn volunteer_of(app: &TestApp, n: u32) -> i32 {
    let phone = format!("+7799555{:02}{:02}", n / 100, n % 100);
    int(
        &app.db.connect().await,
        &format!("SELECT id FROM volunteer WHERE phone = '{phone}'"),
    )
    .await as i32
}

#[tokio::test]
async fn joining_an_organization_is_a_request_its_staff_approve() {
    let app = spawn_app_with_demo().await;
    let (own, _other, other_staff) = two_organizations(&app).await;
    let staff = app.as_demo_ngo().await;
    let signed = app
        .anonymous()
        .gql(ops::SIGN_UP, sign_up(1, Some(own)))
        .await;
    signed.data();
    let v = volunteer_of(&app, 1).await;
    let vid = encode("Volunteer", v).0;

    // Not a member: the organization's staff neither list them nor read their phone.
    let listed = staff.gql(MEMBER, json!({ "v": vid })).await;
    assert_eq!(
        listed.data()["volunteers"]["totalCount"],
        0,
        "{}",
        listed.body
    );
    let node = staff
        .gql(
            "query($v: ID!) { node(id: $v) { ... on Volunteer { phone } } }",
            json!({ "v": vid }),
        )
        .await;
    assert!(node.body["data"]["node"].is_null(), "{}", node.body);
    let db = app.db.connect().await;
    let member_of = |v: i32| {
        format!("SELECT COUNT(*) FROM volunteer WHERE id = {v} AND organization_id IS NOT NULL")
    };
    assert_eq!(int(&db, &member_of(v)).await, 0);

    // A request the staff see by name, with nothing personal to ask for.
    let requests = staff.gql(REQUESTS, json!({})).await;
    let edges = requests.data()["membershipRequests"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let request = edges
        .iter()
        .find(|e| e["node"]["volunteerId"] == vid)
        .unwrap_or_else(|| panic!("the request is listed: {}", requests.body));
    assert_eq!(request["node"]["fullName"], "Гость 1");
    assert_eq!(
        request["node"]["organization"]["id"],
        encode("Organization", own).0
    );
    let shape = staff
        .gql(
            "{ __type(name: \"MembershipRequest\") { fields { name } } }",
            json!({}),
        )
        .await;
    let fields: Vec<&str> = shape.data()["__type"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(fields.contains(&"fullName"), "{fields:?}");
    assert!(
        !fields
            .iter()
            .any(|f| ["phone", "email", "volunteer"].contains(f)),
        "a request shows no contacts, nor a way to them: {fields:?}"
    );

    // Nobody else decides it: another organization's staff do not even see it.
    let theirs = other_staff.gql(REQUESTS, json!({})).await;
    assert!(
        !theirs.data()["membershipRequests"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["node"]["volunteerId"] == vid),
        "{}",
        theirs.body
    );
    other_staff
        .gql(APPROVE, json!({ "v": vid }))
        .await
        .assert_code("NOT_FOUND");
    app.as_demo_volunteer()
        .await
        .gql(APPROVE, json!({ "v": vid }))
        .await
        .assert_code("FORBIDDEN");
    app.as_demo_volunteer()
        .await
        .gql(REQUESTS, json!({}))
        .await
        .assert_code("FORBIDDEN");
    app.anonymous()
        .gql(APPROVE, json!({ "v": vid }))
        .await
        .assert_code("UNAUTHENTICATED");
    app.anonymous()
        .gql(REQUESTS, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
    assert_eq!(int(&db, &member_of(v)).await, 0, "refusals change nothing");

    // A stale version is a conflict; the right one makes them a member, contacts and all.
    let version = request["node"]["version"].as_i64().unwrap();
    staff
        .gql(APPROVE, json!({ "v": vid, "ver": version + 1 }))
        .await
        .assert_code("CONFLICT");
    let approved = staff
        .gql(APPROVE, json!({ "v": vid, "ver": version }))
        .await;
    let volunteer = &approved.data()["approveMember"]["volunteer"];
    assert_eq!(volunteer["phone"], "+77995550001");
    assert_eq!(
        volunteer["organization"]["id"],
        encode("Organization", own).0
    );
    let listed = staff.gql(MEMBER, json!({ "v": vid })).await;
    assert_eq!(listed.data()["volunteers"]["totalCount"], 1);
    assert_eq!(
        listed.data()["volunteers"]["edges"][0]["node"]["phone"],
        "+77995550001"
    );
    // Decided once: the request is gone, and on the audit trail.
    staff
        .gql(APPROVE, json!({ "v": vid }))
        .await
        .assert_code("NOT_FOUND");
    let audited = int(
        &db,
        &format!(
            "SELECT COUNT(*) FROM audit_event WHERE entity = 'volunteer' AND entity_id = {v} \
             AND action = 'status_changed' AND from_status = 'requested' AND to_status = 'member'"
        ),
    )
    .await;
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_declined_request_leaves_the_volunteer_outside_and_the_ministry_decides_any() {
    let app = spawn_app_with_demo().await;
    let (own, other, other_staff) = two_organizations(&app).await;
    let staff = app.as_demo_ngo().await;
    let ministry = app.as_demo_ministry().await;
    app.anonymous()
        .gql(ops::SIGN_UP, sign_up(2, Some(own)))
        .await
        .data();
    app.anonymous()
        .gql(ops::SIGN_UP, sign_up(3, Some(other)))
        .await
        .data();
    let (declined, approved) = (volunteer_of(&app, 2).await, volunteer_of(&app, 3).await);
    let all = ministry.gql(REQUESTS, json!({})).await;
    assert_eq!(all.data()["membershipRequests"]["totalCount"], 2);

    let answer = staff
        .gql(DECLINE, json!({ "v": encode("Volunteer", declined).0 }))
        .await;
    assert_eq!(
        answer.data()["declineMember"]["volunteerId"],
        encode("Volunteer", declined).0
    );
    let db = app.db.connect().await;
    assert_eq!(
        int(&db, &format!("SELECT COUNT(*) FROM volunteer WHERE id = {declined} AND organization_id IS NULL AND requested_organization_id IS NULL")).await,
        1
    );
    let mine = staff.gql(REQUESTS, json!({})).await;
    assert_eq!(mine.data()["membershipRequests"]["totalCount"], 0);

    // The ministry approves a request to another organization; its staff then see the member.
    ministry
        .gql(APPROVE, json!({ "v": encode("Volunteer", approved).0 }))
        .await
        .data();
    let theirs = other_staff
        .gql(MEMBER, json!({ "v": encode("Volunteer", approved).0 }))
        .await;
    assert_eq!(theirs.data()["volunteers"]["totalCount"], 1);
    assert_eq!(
        int(
            &db,
            &format!(
                "SELECT COUNT(*) FROM volunteer WHERE id = {approved} AND organization_id = {other}"
            )
        )
        .await,
        1
    );
}

#[tokio::test]
async fn staff_of_an_unverified_organization_cannot_take_members_on() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let unverified = int(
        &db,
        "SELECT MIN(id) FROM organization WHERE verified_at IS NULL",
    )
    .await as i32;
    let create =
        "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id } } }";
    app.as_demo_ministry()
        .await
        .gql(create, json!({ "i": { "organizationId": encode("Organization", unverified).0, "email": "new@org.kz", "displayName": "New", "password": "long-enough" } }))
        .await
        .data();
    let staff = app.as_account("new@org.kz").await;
    app.anonymous()
        .gql(ops::SIGN_UP, sign_up(4, Some(unverified)))
        .await
        .data();
    let v = encode("Volunteer", volunteer_of(&app, 4).await).0;
    staff
        .gql(APPROVE, json!({ "v": v }))
        .await
        .assert_code("FORBIDDEN");
    assert_eq!(
        int(&db, "SELECT COUNT(*) FROM volunteer WHERE organization_id IS NOT NULL AND phone = '+77995550004'").await,
        0
    );
}

/// POSTs a login from a client address (`X-Forwarded-For`), as a proxy in front would.
async fn login_from(app: &TestApp, address: &str, login: &str, password: &str) -> Value {
    let resp = reqwest::Client::new()
        .post(format!("{}/graphql", app.base))
        .header("X-Forwarded-For", address)
        .json(
            &json!({ "query": ops::LOGIN, "variables": { "login": login, "password": password } }),
        )
        .send()
        .await
        .unwrap();
    resp.json().await.unwrap()
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("OK")
}

#[tokio::test]
async fn concurrent_wrong_passwords_past_the_limit_are_refused_before_they_are_checked() {
    let app = spawn_app_with_demo().await;
    let tries = (0..30).map(|_| {
        let client = app.anonymous();
        tokio::spawn(async move {
            client
                .gql(
                    ops::LOGIN,
                    json!({ "login": "volunteer@demo.birlik.kz", "password": "a wrong guess" }),
                )
                .await
        })
    });
    let answers = futures_util::future::join_all(tries).await;
    let (mut checked, mut refused) = (0, 0);
    for answer in answers {
        let answer = answer.unwrap();
        match code(&answer.body) {
            "UNAUTHENTICATED" => checked += 1,
            "RATE_LIMITED" => {
                assert!(
                    answer.body["errors"][0]["extensions"]["retryAfter"]
                        .as_u64()
                        .is_some_and(|s| s >= 1),
                    "{}",
                    answer.body
                );
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert!(
        (1..=10).contains(&checked),
        "{checked} of 30 concurrent wrong passwords were checked (limit 10)"
    );
    assert_eq!(refused, 30 - checked);
}

#[tokio::test]
async fn a_guesser_elsewhere_does_not_lock_the_owner_out() {
    let db = TestDb::demo().await;
    let app = spawn_with(db, |c| {
        c.login_max_failures = 3;
        c.trusted_proxies = "127.0.0.1".parse().unwrap();
    })
    .await;
    let owner = "volunteer@demo.birlik.kz";
    for _ in 0..3 {
        let body = login_from(&app, "198.51.100.7", owner, "guess").await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    // The guesser is refused at once, even with the right password.
    let body = login_from(&app, "198.51.100.7", owner, "demo-password").await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    assert!(
        body["errors"][0]["extensions"]["retryAfter"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // What the guesser writes to the left of its proxy's hop changes nothing.
    let body = login_from(&app, "203.0.113.5, 198.51.100.7", owner, "demo-password").await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    // The owner, on an address with no failures, gets in.
    let body = login_from(&app, "203.0.113.5", owner, "demo-password").await;
    assert_eq!(code(&body), "OK", "{body}");
    // Another guessing address gets one try of the guessed login, then is held back too.
    let body = login_from(&app, "198.51.100.8", owner, "guess").await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    let body = login_from(&app, "198.51.100.8", owner, "demo-password").await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");

    // IPv6 counts by /64: another address of the same block is the same client.
    for _ in 0..3 {
        let body = login_from(&app, "2001:db8:1:2::1", "ngo@demo.birlik.kz", "guess").await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    let body = login_from(
        &app,
        "2001:db8:1:2:ffff::9",
        "ngo@demo.birlik.kz",
        "demo-password",
    )
    .await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    let body = login_from(
        &app,
        "2001:db8:1:3::1",
        "ngo@demo.birlik.kz",
        "demo-password",
    )
    .await;
    assert_eq!(code(&body), "OK", "{body}");
}

#[tokio::test]
async fn forwarded_addresses_are_ignored_unless_the_peer_is_a_trusted_proxy() {
    let db = TestDb::demo().await;
    let app = spawn_with(db, |c| c.login_max_failures = 2).await;
    for address in ["198.51.100.1", "198.51.100.2"] {
        let body = login_from(&app, address, "volunteer@demo.birlik.kz", "guess").await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    // Both came from 127.0.0.1, whatever they claimed.
    let body = login_from(
        &app,
        "203.0.113.9",
        "volunteer@demo.birlik.kz",
        "demo-password",
    )
    .await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
}

#[tokio::test]
async fn wrong_current_passwords_count_like_failed_logins() {
    let db = TestDb::demo().await;
    let app = spawn_with(db, |c| c.login_max_failures = 3).await;
    let me = app.as_demo_volunteer().await;
    for _ in 0..3 {
        let wrong = me
            .gql(
                CHANGE_PASSWORD,
                json!({ "c": "not-mine", "n": "a new password" }),
            )
            .await;
        wrong.assert_code("BAD_USER_INPUT");
    }
    let locked = me
        .gql(
            CHANGE_PASSWORD,
            json!({ "c": "demo-password", "n": "a new password" }),
        )
        .await;
    locked.assert_code("RATE_LIMITED");
    // And the account's login from this address is held back alike.
    let body = login_from(
        &app,
        "203.0.113.1",
        "volunteer@demo.birlik.kz",
        "demo-password",
    )
    .await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    let db = app.db.connect().await;
    assert_eq!(
        int(
            &db,
            "SELECT COUNT(*) FROM audit_event WHERE action = 'password_changed'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn sign_ups_and_password_changes_are_throttled_per_address() {
    let db = TestDb::demo().await;
    let app = spawn_with(db, |c| {
        c.rate_limit = RateLimit {
            per_second: 1000,
            burst: 1000,
        };
        c.password_rate_limit = RateLimit {
            per_second: 1,
            burst: 3,
        };
    })
    .await;
    // Five sign-ups and a password change at once from one address: the burst lets three through.
    let me = app.as_demo_volunteer().await;
    let mut calls = Vec::new();
    for n in 10..15 {
        let client = app.anonymous();
        calls.push(tokio::spawn(async move {
            client.gql(ops::SIGN_UP, sign_up(n, None)).await
        }));
    }
    calls.push(tokio::spawn(async move {
        me.gql(
            CHANGE_PASSWORD,
            json!({ "c": "demo-password", "n": "a new password" }),
        )
        .await
    }));
    let (mut passed, mut refused) = (0, 0);
    for call in futures_util::future::join_all(calls).await {
        let answer = call.unwrap();
        match code(&answer.body) {
            "OK" => passed += 1,
            "RATE_LIMITED" => {
                assert!(
                    answer.body["errors"][0]["extensions"]["retryAfter"]
                        .as_u64()
                        .is_some_and(|s| s >= 1),
                    "{}",
                    answer.body
                );
                refused += 1;
            }
            other => panic!("unexpected {other}: {}", answer.body),
        }
    }
    assert_eq!((passed, refused), (3, 3), "a burst of 3 from one address");
    let db = app.db.connect().await;
    assert_eq!(
        int(
            &db,
            "SELECT COUNT(*) FROM volunteer WHERE phone LIKE '+779955500%'"
        )
        .await
            + int(
                &db,
                "SELECT COUNT(*) FROM audit_event WHERE action = 'password_changed'"
            )
            .await,
        3,
        "the refused calls changed nothing"
    );
    // With every limit off, the throttle is off too.
    let open = spawn_with(TestDb::migrated().await, |c| {
        c.rate_limit = RateLimit::OFF;
        c.password_rate_limit = RateLimit {
            per_second: 1,
            burst: 1,
        };
    })
    .await;
    for n in 20..23 {
        open.anonymous()
            .gql(ops::SIGN_UP, sign_up(n, None))
            .await
            .data();
    }
}

#[tokio::test]
async fn logins_passwords_and_tokens_are_bounded_before_any_sql() {
    let app = spawn_app_with_demo().await;
    let anonymous = app.anonymous();
    let long_login = "a".repeat(90_000);
    let before = app.statements().await;
    let answer = anonymous
        .gql(
            ops::LOGIN,
            json!({ "login": long_login, "password": "whatever" }),
        )
        .await;
    answer.assert_code("BAD_USER_INPUT");
    assert_eq!(answer.body["errors"][0]["extensions"]["field"], "login");
    assert_eq!(app.statements().await, before, "no SQL ran");
    let answer = anonymous
        .gql(
            ops::LOGIN,
            json!({ "login": "volunteer@demo.birlik.kz", "password": "p".repeat(1025) }),
        )
        .await;
    assert_eq!(answer.body["errors"][0]["extensions"]["field"], "password");
    let answer = anonymous
        .gql(
            ops::REFRESH_SESSION,
            json!({ "refreshToken": "t".repeat(10_000) }),
        )
        .await;
    answer.assert_code("BAD_USER_INPUT");
    assert_eq!(
        answer.body["errors"][0]["extensions"]["field"],
        "refreshToken"
    );
    let mut long_email = sign_up(30, None);
    long_email["input"]["email"] = json!(format!("{}@example.kz", "e".repeat(300)));
    let answer = anonymous.gql(ops::SIGN_UP, long_email).await;
    assert_eq!(
        answer.body["errors"][0]["extensions"]["field"],
        "input.email"
    );
    let mut long_password = sign_up(31, None);
    long_password["input"]["password"] = json!("p".repeat(1025));
    let answer = anonymous.gql(ops::SIGN_UP, long_password).await;
    assert_eq!(
        answer.body["errors"][0]["extensions"]["field"],
        "input.password"
    );
    let db = app.db.connect().await;
    assert_eq!(
        int(&db, "SELECT COUNT(*) FROM login_failure").await,
        0,
        "nothing of them was stored"
    );
}

#[tokio::test]
async fn a_taken_phone_is_refused_before_any_password_is_hashed() {
    let app = spawn_with(TestDb::migrated().await, |_| {}).await;
    let client = app.anonymous();
    let time = |variables: Value| {
        let client = client.clone();
        async move {
            let started = std::time::Instant::now();
            let answer = client.gql(ops::SIGN_UP, variables).await;
            (started.elapsed(), answer)
        }
    };
    // The fastest of several, so that a busy machine's pauses do not decide.
    let (mut fresh, mut taken) = (std::time::Duration::MAX, std::time::Duration::MAX);
    for n in 40..46 {
        let (elapsed, answer) = time(sign_up(n, None)).await;
        answer.data();
        fresh = fresh.min(elapsed);
        let (elapsed, answer) = time(sign_up(n, None)).await;
        answer.assert_code("CONFLICT");
        taken = taken.min(elapsed);
    }
    assert!(
        taken * 2 < fresh,
        "a taken phone costs no hash: {taken:?} against {fresh:?} for a sign-up"
    );
}
