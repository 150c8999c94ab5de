//! Each test owns a database: a copy of a template made once per process (migrated, or migrated
//! and filled with the demo data), dropped when the test ends. `TEST_DATABASE_URL` unset → SQLite
//! files in temporary directories; a `postgres://` URL → databases `birlik_t_<uuid>` made with
//! `CREATE DATABASE … TEMPLATE`, on the server that URL names.

use std::path::PathBuf;
use std::sync::LazyLock;

use birlik_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use tempfile::TempDir;
use tokio::sync::OnceCell;

/// What a template holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Content {
    Blank,
    Migrated,
    Demo,
}

/// A database that exists for one test.
pub enum TestDb {
    Sqlite { _dir: TempDir, file: PathBuf },
    Postgres { admin_url: String, name: String },
}

/// The PostgreSQL server URL for tests, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// True when the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    postgres_url().is_some()
}

/// Prints why a PostgreSQL-only test did nothing; returns true when it must skip.
pub fn skip_without_postgres(test: &str) -> bool {
    if on_postgres() {
        return false;
    }
    // Straight to the terminal: the test harness captures eprintln! of passing tests.
    use std::io::Write;
    writeln!(
        std::io::stderr(),
        "SKIPPED {test}: needs PostgreSQL; set TEST_DATABASE_URL=postgres://… to run it"
    )
    .ok();
    true
}

static SQLITE_TEMPLATES: LazyLock<TempDir> =
    LazyLock::new(|| TempDir::new().expect("a temporary directory"));
static MIGRATED: OnceCell<String> = OnceCell::const_new();
static DEMO: OnceCell<String> = OnceCell::const_new();
static SWEPT: OnceCell<()> = OnceCell::const_new();

impl TestDb {
    /// An empty database with no tables.
    pub async fn blank() -> TestDb {
        Self::from_template(Content::Blank).await
    }

    /// A migrated database: reference regions only.
    pub async fn migrated() -> TestDb {
        Self::from_template(Content::Migrated).await
    }

    /// A migrated database filled with the demo data.
    pub async fn demo() -> TestDb {
        Self::from_template(Content::Demo).await
    }

    /// The URL the application is configured with.
    pub fn url(&self) -> String {
        match self {
            TestDb::Sqlite { file, .. } => format!("sqlite://{}?mode=rwc", file.display()),
            TestDb::Postgres { admin_url, name } => with_database(admin_url, name),
        }
    }

    /// A direct connection, for checking what the application wrote.
    pub async fn connect(&self) -> DatabaseConnection {
        Database::connect(self.url())
            .await
            .expect("the test database opens")
    }

    async fn from_template(content: Content) -> TestDb {
        match postgres_url() {
            None => {
                let dir = TempDir::new().expect("a temporary directory");
                let file = dir.path().join("test.db");
                if content != Content::Blank {
                    let template = sqlite_template(content).await;
                    std::fs::copy(&template, &file).expect("the template copies");
                }
                TestDb::Sqlite { _dir: dir, file }
            }
            Some(admin_url) => {
                SWEPT.get_or_init(|| sweep(&admin_url)).await;
                let name = format!(
                    "birlik_t_{}_{}",
                    std::process::id(),
                    uuid::Uuid::new_v4().simple()
                );
                let admin = Database::connect(&admin_url)
                    .await
                    .expect("PostgreSQL answers");
                let sql = match content {
                    Content::Blank => format!("CREATE DATABASE {name}"),
                    _ => format!(
                        "CREATE DATABASE {name} TEMPLATE {}",
                        postgres_template(&admin_url, content).await
                    ),
                };
                admin
                    .execute_unprepared(&sql)
                    .await
                    .expect("the test database is created");
                admin.close().await.ok();
                TestDb::Postgres { admin_url, name }
            }
        }
    }
}

async fn fill(db: &DatabaseConnection, content: Content) {
    Migrator::up(db, None).await.expect("migrations apply");
    if content == Content::Demo {
        birlik_api::demo::load(db)
            .await
            .expect("the demo data loads");
    }
}

async fn sqlite_template(content: Content) -> PathBuf {
    let cell = if content == Content::Demo {
        &DEMO
    } else {
        &MIGRATED
    };
    let path = cell
        .get_or_init(|| async move {
            let file = SQLITE_TEMPLATES.path().join(if content == Content::Demo {
                "demo.db"
            } else {
                "migrated.db"
            });
            let target =
                birlik_api::config::database_target(Some(&format!("sqlite://{}", file.display())))
                    .unwrap();
            let db = birlik_api::db::connect(&target, 1, std::time::Duration::from_secs(10), None)
                .await
                .unwrap();
            fill(&db, content).await;
            // Closing the last connection checkpoints the WAL into the file we copy.
            db.close().await.expect("the template closes");
            file.display().to_string()
        })
        .await;
    PathBuf::from(path)
}

async fn postgres_template(admin_url: &str, content: Content) -> String {
    let cell = if content == Content::Demo {
        &DEMO
    } else {
        &MIGRATED
    };
    cell.get_or_init(|| async move {
        let name = format!(
            "birlik_tpl_{}_{}",
            if content == Content::Demo {
                "demo"
            } else {
                "migrated"
            },
            std::process::id()
        );
        let admin = Database::connect(admin_url)
            .await
            .expect("PostgreSQL answers");
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        admin.close().await.ok();
        let db = Database::connect(with_database(admin_url, &name))
            .await
            .unwrap();
        fill(&db, content).await;
        db.close().await.ok();
        name
    })
    .await
    .clone()
}

/// The test process that made a database (`birlik_t_<pid>_…`, `birlik_tpl_<kind>_<pid>`), if
/// the name says.
fn owner(name: &str) -> Option<u32> {
    if let Some(rest) = name.strip_prefix("birlik_t_") {
        return rest.split('_').next()?.parse().ok();
    }
    name.strip_prefix("birlik_tpl_")?
        .rsplit('_')
        .next()?
        .parse()
        .ok()
}

/// Drops what earlier runs left behind (a killed run cannot drop its own), but nothing of a test
/// process still running beside this one.
async fn sweep(admin_url: &str) {
    let admin = Database::connect(admin_url)
        .await
        .expect("PostgreSQL answers");
    let rows = admin
        .query_all_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'birlik\\_t\\_%' OR datname LIKE 'birlik\\_tpl\\_%'",
        ))
        .await
        .expect("databases list");
    for row in rows {
        let name: String = row.try_get("", "datname").unwrap();
        if owner(&name).is_some_and(|pid| std::path::Path::new(&format!("/proc/{pid}")).exists()) {
            continue;
        }
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .ok();
    }
    admin.close().await.ok();
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin_url, name } = self {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime: drop the database from a thread of its own.
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    if let Ok(admin) = Database::connect(&admin_url).await {
                        admin
                            .execute_unprepared(&format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            ))
                            .await
                            .ok();
                        admin.close().await.ok();
                    }
                });
            })
            .join()
            .ok();
        }
    }
}
