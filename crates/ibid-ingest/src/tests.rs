use super::*;
use proptest::prelude::*;
use std::io::Write;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn split(items: Vec<Item>) -> (Vec<Record>, Vec<Rejection>) {
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for i in items {
        match i {
            Item::Article(r) => good.push(r),
            Item::Rejected(r) => bad.push(r),
        }
    }
    (good, bad)
}

#[test]
fn text_file_id_is_its_stem_and_text_is_verbatim() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "007_story.txt",
        "\u{feff}Line one\r\n\u{a0}Line two".as_bytes(),
    );
    let (good, bad) = split(read_all(&[p], &ReadOptions::default()));
    assert!(bad.is_empty());
    assert_eq!(good[0].article.id, "007_story");
    // The BOM is an encoding marker, not text; everything else is kept byte for byte.
    assert_eq!(good[0].article.text, "Line one\r\n\u{a0}Line two");
}

#[test]
fn folders_are_walked_recursively_in_name_order_skipping_hidden() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    write(dir.path(), "b.txt", b"B text");
    write(&dir.path().join("sub"), "a.txt", b"A text");
    write(dir.path(), ".hidden.txt", b"hidden");
    let (good, bad) = split(read_all(
        &[dir.path().to_path_buf()],
        &ReadOptions::default(),
    ));
    assert!(bad.is_empty());
    let ids: Vec<_> = good.iter().map(|r| r.article.id.as_str()).collect();
    assert_eq!(ids, vec!["b", "a"]);
}

#[test]
fn jsonl_bad_lines_are_rejected_with_line_numbers_and_the_rest_kept() {
    let dir = tempfile::tempdir().unwrap();
    let body = b"{\"id\":\"a\",\"text\":\"one\"}\n\n{broken\n{\"id\":\"c\",\"text\":\"caf\xe9\"}\n{\"id\":\"d\",\"text\":\"four\"}\n";
    let p = write(dir.path(), "x.jsonl", body);
    let (good, bad) = split(read_all(&[p], &ReadOptions::default()));
    let ids: Vec<_> = good.iter().map(|r| r.article.id.as_str()).collect();
    assert_eq!(ids, vec!["a", "d"]);
    assert_eq!(good[1].location.record, Some(5));
    let where_why: Vec<_> = bad
        .iter()
        .map(|r| {
            (
                r.location.record,
                r.reason.split(':').next().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        where_why,
        vec![
            (Some(3), "broken JSON".to_string()),
            (
                Some(4),
                "invalid UTF-8 at byte 21 of the line; convert the file to UTF-8".to_string()
            )
        ]
    );
    assert_eq!(bad[0].raw, b"{broken");
}

#[test]
fn gzip_jsonl_reads_and_truncation_keeps_earlier_lines() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = Vec::new();
    for i in 0..2000 {
        body.extend_from_slice(format!("{{\"id\":\"{i}\",\"text\":\"article number {i} with some words to make it compress less {}\"}}\n", i * 7919).as_bytes());
    }
    let gz = gzip(&body);
    let whole = write(dir.path(), "all.jsonl.gz", &gz);
    let (good, bad) = split(read_all(&[whole], &ReadOptions::default()));
    assert_eq!(good.len(), 2000);
    assert!(bad.is_empty());

    let cut = write(dir.path(), "cut.jsonl.gz", &gz[..gz.len() / 2]);
    let (good, bad) = split(read_all(&[cut], &ReadOptions::default()));
    assert!(good.len() > 100 && good.len() < 2000, "{}", good.len());
    assert_eq!(bad.len(), 1);
    assert!(
        bad[0].reason.contains("truncated or corrupt gzip"),
        "{}",
        bad[0].reason
    );
    // The rejection points at the line after the last good one.
    assert_eq!(bad[0].location.record, Some(good.len() as u64 + 1));
}

#[test]
fn binary_empty_unreadable_and_html_are_rejected_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let bin = write(
        dir.path(),
        "photo.txt",
        &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 1, 2],
    );
    let empty = write(dir.path(), "empty.txt", b"");
    let blank = write(dir.path(), "blank.jsonl", b"\n  \n");
    let html = write(
        dir.path(),
        "page.html",
        b"<html><head><title>t</title></head><body></body></html>",
    );
    let dangling = dir.path().join("gone.txt");
    std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
    let bad_utf8 = write(dir.path(), "latin1.txt", b"caf\xe9 au lait");
    let (good, bad) = split(read_all(
        &[bin, empty, blank, html, dangling, bad_utf8],
        &ReadOptions::default(),
    ));
    assert!(good.is_empty());
    let reasons: Vec<_> = bad.iter().map(|r| r.reason.as_str()).collect();
    assert!(reasons[0].starts_with("cannot open"), "{reasons:?}"); // discovery comes first
    assert!(reasons[1].contains("binary"), "{reasons:?}");
    assert!(reasons[2].contains("empty"), "{reasons:?}");
    assert!(reasons[3].contains("empty"), "{reasons:?}");
    assert!(reasons[4].contains("HTML"), "{reasons:?}");
    assert!(
        reasons[5].contains("invalid UTF-8 at byte 3"),
        "{reasons:?}"
    );
}

