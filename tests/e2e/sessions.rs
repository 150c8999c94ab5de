//! Logging in, refreshing, signing up, and the live task events of a logged-in volunteer.

use serde_json::json;

use crate::helpers::app::spawn_with;
use crate::helpers::client::Client;
use crate::helpers::db::on_postgres;
use crate::helpers::ops;
use crate::helpers::{TestDb, spawn_app_with_demo};

#[tokio::test]
async fn a_volunteer_logs_in_by_email_or_phone() {
    let app = spawn_app_with_demo().await;
    for login in [
        "volunteer@demo.birlik.kz",
        "VOLUNTEER@demo.birlik.kz",
        "8 700 000 00 01",
    ] {
        let gql = app
            .anonymous()
            .gql(
                ops::LOGIN,
                json!({ "login": login, "password": "demo-password" }),
            )
            .await;
        let session = &gql.data()["login"];
        assert_eq!(session["user"]["role"], "VOLUNTEER", "{login}");
        let me = app
            .anonymous()
            .with_token(session["accessToken"].as_str().unwrap())
            .gql(ops::ME, json!({}))
            .await;
        assert_eq!(me.data()["me"]["volunteer"]["region"]["code"], "KZ-39");
    }
    for (login, password) in [
        ("volunteer@demo.birlik.kz", "wrong-password"),
        ("nobody@demo.birlik.kz", "demo-password"),
    ] {
        let gql = app
            .anonymous()
            .gql(ops::LOGIN, json!({ "login": login, "password": password }))
            .await;
        gql.assert_code("UNAUTHENTICATED");
        assert_eq!(
            gql.body["errors"][0]["message"], "authentication required",
            "the same answer for both"
        );
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_session() {
    let app = spawn_app_with_demo().await;
    let login = app
        .anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "ngo@demo.birlik.kz", "password": "demo-password" }),
        )
        .await;
    let first = login.data()["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let rotated = app
        .anonymous()
        .gql(ops::REFRESH_SESSION, json!({ "refreshToken": first }))
        .await;
    let second = rotated.data()["refreshSession"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);
    // The first token again: theft suspected, the whole family ends.
    app.anonymous()
        .gql(ops::REFRESH_SESSION, json!({ "refreshToken": first }))
        .await
        .assert_code("UNAUTHENTICATED");
    app.anonymous()
        .gql(ops::REFRESH_SESSION, json!({ "refreshToken": second }))
        .await
        .assert_code("UNAUTHENTICATED");
}

#[tokio::test]
async fn sign_up_creates_a_volunteer_and_refuses_a_second_account_for_the_phone() {
    let app = spawn_app_with_demo().await;
    let input = json!({ "input": {
        "fullName": "Дана Омарова", "phone": "+7 (707) 123-45-67", "email": "Dana@Example.kz", "password": "s3cret-enough",
        "regionCode": "KZ-27", "skills": ["первая помощь", "вождение"] } });
    let gql = app.anonymous().gql(ops::SIGN_UP, input.clone()).await;
    let session = &gql.data()["registerVolunteer"];
    assert_eq!(session["user"]["role"], "VOLUNTEER");
    assert_eq!(session["user"]["displayName"], "Дана Омарова");
    let me = app
        .anonymous()
        .with_token(session["accessToken"].as_str().unwrap())
        .gql(ops::ME, json!({}))
        .await;
    assert_eq!(me.data()["me"]["volunteer"]["phone"], "+77071234567");
    assert_eq!(me.data()["me"]["volunteer"]["region"]["code"], "KZ-27");
    app.anonymous()
        .gql(ops::SIGN_UP, input)
        .await
        .assert_code("CONFLICT");
    let login = app
        .anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "dana@example.kz", "password": "s3cret-enough" }),
        )
        .await;
    login.data();
    let weak = json!({ "input": { "fullName": "X", "phone": "+77071110000", "password": "short", "regionCode": "KZ-27" } });
    let refused = app.anonymous().gql(ops::SIGN_UP, weak).await;
    refused.assert_code("BAD_USER_INPUT");
    assert_eq!(
        refused.body["errors"][0]["extensions"]["field"],
        "input.password"
    );
}

