//! Times store-wide entity merging on the per-article results of an existing store: the
//! part of the text stage that an ingest into a big store spends most of its time in.
//!
//! ```sh
//! cargo run --release -p ibid-pipeline --example merge_entities -- STORE.db
//! ```

use std::time::Instant;

use ibid_pipeline::{ArticleResults, RESULTS_VERSION};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: merge_entities STORE.db")?;
    let store = ibid_store::Store::open(std::path::Path::new(&path))?;
    let started = Instant::now();
    let mut per_article = Vec::new();
    store.for_each_article_result(RESULTS_VERSION, |id, data| {
        let r = ArticleResults::decode(data)
            .map_err(|e| ibid_store::StoreError::Corrupt(format!("{id}: {e}")))?;
        per_article.push((id, r.extraction));
        Ok(())
    })?;
    let read = started.elapsed().as_secs_f64();
    let refs: Vec<(String, &ibid_extract::ArticleExtraction)> = per_article
        .iter()
        .map(|(id, ex)| (id.clone(), ex))
        .collect();
    let mentions: usize = refs.iter().map(|(_, ex)| ex.mentions.len()).sum();
    // As the text stage calls it: mentions borrowed, by article index.
    let started = Instant::now();
    let by_index = ibid_extract::merge_entity_refs(&refs).len();
    let merge_refs = started.elapsed().as_secs_f64();
    println!("merge_entity_refs: {by_index} entities in {merge_refs:.1} s");
    let started = Instant::now();
    let merged = ibid_extract::merge_entities(&refs);
    let merge = started.elapsed().as_secs_f64();
    let merged_mentions: usize = merged.entities.iter().map(|e| e.mentions.len()).sum();
    println!(
        "{} articles, {mentions} mentions read in {read:.1} s; merged into {} entities ({merged_mentions} mentions) in {merge:.1} s",
        refs.len(),
        merged.entities.len()
    );
    // A digest of the result, to check that a faster merge gives the same entities.
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for e in &merged.entities {
        let line = format!(
            "{}|{}|{:?}|{}|{:?}",
            e.id,
            e.name,
            e.kind,
            e.variants.join(";"),
            e.mentions
        );
        for b in line.bytes() {
            digest = (digest ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("digest {digest:016x}");
    Ok(())
}
