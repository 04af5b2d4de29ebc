#!/usr/bin/env python3
"""Incremental-ingest benchmark: a growing store, one date-ordered batch at a time.

Builds a corpus of AllSides x`--copies+1` (every article once unchanged plus `--copies`
perturbed copies made like `bench/dedup/perturb.py`'s: one sentence dropped, 2-4 words
replaced, ids `<id>~k`), sorts it by publication date (undated last, then by id, like the
store's time order), cuts it into batches of `--batch` articles and ingests them one `ibid
ingest` at a time into one store. Per batch it prints wall and CPU seconds (user + system of
the ibid process, from wait4), its peak RSS, the store's size on disk (database + WAL) and the
stage split ibid reports (`ingest --json`).

Copies of an article share its date, so a batch holds originals and copies of the same days:
the store grows the way a crawl of syndicated news does.

usage:
  run.py [--ibid target/release/ibid] [--copies 3] [--batch 10000] [--batches N]
         [--extra 1000] [--work DIR] [--json OUT.json]

`--extra N` ingests, after the batches, N more articles (fresh perturbed copies `~x<k>`) into
the full store: the "a day's news into a big archive" case. `--batches 1 --batch 1000000`
is a one-shot ingest of the whole corpus.
"""
import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dedup"))
from perturb import perturb  # noqa: E402

DEFAULT_INPUT = os.path.join(HERE, "..", "..", "..", "shared", "data", "allsides",
                             "articles.jsonl.gz")


def build(input_path, copies, seed):
    out = []
    with gzip.open(input_path, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            out.append(rec)
            rng = random.Random(f"{seed}:{rec['id']}")
            for k in range(1, copies + 1):
                copy = dict(rec)
                copy["id"] = f"{rec['id']}~{k}"
                copy["text"] = perturb(rec.get("text") or "", rng)
                out.append(copy)
    # Date order as the store sees it: dated first by date, then undated; ties by id.
    out.sort(key=lambda r: (not r.get("date"), r.get("date") or "", r["id"]))
    return out


def extra_articles(corpus, n, seed):
    """`n` new perturbed copies of the newest dated articles (a day's news, later than all)."""
    rng = random.Random(f"{seed}:extra")
    dated = [r for r in corpus if r.get("date") and "~" not in r["id"]]
    base = dated[-n:] if len(dated) >= n else dated
    out = []
    for k, rec in enumerate(base):
        copy = dict(rec)
        copy["id"] = f"{rec['id']}~x{k}"
        copy["text"] = perturb(rec.get("text") or "", rng)
        out.append(copy)
    return out


def write_jsonl(path, recs):
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False))
            f.write("\n")


def store_bytes(db):
    return sum(os.path.getsize(p) for p in (db, db + "-wal") if os.path.exists(p))


def run_ibid(ibid, db, path):
    t0 = time.monotonic()
    with open(db + ".stderr", "wb") as err:
        proc = subprocess.Popen([ibid, "--db", db, "ingest", "--json", path],
                                stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read()
        _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 2):
        with open(db + ".stderr", "rb") as err:
            tail = err.read()[-2000:].decode("utf-8", "replace")
        raise SystemExit(f"ibid ingest {path} exited {code}:\n{tail}")
    report = json.loads(out)
    return {
        "wall": wall,
        "cpu": ru.ru_utime + ru.ru_stime,
        "rss_mb": ru.ru_maxrss / 1024,
        "report": report,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ibid", default=os.path.join(HERE, "..", "..", "target", "release", "ibid"))
    ap.add_argument("--input", default=DEFAULT_INPUT)
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--batch", type=int, default=10000)
    ap.add_argument("--batches", type=int, default=0, help="stop after this many (0: all)")
    ap.add_argument("--extra", type=int, default=0)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--work", default="/tmp/ibid-incremental")
    ap.add_argument("--json", help="write every batch's numbers here")
    ap.add_argument("--resume", type=int, default=0,
                    help="keep the store in --work and start at this batch (1-based)")
    args = ap.parse_args()

    os.makedirs(args.work, exist_ok=True)
    db = os.path.join(args.work, "store.db")
    for p in (db, db + "-wal", db + "-shm"):
        if os.path.exists(p) and not args.resume:
            os.remove(p)
    corpus = build(args.input, args.copies, args.seed)
    batches = [corpus[i:i + args.batch] for i in range(0, len(corpus), args.batch)]
    if args.batches:
        batches = batches[:args.batches]
    if args.extra:
        batches.append(extra_articles(corpus, args.extra, args.seed))
    print(f"corpus {len(corpus)} articles; {len(batches)} batches; store {db}", flush=True)
    print(f"{'batch':>5} {'articles':>8} {'store':>8} {'wall_s':>8} {'cpu_s':>8} {'rss_mb':>7} "
          f"{'db_mb':>7}  stages", flush=True)
    rows = []
    total = 0
    for i, recs in enumerate(batches):
        if i + 1 < args.resume:
            total += len(recs)
            continue
        path = os.path.join(args.work, "batch.jsonl.gz")
        write_jsonl(path, recs)
        r = run_ibid(args.ibid, db, path)
        total += len(recs)
        proc = r["report"].get("process") or {}
        stages = " ".join(f"{k}={v:.1f}" for k, v in proc.get("stage_seconds", []))
        row = {
            "batch": i + 1,
            "articles": len(recs),
            "store_articles": total,
            "wall_s": round(r["wall"], 2),
            "cpu_s": round(r["cpu"], 2),
            "peak_rss_mb": round(r["rss_mb"], 1),
            "store_mb": round(store_bytes(db) / 2**20, 1),
            "stage_seconds": proc.get("stage_seconds", []),
        }
        rows.append(row)
        print(f"{row['batch']:>5} {row['articles']:>8} {row['store_articles']:>8} "
              f"{row['wall_s']:>8.1f} {row['cpu_s']:>8.1f} {row['peak_rss_mb']:>7.0f} "
              f"{row['store_mb']:>7.0f}  {stages}", flush=True)
    # The ratio compares whole batches: a short remainder batch (or the --extra one) is cheap
    # for its size and would flatter it.
    full = [r for r in rows if r["articles"] == args.batch]
    if len(full) >= 2:
        first, last = full[0], full[-1]
        print(f"last/first CPU (batches {first['batch']} and {last['batch']} of {args.batch}) "
              f"{last['cpu_s'] / max(first['cpu_s'], 1e-9):.2f}; "
              f"peak RSS {max(r['peak_rss_mb'] for r in rows):.0f} MB", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "batches": rows}, f, indent=1)


if __name__ == "__main__":
    main()