#[test]
fn pending_pieces_resolved_out_of_order_give_what_read_input_gives() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = write(
        dir.path(),
        "mixed.jsonl",
        b"{\"id\":\"a\",\"text\":\"one two\"}\nnot json\n{\"id\":\"c\",\"text\":\"three\"}\n",
    );
    let text = write(dir.path(), "plain.txt", b"A plain article.");
    let html = write(
        dir.path(),
        "page.html",
        b"<html><head><title>T</title></head><body><article><p>Body text of a page, long \
          enough to be kept by the extractor as the main text.</p></article></body></html>",
    );
    for path in [jsonl, text, html] {
        let input = Input { path: Some(path) };
        let mut direct = Vec::new();
        read_input(
            &input,
            &ReadOptions::default(),
            &AtomicU64::new(0),
            &mut |i| {
                direct.push(i);
                Ok(())
            },
        )
        .unwrap();
        let mut pending = Vec::new();
        read_input_pending(
            &input,
            &ReadOptions::default(),
            &AtomicU64::new(0),
            &mut |p| {
                pending.push(p);
                Ok(())
            },
        )
        .unwrap();
        let locations: Vec<Location> = pending.iter().map(|p| p.location().clone()).collect();
        // Resolve last to first, as a thread pool may.
        let mut resolved: Vec<Item> = pending.into_iter().rev().map(Pending::resolve).collect();
        resolved.reverse();
        assert_eq!(resolved, direct);
        let direct_locations: Vec<Location> = direct
            .iter()
            .map(|i| match i {
                Item::Article(r) => r.location.clone(),
                Item::Rejected(r) => r.location.clone(),
            })
            .collect();
        assert_eq!(locations, direct_locations);
    }
}

#[test]
fn oversized_records_are_rejected_not_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let big = write(dir.path(), "big.txt", &vec![b'a'; 5000]);
    let opts = ReadOptions {
        max_record_bytes: 1000,
        keep_raw_bytes: 100,
        ..ReadOptions::default()
    };
    let (good, bad) = split(read_all(&[big], &opts));
    assert!(good.is_empty());
    assert!(bad[0].reason.contains("too large"));
    assert_eq!(bad[0].raw.len(), 100);
}

