#!/usr/bin/env bash
# Runs cargo-fuzz targets for a while each, at the lowest CPU priority, two at a time at most.
#
#   bash fuzz/run.sh SECONDS TARGET [TARGET]
#
# Stable toolchain: cargo-fuzz passes nightly-only flags (-Zsanitizer=address), which
# RUSTC_BOOTSTRAP=1 lets the stable rustc accept. Corpora grow in fuzz/corpus/TARGET (seeded
# from fuzz/seeds/TARGET), findings land in fuzz/artifacts/TARGET, logs in fuzz/logs/.
set -euo pipefail
cd "$(dirname "$0")"
secs=$1; shift
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "one or two targets" >&2; exit 2; }
export RUSTC_BOOTSTRAP=1
for t in "$@"; do nice -n 19 cargo fuzz build -O "$t" >/dev/null; done
max_len() {
  case $1 in
    date_parse) echo 256 ;;
    search_query) echo 4096 ;;
    clean_offsets) echo 16384 ;;
    *) echo 65536 ;;
  esac
}
mkdir -p logs
pids=()
for t in "$@"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  # /usr/bin/time records the CPU seconds the fuzzer actually got: at nice 19 on a shared machine
  # an hour of wall time can be much less fuzzing.
  nice -n 19 /usr/bin/time -f "cpu_seconds: %U user + %S system, peak_rss_kb: %M, wall: %e s" \
    cargo fuzz run -O "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$secs" -timeout=60 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
    -print_final_stats=1 -artifact_prefix="artifacts/$t/" >"logs/$t.log" 2>&1 &
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
for t in "$@"; do
  echo "== $t"; grep -E "^stat::|^#[0-9]+[[:space:]]+DONE|^cpu_seconds:" "logs/$t.log" || true
  ls "artifacts/$t" 2>/dev/null | sed 's/^/finding: /'
done
exit $status
