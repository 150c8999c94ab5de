//! Live events, published after the transaction that caused them commits. Subscribers filter
//! what concerns them and lag rather than buffer without bound (a slow subscriber skips ahead, it
//! never stalls the others). On PostgreSQL every instance hears every event: they travel through
//! `NOTIFY` on one channel and each instance's listener hands them to its own subscribers. On the
//! embedded SQLite database (one process) they stay in process.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// What happened to a task, from a volunteer's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskEventKind {
    /// The volunteer got a place on it.
    Assigned,
    /// It changed (status, time, places).
    Changed,
    /// Its organization or the ministry called it off.
    Cancelled,
    /// The volunteer's claim on it ended.
    Released,
}

/// One task event and the volunteers it concerns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskEvent {
    pub kind: TaskEventKind,
    pub task_id: i32,
    pub volunteer_ids: Vec<i32>,
}

/// What happened to a shipment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShipmentEventKind {
    /// It was planned.
    Planned,
    /// It left.
    Dispatched,
    /// Its delivery was confirmed.
    Delivered,
}

/// One shipment event and the organization that sends the shipment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentEvent {
    pub kind: ShipmentEventKind,
    pub shipment_id: i32,
    pub organization_id: i32,
}

/// An account was disabled: its open sockets close.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountDisabled {
    pub user_id: i32,
}

/// Any event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Task(TaskEvent),
    Shipment(ShipmentEvent),
    AccountDisabled(AccountDisabled),
}

/// How many events a subscriber may fall behind before it skips ahead.
const CAPACITY: usize = 1024;

/// The PostgreSQL channel events travel on.
const CHANNEL: &str = "birlik_events";

/// The application's event channels.
#[derive(Clone, Debug)]
pub struct Events {
    bus: broadcast::Sender<Event>,
    /// Where to `NOTIFY`, on PostgreSQL.
    notify: Option<DatabaseConnection>,
}

impl Default for Events {
    fn default() -> Self {
        Events {
            bus: broadcast::channel(CAPACITY).0,
            notify: None,
        }
    }
}

impl Events {
    /// Events for the database at `url`: through PostgreSQL (every instance), or in process. On
    /// PostgreSQL this opens a small pool of its own for `NOTIFY` (so publishing never waits for,
    /// nor counts as, a request's statements) and starts the listener that feeds this instance's
    /// subscribers.
    pub async fn for_database(backend: DbBackend, url: &str) -> Result<Self, sea_orm::DbErr> {
        let events = Events::default();
        if backend != DbBackend::Postgres {
            return Ok(events);
        }
        let mut options = sea_orm::ConnectOptions::new(url.to_owned());
        options
            .max_connections(2)
            .min_connections(0)
            .sqlx_logging(false);
        let notify = sea_orm::Database::connect(options).await?;
        tokio::spawn(listen(url.to_owned(), events.bus.clone()));
        Ok(Events {
            notify: Some(notify),
            ..events
        })
    }

    /// Publishes a task event (nobody listening is fine). Call it after the commit.
    pub fn task(&self, event: TaskEvent) {
        self.publish(Event::Task(event));
    }

    /// Publishes a shipment event. Call it after the commit.
    pub fn shipment(&self, event: ShipmentEvent) {
        self.publish(Event::Shipment(event));
    }

    /// Publishes that an account was disabled. Call it after the commit.
    pub fn account_disabled(&self, user_id: i32) {
        self.publish(Event::AccountDisabled(AccountDisabled { user_id }));
    }

    fn publish(&self, event: Event) {
        match &self.notify {
            None => {
                let _ = self.bus.send(event);
            }
            Some(db) => {
                let db = db.clone();
                tokio::spawn(async move {
                    let payload = serde_json::to_string(&event).unwrap_or_default();
                    let stmt = Statement::from_sql_and_values(
                        DbBackend::Postgres,
                        "SELECT pg_notify($1, $2)",
                        [CHANNEL.into(), payload.into()],
                    );
                    if let Err(err) = db.execute_raw(stmt).await {
                        // Apps resynchronise with `myTasks(updatedSince:)`; a lost push is late news, not lost data.
                        tracing::warn!(error = %err, "an event could not be published");
                    }
                });
            }
        }
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.bus.subscribe()
    }
}

/// Hands every notification on [`CHANNEL`] to this instance's subscribers, reconnecting after a
/// lost connection, for as long as the runtime lives.
async fn listen(url: String, local: broadcast::Sender<Event>) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for events; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %err, "cannot listen for events; retrying");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(notification) => match serde_json::from_str::<Event>(notification.payload()) {
                    Ok(event) => {
                        let _ = local.send(event);
                    }
                    Err(err) => tracing::warn!(error = %err, "an event that does not parse"),
                },
                Err(err) => {
                    tracing::warn!(error = %err, "the event listener lost its connection; reconnecting");
                    break;
                }
            }
        }
    }
}
