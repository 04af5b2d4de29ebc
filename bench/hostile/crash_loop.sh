#!/usr/bin/env bash
# The crash loop (issue 22): `ibid ingest` (reading, then every processing stage) killed with
# SIGKILL N times at seeded random moments on the same store; after every kill the store must
# pass SQLite's integrity check, and once a run completes, every export must be byte-identical
# to that of a store built without interruption.
#
# Usage: [ALLSIDES=3000] bash bench/hostile/crash_loop.sh [KILLS=53] [IBID_BINARY]
# Input: Helsinki plus the first ALLSIDES AllSides articles from ../shared/data (skips without).
set -euo pipefail
cd "$(dirname "$0")/../.."
KILLS=${1:-53}
IBID=${2:-target/release/ibid}
DATA=../shared/data
[ -f "$DATA/helsinki/articles.jsonl" ] || { echo "skipping: $DATA not found"; exit 0; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp "$DATA/helsinki/articles.jsonl" "$WORK/helsinki.jsonl"
# (head closes the pipe early: gzip dies of SIGPIPE, which pipefail would take for a failure)
(gzip -dc "$DATA/allsides/articles.jsonl.gz" || true) | head -"${ALLSIDES:-3000}" > "$WORK/allsides3k.jsonl"
IN=("$WORK/helsinki.jsonl" "$WORK/allsides3k.jsonl")

start=$(date +%s.%N)
"$IBID" --db "$WORK/ref.db" ingest "${IN[@]}" >/dev/null
full=$(echo "$(date +%s.%N) - $start" | bc)
echo "uninterrupted ingest: ${full} s"

exports_equal() {
  local kind a b
  for kind in articles stories alignments quotes entities; do
    a=$("$IBID" --db "$WORK/s.db" export "$kind" | sha256sum | cut -c1-16)
    b=$("$IBID" --db "$WORK/ref.db" export "$kind" | sha256sum | cut -c1-16)
    [ "$a" = "$b" ] || { echo "$kind: DIFFERS ($a vs $b)"; return 1; }
  done
}

# KILLS kills of a running ibid. A run that completes before its moment (after a few kills
# little work is left) is checked like the end (exports equal to the uninterrupted run's),
# and the next run starts from an empty store, so that kills keep landing mid-run.
RANDOM=22
mid=0
completed=0
tries=0
while [ "$mid" -lt "$KILLS" ] && [ "$tries" -lt $((KILLS * 4)) ]; do
  tries=$((tries + 1))
  # A moment anywhere in a full run (reading, cleaning, dedup, stories, text stage).
  # (the remainder in bash: bc's % at scale 3 gives 0)
  r=$((RANDOM % 1000))
  delay=$(echo "scale=3; $full * $r / 1000" | bc)
  "$IBID" --db "$WORK/s.db" ingest "${IN[@]}" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2>/dev/null; then
    mid=$((mid + 1))
    wait "$pid" 2>/dev/null || true
  else
    wait "$pid" || { echo "run $tries failed on its own"; exit 1; }
    exports_equal || { echo "run $tries completed after $mid kills with other exports"; exit 1; }
    completed=$((completed + 1))
    rm -f "$WORK"/s.db*
  fi
  verdict=$(sqlite3 "$WORK/s.db" "PRAGMA integrity_check" 2>&1 || true)
  [ "$verdict" = ok ] || [ ! -f "$WORK/s.db" ] || { echo "kill $mid at ${delay}s: integrity: $verdict"; exit 1; }
done
echo "$mid kills of a running ibid in $tries runs; integrity ok after each"
echo "$completed runs completed before their kill moment, each with exports equal to the uninterrupted run's"
"$IBID" --db "$WORK/s.db" ingest "${IN[@]}" >/dev/null
exports_equal && echo "after the last kill: all five exports identical to the uninterrupted run"
