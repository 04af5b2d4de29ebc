//! Prints what extract finds in the seed articles (a debugging aid).
use ibid_extract::{extract, Gazetteer};

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/seeds");
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    let gaz = Gazetteer::bundled();
    for p in files {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let raw = ibid_core::RawArticle {
            id: p.file_stem().unwrap_or_default().to_string_lossy().into(),
            text,
            ..Default::default()
        };
        let c = ibid_clean::clean(&raw, &ibid_clean::LineIndex::default());
        let ex = extract(&c, &gaz);
        println!("=== {}", raw.id);
        for q in &ex.quotes {
            println!(
                "  Q direct={} partial={} speaker={:?} | {}",
                q.direct, q.partial, q.speaker, q.text
            );
        }
        for m in &ex.mentions {
            println!("  M {:?} {:?} -> {:?}", m.kind, m.text, m.canonical);
        }
    }
}
