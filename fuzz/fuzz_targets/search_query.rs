//! The search box's query language on arbitrary text, run through SQLite's FTS5 as the server
//! runs it. Checked: every query the server accepts is valid FTS5 (no syntax error, no
//! "expression tree too large") and stays within the caps.
#![no_main]

use libfuzzer_sys::fuzz_target;

thread_local! {
    static FTS: rusqlite::Connection = {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, text,
                 tokenize = 'unicode61 remove_diacritics 2');
             INSERT INTO t VALUES ('a', 'Harbour crane', 'The crane broke down in Iran-Russia talks, U.S. officials said.');
             INSERT INTO t VALUES ('b', 'Café society', 'Über alles: naïve résumé of the élite.');",
        )
        .unwrap();
        c
    };
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(Some(q)) = ibid_serve::search_to_fts(text) else {
        return;
    };
    FTS.with(|c| {
        let r: rusqlite::Result<i64> =
            c.query_row("SELECT count(*) FROM t WHERE t MATCH ?1", [&q], |r| r.get(0));
        assert!(r.is_ok(), "{text:?} -> {q:?}: {r:?}");
    });
});
