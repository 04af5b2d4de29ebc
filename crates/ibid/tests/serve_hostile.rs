//! `ibid serve` against hostile clients (issue 22): idle and half-open connections are closed
//! after the header timeout, SIGTERM stops the server while they are open, and costly or
//! malformed searches get a clear 422 at once instead of minutes of work or a 500.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Kills the server when a test ends, however it ends.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn demo_store(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("s.db");
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/corpus");
    ibid_ok(&db, &["ingest", corpus], 0);
    db
}

fn start(db: &Path, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ibid"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(extra)
        .env_remove("IBID_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ibid serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .trim_end_matches('/')
        .to_string();
    Server { child, addr }
}

/// One GET over a fresh connection: status and body.
fn get(addr: &str, path_and_query: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let mut res = agent
        .get(&format!("http://{addr}{path_and_query}"))
        .call()
        .unwrap();
    let status = res.status().as_u16();
    (status, res.body_mut().read_to_string().unwrap_or_default())
}

/// Whether the server has closed `s` (a read sees the end of the stream).
fn closed_by_server(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 64];
    matches!(s.read(&mut buf), Ok(0))
        || matches!(s.read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset)
}

#[test]
fn idle_and_half_open_connections_are_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let server = start(&db, &["--header-timeout", "1"]);
    let mut idle: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    // Half a request line, then nothing: a slow client, or one that went away.
    for s in idle.iter_mut().take(100) {
        s.write_all(b"GET /api/status HT").unwrap();
    }
    std::thread::sleep(Duration::from_secs(4));
    let still_open = idle.iter_mut().map(closed_by_server).filter(|c| !c).count();
    assert_eq!(still_open, 0, "connections held past the header timeout");
    // The server still answers.
    assert_eq!(get(&server.addr, "/api/status").0, 200);
}

#[test]
fn sigterm_stops_the_server_while_idle_and_half_sent_connections_are_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut server = start(&db, &[]);
    let _idle: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(&server.addr).unwrap())
        .collect();
    // Requests begun and never finished: not idle, so a graceful shutdown without a limit
    // waits for them for ever.
    let _half: Vec<TcpStream> = (0..100)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET /api/status HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s
        })
        .collect();
    // A keep-alive connection that has had its answer and stays open.
    let mut kept = TcpStream::connect(&server.addr).unwrap();
    kept.write_all(b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 12];
    kept.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    let pid = server.child.id().to_string();
    let sent = Instant::now();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn costly_and_oversized_searches_get_a_clear_422_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let server = start(&db, &[]);
    let letters: Vec<String> = (0..7000)
        .map(|i| format!("{}*", (b'a' + (i % 26) as u8) as char))
        .collect();
    let huge = letters.join("+");
    let started = Instant::now();
    let (status, body) = get(&server.addr, &format!("/api/search?q={huge}"));
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("characters long"), "{body}");
    let (status, body) = get(&server.addr, &format!("/search?q={huge}"));
    assert_eq!(status, 422, "{body}");
    let (status, body) = get(&server.addr, "/api/search?q=e*+s*+z*");
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("too short"), "{body}");
    let nots: String = (0..300).map(|i| format!("+NOT+w{i}")).collect();
    let (status, body) = get(&server.addr, &format!("/api/search?q=harbour{nots}"));
    assert_eq!(status, 422, "300 NOT terms: {body}");
    let nots: String = (0..30).map(|i| format!("+NOT+w{i}")).collect();
    let (status, body) = get(&server.addr, &format!("/api/search?q=harbour{nots}"));
    assert_eq!(status, 422, "30 NOT terms: {body}");
    assert!(body.contains("31 terms"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Within the caps, searches work as before.
    let (status, body) = get(&server.addr, "/api/search?q=harb*+crane+OR+strike");
    assert_eq!(status, 200, "{body}");
}
