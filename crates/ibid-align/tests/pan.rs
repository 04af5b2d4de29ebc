//! PAN plagiarism corpus (literal copies): the aligner's plagdet, read from ../shared.
//!
//! The truth offsets of this copy of the corpus drift from the texts: the files were OCR'd and
//! re-wrapped after the truth was made (m/rn, d/cl, 8/B confusions, lost characters), so the
//! suspicious-side offsets run up to hundreds of characters ahead of the text and only 9 of 306
//! cases have the same text at their two spans. Scoring the true copies (found by character
//! alignment around each case, with the source side taken from the truth) gives about 0.94, the
//! ceiling for any aligner here; the bar below guards against regressions (0.915 when set).

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
    assert!(report.truth_matching <= report.all.cases);
    for half in [report.all, report.dev_half, report.held_out_half] {
        assert!(half.plagdet >= 0.90, "{half}");
        assert!(half.granularity <= 1.02, "{half}");
    }
}
