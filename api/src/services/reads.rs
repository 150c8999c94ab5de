//! Where a read goes: the primary, or a PostgreSQL read replica (`BIRLIK_REPLICA_URL`) for the
//! reads that may trail the writes a little (aggregates, exports, the ministry's lists).
//!
//! A monitor per replica reads, every [`POLL`], how far the primary has flushed its WAL and then
//! how far the replica has replayed it: a replica that has replayed a position the primary had
//! flushed at moment `t` holds every transaction committed before `t`, so `t` is its `as_of`
//! and `now - as_of` its lag (a quiet primary costs no lag). A replica lagging more than the
//! bound, down, or no standby at all is skipped: the read goes to the primary, with no error.
//! A read that breaks on a replica is run again on the primary, and the replica is set aside
//! until its monitor reaches it again.
//!
//! Read-your-writes: a caller who wrote on this instance within the lag bound reads from the
//! primary. A write made through another instance may be missing from a replica for at most
//! the bound.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::context::Actor;
use crate::store;

/// Time between two readings of a replica's position.
pub const POLL: Duration = Duration::from_millis(250);

/// Most accounts remembered as recent writers; older entries are dropped past it.
const WRITERS_KEPT: usize = 10_000;

/// The primary and the replicas reads may use, with what is known of each replica.
#[derive(Clone)]
pub struct Reads(Arc<Inner>);

struct Inner {
    primary: DatabaseConnection,
    replicas: Vec<Replica>,
    max_lag: Duration,
    next: AtomicUsize,
    writers: Mutex<HashMap<i32, Instant>>,
    primary_reads: AtomicU64,
    replica_reads: AtomicU64,
    retries: AtomicU64,
}

struct Replica {
    /// `host:port/database`, for logs and metrics (never the password).
    name: String,
    db: DatabaseConnection,
    health: Mutex<Health>,
}

#[derive(Default)]
struct Health {
    up: bool,
    /// Every transaction committed on the primary before this moment has been replayed.
    as_of: Option<DateTime<Utc>>,
    /// The primary's recent flush positions and when they were read, oldest first.
    samples: VecDeque<(i64, DateTime<Utc>)>,
}

impl std::fmt::Debug for Reads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reads")
            .field(
                "replicas",
                &self.0.replicas.iter().map(|r| &r.name).collect::<Vec<_>>(),
            )
            .field("max_lag", &self.0.max_lag)
            .finish()
    }
}

/// Where one read runs, and the moment its data is as of.
#[derive(Clone, Debug)]
pub struct Reader {
    pub db: DatabaseConnection,
    /// When the data this reader sees was current: now on the primary, the last moment fully
    /// replayed on a replica.
    pub as_of: DateTime<Utc>,
    replica: Option<usize>,
}

impl Reader {
    /// True when the read runs on a replica.
    pub fn on_replica(&self) -> bool {
        self.replica.is_some()
    }
}

impl Reads {
    /// Reads on `primary` only.
    pub fn primary_only(primary: DatabaseConnection) -> Self {
        Reads::new(primary, Vec::new(), Duration::ZERO)
    }

    /// Reads on `primary` and the named replicas (`(name, pool)`), trusting a replica while it
    /// lags at most `max_lag`. Replicas start untrusted until their monitor has read them.
    pub fn new(
        primary: DatabaseConnection,
        replicas: Vec<(String, DatabaseConnection)>,
        max_lag: Duration,
    ) -> Self {
        Reads(Arc::new(Inner {
            primary,
            replicas: replicas
                .into_iter()
                .map(|(name, db)| Replica {
                    name,
                    db,
                    health: Mutex::new(Health::default()),
                })
                .collect(),
            max_lag,
            next: AtomicUsize::new(0),
            writers: Mutex::new(HashMap::new()),
            primary_reads: AtomicU64::new(0),
            replica_reads: AtomicU64::new(0),
            retries: AtomicU64::new(0),
        }))
    }

    /// The primary: every write, and every read that must see the latest data.
    pub fn primary(&self) -> &DatabaseConnection {
        &self.0.primary
    }

    /// Notes that `actor` has just written: for the lag bound, their reads go to the primary.
    pub fn wrote(&self, actor: &Actor) {
        let (Some(user), false) = (actor.user_id(), self.0.replicas.is_empty()) else {
            return;
        };
        let mut writers = self.0.writers.lock().unwrap_or_else(|e| e.into_inner());
        if writers.len() >= WRITERS_KEPT {
            let bound = self.0.max_lag;
            writers.retain(|_, at| at.elapsed() <= bound);
        }
        writers.insert(user, Instant::now());
    }

