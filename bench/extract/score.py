#!/usr/bin/env python3
"""Score predictions JSON files ({sha: {"articleBody": text}}) against the Zyte
ground truth with the benchmark's metric, exactly as ibid-html's `eval_zyte`:
\\w+ tokens, 4-token shingles (1-3 tokens -> one shorter shingle), per-page
multiset tp/fp/fn normalised to sum 1, P = mean over pages with a non-empty
prediction, R = mean over pages with non-empty gold, F1 = 2PR/(P+R).

Usage: score.py ZYTE_DIR PRED.json [PRED.json ...]
Also prints the even/odd split by sorted sha (dev / held-out halves).
"""
import json
import re
import sys
from collections import Counter
from pathlib import Path

TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    toks = TOKEN.findall(text or "")
    if not toks:
        return Counter()
    return Counter(tuple(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1)))


def page(gold, pred):
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def metrics(rows):
    ps = [tp / (tp + fp) for tp, fp, fn in rows if tp + fp > 0]
    rs = [tp / (tp + fn) for tp, fp, fn in rows if tp + fn > 0]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    zyte = Path(sys.argv[1])
    gt = json.loads((zyte / "ground-truth.json").read_text(encoding="utf8"))
    keys = sorted(gt)
    for path in sys.argv[2:]:
        pred = json.loads(Path(path).read_text(encoding="utf8"))
        rows = [page(gt[k].get("articleBody", ""), (pred.get(k) or {}).get("articleBody") or "") for k in keys]
        allm = metrics(rows)
        even = metrics(rows[0::2])
        odd = metrics(rows[1::2])
        print(f"{Path(path).stem:<20} P={allm[0]:.3f} R={allm[1]:.3f} F1={allm[2]:.3f}"
              f"   even F1={even[2]:.3f}  odd F1={odd[2]:.3f}")


if __name__ == "__main__":
    main()
