//! Requests per client: an account by its id, the public by its address. A generic cell rate
//! (governor's GCRA) per client, in this instance's memory: each of N instances allows the rate
//! on its own, which bounds a flood just as well and needs no shared store. Idle clients are
//! forgotten on a sweep, so the table stays as small as the set of recent clients.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::RateLimit;
use crate::context::Actor;

/// Who a request counts against.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub enum Client {
    Account(i32),
    Address(IpAddr),
    /// No address known (a test's in-memory request): one shared bucket.
    Unknown,
}

impl Client {
    /// The account of a signed-in actor, else the address.
    pub fn of(actor: &Actor, address: Option<IpAddr>) -> Self {
        match (actor.user_id(), address) {
            (Some(id), _) => Client::Account(id),
            (None, Some(address)) => Client::Address(address),
            (None, None) => Client::Unknown,
        }
    }
}

/// The limiter, or nothing when the limit is off.
#[derive(Clone, Default)]
pub struct RateLimiter {
    inner: Option<Arc<DefaultKeyedRateLimiter<Client>>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.inner.is_some() {
            "RateLimiter(on)"
        } else {
            "RateLimiter(off)"
        })
    }
}

impl RateLimiter {
    /// A limiter for the configured rate; zero turns it off.
    pub fn new(rate: RateLimit) -> Self {
        let (Some(per_second), Some(burst)) = (
            NonZeroU32::new(rate.per_second),
            NonZeroU32::new(rate.burst),
        ) else {
            return RateLimiter::default();
        };
        let quota = Quota::per_second(per_second).allow_burst(burst);
        RateLimiter {
            inner: Some(Arc::new(governor::RateLimiter::dashmap(quota))),
        }
    }

    /// Counts one request; refused, the time to wait before the next one is allowed.
    pub fn check(&self, client: &Client) -> Result<(), Duration> {
        let Some(limiter) = &self.inner else {
            return Ok(());
        };
        limiter
            .check_key(client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose bucket is full again (they have been idle long enough).
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.inner {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}
