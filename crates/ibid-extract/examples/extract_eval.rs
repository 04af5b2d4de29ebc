//! Runs the evaluations and prints JSON reports.
//!
//! `cargo run --release -p ibid-extract --example extract_eval -- polnear [train|dev]`
//! `cargo run --release -p ibid-extract --example extract_eval -- errors [speaker|direct|missed|extra|identities] [SPLIT] [MAX_DOCS]`
//! `cargo run --release -p ibid-extract --example extract_eval -- gum`
//! `cargo run --release -p ibid-extract --example extract_eval -- gum-errors` (unmatched mentions, development half)
//! `cargo run --release -p ibid-extract --example extract_eval -- gum-texts OUT.json` (texts for spaCy)
//! `cargo run --release -p ibid-extract --example extract_eval -- gum-score PREDS.json` (score other predictions)
use ibid_extract::eval::*;
use ibid_extract::Gazetteer;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let data = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    let args: Vec<String> = std::env::args().skip(1).collect();
    let gaz = Gazetteer::bundled();
    match args.first().map(String::as_str) {
        Some("polnear") => {
            let split = args.get(1).map_or("dev", String::as_str);
            let t = std::time::Instant::now();
            let r = eval_polnear(&data.join("polnear"), split, &gaz)?;
            println!("{}", serde_json::to_string_pretty(&r)?);
            eprintln!("{:.2}s", t.elapsed().as_secs_f64());
        }
        Some("errors") => {
            let what = args.get(1).map_or("speaker", String::as_str);
            let split = args.get(2).map_or("train", String::as_str);
            let max = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(60);
            for l in polnear_errors(&data.join("polnear"), split, &gaz, what, max)? {
                println!("{l}");
            }
        }
        Some("gum") => {
            let r = eval_gum(&data.join("gum-news"), &gaz)?;
            println!("{}", serde_json::to_string_pretty(&r)?);
        }
        Some("gum-errors") => {
            // Unmatched predictions (FP) and gold mentions (FN), as `score_gum` matches them,
            // on the development half only.
            let (docs, _) = split_gum(read_gum(&data.join("gum-news"))?);
            let preds = predict_gum(&docs, &gaz);
            for (d, ps) in docs.iter().zip(&preds) {
                let chars: Vec<char> = d.text.chars().collect();
                let sl = |s: ibid_core::Span| -> String {
                    chars[s.start as usize..s.end as usize].iter().collect()
                };
                let mut used = vec![false; ps.len()];
                for g in &d.gold {
                    let hit = ps.iter().enumerate().position(|(i, p)| {
                        !used[i]
                            && p.kind == g.kind
                            && p.span.start <= g.head.start
                            && p.span.end >= g.head.end
                            && p.span.start >= g.span.start
                            && p.span.end <= g.span.end
                    });
                    match hit {
                        Some(i) => used[i] = true,
                        None => println!("FN {:?} {:?}", g.kind, g.text),
                    }
                }
                for (i, p) in ps.iter().enumerate() {
                    if !used[i] {
                        println!("FP {:?} {:?}", p.kind, sl(p.span));
                    }
                }
            }
        }
        Some("gum-texts") => {
            let docs = read_gum(&data.join("gum-news"))?;
            let out = args.get(1).ok_or("need OUT.json")?;
            let texts: Vec<(String, String)> = docs.into_iter().map(|d| (d.id, d.text)).collect();
            std::fs::write(out, serde_json::to_string(&texts)?)?;
        }
        Some("gum-score") => {
            let path = args.get(1).ok_or("need PREDS.json")?;
            let preds: std::collections::HashMap<String, Vec<PredMention>> =
                serde_json::from_str(&std::fs::read_to_string(path)?)?;
            let (dev, rep) = split_gum(read_gum(&data.join("gum-news"))?);
            for (half, docs) in [("development", dev), ("reporting", rep)] {
                let ps: Vec<Vec<PredMention>> = docs
                    .iter()
                    .map(|d| preds.get(&d.id).cloned().unwrap_or_default())
                    .collect();
                println!(
                    "{half}: {}",
                    serde_json::to_string_pretty(&score_gum(&docs, &ps))?
                );
            }
        }
        _ => eprintln!("usage: eval polnear [train|dev] | gum | gum-texts OUT | gum-score PREDS"),
    }
    Ok(())
}
