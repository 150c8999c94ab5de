//! Admission control: how many GraphQL operations run at once on this instance, how many may
//! wait for a turn, and for how long. Past that, an operation is refused at once with
//! SERVICE_UNAVAILABLE (a 503 with `Retry-After` over HTTP) instead of joining a queue of
//! time-outs: under ten times the load it can serve, the instance keeps serving what it admits
//! within its normal latency, and recovers as soon as the load stops.
//!
//! The turns are permits of one semaphore (`BIRLIK_MAX_IN_FLIGHT`, by default twice the pool's
//! connections: an operation spends part of its time off the database, in parsing, resolving
//! and writing its answer). Up to `BIRLIK_ADMISSION_QUEUE` operations wait in arrival order, each
//! for at most `BIRLIK_ADMISSION_WAIT_MS`; one whose wait would be longer, judged from how long
//! turns have lately been held (a moving average), is refused on arrival rather than after the
//! wait, so that a refusal costs the client no time. Only [`gate`](crate::http::gate) takes turns; health
//! checks and `/metrics` never do.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError};

use crate::config::Config;
use crate::error::ApiError;

/// Seconds a refused client is asked to wait (`Retry-After`).
pub const RETRY_AFTER_S: u64 = 1;

/// How many operations run at once, how many wait, and for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations running at once.
    pub in_flight: u32,
    /// Operations waiting for a turn; one more is refused at once.
    pub queue: u32,
    /// Longest wait for a turn.
    pub wait: Duration,
}

impl Limits {
    /// The limits a configuration sets, or derives from the pool's size.
    pub fn of(config: &Config) -> Self {
        let in_flight = match config.max_in_flight {
            0 => config.db_pool_size.saturating_mul(2).max(1),
            n => n,
        };
        Limits {
            in_flight,
            queue: config
                .admission_queue
                .unwrap_or_else(|| in_flight.saturating_mul(4)),
            wait: Duration::from_millis(config.admission_wait_ms),
        }
    }
}

/// The turns of this instance and its counters (shared by every clone).
#[derive(Clone, Debug)]
pub struct Admission {
    limits: Limits,
    turns: Arc<Semaphore>,
    counts: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    /// How long a turn is held, in microseconds: a moving average of the last few dozen (0
    /// until one is given back).
    held_us: AtomicU64,
    waiting: AtomicUsize,
    admitted: AtomicU64,
    queued: AtomicU64,
    refused: AtomicU64,
}

/// Turns held by admitted operations; given back when dropped, and the time they were held
/// counted into the average that predicts a newcomer's wait.
#[derive(Debug)]
pub struct Turns {
    permit: OwnedSemaphorePermit,
    since: Instant,
    counts: Arc<Counts>,
}

impl Turns {
    fn new(permit: OwnedSemaphorePermit, counts: &Arc<Counts>) -> Self {
        Turns {
            permit,
            since: Instant::now(),
            counts: counts.clone(),
        }
    }

    /// One of these turns, for an operation of a batch (`None` when none is left).
    pub fn split_one(&mut self) -> Option<Turns> {
        if self.permit.num_permits() <= 1 {
            return None;
        }
        let permit = self.permit.split(1)?;
        Some(Turns::new(permit, &self.counts))
    }
}

impl Drop for Turns {
    fn drop(&mut self) {
        let held = self.since.elapsed().as_micros().min(u128::from(u32::MAX)) as u64;
        // An average over about the last 16 turns, kept without a lock.
        let _ = self
            .counts
            .held_us
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |avg| {
                Some(if avg == 0 {
                    held
                } else {
                    avg - avg / 16 + held / 16
                })
            });
    }
}

/// What `/metrics` shows of admission.
#[derive(Clone, Copy, Debug)]
pub struct Snapshot {
    pub admitted: u64,
    pub queued: u64,
    pub refused: u64,
    pub in_flight: u64,
    pub waiting: u64,
}

/// Takes back a place in the queue, whether the wait ended or was abandoned.
struct Waiting<'a>(&'a AtomicUsize, usize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(self.1, Ordering::AcqRel);
    }
}

