//! Accounts seen active a moment ago. Every authenticated request must be refused once its
//! account is disabled; asking the database on every request costs a statement (and a round
//! trip) each time, so an account found active is taken as active for
//! `BIRLIK_ACCOUNT_CHECK_TTL_MS` (1 s) unless news of its disabling comes first. That news comes
//! at once on the instance that disabled it, through `NOTIFY` on the others (a few milliseconds),
//! and a lost listener connection forgets everything; the time-to-live bounds what a lost
//! notification could leave.

use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Accounts remembered at most (the least recently seen go first).
const ENTRIES: usize = 100_000;

/// Accounts known active, with when they were found so.
#[derive(Debug)]
pub struct ActiveAccounts {
    ttl: Duration,
    seen: Mutex<lru::LruCache<i32, Instant>>,
    /// Bumped by every forgetting, so that a lookup that raced with a disabling is not kept.
    generation: AtomicU64,
}

impl ActiveAccounts {
    /// Remembers accounts for `ttl`; zero remembers nothing (every request asks the database).
    pub fn new(ttl: Duration) -> Self {
        let entries = NonZeroUsize::new(ENTRIES).expect("ENTRIES is not zero");
        ActiveAccounts {
            ttl,
            seen: Mutex::new(lru::LruCache::new(entries)),
            generation: AtomicU64::new(0),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, lru::LruCache<i32, Instant>> {
        self.seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether the account was found active within the time-to-live and not disabled since.
    pub fn recently_active(&self, user_id: i32) -> bool {
        !self.ttl.is_zero()
            && self
                .seen()
                .get(&user_id)
                .is_some_and(|at| at.elapsed() < self.ttl)
    }

    /// Where forgetting stands; take it before asking the database.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Remembers that the database found the account active, unless anything was forgotten
    /// since `generation` (the answer may predate a disabling).
    pub fn remember(&self, user_id: i32, generation: u64) {
        if self.ttl.is_zero() {
            return;
        }
        let mut seen = self.seen();
        if self.generation.load(Ordering::Acquire) == generation {
            seen.put(user_id, Instant::now());
        }
    }

    /// Forgets an account that was just disabled.
    pub fn forget(&self, user_id: i32) {
        let mut seen = self.seen();
        self.generation.fetch_add(1, Ordering::AcqRel);
        seen.pop(&user_id);
    }

    /// Forgets every account (news of disablings may have been missed).
    pub fn forget_all(&self) {
        let mut seen = self.seen();
        self.generation.fetch_add(1, Ordering::AcqRel);
        seen.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_forgotten_or_expired() {
        let accounts = ActiveAccounts::new(Duration::from_secs(60));
        assert!(!accounts.recently_active(7));
        accounts.remember(7, accounts.generation());
        assert!(accounts.recently_active(7));
        accounts.forget(7);
        assert!(!accounts.recently_active(7));

        // A lookup that started before a disabling is not kept.
        let before = accounts.generation();
        accounts.forget(8);
        accounts.remember(7, before);
        assert!(!accounts.recently_active(7));

        accounts.remember(7, accounts.generation());
        accounts.forget_all();
        assert!(!accounts.recently_active(7));

        let short = ActiveAccounts::new(Duration::from_millis(1));
        short.remember(7, short.generation());
        std::thread::sleep(Duration::from_millis(5));
        assert!(!short.recently_active(7));

        let never = ActiveAccounts::new(Duration::ZERO);
        never.remember(7, never.generation());
        assert!(!never.recently_active(7));
    }
}
