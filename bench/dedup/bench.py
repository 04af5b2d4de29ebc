#!/usr/bin/env python3
"""Measure and report the dedup benchmark.

  bench.py run RESULTS.jsonl TOOL CORPUS OUT -- CMD ARGS...
      runs CMD, appends {tool, corpus, out, wall_s, rss_mb} to RESULTS.jsonl
      (wall clock, and peak RSS of the child from getrusage).
  bench.py report RESULTS.jsonl REF_1x.jsonl REF_4x.jsonl
      prints a markdown table: docs/s, wall, peak RSS, groups, pairs, pair precision/recall
      against the exact reference, and ibid's ratios to rensa.

Pairs come from OUT.pairs.jsonl when the tool wrote one; otherwise (the `ibid dedup` CLI
writes only {id, group}) from all pairs within each group, which can only lower precision.
"""
import json
import os
import resource
import subprocess
import sys
import time
from collections import defaultdict


def steal_ticks():
    """Machine-wide CPU time stolen by the hypervisor (the 8th field of /proc/stat's cpu line),
    in clock ticks; 0 where the kernel does not report it."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = f.readline().split()
        return int(fields[8])
    except (OSError, IndexError, ValueError):
        return 0


def cmd_run(argv):
    results, tool, corpus, out = argv[:4]
    cmd = argv[argv.index("--") + 1:]
    before, steal0 = resource.getrusage(resource.RUSAGE_CHILDREN), steal_ticks()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{tool} failed with {proc.returncode}: {' '.join(cmd)}")
    after, steal1 = resource.getrusage(resource.RUSAGE_CHILDREN), steal_ticks()
    rss = after.ru_maxrss / 1024  # KiB -> MiB
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    # CPU seconds and stolen seconds beside the wall time: on a shared VM a run that the
    # hypervisor starved shows it here, and CPU time moves less than wall time when it does.
    rec = {"tool": tool, "corpus": corpus, "out": out, "wall_s": round(wall, 3),
           "cpu_s": round(cpu, 3),
           "steal_s": round((steal1 - steal0) / os.sysconf("SC_CLK_TCK"), 2),
           "rss_mb": round(rss, 1), "load1": round(os.getloadavg()[0], 2)}
    with open(results, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")
    print(json.dumps(rec), file=sys.stderr)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def pairs_of(out):
    groups = defaultdict(list)
    rows = read_jsonl(out)
    for r in rows:
        groups[r["group"]].append(r["id"])
    multi = [g for g in groups.values() if len(g) > 1]
    path = out + ".pairs.jsonl"
    if os.path.exists(path):
        pairs = {tuple(sorted((p["a"], p["b"]))) for p in read_jsonl(path)}
    else:
        pairs = set()
        for g in multi:
            g = sorted(g)
            pairs.update((g[i], g[j]) for i in range(len(g)) for j in range(i + 1, len(g)))
    return len(rows), len(multi), pairs


def cmd_report(argv):
    results, ref1, ref4 = argv[:3]
    refs = {"1x": ref1, "4x": ref4}
    ref_pairs = {c: {(p["a"], p["b"]) for p in read_jsonl(r)} for c, r in refs.items()
                 if os.path.exists(r)}
    runs = {}
    for rec in read_jsonl(results):
        runs.setdefault((rec["tool"], rec["corpus"]), []).append(rec)
    # A tool run several times is reported by its median-time run (this VM's page cache is
    # reclaimed in the background, so single runs vary by up to 2x); the spread is printed.
    rows = {}
    for key, recs in runs.items():
        recs.sort(key=lambda r: r["wall_s"])
        rows[key] = recs[len(recs) // 2]
        if len(recs) > 1:
            walls = ", ".join(f"{r['wall_s']:.2f}" for r in recs)
            rss = ", ".join(f"{r['rss_mb']:.0f}" for r in recs)
            steal = ", ".join(f"{r.get('steal_s', '-')}" for r in recs)
            print(f"{key[0]} {key[1]}: {len(recs)} runs, wall s [{walls}], peak RSS MB [{rss}], "
                  f"stolen s [{steal}]")
    print("| corpus | tool | docs | wall s | docs/s | peak RSS MB | groups | pairs | precision | recall | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    stats = {}
    for (tool, corpus), rec in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        n, groups, pairs = pairs_of(rec["out"])
        ref = ref_pairs.get(corpus)
        if ref is not None:
            tp = len(pairs & ref)
            prec = tp / len(pairs) if pairs else 1.0
            rec_ = tp / len(ref) if ref else 1.0
            pr = f"{prec:.4f} | {rec_:.4f}"
        else:
            pr = "- | -"
        dps = n / rec["wall_s"]
        stats[(tool, corpus)] = (dps, rec["rss_mb"], rec["wall_s"])
        print(f"| {corpus} | {tool} | {n} | {rec['wall_s']:.2f} | {dps:,.0f} | {rec['rss_mb']:.0f} | "
              f"{groups} | {len(pairs)} | {pr} | {rec.get('load1', '-')} |")
    for c, ref in ref_pairs.items():
        print(f"\nexact reference {c}: {len(ref)} pairs with Jaccard >= 0.8")
    print()
    for corpus in ("1x", "4x"):
        i, r = stats.get(("ibid", corpus)), stats.get(("rensa", corpus))
        if i and r:
            print(f"- {corpus}: ibid/rensa docs/s = {i[0] / r[0]:.1f}x (target >= 10), "
                  f"RSS ibid/rensa = {i[1] / r[1]:.2f} (target <= 0.5)")
    i1, i4 = stats.get(("ibid", "1x")), stats.get(("ibid", "4x"))
    if i1 and i4:
        print(f"- ibid time 4x / 1x = {i4[2] / i1[2]:.2f} (target <= 4.4; medians)")
        # run.sh alternates the corpora, so the k-th 1x run and the k-th 4x run were made one
        # after the other: their ratios show how much of the spread is the machine's.
        t1 = [r["wall_s"] for r in read_jsonl(results) if (r["tool"], r["corpus"]) == ("ibid", "1x")]
        t4 = [r["wall_s"] for r in read_jsonl(results) if (r["tool"], r["corpus"]) == ("ibid", "4x")]
        paired = [b / a for a, b in zip(t1, t4)]
        if paired:
            print(f"- paired runs 4x / 1x: {', '.join(f'{x:.2f}' for x in paired)} "
                  f"(median {sorted(paired)[len(paired) // 2]:.2f})")
        c1 = sorted(r["cpu_s"] for r in read_jsonl(results)
                    if (r["tool"], r["corpus"]) == ("ibid", "1x") and "cpu_s" in r)
        c4 = sorted(r["cpu_s"] for r in read_jsonl(results)
                    if (r["tool"], r["corpus"]) == ("ibid", "4x") and "cpu_s" in r)
        if c1 and c4:
            print(f"- ibid CPU time 4x / 1x = {c4[len(c4) // 2] / c1[len(c1) // 2]:.2f} "
                  f"(medians {c4[len(c4) // 2]:.2f} / {c1[len(c1) // 2]:.2f} CPU-s)")


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "report"):
        sys.exit(__doc__)
    {"run": cmd_run, "report": cmd_report}[sys.argv[1]](sys.argv[2:])
