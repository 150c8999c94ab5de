//! A running application on a free port over a test database.

use std::sync::LazyLock;

use birlik_api::auth::jwt::Keys;
use birlik_api::{Application, Config};
use birlik_entity::enums::Role;
use birlik_entity::user_account;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use secrecy::SecretString;

use super::client::Client;
use super::db::TestDb;

/// The signing key of every test server.
pub const TEST_SECRET: &str = "test-secret-of-at-least-thirty-two-bytes";

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        birlik_api::telemetry::init(birlik_api::telemetry::LogFormat::Human);
    }
});

/// A server under test, with its database.
pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    pub keys: Keys,
}

/// The configuration a test server runs with.
pub fn test_config(db: &TestDb) -> Config {
    Config {
        database_url: Some(db.url()),
        jwt_secret: Some(SecretString::from(TEST_SECRET.to_owned())),
        ..Config::for_tests()
    }
}

/// A server over a migrated database with reference data only.
pub async fn spawn_app() -> TestApp {
    spawn_on(TestDb::migrated().await).await
}

/// A server over a database with the demo data.
pub async fn spawn_app_with_demo() -> TestApp {
    spawn_on(TestDb::demo().await).await
}

/// A server over the given database.
pub async fn spawn_on(db: TestDb) -> TestApp {
    LazyLock::force(&TRACING);
    let app = Application::build(test_config(&db))
        .await
        .expect("the application builds");
    let addr = app.local_addr();
    tokio::spawn(app.run_until_stopped());
    let keys = Keys::from_secret(&SecretString::from(TEST_SECRET.to_owned())).unwrap();
    TestApp {
        base: format!("http://{addr}"),
        db,
        keys,
    }
}

impl TestApp {
    /// A client without a token.
    pub fn anonymous(&self) -> Client {
        Client::new(&self.base, None)
    }

    /// A client with a token for the account with this email (minted, not logged in).
    pub async fn as_account(&self, email: &str) -> Client {
        Client::new(&self.base, Some(self.token_of(email).await))
    }

    /// An access token for the account with this email (minted, not logged in).
    pub async fn token_of(&self, email: &str) -> String {
        let db = self.db.connect().await;
        let account = user_account::Entity::find()
            .filter(user_account::Column::Email.eq(email))
            .one(&db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no account {email}"));
        let (token, _) = self
            .keys
            .issue(
                account.id,
                account.role,
                account.organization_id,
                account.volunteer_id,
            )
            .unwrap();
        assert!(matches!(
            account.role,
            Role::Ministry | Role::Ngo | Role::Volunteer
        ));
        token
    }

    /// The demo ministry account.
    pub async fn as_demo_ministry(&self) -> Client {
        self.as_account(birlik_api::demo::generate::MINISTRY_LOGIN)
            .await
    }
}

impl TestApp {
    /// The demo NGO account.
    pub async fn as_demo_ngo(&self) -> Client {
        self.as_account(birlik_api::demo::generate::NGO_LOGIN).await
    }

    /// The demo volunteer account.
    pub async fn as_demo_volunteer(&self) -> Client {
        self.as_account(birlik_api::demo::generate::VOLUNTEER_LOGIN)
            .await
    }

    /// SQL statements the server has run since it started (its `/metrics` counter).
    pub async fn statements(&self) -> u64 {
        let text = self.anonymous().get("/metrics").await.text().await.unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("birlik_sql_statements_total "))
            .and_then(|n| n.trim().parse().ok())
            .expect("a statement counter")
    }
}

/// A server over the given database, with its configuration adjusted.
pub async fn spawn_with(db: TestDb, adjust: impl FnOnce(&mut Config)) -> TestApp {
    LazyLock::force(&TRACING);
    let mut config = test_config(&db);
    adjust(&mut config);
    let app = Application::build(config)
        .await
        .expect("the application builds");
    let addr = app.local_addr();
    tokio::spawn(app.run_until_stopped());
    let keys = Keys::from_secret(&SecretString::from(TEST_SECRET.to_owned())).unwrap();
    TestApp {
        base: format!("http://{addr}"),
        db,
        keys,
    }
}

impl TestApp {
    /// The base URL of a second server over the same database (another instance of a cluster,
    /// or this one after a restart).
    pub async fn another_instance(&self) -> String {
        self.another_instance_with(|_| {}).await
    }

    /// [`another_instance`](Self::another_instance), with its configuration adjusted.
    pub async fn another_instance_with(&self, adjust: impl FnOnce(&mut Config)) -> String {
        let mut config = test_config(&self.db);
        adjust(&mut config);
        let app = Application::build(config)
            .await
            .expect("the application builds");
        let addr = app.local_addr();
        tokio::spawn(app.run_until_stopped());
        format!("http://{addr}")
    }
}

impl TestApp {
    /// An access token of a demo account, through the `login` mutation.
    pub async fn login(&self, login: &str) -> String {
        let gql = self
            .anonymous()
            .gql(
                super::ops::LOGIN,
                serde_json::json!({ "login": login, "password": "demo-password" }),
            )
            .await;
        gql.data()["login"]["accessToken"]
            .as_str()
            .expect("an access token")
            .to_owned()
    }
}

impl TestApp {
    /// The same access token, re-signed to expire `seconds` from now.
    pub fn expiring(&self, token: &str, seconds: i64) -> String {
        let mut claims = self.keys.verify(token).expect("a valid token");
        claims.exp = chrono::Utc::now().timestamp() + seconds;
        self.keys.sign(&claims).unwrap()
    }
}

/// An access token for the account with this email, signed with the test key (for servers that
/// the tests start as processes of their own, whose demo accounts they read directly).
pub async fn signed_token(db: &sea_orm::DatabaseConnection, email: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let account = birlik_entity::user_account::Entity::find()
        .filter(birlik_entity::user_account::Column::Email.eq(email))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no account {email}"));
    Keys::from_secret(&SecretString::from(TEST_SECRET.to_owned()))
        .unwrap()
        .issue(
            account.id,
            account.role,
            account.organization_id,
            account.volunteer_id,
        )
        .unwrap()
        .0
}