proptest! {
    /// Whatever the bytes, reading never panics, and every non-blank JSONL line gives exactly
    /// one item (an article or a rejection): nothing is dropped silently.
    #[test]
    fn every_nonblank_line_is_accounted_for(lines in proptest::collection::vec(
        proptest::prop_oneof![
            proptest::string::string_regex(r#"\{"id":"[a-z]{1,3}","text":"[a-z ]{1,10}"\}"#).unwrap().prop_map(String::into_bytes),
            proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ], 1..20)) {
        let mut body = b"{\"id\":\"first\",\"text\":\"x\"}\n".to_vec();
        let mut expected = 1;
        for l in &lines {
            let l: Vec<u8> = l.iter().copied().filter(|&b| b != b'\n').collect();
            if !l.iter().all(u8::is_ascii_whitespace) { expected += 1; }
            body.extend_from_slice(&l);
            body.push(b'\n');
        }
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "p.jsonl", &body);
        let items = read_all(&[p], &ReadOptions::default());
        prop_assert_eq!(items.len(), expected);
    }
}

#[cfg(feature = "html")]
mod html_inputs {
    use super::*;

    const PAGE: &str = "<!doctype html><html><head><title>Harbour crane | Calder Post</title>\
        <meta property=\"og:title\" content=\"Harbour crane starts work\">\
        <meta property=\"og:site_name\" content=\"Calder Post\">\
        <meta property=\"article:published_time\" content=\"2025-06-20T08:30:00+01:00\"></head>\
        <body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav><article><h1>Harbour crane starts work</h1>\
        <p>The harbour authority said on Friday that its new container crane, the largest on the coast, would begin work in September after a year of delays.</p>\
        <p>Officials expect the crane to double the number of ships the port can serve each week, and the harbour master called it the future of the port.</p>\
        </article><footer>Copyright Calder Post</footer></body></html>";

