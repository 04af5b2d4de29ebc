//! Acceptance on the seed articles: the statement the gold marks as shared between the first
//! three seeds (quoted directly in two, paraphrased in the third) is aligned across all three,
//! through the clean stage, with spans mapped back to the original texts.

use std::path::{Path, PathBuf};

use ibid_align::{passage_clusters, word_diff, AlignConfig, AlignDoc, DiffOp, PassageIndex};
use ibid_clean::{clean, LineIndex};
use ibid_core::{CleanedArticle, RawArticle};

fn shared() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"))
}

fn chars(text: &str, span: (u32, u32)) -> String {
    text.chars()
        .skip(span.0 as usize)
        .take(span.1.saturating_sub(span.0) as usize)
        .collect()
}

/// Finds a whitespace-normalised quote in `text`; returns its code-point span.
fn find_normalised(text: &str, quote: &str) -> Option<(u32, u32)> {
    let mut norm = String::new();
    let mut origin: Vec<u32> = Vec::new();
    let mut last_space = false;
    for (i, c) in text.chars().enumerate() {
        let space = c.is_whitespace();
        if space && last_space {
            continue;
        }
        norm.push(if space { ' ' } else { c });
        origin.push(i as u32);
        last_space = space;
    }
    let at = norm.find(quote)?;
    let start = norm[..at].chars().count();
    let len = quote.chars().count();
    Some((origin[start], origin[start + len - 1] + 1))
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn word_overlap(a: &str, b: &str) -> f64 {
    let (wa, wb) = (words(a), words(b));
    let shared = wa.iter().filter(|w| wb.contains(w)).count();
    shared as f64 / wa.len().max(1) as f64
}

struct Seed {
    key: String,
    raw: RawArticle,
    cleaned: CleanedArticle,
}

fn load(dir: &Path) -> Vec<Seed> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let id = p.file_stem().unwrap().to_string_lossy().into_owned();
            let raw = RawArticle {
                id: id.clone(),
                text: std::fs::read_to_string(&p).unwrap(),
                ..RawArticle::default()
            };
            let cleaned = clean(&raw, &LineIndex::default());
            Seed {
                key: id.chars().take(3).collect(),
                raw,
                cleaned,
            }
        })
        .collect()
}

#[test]
fn shared_statement_is_aligned_across_three_seeds() {
    let root = shared().join("corpus");
    let Ok(gold) = std::fs::read_to_string(root.join("seeds.gold.json")) else {
        eprintln!("skipping: {} not found", root.display());
        return;
    };
    let gold: serde_json::Value = serde_json::from_str(&gold).unwrap();
    let seeds = load(&root.join("seeds"));
    assert!(seeds.len() >= 3);

    // The gold statement rendered in the first three seeds, and the direct quotes of it in the
    // first two (the pair of same-speaker quotes with the most words in common).
    let keys: Vec<&str> = seeds[..3].iter().map(|s| s.key.as_str()).collect();
    let statement = gold["shared_statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| keys.iter().all(|k| s["renderings"].get(*k).is_some()))
        .expect("a statement shared by the first three seeds");
    let speaker = statement["speaker"].as_str().unwrap();
    let quotes = |k: &str| -> Vec<String> {
        gold["quotes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q["doc"] == k && q["speaker"] == speaker)
            .map(|q| q["text"].as_str().unwrap().to_string())
            .collect()
    };
    let (q0, q1) = quotes(keys[0])
        .into_iter()
        .flat_map(|a| quotes(keys[1]).into_iter().map(move |b| (a.clone(), b)))
        .max_by(|x, y| word_overlap(&x.0, &x.1).total_cmp(&word_overlap(&y.0, &y.1)))
        .expect("direct quotes in the first two seeds");
    let span0 = find_normalised(&seeds[0].raw.text, &q0).expect("quote in seed 0");
    let span1 = find_normalised(&seeds[1].raw.text, &q1).expect("quote in seed 1");

    let docs: Vec<AlignDoc> = seeds
        .iter()
        .map(|s| AlignDoc {
            id: &s.raw.id,
            outlet: s.cleaned.outlet.as_deref(),
            published: s.cleaned.published.map(|p| p.at),
            text: &s.cleaned.text,
        })
        .collect();
    let mut index = PassageIndex::new(AlignConfig::default());
    let alignments = index.add_batch(&docs);
    let original = |doc: usize, span: (u32, u32)| {
        let s = seeds[doc]
            .cleaned
            .offsets
            .span_to_original(span.0 as usize, span.1 as usize);
        (s.start, s.end)
    };
    for al in &alignments {
        let (sa, sb) = (original(al.a, al.a_span), original(al.b, al.b_span));
        let (ta, tb) = (&seeds[al.a].raw.text, &seeds[al.b].raw.text);
        assert!(sa.1 as usize <= ta.chars().count() && sb.1 as usize <= tb.chars().count());
        println!(
            "{} {:?} ~ {} {:?} sim {:.2}\n  {}\n  {}",
            seeds[al.a].key,
            sa,
            seeds[al.b].key,
            sb,
            al.similarity,
            chars(ta, sa),
            chars(tb, sb)
        );
    }

    let covers = |member: (u32, u32), quote: (u32, u32)| {
        let inter = member.1.min(quote.1).saturating_sub(member.0.max(quote.0));
        inter as f64 >= 0.8 * (quote.1 - quote.0) as f64
    };
    let clusters = passage_clusters(&docs, &alignments);
    let cluster = clusters
        .iter()
        .find(|c| {
            c.members
                .iter()
                .any(|&(d, s)| d == 0 && covers(original(0, s), span0))
        })
        .expect("a cluster holding seed 0's quote");
    let member = |d: usize| {
        cluster
            .members
            .iter()
            .find(|m| m.0 == d)
            .map(|&(_, s)| original(d, s))
    };
    let m1 = member(1).expect("seed 1 in the cluster");
    assert!(
        covers(m1, span1),
        "seed 1 member {m1:?} misses quote {span1:?}"
    );
    // Seed 2 paraphrases the statement: one of its members in the cluster must carry it.
    let m2 = cluster
        .members
        .iter()
        .filter(|m| m.0 == 2)
        .map(|&(_, s)| original(2, s))
        .max_by(|x, y| {
            let o = |s| word_overlap(&q0, &chars(&seeds[2].raw.text, s));
            o(*x).total_cmp(&o(*y))
        })
        .expect("seed 2 (indirect rendering) in the cluster");
    let text2 = chars(&seeds[2].raw.text, m2);
    assert!(
        word_overlap(&q0, &text2) >= 0.6,
        "seed 2 member is not the statement: {text2}"
    );
    assert!(!cluster.outlet_boilerplate);

    // How each copy was edited, against the quote's rendering in seed 0.
    let source = chars(&seeds[0].raw.text, member(0).unwrap());
    for (d, span) in [(1, m1), (2, m2)] {
        let copy = chars(&seeds[d].raw.text, span);
        let diff = word_diff(&source, &copy);
        println!("diff {} -> {}:", keys[0], seeds[d].key);
        for op in &diff {
            match op {
                DiffOp::Equal { text } => println!("  = {text}"),
                DiffOp::Insert { text } => println!("  + {text}"),
                DiffOp::Delete { text } => println!("  - {text}"),
                DiffOp::Replace { from, to } => println!("  ~ {from} => {to}"),
            }
        }
        assert!(diff.iter().any(|op| matches!(op, DiffOp::Equal { .. })));
        assert!(diff.iter().any(|op| !matches!(op, DiffOp::Equal { .. })));
    }
}