    /// True when `actor` wrote on this instance within the lag bound.
    pub fn wrote_lately(&self, actor: &Actor) -> bool {
        let Some(user) = actor.user_id() else {
            return false;
        };
        if self.0.replicas.is_empty() {
            return false;
        }
        let writers = self.0.writers.lock().unwrap_or_else(|e| e.into_inner());
        writers
            .get(&user)
            .is_some_and(|at| at.elapsed() <= self.0.max_lag)
    }

    /// The primary, as of now.
    pub fn on_primary(&self) -> Reader {
        Reader {
            db: self.0.primary.clone(),
            as_of: Utc::now(),
            replica: None,
        }
    }

    /// Where `actor`'s read that may trail the writes goes: a replica within the lag bound
    /// (round-robin among them), else the primary.
    pub fn reader(&self, actor: &Actor) -> Reader {
        let count = self.0.replicas.len();
        if count == 0 || self.wrote_lately(actor) {
            return self.on_primary();
        }
        let now = Utc::now();
        let start = self.0.next.fetch_add(1, Ordering::Relaxed);
        for offset in 0..count {
            let index = (start + offset) % count;
            let replica = &self.0.replicas[index];
            let health = replica.health.lock().unwrap_or_else(|e| e.into_inner());
            if let (true, Some(as_of)) = (health.up, health.as_of)
                && (now - as_of).to_std().unwrap_or_default() <= self.0.max_lag
            {
                return Reader {
                    db: replica.db.clone(),
                    as_of,
                    replica: Some(index),
                };
            }
        }
        self.on_primary()
    }

    /// Runs `work` for `actor` where [`Reads::reader`] sends it; a read that breaks on a
    /// replica runs again on the primary. Returns what it read and the reader that served it.
    pub async fn read<T, F, Fut>(&self, actor: &Actor, work: F) -> Result<(T, Reader), DbErr>
    where
        F: Fn(DatabaseConnection) -> Fut,
        Fut: Future<Output = Result<T, DbErr>>,
    {
        self.read_on(self.reader(actor), work).await
    }

    /// Runs `work` on `reader`, again on the primary when it breaks on a replica.
    pub async fn read_on<T, F, Fut>(&self, reader: Reader, work: F) -> Result<(T, Reader), DbErr>
    where
        F: Fn(DatabaseConnection) -> Fut,
        Fut: Future<Output = Result<T, DbErr>>,
    {
        self.served(&reader);
        match work(reader.db.clone()).await {
            Ok(value) => Ok((value, reader)),
            Err(err) if self.failed(&reader, &err) => {
                let primary = self.on_primary();
                self.served(&primary);
                let value = work(primary.db.clone()).await?;
                Ok((value, primary))
            }
            Err(err) => Err(err),
        }
    }

