//! Shared by the serve examples (`loadgen`, `profile`).

/// Distinct lowercased words of at least five letters from story titles: search terms that
/// hit real articles, from rare to very common.
pub fn title_words(stories: &[(String, String)]) -> Vec<String> {
    let mut words: Vec<String> = stories
        .iter()
        .flat_map(|(_, t)| {
            t.split(|c: char| !c.is_alphabetic())
                .filter(|w| w.len() >= 5)
                .map(str::to_lowercase)
                .collect::<Vec<_>>()
        })
        .collect();
    words.sort();
    words.dedup();
    words
}

/// Percent-encodes `s` for a URL query value (unreserved characters kept).
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
