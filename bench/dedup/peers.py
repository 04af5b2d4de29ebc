#!/usr/bin/env python3
"""Run the dedup task with a peer library, the way its users do.

Shingling in Python (word 5-grams of lowercased `\\w+` words, docs under 10 words skipped),
128-permutation MinHash and LSH at threshold 0.8 in the library; streaming use: each doc
queries the index of the earlier docs, then is inserted (so each pair is found once and no
signature list is kept outside the index). Pairs are the LSH hits as the library returns them
(no extra verification), groups the union-find of the pairs.

usage: peers.py {datasketch,rensa} INPUT.jsonl[.gz] OUT.jsonl
Writes {"id", "group"} lines to OUT and {"a", "b"} lines to OUT.pairs.jsonl.
"""
import argparse
import json

from common import read_docs, shingles


def run_datasketch(docs):
    from datasketch import MinHash, MinHashLSH
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    for i, (doc_id, text) in enumerate(docs):
        sh = shingles(text)
        if sh is None:
            continue
        m = MinHash(num_perm=128)
        m.update_batch([s.encode("utf-8") for s in sh])
        for j in lsh.query(m):
            yield j, i
        lsh.insert(i, m)


def run_rensa(docs):
    from rensa import RMinHash, RMinHashLSH
    lsh = RMinHashLSH(threshold=0.8, num_perm=128, num_bands=16)
    for i, (doc_id, text) in enumerate(docs):
        sh = shingles(text)
        if sh is None:
            continue
        m = RMinHash(num_perm=128, seed=42)
        m.update(list(sh))
        for j in lsh.query(m):
            yield j, i
        lsh.insert(i, m)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("tool", choices=["datasketch", "rensa"])
    ap.add_argument("input")
    ap.add_argument("output")
    args = ap.parse_args()
    ids = []

    def docs():
        for doc_id, text in read_docs(args.input):
            ids.append(doc_id)
            yield doc_id, text

    run = run_datasketch if args.tool == "datasketch" else run_rensa
    pairs = list(run(docs()))

    parent = list(range(len(ids)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    with open(args.output, "w", encoding="utf-8") as f:
        for i, doc_id in enumerate(ids):
            f.write(json.dumps({"id": doc_id, "group": ids[find(i)]}) + "\n")
    with open(args.output + ".pairs.jsonl", "w", encoding="utf-8") as f:
        for a, b in pairs:
            x, y = sorted((ids[a], ids[b]))
            f.write(json.dumps({"a": x, "b": y}) + "\n")


if __name__ == "__main__":
    main()
