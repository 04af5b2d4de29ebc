//! The WARC reader (plain and gzipped per record, with resynchronisation after broken records)
//! on arbitrary bytes. Checked: nothing panics, iteration ends, record numbers never go back,
//! and no body exceeds the record limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut last = 0;
    for (i, item) in ibid_html::warc_records(data).enumerate() {
        assert!(i < 100_000, "more records than bytes could hold");
        match item {
            Ok(rec) => assert!(rec.body.len() <= ibid_html::MAX_RECORD_BYTES),
            Err(e) => {
                assert!(e.record >= last, "record numbers went back: {last} then {}", e.record);
                last = e.record;
            }
        }
    }
});
