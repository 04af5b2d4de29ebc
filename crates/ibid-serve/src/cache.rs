//! Short-lived caches for whole-store aggregates that every list page shows (counts, outlet
//! names). They cost a full scan each, which would dominate a page's latency; a few seconds of
//! staleness while an ingest runs is harmless.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One cached value that expires after a fixed time.
pub(crate) struct Ttl<T> {
    ttl: Duration,
    slot: Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> Ttl<T> {
    /// An empty cache whose values live for `ttl`.
    pub(crate) fn new(ttl: Duration) -> Self {
        Ttl {
            ttl,
            slot: Mutex::new(None),
        }
    }

    /// The cached value if still fresh.
    pub(crate) fn get(&self) -> Option<Arc<T>> {
        let slot = self.slot.lock().ok()?;
        match &*slot {
            Some((at, v)) if at.elapsed() < self.ttl => Some(Arc::clone(v)),
            _ => None,
        }
    }

    /// Stores a fresh value and returns it.
    pub(crate) fn put(&self, v: T) -> Arc<T> {
        let v = Arc::new(v);
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some((Instant::now(), Arc::clone(&v)));
        }
        v
    }
}

/// The caches of one server.
pub(crate) struct Caches {
    /// Store counts.
    pub(crate) counts: Ttl<ibid_store::Counts>,
    /// Outlets with article counts, most first.
    pub(crate) outlets: Ttl<Vec<(String, i64)>>,
    /// The whole unfiltered story list in each order (size/first seen × desc/asc): the
    /// front page's query sorts every story, so its pages are cut from a shared copy.
    pub(crate) story_lists: [Ttl<Vec<crate::queries::StorySummary>>; 4],
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            counts: Ttl::new(Duration::from_secs(10)),
            outlets: Ttl::new(Duration::from_secs(60)),
            story_lists: std::array::from_fn(|_| Ttl::new(Duration::from_secs(30))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_expire() {
        let c = Ttl::new(Duration::from_millis(30));
        assert!(c.get().is_none());
        c.put(5);
        assert_eq!(*c.get().unwrap(), 5);
        std::thread::sleep(Duration::from_millis(40));
        assert!(c.get().is_none());
    }
}