impl Admission {
    pub fn new(limits: Limits) -> Self {
        Admission {
            limits,
            turns: Arc::new(Semaphore::new(limits.in_flight as usize)),
            counts: Arc::default(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Turns for `operations` operations (a batch waits for all of its turns at once, so that
    /// it never holds some while it waits for the rest; one larger than the limit takes them
    /// all): at once when free, else after a bounded wait in the queue, else the refusal.
    pub async fn enter(&self, operations: u32) -> Result<Turns, ApiError> {
        let n = operations.clamp(1, self.limits.in_flight);
        let counts = &self.counts;
        match self.turns.clone().try_acquire_many_owned(n) {
            Ok(permit) => {
                counts
                    .admitted
                    .fetch_add(u64::from(operations), Ordering::Relaxed);
                return Ok(Turns::new(permit, counts));
            }
            Err(TryAcquireError::Closed) => return Err(self.refuse(operations)),
            Err(TryAcquireError::NoPermits) => {}
        }
        let places = n as usize;
        let ahead = counts.waiting.fetch_add(places, Ordering::AcqRel);
        let _waiting = Waiting(&counts.waiting, places);
        if ahead + places > self.limits.queue as usize
            || self.expected_wait(ahead + places) > self.limits.wait
        {
            return Err(self.refuse(operations));
        }
        counts
            .queued
            .fetch_add(u64::from(operations), Ordering::Relaxed);
        let acquire = self.turns.clone().acquire_many_owned(n);
        match tokio::time::timeout(self.limits.wait, acquire).await {
            Ok(Ok(permit)) => {
                counts
                    .admitted
                    .fetch_add(u64::from(operations), Ordering::Relaxed);
                Ok(Turns::new(permit, counts))
            }
            _ => Err(self.refuse(operations)),
        }
    }

    /// How long an operation with `places` turns' worth of operations ahead of it (itself
    /// included) may expect to wait: each turn frees after the average holding time.
    fn expected_wait(&self, places: usize) -> Duration {
        let held = self.counts.held_us.load(Ordering::Relaxed);
        let rounds = places.div_ceil(self.limits.in_flight.max(1) as usize) as u64;
        Duration::from_micros(held.saturating_mul(rounds))
    }

    fn refuse(&self, operations: u32) -> ApiError {
        self.counts
            .refused
            .fetch_add(u64::from(operations), Ordering::Relaxed);
        tracing::debug!(
            operations,
            "refused: every turn is taken, and the queue is full or too slow"
        );
        ApiError::Unavailable
    }

    /// The counters and gauges, as `/metrics` prints them.
    pub fn snapshot(&self) -> Snapshot {
        let free = self.turns.available_permits() as u64;
        Snapshot {
            admitted: self.counts.admitted.load(Ordering::Relaxed),
            queued: self.counts.queued.load(Ordering::Relaxed),
            refused: self.counts.refused.load(Ordering::Relaxed),
            in_flight: u64::from(self.limits.in_flight).saturating_sub(free),
            waiting: self.counts.waiting.load(Ordering::Relaxed) as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(in_flight: u32, queue: u32, wait_ms: u64) -> Limits {
        Limits {
            in_flight,
            queue,
            wait: Duration::from_millis(wait_ms),
        }
    }

    #[tokio::test]
    async fn past_the_turns_and_the_queue_an_operation_is_refused_at_once() {
        let admission = Admission::new(limits(1, 0, 10_000));
        let held = admission.enter(1).await.unwrap();
        let started = std::time::Instant::now();
        assert!(matches!(
            admission.enter(1).await,
            Err(ApiError::Unavailable)
        ));
        assert!(started.elapsed() < Duration::from_millis(100));
        drop(held);
        assert!(admission.enter(1).await.is_ok());
        let s = admission.snapshot();
        assert_eq!((s.admitted, s.queued, s.refused, s.in_flight), (2, 0, 1, 0));
    }

    #[tokio::test]
    async fn a_queued_operation_gets_a_freed_turn_or_is_refused_after_its_wait() {
        let admission = Admission::new(limits(1, 1, 200));
        let held = admission.enter(1).await.unwrap();
        let waiter = {
            let admission = admission.clone();
            tokio::spawn(async move { admission.enter(1).await.map(drop) })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(admission.snapshot().waiting, 1);
        // The queue holds one: a third is refused without waiting.
        assert!(admission.enter(1).await.is_err());
        drop(held);
        assert!(waiter.await.unwrap().is_ok());

        let held = admission.enter(1).await.unwrap();
        let started = std::time::Instant::now();
        assert!(admission.enter(1).await.is_err());
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert_eq!(admission.snapshot().waiting, 0);
        drop(held);
    }

    #[tokio::test]
    async fn a_batch_takes_its_turns_together_and_gives_them_back_one_by_one() {
        let admission = Admission::new(limits(3, 0, 100));
        let mut turns = admission.enter(3).await.unwrap();
        let one = turns.split_one().unwrap();
        let two = turns.split_one().unwrap();
        assert!(turns.split_one().is_none());
        assert_eq!(admission.snapshot().in_flight, 3);
        drop(one);
        assert_eq!(admission.snapshot().in_flight, 2);
        drop((two, turns));
        // A batch larger than the limit takes every turn.
        let all = admission.enter(10).await.unwrap();
        assert_eq!(admission.snapshot().in_flight, 3);
        drop(all);
    }

    #[tokio::test]
    async fn one_whose_wait_would_pass_the_bound_is_refused_on_arrival() {
        let admission = Admission::new(limits(1, 10, 50));
        let held = admission.enter(1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(held); // turns are held for about 100 ms
        let _held = admission.enter(1).await.unwrap();
        let started = Instant::now();
        assert!(admission.enter(1).await.is_err());
        assert!(started.elapsed() < Duration::from_millis(40));
        let s = admission.snapshot();
        assert_eq!((s.queued, s.refused, s.waiting), (0, 1, 0));
    }
}
