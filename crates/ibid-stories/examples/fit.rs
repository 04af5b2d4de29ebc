//! Fits the story engine on the *tuning* splits only (ECB+ train, BASIL's tuning half, the
//! tuning windows of the AllSides real-day set); reporting splits are never read here.
//!
//! 1. `fit pair`: the pair model, a logistic regression (Newton's method, L2) on every pair of
//!    documents of each tuning split, each split weighing the same in total; prints the
//!    weights.
//! 2. `fit thresholds [CONFIG_JSON]`: a grid over the join, merge and re-check thresholds and
//!    the core size, scored by the mean BCubed F1 of the tuning splits over `IBID_ORDERS`
//!    (default 8) shuffled arrival orders with opaque ids; prints the best configurations.
//!
//! Usage: `cargo run --release -p ibid-stories --example fit -- pair|thresholds [CONFIG_JSON]`.
use ibid_stories::eval::{
    allsides_days_splits, basil_splits, ecbplus_splits, evaluate, Role, Split, ALLSIDES_DAYS_LABELS,
};
use ibid_stories::pair::{FeatureTable, PAIR_FEATURES, PAIR_FEATURE_NAMES};
use ibid_stories::StoryConfig;
use std::path::PathBuf;

fn tuning_splits() -> Result<Vec<Split>, Box<dyn std::error::Error>> {
    let shared = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let mut splits = ecbplus_splits(&shared.join("ecbplus/documents.jsonl"))?;
    splits.extend(basil_splits(&shared.join("basil/articles.jsonl"))?);
    splits.extend(allsides_days_splits(
        ALLSIDES_DAYS_LABELS,
        &shared.join("allsides/articles.jsonl.gz"),
    )?);
    splits.retain(|s| s.role == Role::Tuning);
    Ok(splits)
}

/// Solves `a x = b` by Gaussian elimination with partial pivoting (a small dense system).
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap_or(c);
        a.swap(c, p);
        b.swap(c, p);
        let d = a[c][c];
        if d.abs() < 1e-12 {
            continue;
        }
        for r in 0..n {
            if r == c {
                continue;
            }
            let f = a[r][c] / d;
            if f == 0.0 {
                continue;
            }
            let pivot = a[c].clone();
            for (x, p) in a[r][c..].iter_mut().zip(&pivot[c..]) {
                *x -= f * p;
            }
            b[r] -= f * b[c];
        }
    }
    (0..n)
        .map(|i| {
            if a[i][i].abs() < 1e-12 {
                0.0
            } else {
                b[i] / a[i][i]
            }
        })
        .collect()
}

/// Weighted L2-regularised logistic regression by Newton's method. Returns `[bias, w...]`.
fn logistic(x: &[[f32; PAIR_FEATURES]], y: &[bool], wt: &[f64], l2: f64) -> Vec<f64> {
    let d = PAIR_FEATURES + 1;
    let mut beta = vec![0.0f64; d];
    for _ in 0..30 {
        let mut grad = vec![0.0f64; d];
        let mut hess = vec![vec![0.0f64; d]; d];
        for ((xi, &yi), &w) in x.iter().zip(y).zip(wt) {
            let mut row = Vec::with_capacity(d);
            row.push(1.0);
            row.extend(xi.iter().map(|&v| v as f64));
            let z: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let r = p - if yi { 1.0 } else { 0.0 };
            let s = (p * (1.0 - p)).max(1e-9);
            for i in 0..d {
                grad[i] += w * r * row[i];
                for j in 0..d {
                    hess[i][j] += w * s * row[i] * row[j];
                }
            }
        }
        for i in 1..d {
            grad[i] += l2 * beta[i];
            hess[i][i] += l2;
        }
        let step = solve(hess, grad);
        let mut change = 0.0f64;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
            change = change.max(s.abs());
        }
        if change < 1e-6 {
            break;
        }
    }
    beta
}

