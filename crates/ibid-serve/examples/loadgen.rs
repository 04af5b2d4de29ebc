//! Load generator for `ibid serve` (bench/serve/run.sh drives it): N client threads, each with
//! one keep-alive connection, request a mix of story pages, story lists and searches for a fixed
//! time against a loopback server, then print latency percentiles, errors and throughput as JSON.
//!
//! Usage: loadgen BASE_URL [--clients 32] [--seconds 60] [--warmup 0] [--trace FILE]
//!
//! `--warmup S` runs the same clients for S seconds before the measured `--seconds`: what a
//! server costs while it first meets the targets (its cold start) is reported apart, under
//! `warmup`, rather than mixed into the steady state; errors count over the whole run.
//!
//! `--trace FILE` also writes every request as a CSV line `start_ms,kind,latency_us`, for
//! seeing when in a run the slow requests happened (after an ingest's commit, say).
//!
//! Targets come from the server itself (story ids from /api/stories, search words from story
//! titles), so nothing about any dataset is written here.

mod common;

use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        // Per-phase timeouts, not a global one: with a global timeout ureq resolves the host
        // on a new thread for every request (to abort the lookup in time), and on two cores
        // that thread churn, with the TLB shootdowns of its stack's unmapping, cost the client
        // more CPU than the server spent answering.
        .timeout_connect(Some(Duration::from_secs(5)))
        .timeout_recv_response(Some(Duration::from_secs(30)))
        .timeout_recv_body(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn get_json(agent: &ureq::Agent, url: &str) -> Value {
    let mut r = agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let text = r
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

/// xorshift64*: a few lines instead of a dependency for picking targets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[derive(Default)]
struct Tally {
    /// (kind index, latency in microseconds, start in milliseconds since the run began)
    samples: Vec<(usize, u32, u32)>,
    errors: usize,
    error_examples: Vec<String>,
}

const KINDS: [&str; 5] = [
    "story_page",
    "story_api",
    "search_page",
    "search_api",
    "story_list",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let base = args
        .first()
        .expect("usage: loadgen BASE_URL [--clients N] [--seconds S]")
        .trim_end_matches('/')
        .to_string();
    let flag = |name: &str, default: u64| -> u64 {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let clients = flag("--clients", 32) as usize;
    let seconds = flag("--seconds", 60);
    let warmup = flag("--warmup", 0);
    let warmup_ms = (warmup * 1000) as u32;

    let a = agent();
    let mut stories = Vec::new();
    let total = get_json(&a, &format!("{base}/api/stories?limit=1"))["total"]
        .as_u64()
        .unwrap_or(0);
    // Story ids spread over the whole list: the biggest stories and the long tail.
    for offset in (0..total).step_by(((total / 10).max(1)) as usize).take(10) {
        let page = get_json(&a, &format!("{base}/api/stories?limit=100&offset={offset}"));
        for s in page["items"].as_array().into_iter().flatten() {
            if let Some(id) = s["id"].as_str() {
                stories.push((
                    id.to_string(),
                    s["title"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    assert!(!stories.is_empty(), "the server has no stories");
    let words = common::title_words(&stories);
    let pages = (total / 25).max(1) as usize;

    let deadline = Instant::now() + Duration::from_secs(warmup + seconds);
    let started = Instant::now();
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            (0..clients)
                .map(|c| {
                    let (base, stories, words) = (&base, &stories, &words);
                    scope.spawn(move || {
                        let agent = agent();
                        let mut rng = Rng(0x9E37_79B9_7F4A_7C15
                            ^ (c as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
                        let mut t = Tally::default();
                        while Instant::now() < deadline {
                            let roll = rng.below(100);
                            let (kind, url) = match roll {
                                0..=39 => (
                                    0,
                                    format!(
                                        "{base}/stories/{}",
                                        common::enc(&stories[rng.below(stories.len())].0)
                                    ),
                                ),
                                40..=49 => (
                                    1,
                                    format!(
                                        "{base}/api/stories/{}",
                                        common::enc(&stories[rng.below(stories.len())].0)
                                    ),
                                ),
                                50..=79 => {
                                    let w = &words[rng.below(words.len())];
                                    (2, format!("{base}/search?q={}", common::enc(w)))
                                }
                                80..=89 => {
                                    let w1 = &words[rng.below(words.len())];
                                    let w2 = &words[rng.below(words.len())];
                                    (
                                        3,
                                        format!(
                                            "{base}/api/search?q={}%20OR%20{}",
                                            common::enc(w1),
                                            common::enc(w2)
                                        ),
                                    )
                                }
                                _ => (4, format!("{base}/?page={}", 1 + rng.below(pages.min(40)))),
                            };
                            let t0 = Instant::now();
                            let outcome =
                                agent.get(&url).call().map_err(|e| e.to_string()).and_then(
                                    |mut r| {
                                        let status = r.status().as_u16();
                                        // The whole body is received, into a sink: keeping it
                                        // would make this client allocate and free megabytes per
                                        // story page, and on two cores the allocator's unmapping
                                        // (TLB shootdowns interrupting the server's threads too)
                                        // cost more CPU than the server's own work.
                                        let mut body =
                                            r.body_mut().with_config().limit(64 << 20).reader();
                                        std::io::copy(&mut body, &mut std::io::sink())
                                            .map_err(|e| e.to_string())?;
                                        if status == 200 {
                                            Ok(())
                                        } else {
                                            Err(format!("HTTP {status} {url}"))
                                        }
                                    },
                                );
                            let us = t0.elapsed().as_micros().min(u32::MAX as u128) as u32;
                            match outcome {
                                Ok(()) => t.samples.push((
                                    kind,
                                    us,
                                    t0.duration_since(started).as_millis() as u32,
                                )),
                                Err(e) => {
                                    t.errors += 1;
                                    if t.error_examples.len() < 3 {
                                        t.error_examples.push(e);
                                    }
                                }
                            }
                        }
                        t
                    })
                })
                .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(path) = args
        .iter()
        .position(|a| a == "--trace")
        .and_then(|i| args.get(i + 1))
    {
        let mut rows: Vec<&(usize, u32, u32)> =
            tallies.iter().flat_map(|t| t.samples.iter()).collect();
        rows.sort_by_key(|r| r.2);
        let mut out = String::from("start_ms,kind,latency_us\n");
        for (kind, us, at) in rows {
            out.push_str(&format!("{at},{},{us}\n", KINDS[*kind]));
        }
        std::fs::write(path, out).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    let errors: usize = tallies.iter().map(|t| t.errors).sum();
    let examples: Vec<&String> = tallies
        .iter()
        .flat_map(|t| &t.error_examples)
        .take(5)
        .collect();
    let summary = |v: &mut Vec<u32>| -> Value {
        v.sort_unstable();
        let pct = |p: f64| -> f64 {
            if v.is_empty() {
                return 0.0;
            }
            let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
            v[i] as f64 / 1000.0
        };
        json!({
            "requests": v.len(),
            "p50_ms": pct(50.0), "p90_ms": pct(90.0), "p99_ms": pct(99.0),
            "max_ms": v.last().map(|x| *x as f64 / 1000.0).unwrap_or(0.0),
        })
    };
    // Latencies overall and by kind of the requests started in [from, to) ms.
    let window = |from: u32, to: u32| -> (Value, Value) {
        let latencies = |kind: Option<usize>| -> Vec<u32> {
            tallies
                .iter()
                .flat_map(|t| t.samples.iter())
                .filter(|s| s.2 >= from && s.2 < to && kind.is_none_or(|k| s.0 == k))
                .map(|s| s.1)
                .collect()
        };
        let mut by_kind = serde_json::Map::new();
        for (k, name) in KINDS.iter().enumerate() {
            by_kind.insert(name.to_string(), summary(&mut latencies(Some(k))));
        }
        (summary(&mut latencies(None)), Value::Object(by_kind))
    };
    let measured = (elapsed - warmup as f64).max(f64::EPSILON);
    let (overall, by_kind) = window(warmup_ms, u32::MAX);
    let (warm_overall, warm_by_kind) = window(0, warmup_ms);
    let out = json!({
        "clients": clients,
        "seconds": measured,
        "stories_sampled": stories.len(),
        "search_words": words.len(),
        "requests": overall["requests"],
        "errors": errors,
        "error_examples": examples,
        "requests_per_second": overall["requests"].as_u64().unwrap_or(0) as f64 / measured,
        "latency": overall,
        "by_kind": by_kind,
        "warmup": {
            "seconds": warmup,
            "latency": warm_overall,
            "by_kind": warm_by_kind,
        },
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("json"));
}
