//! Prints the quotes extract finds in text read from stdin (a debugging aid).
//!
//! `echo 'He said it was over.' | cargo run -p ibid-extract --example quotes_stdin [-- -m]`
//! (`-m` also prints the entity mentions)
use ibid_extract::{eval::identity_article, extract, Gazetteer};
use std::io::Read;

fn main() -> std::io::Result<()> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    let ex = extract(&identity_article(&text), &Gazetteer::bundled());
    let chars: Vec<char> = text.chars().collect();
    let sl = |s: ibid_core::Span| -> String {
        chars[s.start as usize..(s.end as usize).min(chars.len())]
            .iter()
            .collect()
    };
    for q in &ex.quotes {
        println!(
            "{} {:?} [{}] | {}",
            if q.direct { "D" } else { "I" },
            q.speaker,
            q.speaker_span.map(sl).unwrap_or_default(),
            q.text
        );
    }
    if std::env::args().any(|a| a == "-m") {
        for m in &ex.mentions {
            println!("  M {:?} {:?} -> {:?}", m.kind, m.text, m.canonical);
        }
    }
    Ok(())
}