    fn warc_record(url: &str, html: &str) -> Vec<u8> {
        let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n{html}", html.len());
        format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2025-06-21T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n{http}\r\n\r\n",
            http.len()
        )
        .into_bytes()
    }

    #[test]
    fn html_page_becomes_an_article_with_metadata_and_raw_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "crane.html", PAGE.as_bytes());
        let (good, bad) = split(read_all(&[p], &ReadOptions::default()));
        assert!(bad.is_empty(), "{bad:?}");
        let a = &good[0].article;
        assert_eq!(a.id, "crane");
        assert!(a.text.contains("largest on the coast"), "{}", a.text);
        assert!(!a.text.contains("Home"), "navigation leaked: {}", a.text);
        assert_eq!(a.outlet.as_deref(), Some("Calder Post"));
        assert_eq!(a.published.as_deref(), Some("2025-06-20T08:30:00+01:00"));
        assert_eq!(good[0].raw.as_deref(), Some(PAGE.as_bytes()));
    }

    #[test]
    fn an_oversized_warc_record_is_skipped_and_the_next_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let big = format!("<html><body><p>{}</p></body></html>", "x".repeat(50_000));
        let opts = ReadOptions {
            max_record_bytes: 10_000,
            keep_raw_bytes: 100,
            ..ReadOptions::default()
        };
        let records = [
            warc_record("http://calder.example/a", PAGE),
            warc_record("http://calder.example/big", &big),
            warc_record("http://calder.example/b", PAGE),
        ];
        let plain = write(dir.path(), "crawl.warc", &records.concat());
        let gz: Vec<u8> = records.iter().flat_map(|r| gzip(r)).collect();
        let gzipped = write(dir.path(), "crawl.warc.gz", &gz);
        for p in [plain, gzipped] {
            let (good, bad) = split(read_all(std::slice::from_ref(&p), &opts));
            let ids: Vec<_> = good.iter().map(|r| r.article.id.as_str()).collect();
            assert_eq!(
                ids,
                ["http://calder.example/a", "http://calder.example/b"],
                "{p:?}"
            );
            assert_eq!(bad.len(), 1, "{p:?}: {bad:?}");
            assert_eq!(bad[0].location.record, Some(2));
            assert!(
                bad[0].reason.contains("over the 10000-byte limit"),
                "{}",
                bad[0].reason
            );
            assert_eq!(bad[0].raw.len(), 100);
        }
    }

    #[test]
    fn a_deeply_nested_page_is_rejected_at_once_and_the_next_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let deep = format!(
            "<!doctype html><html><body>{}<p>x</p>{}</body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        let a = write(dir.path(), "a-deep.html", deep.as_bytes());
        let b = write(dir.path(), "b-fine.html", PAGE.as_bytes());
        let started = std::time::Instant::now();
        let (good, bad) = split(read_all(&[a, b], &ReadOptions::default()));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].article.id, "b-fine");
        assert!(
            bad[0].reason.contains("nested more than 512 deep"),
            "{}",
            bad[0].reason
        );
        assert_eq!(bad[0].raw_len, deep.len() as u64);
    }

    #[test]
    fn a_page_past_its_budget_is_rejected_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        // Long enough that its extraction cannot finish within a nanosecond.
        let page = PAGE.replace(
            "</article>",
            &"<p>One more paragraph of the council's long report on the harbour.</p>".repeat(3000),
        );
        let p = write(dir.path(), "slow.html", page.as_bytes());
        let opts = ReadOptions {
            page_budget: std::time::Duration::from_nanos(1),
            ..ReadOptions::default()
        };
        let (good, bad) = split(read_all(&[p], &opts));
        assert!(good.is_empty());
        assert!(
            bad[0].reason.contains("longer than its budget"),
            "{}",
            bad[0].reason
        );
    }

    #[test]
    fn warc_records_become_articles_and_a_truncated_one_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = warc_record("http://calder.example/crane", PAGE);
        body.extend(warc_record(
            "http://calder.example/crane-2",
            &PAGE.replace("Friday", "Monday"),
        ));
        let cut = warc_record("http://calder.example/cut", PAGE);
        body.extend_from_slice(&cut[..cut.len() / 2]);
        let p = write(dir.path(), "crawl.warc", &body);
        let (good, bad) = split(read_all(&[p], &ReadOptions::default()));
        let ids: Vec<_> = good.iter().map(|r| r.article.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "http://calder.example/crane",
                "http://calder.example/crane-2"
            ]
        );
        assert_eq!(good[0].fetched.as_deref(), Some("2025-06-21T10:00:00Z"));
        assert_eq!(good[1].location.record, Some(2));
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert!(bad[0].reason.contains("WARC"), "{}", bad[0].reason);

        // Gzipped per record, the same.
        let mut gz = Vec::new();
        gz.extend(gzip(&warc_record("http://calder.example/a", PAGE)));
        gz.extend(gzip(&warc_record("http://calder.example/b", PAGE)));
        let p = write(dir.path(), "crawl.warc.gz", &gz);
        let (good, bad) = split(read_all(&[p], &ReadOptions::default()));
        assert_eq!(good.len(), 2);
        assert!(bad.is_empty(), "{bad:?}");
    }
}

/// Hostile and awkward inputs found by the adversarial probe of issue 22.
mod hostile {
    use super::*;

