//! Runs each candidate extractor on every Zyte page (single thread) and
//! writes `out/<name>.json` = {sha: {"articleBody": text}} plus timing.
//! Usage: extract-candidates <zyte dir> <out dir> [names...]
use std::io::Read;
use std::time::Instant;

fn load(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir.join("html"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let sha = name.split('.').next().unwrap().to_string();
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&p).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        pages.push((sha, s));
    }
    pages
}

fn run(name: &str, html: &str, url: &str) -> String {
    match name {
        "dom_smoothie" => {
            let cfg = dom_smoothie::Config {
                text_mode: dom_smoothie::TextMode::Formatted,
                ..Default::default()
            };
            match dom_smoothie::Readability::new(html, Some(url), Some(cfg)).and_then(|mut r| r.parse()) {
                Ok(a) => a.text_content.to_string(),
                Err(_) => String::new(),
            }
        }
        "rs_trafilatura" => rs_trafilatura::extract(html).map(|r| r.content_text).unwrap_or_default(),
        "trafilatura_rs" => trafilatura::extract(html, &trafilatura::Options::default())
            .map(|r| r.content_text)
            .unwrap_or_default(),
        "llm_readability" => {
            let u = url::Url::parse(url).unwrap_or_else(|_| url::Url::parse("http://example.com/").unwrap());
            llm_readability::extractor::extract(&mut html.as_bytes(), &u).map(|p| p.text).unwrap_or_default()
        }
        "readability" => {
            let u = url::Url::parse(url).unwrap_or_else(|_| url::Url::parse("http://example.com/").unwrap());
            readability::extractor::extract(&mut html.as_bytes(), &u).map(|p| p.text).unwrap_or_default()
        }
        // Parse only: the floor any html5ever-based extractor pays.
        "parse_only" => {
            let d = dom_query::Document::from(html);
            d.select("title").text().to_string()
        }
        _ => panic!("unknown {name}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&args[1]);
    let out = std::path::PathBuf::from(&args[2]);
    std::fs::create_dir_all(&out).unwrap();
    let gt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("ground-truth.json")).unwrap()).unwrap();
    let pages = load(&dir);
    let names: Vec<String> = if args.len() > 3 {
        args[3..].to_vec()
    } else {
        ["dom_smoothie", "rs_trafilatura", "trafilatura_rs", "llm_readability", "readability"]
            .iter().map(|s| s.to_string()).collect()
    };
    for name in names {
        let mut preds = serde_json::Map::new();
        let t = Instant::now();
        for (sha, html) in &pages {
            let url = gt[sha]["url"].as_str().unwrap_or("http://example.com/");
            let text = std::panic::catch_unwind(|| run(&name, html, url)).unwrap_or_default();
            preds.insert(sha.clone(), serde_json::json!({ "articleBody": text }));
        }
        let secs = t.elapsed().as_secs_f64();
        println!("{name}\t{:.1} pages/s\t{:.3}s", pages.len() as f64 / secs, secs);
        std::fs::write(out.join(format!("{name}.json")), serde_json::to_string(&preds).unwrap()).unwrap();
    }
}
