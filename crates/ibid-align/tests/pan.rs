//! PAN plagiarism corpus (literal copies): the aligner's plagdet, read from ../shared.
//!
//! The truth offsets of this copy of the corpus drift from the texts (only 9 of 306 cases have
//! identical text at their two spans), so a perfect aligner scores about 0.93 here; the bar
//! below guards against regressions, not against that ceiling.

use std::path::PathBuf;

#[test]
fn pan_no_obfuscation_plagdet() {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/pan-no-obfuscation"
    ));
    if !dir.join("pairs").exists() {
        eprintln!("skipping: {} not found", dir.display());
        return;
    }
    let report = ibid_align::eval_pan(&dir).unwrap();
    println!("{report}");
    for half in [report.all, report.dev_half, report.held_out_half] {
        assert!(half.plagdet >= 0.88, "{half}");
        assert!(half.granularity <= 1.02, "{half}");
    }
}