#[tokio::test]
async fn a_keyed_sign_up_retried_makes_one_account() {
    use crate::helpers::sql;
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let input = |phone: &str, name: &str, password: &str| {
        json!({ "input": {
            "fullName": name, "phone": phone, "password": password, "regionCode": "KZ-39",
            "idempotencyKey": format!("sign-up-{phone}") } })
    };
    let sign_up = |variables: serde_json::Value| {
        let client = app.anonymous();
        async move { client.gql(ops::SIGN_UP, variables).await }
    };

    // The phone lost its signal before the answer came: the retry gets the same account.
    let first = sign_up(input("+77071112233", "Ерлан", "s3cret-enough")).await;
    let user = first.data()["registerVolunteer"]["user"]["id"].clone();
    let retry = sign_up(input("+77071112233", "Ерлан", "s3cret-enough")).await;
    assert_eq!(retry.data()["registerVolunteer"]["user"]["id"], user);
    let token = retry.data()["registerVolunteer"]["accessToken"]
        .as_str()
        .unwrap();
    let me = app
        .anonymous()
        .with_token(token)
        .gql(ops::ME, json!({}))
        .await;
    assert_eq!(me.data()["me"]["id"], user);

    // The key with other input, or with another password, is no replay; nor is the phone
    // without the key.
    sign_up(input("+77071112233", "Ерлан Б.", "s3cret-enough"))
        .await
        .assert_code("CONFLICT");
    sign_up(input("+77071112233", "Ерлан", "another-secret"))
        .await
        .assert_code("CONFLICT");
    let mut unkeyed = input("+77071112233", "Ерлан", "s3cret-enough");
    unkeyed["input"]
        .as_object_mut()
        .unwrap()
        .remove("idempotencyKey");
    sign_up(unkeyed).await.assert_code("CONFLICT");
    let accounts = "SELECT count(*) FROM user_account WHERE phone = '+77071112233'";
    assert_eq!(sql::int(&db, accounts).await, 1);

    // Eight copies of one sign-up at once: one account, and every copy answers with it.
    let copies = futures_util::future::join_all(
        (0..8).map(|_| sign_up(input("+77071114455", "Айгерим", "s3cret-enough"))),
    )
    .await;
    let ids: std::collections::HashSet<String> = copies
        .iter()
        .map(|gql| {
            gql.data()["registerVolunteer"]["user"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 1, "one account for every copy");
    let accounts = "SELECT count(*) FROM volunteer WHERE phone = '+77071114455'";
    assert_eq!(sql::int(&db, accounts).await, 1);
}

#[tokio::test]
async fn a_volunteer_hears_of_the_task_they_claim() {
    use crate::helpers::ws;
    let app = spawn_app_with_demo().await;
    let token = app.login("volunteer@demo.birlik.kz").await;
    let volunteer = app.anonymous().with_token(&token);
    let mut socket = ws::subscribe(&app.base, Some(&token), ops::TASK_EVENTS).await;

    let open = volunteer.gql(ops::OPEN_TASKS, json!({ "first": 1 })).await;
    let task = open.data()["openTasks"]["edges"][0]["node"]["id"].clone();
    volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "ws" }),
        )
        .await
        .data();

    let event = ws::next(&mut socket, 5).await;
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(event["payload"]["data"]["taskEvents"]["kind"], "ASSIGNED");
    assert_eq!(event["payload"]["data"]["taskEvents"]["task"]["id"], task);
}

const ME_ID: &str = "{ me { id role } }";

#[tokio::test]
async fn every_malformed_foreign_or_expired_token_is_refused() {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use birlik_api::auth::jwt::{AUDIENCE, Claims, ISSUER};
    use birlik_entity::enums::Role;

    let app = spawn_app_with_demo().await;
    let now = chrono::Utc::now().timestamp();
    let claims = |f: &dyn Fn(&mut Claims)| {
        let mut c = Claims {
            sub: "1".into(),
            role: Role::Ministry,
            org: None,
            vol: None,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            nbf: now,
            exp: now + 600,
        };
        f(&mut c);
        c
    };
    // The genuine article passes.
    let good = app.keys.sign(&claims(&|_| {})).unwrap();
    app.anonymous()
        .with_token(&good)
        .gql(ME_ID, json!({}))
        .await
        .data();

    let mut refused = vec![
        (
            "expired",
            app.keys
                .sign(&claims(&|c| {
                    c.exp = now - 120;
                    c.iat = now - 1000;
                    c.nbf = now - 1000;
                }))
                .unwrap(),
        ),
        (
            "not yet valid",
            app.keys.sign(&claims(&|c| c.nbf = now + 600)).unwrap(),
        ),
        (
            "another audience",
            app.keys
                .sign(&claims(&|c| c.aud = "someone-else".into()))
                .unwrap(),
        ),
        (
            "another issuer",
            app.keys.sign(&claims(&|c| c.iss = "evil".into())).unwrap(),
        ),
        (
            "a role its claims do not fit",
            app.keys.sign(&claims(&|c| c.role = Role::Ngo)).unwrap(),
        ),
    ];
    // Another algorithm with the same key.
    let key = jsonwebtoken::EncodingKey::from_secret(crate::helpers::app::TEST_SECRET.as_bytes());
    refused.push((
        "HS512",
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
            &claims(&|_| {}),
            &key,
        )
        .unwrap(),
    ));
    // `alg: none`, unsigned.
    let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(&|_| {})).unwrap());
    refused.push(("alg none", format!("{header}.{body}.")));
    // A token missing a required claim.
    let mut missing = serde_json::to_value(claims(&|_| {})).unwrap();
    missing.as_object_mut().unwrap().remove("nbf");
    let raw = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &missing,
        &key,
    )
    .unwrap();
    refused.push(("no nbf", raw));
    for (why, token) in refused {
        let gql = app
            .anonymous()
            .with_token(&token)
            .gql(ME_ID, json!({}))
            .await;
        assert_eq!(gql.status, 401, "{why}");
        gql.assert_code("UNAUTHENTICATED");
    }
}