/// Pairs below this body and name cosine are never candidates of each other.
const MIN_BODY: f32 = 0.02;

fn fit_pair(cfg: &StoryConfig) -> Result<StoryConfig, Box<dyn std::error::Error>> {
    let min_body: f32 = std::env::var("IBID_MIN_BODY")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(MIN_BODY);
    let mut x: Vec<[f32; PAIR_FEATURES]> = Vec::new();
    let mut y: Vec<bool> = Vec::new();
    let mut wt: Vec<f64> = Vec::new();
    for split in tuning_splits()? {
        let docs: Vec<_> = split.docs.iter().map(|d| d.doc.clone()).collect();
        let table = FeatureTable::new(&docs, cfg);
        let n = table.len();
        let pairs = n * n.saturating_sub(1) / 2;
        let (mut pos, start) = (0usize, x.len());
        let _ = &pairs;
        // Only pairs the engine would compare: some shared wording or names (the candidate
        // retrieval finds nothing else).
        for i in 0..n {
            for j in i + 1..n {
                let f = table.pair(i, j);
                if f[0] < min_body && f[2] < min_body {
                    continue;
                }
                let same = split.docs[i].gold == split.docs[j].gold;
                pos += same as usize;
                x.push(f);
                y.push(same);
            }
        }
        // Each split weighs 1 in total (the splits differ a hundredfold in pairs); within a
        // split, positives and negatives keep their natural proportion, so that the model's
        // probabilities stay those of a candidate pair.
        let kept = x.len() - start;
        for _ in start..x.len() {
            wt.push(1.0 / kept.max(1) as f64);
        }
        eprintln!(
            "{} {}: {n} docs, {pairs} pairs, {kept} candidate pairs, {pos} positive",
            split.dataset, split.split
        );
    }
    let total: f64 = wt.iter().sum();
    let scale = x.len() as f64 / total;
    for w in &mut wt {
        *w *= scale;
    }
    let beta = logistic(&x, &y, &wt, 1.0);
    println!("bias {:.3}", beta[0]);
    for (name, b) in PAIR_FEATURE_NAMES.iter().zip(&beta[1..]) {
        println!("{name:<18} {b:.3}");
    }
    let w: Vec<String> = beta[1..].iter().map(|b| format!("{b:.3}")).collect();
    let json = format!(
        "{{\"pair\":{{\"bias\":{:.3},\"w\":[{}]}}}}",
        beta[0],
        w.join(",")
    );
    println!("{json}");
    let mut out = cfg.clone();
    out.pair.bias = beta[0] as f32;
    for (o, b) in out.pair.w.iter_mut().zip(&beta[1..]) {
        *o = *b as f32;
    }
    Ok(out)
}

