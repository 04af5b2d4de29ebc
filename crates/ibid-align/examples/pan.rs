//! Scores the aligner on the PAN no-obfuscation corpus (the same as `ibid eval passages
//! --dataset pan`): `cargo run --release -p ibid-align --example pan [DIR] [--min-words N]
//! [--dump FILE]`. `--dump FILE` writes every detection as one JSON line (`pair`, `susp`,
//! `src`, `this_start`, `this_end`, `src_start`, `src_end`; character offsets, pair numbers
//! in the sorted pair list) for case-by-case error analysis.

use std::io::Write;
use std::path::PathBuf;

fn main() {
    let mut dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/pan-no-obfuscation"
    ));
    let mut cfg = ibid_align::AlignConfig::default();
    let mut dump: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--min-words" => {
                cfg.min_words = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(cfg.min_words)
            }
            "--dump" => dump = args.next().map(PathBuf::from),
            _ => dir = PathBuf::from(a),
        }
    }
    let (report, detections) = match ibid_align::eval_pan_detailed(&dir, &cfg) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    println!("{report}");
    if let Some(path) = dump {
        if let Err(e) = write_dump(&path, &detections) {
            eprintln!("cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
    }
}

fn write_dump(path: &PathBuf, detections: &[ibid_align::PanDetection]) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for d in detections {
        serde_json::to_writer(&mut out, d)?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
