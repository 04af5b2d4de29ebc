//! Scores the aligner on the PAN no-obfuscation corpus (the same as `ibid eval passages
//! --dataset pan`): `cargo run --release -p ibid-align --example pan [DIR] [--min-words N]`.

use std::path::PathBuf;

fn main() {
    let mut dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/pan-no-obfuscation"
    ));
    let mut cfg = ibid_align::AlignConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--min-words" => {
                cfg.min_words = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(cfg.min_words)
            }
            _ => dir = PathBuf::from(a),
        }
    }
    match ibid_align::eval_pan_with(&dir, &cfg) {
        Ok(report) => println!("{report}"),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
