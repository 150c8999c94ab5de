//! Live events, published after the transaction that caused them commits. Subscribers filter
//! what concerns them and lag rather than buffer without bound (a slow subscriber skips ahead, it
//! never stalls the others). On PostgreSQL every instance hears every event: they travel through
//! `NOTIFY` on one channel and each instance's listener hands them to its own subscribers. On the
//! embedded SQLite database (one process) they stay in process.

use sea_orm::{DatabaseConnection, DbBackend};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::auth::active::ActiveAccounts;
use crate::store;

use birlik_entity::{shipment, task};
use tokio::sync::{broadcast, mpsc};

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
    /// It was called off before it left.
    Cancelled,
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

/// An event as this instance's subscribers receive it: with the task or shipment as it stood
/// after the change, read once per instance (not once per subscriber: ten thousand sockets of one
/// volunteer cost one query per event).
#[derive(Clone, Debug)]
pub struct Delivery {
    pub event: Event,
    pub task: Option<Arc<task::Model>>,
    pub shipment: Option<Arc<shipment::Model>>,
}

/// How many events a subscriber may fall behind before it skips ahead.
const CAPACITY: usize = 1024;

/// The PostgreSQL channel events travel on.
const CHANNEL: &str = "birlik_events";

/// The application's event channels.
#[derive(Clone, Debug)]
pub struct Events {
    bus: broadcast::Sender<Delivery>,
    /// Events of this instance waiting to be read and delivered, in order (embedded database).
    local: mpsc::Sender<Event>,
    /// Where to `NOTIFY`, on PostgreSQL.
    notify: Option<DatabaseConnection>,
    /// Accounts recently found active: a disabling forgets its account here at once, on every
    /// instance.
    accounts: Arc<ActiveAccounts>,
}

impl Events {
    /// Events for the database `db` at `url`: through PostgreSQL (every instance), or in
    /// process. On PostgreSQL this opens a small pool of its own for `NOTIFY` (so publishing never
    /// waits for, nor counts as, a request's statements) and starts the listener that feeds this
    /// instance's subscribers.
    pub async fn for_database(
        db: &DatabaseConnection,
        url: &str,
        accounts: Arc<ActiveAccounts>,
    ) -> Result<Self, sea_orm::DbErr> {
        let bus = broadcast::channel(CAPACITY).0;
        let (local, queue) = mpsc::channel(CAPACITY);
        tokio::spawn(deliver_in_order(db.clone(), queue, bus.clone()));
        let mut events = Events {
            bus,
            local: local.clone(),
            notify: None,
            accounts: accounts.clone(),
        };
        if db.get_database_backend() != DbBackend::Postgres {
            return Ok(events);
        }
        let mut options = sea_orm::ConnectOptions::new(url.to_owned());
        options
            .max_connections(2)
            .min_connections(0)
            .sqlx_logging(false);
        events.notify = Some(sea_orm::Database::connect(options).await?);
        tokio::spawn(listen(url.to_owned(), local, accounts));
        Ok(events)
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
        self.accounts.forget(user_id);
        self.publish(Event::AccountDisabled(AccountDisabled { user_id }));
    }

    fn publish(&self, event: Event) {
        match &self.notify {
            None => {
                if self.local.try_send(event).is_err() {
                    // Apps resynchronise with `myTasks(updatedSince:)`; a lost push is late news.
                    tracing::warn!("the event queue is full; an event was dropped");
                }
            }
            Some(db) => {
                let db = db.clone();
                tokio::spawn(async move {
                    let payload = serde_json::to_string(&event).unwrap_or_default();
                    if let Err(err) = store::event::notify(&db, CHANNEL, payload).await {
                        // Apps resynchronise with `myTasks(updatedSince:)`; a lost push is late news, not lost data.
                        tracing::warn!(error = %err, "an event could not be published");
                    }
                });
            }
        }
    }

    /// Accounts recently found active.
    pub fn accounts(&self) -> &ActiveAccounts {
        &self.accounts
    }

    /// A receiver of every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Delivery> {
        self.bus.subscribe()
    }
}

/// Reads each event's task or shipment once and hands the event to this instance's subscribers,
/// in the order the events came. Nothing is read while nobody listens.
async fn deliver_in_order(
    db: DatabaseConnection,
    mut queue: mpsc::Receiver<Event>,
    bus: broadcast::Sender<Delivery>,
) {
    while let Some(event) = queue.recv().await {
        if bus.receiver_count() == 0 {
            continue;
        }
        let (task, shipment) = match &event {
            Event::Task(e) => (read(store::event::task(&db, e.task_id).await), None),
            Event::Shipment(e) => (None, read(store::event::shipment(&db, e.shipment_id).await)),
            Event::AccountDisabled(_) => (None, None),
        };
        let _ = bus.send(Delivery {
            event,
            task,
            shipment,
        });
    }
}

fn read<M>(found: Result<Option<M>, sea_orm::DbErr>) -> Option<Arc<M>> {
    match found {
        Ok(found) => found.map(Arc::new),
        Err(err) => {
            tracing::warn!(error = %err, "an event's object could not be read; it is not pushed");
            None
        }
    }
}

/// Hands every notification on [`CHANNEL`] to this instance's subscribers, reconnecting after a
/// lost connection, for as long as the runtime lives.
async fn listen(url: String, local: mpsc::Sender<Event>, accounts: Arc<ActiveAccounts>) {
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
        // Disablings announced while nobody listened were missed.
        accounts.forget_all();
        loop {
            match listener.recv().await {
                Ok(notification) => match serde_json::from_str::<Event>(notification.payload()) {
                    Ok(event) => {
                        if let Event::AccountDisabled(disabled) = &event {
                            accounts.forget(disabled.user_id);
                        }
                        if local.try_send(event).is_err() {
                            tracing::warn!("the event queue is full; an event was dropped");
                        }
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
