#!/usr/bin/env python3
"""One more batch into an existing store, timed, with the stage parts ibid logs.

Builds the same corpus as `run.py` (AllSides x`--copies+1`, seed 42), takes `--n` dated
original articles ending `--offset` articles before the newest, perturbs them (seed
`<tag>:extra`, ids `<id>~<tag><k>`: new articles, never new versions), ingests them with
`ibid -v ingest --json` and prints wall and CPU seconds (user + system of the ibid process,
from wait4), peak RSS, the stage split and the parts of the clean, align and text stages
(each with the resident size after it and the peak so far).
Run it twice with different tags: the first run of a new binary may convert saved state.

usage:
  add_batch.py --db STORE.db --tag L --offset 12000 [--n 1000] [--ibid target/release/ibid]
"""
import argparse
import os
import random
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ibid", default=os.path.join(HERE, "..", "..", "target", "release", "ibid"))
    ap.add_argument("--db", required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--offset", type=int, required=True)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--input", default=run.DEFAULT_INPUT)
    args = ap.parse_args()

    corpus = run.build(args.input, args.copies, 42)
    dated = [r for r in corpus if r.get("date") and "~" not in r["id"]]
    base = dated[-args.offset:][:args.n]
    rng = random.Random(f"{args.tag}:extra")
    batch = []
    for k, rec in enumerate(base):
        copy = dict(rec)
        copy["id"] = f"{rec['id']}~{args.tag.lower()}{k}"
        copy["text"] = run.perturb(rec.get("text") or "", rng)
        batch.append(copy)
    path = args.db + f".batch-{args.tag}.jsonl.gz"
    run.write_jsonl(path, batch)

    log = args.db + f".batch-{args.tag}.log"
    t0 = time.monotonic()
    with open(log, "wb") as err:
        proc = subprocess.Popen([args.ibid, "-v", "--db", args.db, "ingest", "--json", path],
                                stdout=subprocess.PIPE, stderr=err)
        proc.stdout.read()
        _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    print(f"exit {code}; {len(batch)} articles; wall {wall:.1f} s; "
          f"CPU {ru.ru_utime + ru.ru_stime:.1f} s; peak RSS {ru.ru_maxrss / 1024:.0f} MB")
    strip = re.compile(r"\x1b\[[0-9;]*m")
    for line in open(log, encoding="utf-8", errors="replace"):
        line = strip.sub("", line)
        m = re.search(r'(?:stage|part)="([^"]+)" seconds=([0-9.]+)', line)
        if m:
            mem = re.search(r"rss_mb=([0-9]+) peak_mb=([0-9]+)", line)
            after = f" (RSS {mem.group(1)} MB, peak so far {mem.group(2)} MB)" if mem else ""
            print(f"  {m.group(1)}: {float(m.group(2)):.1f} s{after}")
        elif "clean stage:" in line or "text stage:" in line:
            print("  " + line.split("INFO ", 1)[-1].strip())
    if code not in (0, 2):
        raise SystemExit(f"ibid exited {code}, see {log}")


if __name__ == "__main__":
    main()