fn fit_thresholds(cfg: &StoryConfig) -> Result<(), Box<dyn std::error::Error>> {
    let splits = tuning_splits()?;
    let orders: usize = std::env::var("IBID_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let mut results: Vec<(f64, String)> = Vec::new();
    let list = |name: &str, default: &str| -> Vec<f32> {
        std::env::var(name)
            .unwrap_or_else(|_| default.to_owned())
            .split(',')
            .filter_map(|x| x.trim().parse().ok())
            .collect()
    };
    let grid_join = list("IBID_JOIN", "0.2,0.3,0.4,0.5,0.6,0.7,0.8");
    let grid_merge = list("IBID_MERGE", "0.3,0.4,0.5,0.6,0.7,0.8");
    let grid_core: Vec<usize> = list("IBID_CORE", "8")
        .into_iter()
        .map(|x| x as usize)
        .collect();
    for &core in &grid_core {
        for &join in &grid_join {
            for &merge in &grid_merge {
                let c = StoryConfig {
                    core_size: core,
                    join_threshold: join,
                    merge_threshold: merge,
                    settle_threshold: merge,
                    ..cfg.clone()
                };
                let scores: Vec<f64> = splits
                    .iter()
                    .map(|s| evaluate(s, &c, orders).bcubed.mean.f1)
                    .collect();
                let mean = scores.iter().sum::<f64>() / scores.len() as f64;
                let line = format!(
                    "core {core:>2} join {join:.2} merge {merge:.2}: mean {mean:.4} [{}]",
                    scores
                        .iter()
                        .map(|s| format!("{s:.3}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                eprintln!("{line}");
                results.push((mean, line));
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("best:");
    for (_, line) in results.iter().take(10) {
        println!("{line}");
    }
    Ok(())
}

/// A grid over the storyline parameters, scored by the storyline BCubed F1 of the tuning
/// splits that have gold storylines.
fn fit_lines(cfg: &StoryConfig) -> Result<(), Box<dyn std::error::Error>> {
    let splits: Vec<Split> = tuning_splits()?
        .into_iter()
        .filter(|s| s.docs.iter().all(|d| d.line.is_some()))
        .collect();
    let orders: usize = std::env::var("IBID_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let mut results: Vec<(f64, String)> = Vec::new();
    for th in [0.12f32, 0.15, 0.18] {
        for we in [0.4f32, 0.5, 0.6, 0.7] {
            for recent in [2usize, 4, 8] {
                for min_shared in [2usize, 3] {
                    let c = StoryConfig {
                        storyline_threshold: th,
                        storyline_w_ent: we,
                        storyline_recent: recent,
                        storyline_min_shared_ents: min_shared,
                        ..cfg.clone()
                    };
                    let f: f64 = splits
                        .iter()
                        .filter_map(|s| evaluate(s, &c, orders).storylines)
                        .map(|l| l.mean.f1)
                        .sum::<f64>()
                        / splits.len().max(1) as f64;
                    let line = format!(
                        "threshold {th:.2} w_ent {we:.1} recent {recent} min_shared {min_shared}: {f:.4}"
                    );
                    eprintln!("{line}");
                    results.push((f, line));
                }
            }
        }
    }
    results.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, line) in results.iter().take(10) {
        println!("{line}");
    }
    Ok(())
}

/// Writes every pair of every tuning split as CSV (dataset, i, j, same, same_topic, features)
/// to stdout, for analysis outside (feature headroom, other learners).
fn dump(cfg: &StoryConfig) -> Result<(), Box<dyn std::error::Error>> {
    println!(
        "dataset,i,j,same,same_topic,{}",
        PAIR_FEATURE_NAMES.join(",")
    );
    for split in tuning_splits()? {
        let docs: Vec<_> = split.docs.iter().map(|d| d.doc.clone()).collect();
        let table = FeatureTable::new(&docs, cfg);
        let topic = |g: &str| g.split('_').next().unwrap_or(g).to_owned();
        for i in 0..table.len() {
            for j in i + 1..table.len() {
                let f = table.pair(i, j);
                let (gi, gj) = (&split.docs[i].gold, &split.docs[j].gold);
                let same_topic = split.dataset != "ecbplus" || topic(gi) == topic(gj);
                let x: Vec<String> = f.iter().map(|v| format!("{v:.4}")).collect();
                println!(
                    "{},{i},{j},{},{},{}",
                    split.dataset,
                    (gi == gj) as u8,
                    same_topic as u8,
                    x.join(",")
                );
            }
        }
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "pair".to_owned());
    let cfg: StoryConfig = match std::env::args().nth(2) {
        Some(j) => serde_json::from_str(&j)?,
        None => StoryConfig::default(),
    };
    match mode.as_str() {
        "pair" => fit_pair(&cfg).map(|_| ()),
        "thresholds" => fit_thresholds(&cfg),
        "all" => fit_thresholds(&fit_pair(&cfg)?),
        "dump" => dump(&cfg),
        "lines" => fit_lines(&cfg),
        other => Err(format!("unknown mode {other}: pair or thresholds").into()),
    }
}
