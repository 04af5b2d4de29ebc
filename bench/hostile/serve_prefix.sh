#!/usr/bin/env bash
# `ibid serve` under costly searches (issue 22): ANDed one-letter prefix terms (N = 10, 50,
# 200, 7,000; two N = 7,000 requests at once), the costliest search the caps allow, and 300
# NOT terms; then whether the server still answers. Prints each request's status and time,
# and the server's peak RSS (VmHWM).
#
# Usage: bash bench/hostile/serve_prefix.sh STORE.db [IBID_BINARY]
# (a store with articles; the AllSides one: `ibid --db /tmp/allsides.db ingest
# ../shared/data/allsides/articles.jsonl.gz`)
set -euo pipefail
cd "$(dirname "$0")/../.."
DB=$1
IBID=${2:-target/release/ibid}
OUT=$(mktemp)
"$IBID" --db "$DB" serve --addr 127.0.0.1:0 >"$OUT" 2>/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -f "$OUT"' EXIT
for _ in $(seq 600); do grep -q http "$OUT" && break; sleep 0.1; done
BASE=$(grep -o 'http://[0-9.:]*' "$OUT" | head -1)
# Wait for the warmer's first pass, so its work is not counted against the searches.
for _ in $(seq 600); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/ready")" = 200 ] && break
  sleep 0.5
done

python3 - "$BASE" "$PID" <<'PY'
import concurrent.futures, string, sys, time, urllib.error, urllib.parse, urllib.request
base, pid = sys.argv[1], sys.argv[2]
letters = string.ascii_lowercase
def hwm():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(("VmHWM", "VmRSS")):
            yield line.split()[0].rstrip(":"), int(line.split()[1]) // 1024
def get(label, q):
    url = f"{base}/api/search?q=" + urllib.parse.quote(q)
    t = time.time()
    try:
        with urllib.request.urlopen(url, timeout=600) as r:
            status, body = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    msg = body.decode(errors="replace")
    msg = msg[msg.find('"message"'):][:90] if status != 200 else f"{len(body)} bytes"
    print(f"{label:<44} {status} {time.time() - t:8.3f} s  {msg}", flush=True)
prefixes = lambda n: " ".join(letters[i % 26] + "*" for i in range(n))
for n in (10, 50, 200, 7000):
    get(f"{n} one-letter prefixes", prefixes(n))
with concurrent.futures.ThreadPoolExecutor(2) as pool:
    list(pool.map(lambda i: get(f"7,000 one-letter prefixes (2 at once, #{i})", prefixes(7000)), (1, 2)))
worst = "th* an* co* re* " + " ".join(["the", "of", "and", "to", "in", "a", "said", "for", "on", "that"] * 2)
get("4 two-letter prefixes + 20 common words", worst)
get("4 two-letter prefixes, OR", "th* OR an* OR co* OR re*")
get("300 NOT terms", "harbour " + " ".join(f"NOT w{i}" for i in range(300)))
get("one ordinary word (still answers)", "president")
print("server", ", ".join(f"{k} {v} MB" for k, v in hwm()))
PY