#[tokio::test]
async fn a_disabled_account_stops_at_once() {
    let app = spawn_app_with_demo().await;
    let login = app
        .anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "volunteer@demo.birlik.kz", "password": "demo-password" }),
        )
        .await;
    let session = login.data()["login"].clone();
    let volunteer = app
        .anonymous()
        .with_token(session["accessToken"].as_str().unwrap());
    let user_id = volunteer.gql(ME_ID, json!({})).await.data()["me"]["id"].clone();

    let ministry = app.as_demo_ministry().await;
    let disabled = ministry
        .gql(
            "mutation($id: ID!) { disableAccount(userId: $id) { user { id disabled } } }",
            json!({ "id": user_id }),
        )
        .await;
    assert_eq!(disabled.data()["disableAccount"]["user"]["disabled"], true);

    // The same, unexpired token no longer works; neither does the refresh token, nor the password.
    volunteer
        .gql(ME_ID, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
    app.anonymous()
        .gql(
            ops::REFRESH_SESSION,
            json!({ "refreshToken": session["refreshToken"] }),
        )
        .await
        .assert_code("UNAUTHENTICATED");
    app.anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "volunteer@demo.birlik.kz", "password": "demo-password" }),
        )
        .await
        .assert_code("UNAUTHENTICATED");

    ministry
        .gql(
            "mutation($id: ID!) { enableAccount(userId: $id) { user { disabled } } }",
            json!({ "id": user_id }),
        )
        .await
        .data();
    app.anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "volunteer@demo.birlik.kz", "password": "demo-password" }),
        )
        .await
        .data();
    app.as_demo_ngo()
        .await
        .gql(
            "mutation($id: ID!) { disableAccount(userId: $id) { user { id } } }",
            json!({ "id": user_id }),
        )
        .await
        .assert_code("FORBIDDEN");
}

#[tokio::test]
async fn an_account_seen_active_a_moment_ago_still_stops_at_once_when_disabled() {
    // Accounts found active are remembered for a minute here, far longer than the test: only the
    // news of the disabling can stop the token in time.
    let remember = |c: &mut birlik_api::Config| c.account_check_ttl_ms = 60_000;
    let app = spawn_with(TestDb::demo().await, remember).await;
    // On PostgreSQL a second instance hears of the disabling through NOTIFY.
    let other = if on_postgres() {
        Some(app.another_instance_with(remember).await)
    } else {
        None
    };
    let token = app.login("volunteer@demo.birlik.kz").await;
    let volunteer = app.anonymous().with_token(&token);
    let user_id = volunteer.gql(ME_ID, json!({})).await.data()["me"]["id"].clone();
    let at_other = other
        .as_ref()
        .map(|base| Client::new(base, Some(token.clone())));
    if let Some(at_other) = &at_other {
        at_other.gql(ME_ID, json!({})).await.data();
    }

    // Remembered: a request asks nothing of the database about the account.
    let before = app.statements().await;
    volunteer.gql("{ __typename }", json!({})).await.data();
    assert_eq!(app.statements().await - before, 0);

    app.as_demo_ministry()
        .await
        .gql(
            "mutation($id: ID!) { disableAccount(userId: $id) { user { disabled } } }",
            json!({ "id": user_id }),
        )
        .await
        .data();
    volunteer
        .gql(ME_ID, json!({}))
        .await
        .assert_code("UNAUTHENTICATED");
    if let Some(at_other) = &at_other {
        let started = std::time::Instant::now();
        loop {
            let gql = at_other.gql(ME_ID, json!({})).await;
            if gql.status == 401 {
                gql.assert_code("UNAUTHENTICATED");
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "the other instance still serves a disabled account"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = spawn_app_with_demo().await;
    let login = |password: &'static str| {
        let client = app.anonymous();
        async move {
            client
                .gql(
                    ops::LOGIN,
                    json!({ "login": "ngo@demo.birlik.kz", "password": password }),
                )
                .await
        }
    };
    let first = login("demo-password").await.data()["login"].clone();
    let second = login("demo-password").await.data()["login"].clone();
    let staff = app
        .anonymous()
        .with_token(second["accessToken"].as_str().unwrap());
    let change = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken refreshToken } }";
    staff
        .gql(
            change,
            json!({ "c": "wrong-password", "n": "a-new-password" }),
        )
        .await
        .assert_code("BAD_USER_INPUT");
    let changed = staff
        .gql(
            change,
            json!({ "c": "demo-password", "n": "a-new-password" }),
        )
        .await;
    let fresh = changed.data()["changePassword"].clone();
    for old in [&first, &second] {
        app.anonymous()
            .gql(
                ops::REFRESH_SESSION,
                json!({ "refreshToken": old["refreshToken"] }),
            )
            .await
            .assert_code("UNAUTHENTICATED");
    }
    app.anonymous()
        .gql(
            ops::REFRESH_SESSION,
            json!({ "refreshToken": fresh["refreshToken"] }),
        )
        .await
        .data();
    login("demo-password").await.assert_code("UNAUTHENTICATED");
    login("a-new-password").await.data();
}

