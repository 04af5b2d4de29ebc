//! Caches.
//!
//! - [`Ttl`]: short-lived caches for whole-store aggregates that every list page shows (counts,
//!   outlet names). They cost a full scan each, which would dominate a page's latency; a few
//!   seconds of staleness while an ingest runs is harmless.
//! - [`Responses`]: whole responses (status, headers, body) of GET requests, keyed by path and
//!   query and valid for one store generation (see `Db::generation`): a story page is built
//!   once per change of the store, not once per visitor. Bounded in bytes.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};

/// One cached value that expires after a fixed time.
pub(crate) struct Ttl<T> {
    ttl: Duration,
    slot: Mutex<Option<(Instant, Arc<T>)>>,
    /// Set when a background task renews the value (see [`Ttl::current`]).
    renewed: AtomicBool,
}

impl<T> Ttl<T> {
    /// An empty cache whose values live for `ttl`.
    pub(crate) fn new(ttl: Duration) -> Self {
        Ttl {
            ttl,
            slot: Mutex::new(None),
            renewed: AtomicBool::new(false),
        }
    }

    /// Promises that a background task replaces the value when it expires (with `put`).
    pub(crate) fn renewed_in_background(&self) {
        self.renewed.store(true, Ordering::Release);
    }

    /// The value for a request: a fresh one; or, when a background task renews it, the
    /// latest even if expired, so that no visitor waits for a whole-store aggregate while
    /// it is recomputed (it lags by at most the renewal's own time). `None` means compute.
    pub(crate) fn current(&self) -> Option<Arc<T>> {
        if !self.renewed.load(Ordering::Acquire) {
            return self.get();
        }
        let slot = self.slot.lock().ok()?;
        slot.as_ref().map(|(_, v)| Arc::clone(v))
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

/// One cached value valid for as long as a mark (a [`crate::db::Db::last_change`]) is
/// unchanged.
pub(crate) struct Marked<T> {
    slot: Mutex<Option<(u64, Arc<T>)>>,
}

impl<T> Default for Marked<T> {
    fn default() -> Self {
        Marked {
            slot: Mutex::new(None),
        }
    }
}

impl<T> Marked<T> {
    /// The value stored under `mark`, if any.
    pub(crate) fn get(&self, mark: u64) -> Option<Arc<T>> {
        let slot = self.slot.lock().ok()?;
        match &*slot {
            Some((m, v)) if *m == mark => Some(Arc::clone(v)),
            _ => None,
        }
    }

    /// Stores `v` under `mark` and returns it.
    pub(crate) fn put(&self, mark: u64, v: T) -> Arc<T> {
        let v = Arc::new(v);
        if let Ok(mut slot) = self.slot.lock() {
            *slot = Some((mark, Arc::clone(&v)));
        }
        v
    }
}

/// One phrase's full-text matches: what a search for it, or for it `OR` other phrases, needs
/// from the index (see `model::search`).
#[derive(Debug, Default)]
pub(crate) struct TermHits {
    /// Row ids of its newest matches, newest first (at most the search count cap).
    pub(crate) newest: Vec<i64>,
    /// BM25 score (higher is better) of each of its matches in the ranking window (its newest
    /// `SEARCH_RANK_WINDOW`).
    pub(crate) scores: HashMap<i64, f64>,
}

impl TermHits {
    fn weight(&self, phrase: &str) -> usize {
        self.newest.len() * 8 + self.scores.len() * 32 + phrase.len() + 64
    }
}

#[derive(Default)]
struct TermsInner {
    /// The newest mark kept.
    mark: u64,
    bytes: usize,
    /// Per phrase, the mark its hits were built under.
    map: HashMap<String, (u64, Arc<TermHits>)>,
    /// Phrases being rebuilt in the background (so each is rebuilt once).
    refreshing: HashSet<String>,
}

/// Per-phrase search results with the mark (the search scope's last change) they were built
/// under, within a byte budget. Hits of an older mark are kept until replaced: while an
/// ingest commits, a search may use them for a while (see `model::search`) instead of
/// reading every phrase anew after every commit.
pub(crate) struct Terms {
    budget: usize,
    inner: Mutex<TermsInner>,
}

impl Terms {
    /// An empty cache of about `budget` bytes.
    pub(crate) fn new(budget: usize) -> Self {
        Terms {
            budget,
            inner: Mutex::new(TermsInner::default()),
        }
    }

    /// `phrase`'s hits and the mark they were built under, if kept.
    pub(crate) fn get(&self, phrase: &str) -> Option<(u64, Arc<TermHits>)> {
        let inner = self.inner.lock().ok()?;
        inner.map.get(phrase).map(|(m, h)| (*m, Arc::clone(h)))
    }

    /// Keeps `hits` for `phrase` under `mark` unless newer ones are kept, and returns them.
    /// Over budget, hits of older marks go first, then all.
    pub(crate) fn put(&self, mark: u64, phrase: &str, hits: TermHits) -> Arc<TermHits> {
        let hits = Arc::new(hits);
        let weight = hits.weight(phrase);
        let Ok(mut inner) = self.inner.lock() else {
            return hits;
        };
        if weight > self.budget / 4 || inner.map.get(phrase).is_some_and(|(m, _)| *m > mark) {
            return hits;
        }
        inner.mark = inner.mark.max(mark);
        if let Some((_, old)) = inner
            .map
            .insert(phrase.to_string(), (mark, Arc::clone(&hits)))
        {
            inner.bytes = inner.bytes.saturating_sub(old.weight(phrase));
        }
        inner.bytes += weight;
        if inner.bytes > self.budget {
            let newest = inner.mark;
            inner.map.retain(|_, (m, _)| *m == newest);
            inner.bytes = inner.map.iter().map(|(p, (_, h))| h.weight(p)).sum();
            if inner.bytes > self.budget {
                inner.map.clear();
                inner
                    .map
                    .insert(phrase.to_string(), (mark, Arc::clone(&hits)));
                inner.bytes = weight;
            }
        }
        hits
    }

    /// Claims the background rebuild of `phrase`; false if one is already under way.
    pub(crate) fn begin_refresh(&self, phrase: &str) -> bool {
        self.inner
            .lock()
            .map(|mut i| i.refreshing.insert(phrase.to_string()))
            .unwrap_or(false)
    }

    /// Releases the claim of [`Terms::begin_refresh`].
    pub(crate) fn end_refresh(&self, phrase: &str) {
        if let Ok(mut i) = self.inner.lock() {
            i.refreshing.remove(phrase);
        }
    }
}

/// Recently built values by key, valid while a mark (a [`crate::db::Db::last_change`]) is
/// unchanged; at most `cap` of them (emptied when full or when the mark moves on).
///
/// Used for story models: a story's page and its API answer are two responses built from one
/// model, and building the model is nearly all of their cost, so the second of the pair (a
/// visitor's, or the warmer's) reuses the first's.
pub(crate) struct MarkedMap<T> {
    cap: usize,
    inner: Mutex<(u64, HashMap<String, Arc<T>>)>,
}

impl<T> MarkedMap<T> {
    /// An empty map of at most `cap` entries.
    pub(crate) fn new(cap: usize) -> Self {
        MarkedMap {
            cap,
            inner: Mutex::new((0, HashMap::new())),
        }
    }

    /// The value kept for `key` under `mark`, if any.
    pub(crate) fn get(&self, mark: u64, key: &str) -> Option<Arc<T>> {
        let inner = self.inner.lock().ok()?;
        if inner.0 != mark {
            return None;
        }
        inner.1.get(key).cloned()
    }

    /// Keeps `v` for `key` under `mark` (values under an older mark are not kept; a newer
    /// mark drops everything kept before) and returns it.
    pub(crate) fn put(&self, mark: u64, key: &str, v: T) -> Arc<T> {
        let v = Arc::new(v);
        let Ok(mut inner) = self.inner.lock() else {
            return v;
        };
        if mark < inner.0 || self.cap == 0 {
            return v;
        }
        if mark > inner.0 || inner.1.len() >= self.cap {
            inner.1.clear();
            inner.0 = mark;
        }
        inner.1.insert(key.to_string(), Arc::clone(&v));
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
    /// front page's query sorts every story, so its pages are cut from a shared copy, kept
    /// until the stories change (marked with the last change of derived data).
    pub(crate) story_lists: [Marked<Vec<crate::queries::StorySummary>>; 4],
    /// Per-phrase search results (marked with the last change of the search scope).
    pub(crate) terms: Terms,
    /// Story models (marked with the last change of derived data), shared by a story's page
    /// and its API answer.
    pub(crate) story_details: MarkedMap<crate::model::StoryDetail>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            counts: Ttl::new(Duration::from_secs(10)),
            outlets: Ttl::new(Duration::from_secs(60)),
            story_lists: Default::default(),
            terms: Terms::new(64 << 20),
            story_details: MarkedMap::new(64),
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
    /// Served since it was stored or last spared (see [`Responses::put`]).
    referenced: bool,
}

#[derive(Default)]
struct Inner {
    map: HashMap<Arc<str>, Entry>,
    /// Keys in insertion order, for eviction (second chance, see [`Responses::put`]): a hit
    /// stays one hash lookup under the lock, unlike a true LRU.
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
        let mut inner = self.inner.lock().ok()?;
        let e = inner.map.get_mut(key)?;
        e.referenced = true;
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

    /// Keeps `response` for `key` in `generation`, evicting over budget the oldest entries
    /// not asked for since they were stored (an entry that was is spared once and moves to
    /// the back): responses asked for once (a search for a rare combination of words) go
    /// before pages that visitors come back to, which plain oldest-first eviction would push
    /// out under a stream of one-off requests. A response too big for a quarter of the budget
    /// is not kept.
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
                    referenced: e.referenced,
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
                        referenced: false,
                    },
                );
            }
        }
        // Each entry is spared at most once per call, so this ends.
        let mut spared = 0;
        while inner.bytes > self.budget {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if spared < inner.map.len() {
                if let Some(e) = inner.map.get_mut(&old).filter(|e| e.referenced) {
                    e.referenced = false;
                    inner.order.push_back(old);
                    spared += 1;
                    continue;
                }
            }
            if let Some(e) = inner.map.remove(&old) {
                inner.bytes -= e.response.weight(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renewed_ttl_values_outlive_their_ttl_for_requests() {
        let t: Ttl<i32> = Ttl::new(Duration::ZERO);
        assert!(t.current().is_none());
        t.put(1);
        assert!(
            t.get().is_none() && t.current().is_none(),
            "expired at once"
        );
        t.renewed_in_background();
        assert_eq!(
            t.current().as_deref(),
            Some(&1),
            "the latest, while it is renewed"
        );
        assert!(t.get().is_none(), "the renewer still sees it expired");
    }

    #[test]
    fn marked_maps_keep_values_for_one_mark_within_a_cap() {
        let m: MarkedMap<i32> = MarkedMap::new(2);
        m.put(1, "a", 10);
        m.put(1, "b", 11);
        assert_eq!(m.get(1, "a").as_deref(), Some(&10));
        assert_eq!(m.get(2, "a"), None, "another mark sees nothing");
        m.put(0, "c", 12);
        assert_eq!(m.get(0, "c"), None, "values of an older mark are not kept");
        assert_eq!(m.get(1, "b").as_deref(), Some(&11));
        m.put(1, "c", 12);
        assert_eq!(m.get(1, "c").as_deref(), Some(&12));
        assert!(m.get(1, "a").is_none(), "full: emptied before the insert");
        m.put(3, "a", 13);
        assert_eq!(m.get(3, "a").as_deref(), Some(&13));
        assert!(
            m.get(1, "c").is_none() && m.get(3, "c").is_none(),
            "a newer mark drops the rest"
        );
    }

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
        // An entry visitors keep asking for survives a stream of one-off entries that pushes
        // out everything else.
        for i in 100..200 {
            assert!(c.lookup("/k95").is_some(), "evicted at {i}");
            c.put(&format!("/k{i}"), 1, body(1000));
        }
        assert!(
            c.get("/k95", 1).is_some(),
            "a page asked for again is spared"
        );
        assert!(c.get("/k96", 1).is_none());
        assert!(c.inner.lock().unwrap().bytes <= 10_000);
        c.put("/huge", 1, body(5000));
        assert!(c.get("/huge", 1).is_none(), "over a quarter of the budget");
        assert!(!Responses::new(0).enabled());
        assert!(c.begin_refresh("/k99"));
        assert!(!c.begin_refresh("/k99"), "one rebuild at a time");
        c.end_refresh("/k99");
        assert!(c.begin_refresh("/k99"));
    }

    #[test]
    fn term_hits_keep_their_mark_within_budget() {
        let t = Terms::new(10_000);
        let hits = |n: usize| TermHits {
            newest: (0..n as i64).collect(),
            scores: HashMap::new(),
        };
        t.put(1, "\"a\"", hits(10));
        let (mark, a) = t.get("\"a\"").unwrap();
        assert_eq!((mark, a.newest.len()), (1, 10));
        assert!(t.get("\"b\"").is_none());
        t.put(2, "\"b\"", hits(1));
        assert_eq!(
            t.get("\"a\"").unwrap().0,
            1,
            "a newer mark keeps older hits, with their mark"
        );
        t.put(3, "\"a\"", hits(3));
        t.put(2, "\"a\"", hits(2));
        assert_eq!(
            t.get("\"a\"").map(|(m, h)| (m, h.newest.len())),
            Some((3, 3)),
            "older hits never replace newer ones"
        );
        for i in 0..100 {
            t.put(4, &format!("\"w{i}\""), hits(100));
        }
        assert!(t.inner.lock().unwrap().bytes <= 10_000);
        assert!(t.get("\"w99\"").is_some());
        assert!(t.get("\"a\"").is_none(), "older marks go first when full");
        assert!(t.begin_refresh("\"a\""));
        assert!(!t.begin_refresh("\"a\""), "one rebuild at a time");
        t.end_refresh("\"a\"");
        assert!(t.begin_refresh("\"a\""));
    }

    #[test]
    fn marked_values_live_for_one_mark() {
        let c = Marked::default();
        assert!(c.get(1).is_none());
        c.put(1, "a");
        assert_eq!(*c.get(1).unwrap(), "a");
        assert!(c.get(2).is_none());
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
