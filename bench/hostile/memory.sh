#!/usr/bin/env bash
# Peak memory and time of `ibid ingest` on hostile single records (issue 22): a 50 MB text
# record, a record at the 8 MiB cap, a 100,000-line file at the cap, a 250 MB WARC record
# (plain and gzipped), and a 4 KB gzip of 2,000,000 bad lines. Inputs are generated (made-up
# words), nothing from ../shared.
#
# Usage: bash bench/hostile/memory.sh [IBID_BINARY]   (default: target/release/ibid)
set -euo pipefail
cd "$(dirname "$0")/../.."
IBID=${1:-target/release/ibid}
[ -x "$IBID" ] || cargo build --release -p ibid
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$WORK" <<'PY'
import gzip, random, sys
d = sys.argv[1]
random.seed(22)
words = ["harbour", "council", "ferry", "budget", "strike", "crane", "school", "bridge",
         "vote", "market", "storm", "museum", "rail", "clinic", "festival", "court", "the",
         "a", "of", "and", "to", "in"]
def prose(n, line_words=80):
    out, size = [], 0
    while size < n:
        p = " ".join(random.choice(words) for _ in range(line_words)) + ".\n\n"
        out.append(p); size += len(p)
    return "".join(out)[:n]
open(f"{d}/big50.txt", "w").write(prose(50_000_000))
open(f"{d}/cap8.txt", "w").write(prose(8_000_000))
with open(f"{d}/lines8.txt", "w") as f:
    for i in range(100_000):
        f.write(" ".join(random.choice(words) for _ in range(12))[:79] + "\n")
page = ("<html><body><article>" + "<p>" + prose(250_000_000, 40).replace("\n\n", "</p><p>")
        + "</p></article></body></html>").encode()
http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page) + page
rec = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://big.example/\r\n"
       b"Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % len(http)
       + http + b"\r\n\r\n")
open(f"{d}/big250.warc", "wb").write(rec)
with gzip.open(f"{d}/big250.warc.gz", "wb", compresslevel=1) as f:
    f.write(rec)
with gzip.open(f"{d}/bad2m.jsonl.gz", "wb", compresslevel=9) as f:
    f.write(b"{not json\n" * 2_000_000)
PY

measure() {
  local name=$1; shift
  rm -f "$WORK"/s.db*
  /usr/bin/time -f "%e %M" -o "$WORK/t" "$IBID" --db "$WORK/s.db" ingest "$@" >/dev/null 2>&1 || true
  read -r secs kb < <(tail -1 "$WORK/t")
  local size
  size=$(du -cb "$WORK"/s.db* 2>/dev/null | tail -1 | cut -f1)
  printf "%-34s %8.2f s %8.0f MB peak RSS %8.1f MB store\n" "$name" "$secs" "$((kb / 1024))" "$(echo "$size / 1048576" | bc -l)"
}

echo "ibid: $IBID ($(git rev-parse --short HEAD)); $(nproc) cores; load $(cut -d' ' -f1 /proc/loadavg)"
measure "50 MB text record" "$WORK/big50.txt"
measure "8 MB text record (at the cap)" "$WORK/cap8.txt"
measure "100,000-line file (8 MB)" "$WORK/lines8.txt"
measure "250 MB WARC record" "$WORK/big250.warc"
measure "250 MB WARC record, gzipped" "$WORK/big250.warc.gz"
measure "2,000,000 bad lines (gzip)" "$WORK/bad2m.jsonl.gz"