#[tokio::test]
async fn the_ministry_creates_staff_accounts_that_work_for_their_organization() {
    let app = spawn_app_with_demo().await;
    let db = app.db.connect().await;
    let org = crate::helpers::sql::int(&db, "SELECT MIN(o.id) FROM organization o JOIN collection_point c ON c.organization_id = o.id WHERE o.verified_at IS NOT NULL AND o.id <> (SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz')").await as i32;
    let create = "mutation($i: CreateStaffAccountInput!) { createStaffAccount(input: $i) { user { id role organization { id } } } }";
    let input = json!({ "i": { "organizationId": birlik_api::graphql::relay::encode("Organization", org).0, "email": "staff@org.kz", "displayName": "Координатор", "password": "first-password" } });
    app.as_demo_ngo()
        .await
        .gql(create, input.clone())
        .await
        .assert_code("FORBIDDEN");
    let created = app
        .as_demo_ministry()
        .await
        .gql(create, input.clone())
        .await;
    assert_eq!(created.data()["createStaffAccount"]["user"]["role"], "NGO");
    app.as_demo_ministry()
        .await
        .gql(create, input)
        .await
        .assert_code("CONFLICT");
    let login = app
        .anonymous()
        .gql(
            ops::LOGIN,
            json!({ "login": "staff@org.kz", "password": "first-password" }),
        )
        .await;
    let staff = app
        .anonymous()
        .with_token(login.data()["login"]["accessToken"].as_str().unwrap());
    let donations = staff
        .gql("{ donations(first: 1) { totalCount } }", json!({}))
        .await;
    let own = crate::helpers::sql::int(
        &db,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) FROM donation WHERE organization_id = {org}"),
    )
    .await;
    assert_eq!(donations.data()["donations"]["totalCount"], own);
}

#[tokio::test]
async fn repeated_failures_refuse_even_the_right_password_for_a_while() {
    let db = crate::helpers::TestDb::demo().await;
    let app = crate::helpers::app::spawn_with(db, |c| {
        c.login_max_failures = 3;
        c.login_max_failures_per_address = 3;
        c.login_window_s = 2;
    })
    .await;
    let login = |who: &'static str, password: &'static str| {
        let client = app.anonymous();
        async move {
            client
                .gql(ops::LOGIN, json!({ "login": who, "password": password }))
                .await
        }
    };
    for _ in 0..3 {
        login("volunteer@demo.birlik.kz", "guess")
            .await
            .assert_code("UNAUTHENTICATED");
    }
    let locked = login("volunteer@demo.birlik.kz", "demo-password").await;
    locked.assert_code("RATE_LIMITED");
    let wait = locked.body["errors"][0]["extensions"]["retryAfter"]
        .as_u64()
        .unwrap();
    assert!((1..=2).contains(&wait), "retry after {wait} s");
    // The address that guessed is held back too, whatever login it tries.
    login("ngo@demo.birlik.kz", "demo-password")
        .await
        .assert_code("RATE_LIMITED");
    // Not forever: once the failures age out of the window, the owner gets in.
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    login("volunteer@demo.birlik.kz", "demo-password")
        .await
        .data();
}

