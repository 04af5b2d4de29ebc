//! In-process request timing for `ibid serve` (no sockets, no client): builds the app over a
//! store and requests story pages, story answers and searches one at a time, printing latency
//! percentiles and CPU time per request kind, and the slowest targets. For finding where a
//! request's time goes; bench/serve/run.sh measures the server under load.
//!
//! Usage: profile STORE.db [--cache BYTES] [--rounds N] [--only KIND]
//!
//! Targets come from the store itself (story ids spread over the size-ordered list, search words
//! from their titles), the way the load generator picks them.

mod common;

use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use axum::Router;
use serde_json::Value;
use tower::ServiceExt;

/// Process CPU time (user + system) in seconds, from /proc (Linux only; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map(|x| x.1).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

async fn get(app: &Router, uri: &str) -> (u16, Vec<u8>) {
    let res = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status().as_u16();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, body.to_vec())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let db = args
        .first()
        .expect("usage: profile STORE.db [--cache BYTES] [--rounds N]");
    let flag = |name: &str, default: usize| -> usize {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let cache = flag("--cache", 0);
    let rounds = flag("--rounds", 1);
    let app = ibid_serve::app_with(
        std::path::Path::new(db),
        &ibid_serve::AppConfig {
            readers: 1,
            response_cache_bytes: cache,
            ..ibid_serve::AppConfig::default()
        },
    )
    .expect("app");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let json = |b: Vec<u8>| -> Value { serde_json::from_slice(&b).expect("json") };
        let total = json(get(&app, "/api/stories?limit=1").await.1)["total"]
            .as_u64()
            .unwrap_or(0);
        let mut stories = Vec::new();
        for offset in (0..total).step_by(((total / 10).max(1)) as usize).take(10) {
            let page = json(get(&app, &format!("/api/stories?limit=100&offset={offset}")).await.1);
            for s in page["items"].as_array().into_iter().flatten() {
                stories.push((
                    s["id"].as_str().unwrap_or_default().to_string(),
                    s["title"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
        let words = common::title_words(&stories);
        let step = (words.len() / 300).max(1);
        let sample: Vec<&String> = words.iter().step_by(step).collect();
        let kinds: Vec<(&str, Vec<String>)> = vec![
            (
                "story_page",
                stories.iter().map(|(id, _)| format!("/stories/{}", common::enc(id))).collect(),
            ),
            (
                "story_api",
                stories.iter().step_by(3).map(|(id, _)| format!("/api/stories/{}", common::enc(id))).collect(),
            ),
            (
                "search_page",
                sample.iter().map(|w| format!("/search?q={}", common::enc(w))).collect(),
            ),
            (
                "search_api",
                sample
                    .iter()
                    .zip(sample.iter().rev())
                    .map(|(a, b)| format!("/api/search?q={}%20OR%20{}", common::enc(a), common::enc(b)))
                    .collect(),
            ),
            ("story_list", (1..=40).map(|p| format!("/?page={p}")).collect()),
        ];
        let only = args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1));
        for (kind, urls) in &kinds {
            if only.is_some_and(|o| o != kind) {
                continue;
            }
            let mut times: Vec<(f64, &String)> = Vec::new();
            let cpu0 = cpu_seconds();
            let wall0 = Instant::now();
            for _ in 0..rounds {
                for u in urls {
                    let t = Instant::now();
                    let (status, _) = get(&app, u).await;
                    assert_eq!(status, 200, "{u}");
                    times.push((t.elapsed().as_secs_f64() * 1000.0, u));
                }
            }
            let wall = wall0.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu0;
            times.sort_by(|a, b| a.0.total_cmp(&b.0));
            let n = times.len();
            let pct = |p: f64| times[((p / 100.0) * (n - 1) as f64).round() as usize].0;
            println!(
                "{kind:12} n={n:5} mean={:7.2}ms p50={:7.2} p90={:7.2} p99={:7.2} max={:7.2} cpu/req={:6.2}ms",
                wall * 1000.0 / n as f64,
                pct(50.0),
                pct(90.0),
                pct(99.0),
                times[n - 1].0,
                cpu * 1000.0 / n as f64
            );
            for (ms, u) in times.iter().rev().take(3) {
                println!("    {ms:8.2}ms {u}");
            }
        }
    });
}
