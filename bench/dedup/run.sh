#!/usr/bin/env bash
# Dedup peer benchmark: ibid vs datasketch vs rensa on the allsides corpus (1x) and its
# perturbed 4x version, scored against the exact pair reference. Prints a markdown table.
#
#   bench/dedup/run.sh            # everything (the reference on 4x takes a few minutes)
#   SKIP_4X=1 bench/dedup/run.sh  # 1x only
#   IBID_RUNS=5 (default)          # ibid runs per corpus; the report takes the median
#   PEERS="rensa" bench/dedup/run.sh  # peers to run (default: rensa datasketch; "" for none)
#
# Env: DATA (input .jsonl.gz), WORK (scratch dir), VENV (python venv), IBID (command that is
# given INPUT OUT; default: `target/release/ibid dedup INPUT --out OUT --pairs OUT.pairs.jsonl`).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/allsides/articles.jsonl.gz}"
WORK="${WORK:-$ROOT/target/bench-dedup}"
VENV="${VENV:-/tmp/ibid-dedup-venv}"
mkdir -p "$WORK"
export PYTHONHASHSEED=0

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q datasketch rensa numpy
PY="$VENV/bin/python"

(cd "$ROOT" && cargo build --release -q -p ibid)
ibid_cmd() { # INPUT OUT
  if [ -n "${IBID:-}" ]; then
    $IBID "$1" "$2"
  else
    "$ROOT/target/release/ibid" dedup "$1" --out "$2" --pairs "$2.pairs.jsonl"
  fi
}
export -f ibid_cmd
export ROOT IBID

CORPORA=("1x:$DATA")
if [ -z "${SKIP_4X:-}" ]; then
  if [ ! -s "$WORK/corpus4x.jsonl.gz" ]; then
    echo "building 4x corpus..." >&2
    "$PY" "$HERE/perturb.py" "$DATA" "$WORK/corpus4x.jsonl.gz"
  fi
  CORPORA+=("4x:$WORK/corpus4x.jsonl.gz")
fi

RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
for entry in "${CORPORA[@]}"; do
  name="${entry%%:*}"; input="${entry#*:}"
  if [ ! -s "$WORK/ref_$name.jsonl" ]; then
    echo "exact reference ($name)..." >&2
    "$PY" "$HERE/exact_pairs.py" "$input" "$WORK/ref_$name.jsonl"
  fi
done
# ibid takes seconds, so it runs IBID_RUNS times per corpus and the report takes the median
# run. The corpora alternate run by run: the 4x/1x time ratio then compares runs made under
# the same machine conditions, not the 1x runs of one minute with the 4x runs of another.
for _ in $(seq "${IBID_RUNS:-5}"); do
  for entry in "${CORPORA[@]}"; do
    name="${entry%%:*}"; input="${entry#*:}"
    # Warm the page cache so every run reads its input from memory.
    cat "$input" > /dev/null
    "$PY" "$HERE/bench.py" run "$RESULTS" ibid "$name" "$WORK/ibid_$name.jsonl" -- \
      bash -c 'ibid_cmd "$0" "$1"' "$input" "$WORK/ibid_$name.jsonl"
  done
done
for entry in "${CORPORA[@]}"; do
  name="${entry%%:*}"; input="${entry#*:}"
  cat "$input" > /dev/null
  for tool in ${PEERS-rensa datasketch}; do
    "$PY" "$HERE/bench.py" run "$RESULTS" "$tool" "$name" "$WORK/${tool}_$name.jsonl" -- \
      "$PY" "$HERE/peers.py" "$tool" "$input" "$WORK/${tool}_$name.jsonl"
  done
done

echo
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$PY" "$HERE/bench.py" report "$RESULTS" "$WORK/ref_1x.jsonl" "$WORK/ref_4x.jsonl"
