//! HTML decoding and main-text extraction on arbitrary bytes, with the nesting cap in front.
//! Checked: nothing panics and every page ends (libFuzzer's -timeout turns a slow page into a
//! finding); a page deeper than the cap is refused, never parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match ibid_html::extract_html(data, Some("https://example.invalid/a")) {
        Ok(a) => {
            assert!(!a.text.contains("\n\n\n"), "paragraphs are separated by one blank line");
        }
        Err(ibid_html::HtmlError::TooDeep { limit }) => {
            assert_eq!(limit, ibid_html::MAX_NESTING_DEPTH);
        }
        Err(_) => {}
    }
});