    /// `read_all` on another thread, failing the test (instead of hanging it) past `secs`.
    fn read_all_within(paths: Vec<PathBuf>, opts: ReadOptions, secs: u64) -> Vec<Item> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(read_all(&paths, &opts));
        });
        rx.recv_timeout(std::time::Duration::from_secs(secs))
            .expect("reading did not end in time")
    }

    #[test]
    fn a_fifo_in_an_input_folder_is_rejected_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"Before the pipe.");
        let fifo = dir.path().join("b.pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        write(dir.path(), "c.txt", b"After the pipe.");
        let (good, bad) = split(read_all_within(
            vec![dir.path().to_path_buf()],
            ReadOptions::default(),
            10,
        ));
        let ids: Vec<_> = good.iter().map(|r| r.article.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "c"]);
        assert_eq!(bad.len(), 1);
        assert!(bad[0].location.source.ends_with("b.pipe"));
        assert_eq!(bad[0].reason, "not a regular file (a FIFO)");
    }

    #[test]
    fn a_long_white_space_lead_does_not_make_a_file_empty() {
        let dir = tempfile::tempdir().unwrap();
        let lead = " \n".repeat(10_000); // 20 KB, 10,000 lines
        let record = "{\"id\":\"late\",\"text\":\"Still here.\"}\n";
        let jsonl = write(dir.path(), "a.jsonl", format!("{lead}{record}").as_bytes());
        let text = write(
            dir.path(),
            "t.txt",
            format!("{lead}Text after space.").as_bytes(),
        );
        let newlines = "\n".repeat(300_000);
        let gz = write(
            dir.path(),
            "g.jsonl.gz",
            &gzip(format!("{newlines}{record}").as_bytes()),
        );
        let (good, bad) = split(read_all(&[jsonl, text, gz], &ReadOptions::default()));
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(good.len(), 3);
        assert_eq!(good[0].article.id, "late");
        assert_eq!(good[0].location.record, Some(10_001));
        // Text files are verbatim: the lead belongs to the text.
        assert_eq!(good[1].article.text, format!("{lead}Text after space."));
        assert_eq!(good[2].location.record, Some(300_001));
    }

    #[test]
    fn a_lead_longer_than_a_record_still_counts_lines() {
        let dir = tempfile::tempdir().unwrap();
        let opts = ReadOptions {
            max_record_bytes: 1000,
            keep_raw_bytes: 100,
            ..ReadOptions::default()
        };
        let body = format!("{}{{\"id\":\"x\",\"text\":\"y\"}}\n", "\n".repeat(5000));
        let p = write(dir.path(), "a.jsonl", body.as_bytes());
        let t = write(
            dir.path(),
            "t.txt",
            format!("{}word", " ".repeat(5000)).as_bytes(),
        );
        let (good, bad) = split(read_all(&[p, t], &opts));
        assert_eq!(good.len(), 1);
        assert_eq!(good[0].location.record, Some(5001));
        assert!(bad[0].reason.contains("too large"), "{}", bad[0].reason);
        assert_eq!(bad[0].raw_len, 5004, "the full length is reported");
    }

    #[test]
    fn white_space_only_files_are_empty_with_their_length() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "blank.txt", " \n".repeat(9000).as_bytes());
        let (_, bad) = split(read_all(&[p], &ReadOptions::default()));
        assert!(bad[0].reason.starts_with("empty file"), "{}", bad[0].reason);
        assert_eq!(bad[0].raw_len, 18_000);
    }

    #[test]
    fn a_byte_order_mark_does_not_cost_the_first_jsonl_record() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "bom.jsonl",
            "\u{feff}{\"id\":\"one\",\"text\":\"First.\"}\n{\"id\":\"two\",\"text\":\"Second.\"}\n"
                .as_bytes(),
        );
        let (good, bad) = split(read_all(&[p], &ReadOptions::default()));
        assert!(bad.is_empty(), "{bad:?}");
        let ids: Vec<_> = good.iter().map(|r| r.article.id.as_str()).collect();
        assert_eq!(ids, vec!["one", "two"]);
    }

    #[test]
    fn idless_records_of_same_named_files_in_two_folders_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        for day in ["day1", "day2"] {
            std::fs::create_dir(dir.path().join(day)).unwrap();
            write(
                &dir.path().join(day),
                "articles.jsonl",
                format!("{{\"text\":\"The {day} report.\"}}\n").as_bytes(),
            );
        }
        let (good, _) = split(read_all(
            &[dir.path().to_path_buf()],
            &ReadOptions::default(),
        ));
        assert_eq!(good.len(), 2);
        assert_ne!(good[0].article.id, good[1].article.id);
        assert!(good[0].article.id.starts_with("articles:"));
        // Reading again gives the same ids: re-ingest stays idempotent.
        let (again, _) = split(read_all(
            &[dir.path().to_path_buf()],
            &ReadOptions::default(),
        ));
        assert_eq!(again[0].article.id, good[0].article.id);
    }

    /// Found by the `ingest_reader` fuzz target: a gzip stream of binary data inside a `.txt`
    /// was rejected with its first bytes kept and a length of 0.
    #[test]
    fn unreadable_inputs_state_their_full_length() {
        let crash: &[u8] = &[
            0x1f, 0x8b, 0x08, 0x00, 0xa1, 0x06, 0x69, 0x64, 0x02, 0xff, 0xab, 0x56, 0xca, 0x4c,
            0x51, 0xb2, 0x52, 0x4a, 0x51, 0xd2, 0x51, 0x2a, 0xcc, 0xff, 0xff, 0x49, 0xff, 0xab,
            0x32, 0x0b, 0x0a, 0x52, 0x53, 0x94, 0x6a, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x01, 0xf2, 0x7c, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d,
            0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0x1d,
            0x1d, 0x1d, 0x1d, 0x1d, 0x1d, 0xa0, 0x38, 0x00, 0x82, 0x88, 0x93, 0xf4, 0x33, 0x00,
            0x00, 0x00,
        ];
        let dir = tempfile::tempdir().unwrap();
        let found = write(dir.path(), "in.txt", crash);
        let binary = vec![0u8; 100_000];
        let zipped = write(dir.path(), "z.txt", &gzip(&binary));
        let plain = write(dir.path(), "p.txt", &binary);
        let opts = ReadOptions {
            keep_raw_bytes: 256,
            ..ReadOptions::default()
        };
        let (_, bad) = split(read_all(&[found, zipped, plain], &opts));
        assert_eq!(bad.len(), 3, "{bad:?}");
        for r in &bad {
            assert!(r.raw.len() as u64 <= r.raw_len, "{r:?}");
        }
        assert_eq!(bad[1].raw_len, 100_000, "{}", bad[1].reason);
        assert_eq!(bad[2].raw_len, 100_000, "{}", bad[2].reason);
    }

    /// Found by the `ingest_reader` fuzz target: a text file holding only a byte-order mark
    /// became an article with empty text.
    #[test]
    fn a_byte_order_mark_alone_is_an_empty_file() {
        let dir = tempfile::tempdir().unwrap();
        let bom = write(dir.path(), "b.txt", b"\xef\xbb\xbf");
        let spaced = write(dir.path(), "s.txt", b"\xef\xbb\xbf \n\t\n");
        let found = write(dir.path(), "in.jsonl.gz", b"\xef\xbb\xbf");
        let (good, bad) = split(read_all(&[bom, spaced, found], &ReadOptions::default()));
        assert!(good.is_empty(), "{good:?}");
        assert_eq!(bad.len(), 3);
        for r in &bad {
            assert!(r.reason.starts_with("empty file"), "{}", r.reason);
        }
        assert_eq!(bad[1].raw_len, 7);
    }

    #[test]
    fn a_cut_line_reports_its_full_length() {
        let dir = tempfile::tempdir().unwrap();
        let opts = ReadOptions {
            max_record_bytes: 100,
            keep_raw_bytes: 10,
            ..ReadOptions::default()
        };
        let long = format!("{{\"text\":\"{}\"}}\n", "a".repeat(5000));
        let p = write(dir.path(), "l.jsonl", long.as_bytes());
        let (_, bad) = split(read_all(&[p], &opts));
        assert_eq!(bad[0].raw_len, long.len() as u64 - 1);
        assert_eq!(bad[0].raw.len(), 10);
        assert!(bad[0].reason.contains("5011 bytes"), "{}", bad[0].reason);
    }

    #[test]
    fn unusable_values_become_warnings_on_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "w.jsonl",
            b"{\"id\":[1,2],\"text\":\"Body.\",\"title\":{\"x\":1}}\n",
        );
        let (good, _) = split(read_all(&[p], &ReadOptions::default()));
        let fields: Vec<_> = good[0].warnings.iter().map(|w| w.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "id"]);
        assert_eq!(good[0].warnings[1].value, "[1,2]");
    }
}