#[tokio::test]
async fn an_unknown_login_takes_about_as_long_as_a_wrong_password() {
    let app = spawn_app_with_demo().await;
    let time = |login: &'static str| {
        let client = app.anonymous();
        async move {
            let started = std::time::Instant::now();
            client
                .gql(
                    ops::LOGIN,
                    json!({ "login": login, "password": "not-the-password" }),
                )
                .await
                .assert_code("UNAUTHENTICATED");
            started.elapsed()
        }
    };
    // One of each per round, so that the failure delay grows alike for both logins.
    let (mut known, mut unknown) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    for _ in 0..3 {
        known += time("ministry@demo.birlik.kz").await;
        unknown += time("nobody@demo.birlik.kz").await;
    }
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    // A coarse bound: an unknown login is not answered markedly faster (no hash to check) or slower.
    assert!(
        (0.33..3.0).contains(&ratio),
        "unknown {unknown:?} vs known {known:?}"
    );
}

#[tokio::test]
async fn an_event_crosses_from_one_instance_to_another() {
    use crate::helpers::ws;
    if crate::helpers::db::skip_without_postgres("an_event_crosses_from_one_instance_to_another") {
        return;
    }
    let app = spawn_app_with_demo().await;
    let other = app.another_instance().await;
    let token = app.login("volunteer@demo.birlik.kz").await;
    // Subscribed on the second instance, claiming on the first.
    let mut socket = ws::subscribe(&other, Some(&token), ops::TASK_EVENTS).await;
    let volunteer = app.anonymous().with_token(&token);
    let open = volunteer.gql(ops::OPEN_TASKS, json!({ "first": 1 })).await;
    let task = open.data()["openTasks"]["edges"][0]["node"]["id"].clone();
    volunteer
        .gql(
            ops::CLAIM_TASK,
            json!({ "taskId": task, "idempotencyKey": "cross" }),
        )
        .await
        .data();

    let event = ws::next(&mut socket, 5).await;
    assert_eq!(
        event["payload"]["data"]["taskEvents"]["kind"], "ASSIGNED",
        "{event}"
    );
    assert_eq!(event["payload"]["data"]["taskEvents"]["task"]["id"], task);
}

#[tokio::test]
async fn an_organization_hears_of_its_shipments() {
    use crate::helpers::ws;
    let app = spawn_app_with_demo().await;
    let token = |who: &'static str| {
        let client = app.anonymous();
        async move {
            let gql = client
                .gql(
                    ops::LOGIN,
                    json!({ "login": who, "password": "demo-password" }),
                )
                .await;
            gql.data()["login"]["accessToken"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let ngo_token = app.login("ngo@demo.birlik.kz").await;
    let query = "subscription { shipmentEvents { kind shipment { id status } } }";
    let mut socket = ws::subscribe(&app.base, Some(&ngo_token), query).await;

    let ngo = app.anonymous().with_token(&ngo_token);
    let db = app.db.connect().await;
    let donation = crate::helpers::sql::int(&db, "SELECT MIN(id) FROM donation WHERE organization_id = (SELECT organization_id FROM user_account WHERE email = 'ngo@demo.birlik.kz') AND status = 'received'").await;
    let plan = json!({ "input": { "destinationRegionCode": "KZ-39", "items": [{ "donationId": birlik_api::graphql::relay::encode("Donation", donation as i32).0, "kilograms": 1 }],
        "vehicle": "ГАЗель", "driverName": "Серик", "idempotencyKey": "ev" } });
    let shipment =
        ngo.gql(ops::PLAN_SHIPMENT, plan).await.data()["planShipment"]["shipment"]["id"].clone();
    let planned = ws::next(&mut socket, 5).await;
    assert_eq!(
        planned["payload"]["data"]["shipmentEvents"],
        json!({ "kind": "PLANNED", "shipment": { "id": shipment, "status": "PLANNED" } })
    );
    ngo.gql(ops::DISPATCH_SHIPMENT, json!({ "shipmentId": shipment }))
        .await
        .data();
    let dispatched = ws::next(&mut socket, 5).await;
    assert_eq!(
        dispatched["payload"]["data"]["shipmentEvents"]["kind"],
        "DISPATCHED"
    );

    // A volunteer has no shipment events.
    let mut refused = ws::subscribe(
        &app.base,
        Some(&token("volunteer@demo.birlik.kz").await),
        query,
    )
    .await;
    let msg = ws::next(&mut refused, 5).await;
    assert_eq!(
        msg["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{msg}"
    );
}
