#!/usr/bin/env bash
# Load benchmark for `ibid serve`: a store holding all of AllSides, 32 concurrent clients on
# story pages, story lists and searches for 60 s, while a second ingest writes to the same
# store (Helsinki plus a perturbed copy of part of AllSides, under new ids). Loopback only,
# bounded in time. Prints the load generator's JSON and the ingest's outcome.
#
#   bash bench/serve/run.sh            # CLIENTS=32 DURATION=60 PERTURBED=8000 by default
#   SKIP_BUILD=1 bash bench/serve/run.sh   # reuse target/release/{ibid,examples/loadgen} as built
#   INGEST_NICE=0 bash bench/serve/run.sh  # run the concurrent ingest at the server's priority
#   WAIT_READY=0 bash bench/serve/run.sh   # start the clients before the server is warm
#   WARMUP=0 bash bench/serve/run.sh       # measure from the first request
#
# The clients first run WARMUP (20) seconds unmeasured, the ingest already writing: the
# server then meets each story and search word for the first time (1,000 stories and 2,500
# words, each built once), which is its cold start, not its steady state. That window's
# latencies are printed apart under "warmup", and errors count over the whole run.
#
# Every request's start time, kind and latency go to $WORK/trace.csv.
#
# The concurrent ingest runs as a background batch job (`nice -n 19`, INGEST_NICE) by default:
# that is how a bulk load next to a live server should be run, and the ingest is not slowed
# when the machine has spare CPU. Its time is reported either way.
#
# The base store is built once under target/bench-serve/ and copied for every run, so each run
# starts from the same state and the concurrent ingest always has new articles to write.
set -euo pipefail
cd "$(dirname "$0")/../.."

SHARED=${SHARED:-../shared}
WORK=${WORK:-target/bench-serve}
CLIENTS=${CLIENTS:-32}
DURATION=${DURATION:-60}
WARMUP=${WARMUP:-20}
PERTURBED=${PERTURBED:-8000}
ALLSIDES=$SHARED/data/allsides/articles.jsonl.gz
HELSINKI=$SHARED/data/helsinki/articles.jsonl
mkdir -p "$WORK"

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -q -p ibid
  cargo build --release -q -p ibid-serve --example loadgen
fi
IBID=${IBID:-target/release/ibid}
LOADGEN=${LOADGEN:-target/release/examples/loadgen}

if [ ! -f "$WORK/allsides.db" ]; then
  echo "== building the base store (all of AllSides)" >&2
  start=$(date +%s)
  "$IBID" --db "$WORK/allsides.db.partial" ingest "$ALLSIDES" >&2 || [ $? -eq 2 ]
  mv "$WORK/allsides.db.partial" "$WORK/allsides.db"
  echo "base store built in $(( $(date +%s) - start )) s" >&2
fi

if [ ! -f "$WORK/perturbed.jsonl" ]; then
  # New ids and a changed first sentence: new articles for the pipeline, not exact duplicates.
  python3 - "$ALLSIDES" "$PERTURBED" > "$WORK/perturbed.jsonl" <<'PY'
import gzip, json, sys
path, n = sys.argv[1], int(sys.argv[2])
with gzip.open(path, "rt", encoding="utf-8") as f:
    for i, line in enumerate(f):
        if i >= n:
            break
        r = json.loads(line)
        r["id"] = "bench-perturbed-" + str(r.get("id", i))
        r["text"] = "Updated: this report was revised. " + (r.get("text") or "")
        print(json.dumps(r))
PY
fi

rm -f "$WORK/run.db" "$WORK/run.db-wal" "$WORK/run.db-shm"
cp "$WORK/allsides.db" "$WORK/run.db"
if [ "${INDEXES:-1}" = 1 ]; then
  # The lookup indexes of store migrations 4 and 6 (same names), for base stores built before
  # them: without them every story page scans the whole quotes, mentions and alignments
  # tables (and `ibid serve` would build them itself while opening the store, before it
  # listens).
  python3 - "$WORK/run.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
CREATE INDEX IF NOT EXISTS quotes_by_article ON quotes(article);
CREATE INDEX IF NOT EXISTS mentions_by_article_entity ON mentions(article, entity);
DROP INDEX IF EXISTS mentions_by_article;
CREATE INDEX IF NOT EXISTS mentions_by_entity ON mentions(entity);
CREATE INDEX IF NOT EXISTS alignments_by_a ON alignments(a);
CREATE INDEX IF NOT EXISTS alignments_by_b ON alignments(b);
""")
c.close()
PY
fi
if [ "${OPTIMIZE:-1}" = 1 ]; then
  # What ibid-pipeline now does after an ingest that rewrote a large share of the store
  # (FTS5 `optimize`: one merged search b-tree), for base stores built before it did.
  python3 - "$WORK/run.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO articles_fts(articles_fts) VALUES('optimize')")
c.commit()
c.close()
PY
fi
"$IBID" --db "$WORK/run.db" status >&2

"$IBID" --db "$WORK/run.db" serve --addr 127.0.0.1:0 > "$WORK/serve.out" 2> "$WORK/serve.err" &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; [ -n "${INGEST:-}" ] && kill "$INGEST" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q http "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.out" | head -1)
if [ "${WAIT_READY:-1}" = 1 ]; then
  # Measure the server as it runs, not as it starts: wait until it has built its most wanted
  # pages (`/api/ready`, the readiness probe a load balancer would use). WAIT_READY=0 starts
  # the clients at once and so measures the cold start as well.
  python3 - "$URL" "${READY_TIMEOUT:-600}" >&2 <<'PY'
import sys, time, urllib.request, urllib.error
url, limit = sys.argv[1], float(sys.argv[2])
start = time.time()
while True:
    try:
        with urllib.request.urlopen(url + "/api/ready", timeout=10) as r:
            if r.status == 200:
                break
    except urllib.error.HTTPError as e:
        if e.code != 503:
            raise
    if time.time() - start > limit:
        sys.exit(f"server not ready after {limit:.0f} s")
    time.sleep(0.2)
print(f"server ready {time.time() - start:.1f} s after it started listening")
PY
fi
echo "== server at $URL; ingest and $CLIENTS clients for $WARMUP s of warm-up, then $DURATION s measured" >&2

(
  start=$(date +%s%N)
  code=0
  nice -n "${INGEST_NICE:-19}" "$IBID" --db "$WORK/run.db" ingest "$HELSINKI" "$WORK/perturbed.jsonl" > "$WORK/ingest.out" 2>&1 || code=$?
  echo "ingest exit=$code (0 ok, 2 = some records rejected) ms=$(( ($(date +%s%N) - start) / 1000000 ))" > "$WORK/ingest.result"
) &
INGEST=$!

uptime >&2
"$LOADGEN" "$URL" --clients "$CLIENTS" --warmup "$WARMUP" --seconds "$DURATION" --trace "$WORK/trace.csv" > "$WORK/load.json"
uptime >&2
cat "$WORK/load.json"

echo "== waiting for the concurrent ingest to finish" >&2
wait "$INGEST" || true
INGEST=
cat "$WORK/ingest.result"
tail -3 "$WORK/ingest.out"
"$IBID" --db "$WORK/run.db" status >&2
