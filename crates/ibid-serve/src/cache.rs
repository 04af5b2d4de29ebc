//! Caches.
//!
//! - [`Ttl`]: short-lived caches for whole-store aggregates that every list page shows (counts,
//!   outlet names). They cost a full scan each, which would dominate a page's latency; a few
//!   seconds of staleness while an ingest runs is harmless.
//! - [`Responses`]: whole responses (status, headers, body) of GET requests, keyed by path and
//!   query and valid for one store generation (see `Db::generation`): a story page is built
//!   once per change of the store, not once per visitor. Bounded in bytes.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};

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

/// A cached response.
#[derive(Clone)]
pub(crate) struct Cached {
    /// Status code.
    pub(crate) status: StatusCode,
    /// Headers as the handler set them.
    pub(crate) headers: HeaderMap,
    /// The body.
    pub(crate) body: Bytes,
}

impl Cached {
    /// What an entry is charged against the budget: its body, its key and a fixed overhead
    /// for the headers and the bookkeeping.
    fn weight(&self, key: &str) -> usize {
        self.body.len() + 2 * key.len() + 256
    }
}

struct Entry {
    generation: u64,
    response: Cached,
}

#[derive(Default)]
struct Inner {
    map: HashMap<Arc<str>, Entry>,
    /// Keys in insertion order, for eviction. Evicting the oldest insert rather than the least
    /// recently used keeps a hit to one hash lookup under the lock; with entries that die at the
    /// next store change anyway, recency buys little.
    order: VecDeque<Arc<str>>,
    bytes: usize,
}

/// Whole responses by request target and store generation, within a byte budget.
pub(crate) struct Responses {
    budget: usize,
    inner: Mutex<Inner>,
    /// Keys being rebuilt in the background (so each is rebuilt once).
    refreshing: Mutex<HashSet<String>>,
}

impl Responses {
    /// An empty cache holding at most about `budget` bytes; 0 disables it.
    pub(crate) fn new(budget: usize) -> Self {
        Responses {
            budget,
            inner: Mutex::new(Inner::default()),
            refreshing: Mutex::new(HashSet::new()),
        }
    }

    /// Whether anything is ever kept.
    pub(crate) fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// The response cached for `key` in `generation`, if any.
    #[cfg(test)]
    pub(crate) fn get(&self, key: &str, generation: u64) -> Option<Cached> {
        self.lookup(key)
            .and_then(|(g, r)| (g == generation).then_some(r))
    }

    /// The response cached for `key` and the generation it was built in, if any.
    pub(crate) fn lookup(&self, key: &str) -> Option<(u64, Cached)> {
        let inner = self.inner.lock().ok()?;
        let e = inner.map.get(key)?;
        Some((e.generation, e.response.clone()))
    }

    /// Claims the background rebuild of `key`; false if one is already under way.
    pub(crate) fn begin_refresh(&self, key: &str) -> bool {
        self.refreshing
            .lock()
            .map(|mut r| r.insert(key.to_string()))
            .unwrap_or(false)
    }

    /// Releases the claim of [`Responses::begin_refresh`].
    pub(crate) fn end_refresh(&self, key: &str) {
        if let Ok(mut r) = self.refreshing.lock() {
            r.remove(key);
        }
    }

    /// Keeps `response` for `key` in `generation`, evicting the oldest entries over budget.
    /// A response too big for a quarter of the budget is not kept.
    pub(crate) fn put(&self, key: &str, generation: u64, response: Cached) {
        let weight = response.weight(key);
        if weight > self.budget / 4 {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let inner = &mut *inner;
        match inner.map.get_mut(key) {
            Some(e) => {
                if e.generation > generation {
                    return; // a newer one is already there
                }
                inner.bytes = inner.bytes - e.response.weight(key) + weight;
                *e = Entry {
                    generation,
                    response,
                };
            }
            None => {
                let key: Arc<str> = Arc::from(key);
                inner.bytes += weight;
                inner.order.push_back(Arc::clone(&key));
                inner.map.insert(
                    key,
                    Entry {
                        generation,
                        response,
                    },
                );
            }
        }
        while inner.bytes > self.budget {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(e) = inner.map.remove(&old) {
                inner.bytes -= e.response.weight(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> Cached {
        Cached {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::from(vec![b'x'; n]),
        }
    }

    #[test]
    fn responses_live_for_one_generation() {
        let c = Responses::new(1 << 20);
        c.put("/a", 1, body(10));
        assert_eq!(c.get("/a", 1).unwrap().body.len(), 10);
        assert!(c.get("/a", 2).is_none(), "a new generation misses");
        assert!(c.get("/b", 1).is_none());
        c.put("/a", 2, body(20));
        assert_eq!(c.get("/a", 2).unwrap().body.len(), 20);
        c.put("/a", 1, body(30));
        assert_eq!(
            c.get("/a", 2).unwrap().body.len(),
            20,
            "an older response never replaces a newer one"
        );
    }

    #[test]
    fn responses_stay_within_budget() {
        let c = Responses::new(10_000);
        for i in 0..100 {
            c.put(&format!("/k{i}"), 1, body(1000));
        }
        let inner = c.inner.lock().unwrap();
        assert!(inner.bytes <= 10_000, "{} bytes kept", inner.bytes);
        assert!(!inner.map.is_empty());
        assert!(inner.map.contains_key("/k99"), "the newest survive");
        assert!(!inner.map.contains_key("/k0"), "the oldest go first");
        drop(inner);
        c.put("/huge", 1, body(5000));
        assert!(c.get("/huge", 1).is_none(), "over a quarter of the budget");
        assert!(!Responses::new(0).enabled());
        assert!(c.begin_refresh("/k99"));
        assert!(!c.begin_refresh("/k99"), "one rebuild at a time");
        c.end_refresh("/k99");
        assert!(c.begin_refresh("/k99"));
    }

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
