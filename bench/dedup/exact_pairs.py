#!/usr/bin/env python3
"""Reference answer: every pair of documents with exact shingle-set Jaccard >= THRESHOLD.

Exhaustive by construction (AllPairs prefix filtering, Bayardo et al. 2007): order all
shingles by global frequency (rarest first, ties by value). If J(A,B) >= t then
|A∩B| >= t·|A∪B| >= t·max(|A|,|B|), so A and B share at least o = ceil(t·|X|) shingles for
X = A and for X = B. A set's first |X| - o + 1 shingles in the global order (its prefix) then
must contain one shared shingle: otherwise all o shared shingles would sit in the last o - 1
positions of one of the sets. So every qualifying pair shares a prefix shingle, and indexing
prefixes in an inverted index finds every such pair as a candidate; each candidate is then
checked with the exact Jaccard. No pair >= t can be missed (up to 64-bit hash collisions of
shingle strings, which can only add overlap, never remove it).

usage: exact_pairs.py INPUT.jsonl[.gz] OUT.jsonl [--threshold 0.8]
Writes {"a", "b", "jaccard"} lines (a < b as strings).
"""
import argparse
import json
import math
import sys
from collections import defaultdict

import numpy as np

from common import read_docs, shingles


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()
    t = args.threshold

    ids, sets = [], []
    for doc_id, text in read_docs(args.input):
        sh = shingles(text)
        if sh is None:
            continue
        # hash() of str is SipHash (64-bit); run with PYTHONHASHSEED set for reproducible runs.
        arr = np.fromiter((hash(s) for s in sh), dtype=np.int64, count=len(sh))
        arr.sort()
        ids.append(doc_id)
        sets.append(arr)
    print(f"exact_pairs: {len(ids)} docs with >= min tokens", file=sys.stderr)

    # Global frequency of every shingle.
    allv = np.concatenate(sets)
    uniq, counts = np.unique(allv, return_counts=True)
    del allv

    postings = defaultdict(list)
    for i, arr in enumerate(sets):
        freq = counts[np.searchsorted(uniq, arr)]
        order = np.lexsort((arr, freq))  # rarest first, ties by value: one global order
        o = math.ceil(t * len(arr) - 1e-9)
        p = len(arr) - o + 1
        for tok in arr[order[:p]].tolist():
            postings[tok].append(i)
    del uniq, counts

    candidates = set()
    for docs in postings.values():
        if len(docs) > 1:
            for x in range(len(docs)):
                for y in range(x + 1, len(docs)):
                    candidates.add((docs[x], docs[y]))
    del postings
    print(f"exact_pairs: {len(candidates)} candidates", file=sys.stderr)

    out = []
    for i, j in candidates:
        a, b = sets[i], sets[j]
        small, big = sorted((len(a), len(b)))
        if small < t * big - 1e-9:  # length filter: J <= small/big
            continue
        inter = np.intersect1d(a, b, assume_unique=True).size
        jac = inter / (len(a) + len(b) - inter)
        if jac >= t:
            x, y = sorted((ids[i], ids[j]))
            out.append((x, y, jac))
    out.sort()
    with open(args.output, "w", encoding="utf-8") as f:
        for x, y, jac in out:
            f.write(json.dumps({"a": x, "b": y, "jaccard": round(jac, 6)}) + "\n")
    print(f"exact_pairs: {len(out)} pairs with Jaccard >= {t}", file=sys.stderr)


if __name__ == "__main__":
    main()