    /// Counts a read by where it runs.
    fn served(&self, reader: &Reader) {
        let counter = match reader.replica {
            Some(_) => &self.0.replica_reads,
            None => &self.0.primary_reads,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether a read that failed with `err` on `reader` should run again on the primary: it
    /// ran on a replica, which broke (then it is set aside) or cancelled it to replay the
    /// primary's changes (PostgreSQL's recovery conflicts, SQLSTATE 40001).
    pub fn failed(&self, reader: &Reader, err: &DbErr) -> bool {
        if reader.replica.is_none() {
            return false;
        }
        let text = err.to_string();
        let timed_out = text.contains("statement timeout");
        let conflict = text.contains("conflict with recovery");
        let broken = crate::error::is_unavailable(err) && !timed_out;
        if broken {
            tracing::warn!(error = %err, "a read broke on a replica: read again on the primary");
            self.set_aside(reader);
        } else if conflict {
            self.0.retries.fetch_add(1, Ordering::Relaxed);
        }
        broken || conflict
    }

    /// Sets aside the replica `reader` read from (it broke) until its monitor reaches it
    /// again; counts the read run again on the primary.
    pub fn set_aside(&self, reader: &Reader) {
        let Some(index) = reader.replica else {
            return;
        };
        let replica = &self.0.replicas[index];
        tracing::warn!(replica = %replica.name, "a replica broke: set aside");
        replica.health.lock().unwrap_or_else(|e| e.into_inner()).up = false;
        self.0.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// Starts one monitor per replica, for as long as the runtime lives.
    pub fn spawn_monitors(&self) {
        for index in 0..self.0.replicas.len() {
            let reads = self.clone();
            tokio::spawn(async move {
                let mut ticks = tokio::time::interval(POLL);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    ticks.tick().await;
                    reads.poll(index).await;
                }
            });
        }
    }

    /// Reads the primary's flush position, then the replica's replay position.
    async fn poll(&self, index: usize) {
        let replica = &self.0.replicas[index];
        let sampled_at = Utc::now();
        let flushed = tokio::time::timeout(POLL * 4, store::replica::flushed(&self.0.primary));
        let Ok(Ok(flushed)) = flushed.await else {
            // Without the primary's position the replica's lag is unknown: its `as_of` stays,
            // so it ages past the bound unless a later reading renews it.
            return;
        };
        let replay = tokio::time::timeout(POLL * 4, store::replica::replay(&replica.db)).await;
        let mut health = replica.health.lock().unwrap_or_else(|e| e.into_inner());
        let keep =
            chrono::Duration::from_std(self.0.max_lag + Duration::from_secs(2)).unwrap_or_default();
        health.samples.push_back((flushed, sampled_at));
        while health
            .samples
            .front()
            .is_some_and(|(_, at)| sampled_at - *at > keep)
            || health.samples.len() > 1024
        {
            health.samples.pop_front();
        }
        let replay = match replay {
            Ok(Ok(replay)) if replay.in_recovery => replay,
            Ok(Ok(_)) => {
                if health.up {
                    tracing::warn!(replica = %replica.name, "the replica is no standby (not in recovery): set aside");
                }
                health.up = false;
                return;
            }
            _ => {
                if health.up {
                    tracing::warn!(replica = %replica.name, "the replica does not answer: set aside");
                }
                health.up = false;
                return;
            }
        };
        let covered = replay.lsn.and_then(|lsn| {
            health
                .samples
                .iter()
                .rev()
                .find(|(flushed, _)| *flushed <= lsn)
                .map(|(_, at)| *at)
        });
        if let Some(covered) = covered
            && health.as_of.is_none_or(|known| covered > known)
        {
            health.as_of = Some(covered);
        }
        if !health.up {
            tracing::info!(replica = %replica.name, "the replica answers: reads may use it");
        }
        health.up = true;
    }

    /// Prometheus lines: reads by where they ran, reads run again, each replica's state.
    pub fn metrics(&self) -> String {
        let mut out = format!(
            "# HELP birlik_replicable_reads_total Reads that may use a replica, by where they ran.\n\
             # TYPE birlik_replicable_reads_total counter\n\
             birlik_replicable_reads_total{{target=\"primary\"}} {}\n\
             birlik_replicable_reads_total{{target=\"replica\"}} {}\n\
             # HELP birlik_replica_retries_total Reads that broke on a replica and ran again on the primary.\n\
             # TYPE birlik_replica_retries_total counter\n\
             birlik_replica_retries_total {}\n",
            self.0.primary_reads.load(Ordering::Relaxed),
            self.0.replica_reads.load(Ordering::Relaxed),
            self.0.retries.load(Ordering::Relaxed),
        );
        if self.0.replicas.is_empty() {
            return out;
        }
        out.push_str(
            "# HELP birlik_replica_up Whether the replica answers as a standby.\n\
             # TYPE birlik_replica_up gauge\n\
             # HELP birlik_replica_lag_seconds Age of the last moment the replica is known to have fully replayed.\n\
             # TYPE birlik_replica_lag_seconds gauge\n",
        );
        let now = Utc::now();
        for replica in &self.0.replicas {
            let health = replica.health.lock().unwrap_or_else(|e| e.into_inner());
            let lag = health
                .as_of
                .map(|at| (now - at).num_milliseconds() as f64 / 1000.0)
                .map_or("+Inf".to_owned(), |lag| lag.to_string());
            let name = &replica.name;
            out.push_str(&format!(
                "birlik_replica_up{{replica=\"{name}\"}} {}\nbirlik_replica_lag_seconds{{replica=\"{name}\"}} {lag}\n",
                u8::from(health.up),
            ));
        }
        out
    }
}
