#!/usr/bin/env python3
"""Build the 4x near-duplicate corpus for the dedup benchmark (deterministic).

Each input article is written once unchanged and three more times as a perturbed copy: one
sentence dropped and 2-4 words replaced. Copies get new ids `<id>~1`, `<id>~2`, `<id>~3` and
keep every other field. The output order is shuffled with the same seed, so copies are spread
through the file the way syndicated copies are spread through a real crawl.

usage: perturb.py INPUT.jsonl.gz OUTPUT.jsonl.gz [--seed 42] [--copies 3] [--no-shuffle]
"""
import argparse
import gzip
import json
import random
import re

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
# Replacement words: small, made-up vocabulary (no corpus text).
VOCAB = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliett", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo"]


def perturb(text: str, rng: random.Random) -> str:
    sents = SENTENCE_END.split(text)
    if len(sents) > 1:
        del sents[rng.randrange(len(sents))]
    words = " ".join(sents).split(" ")
    for _ in range(rng.randint(2, 4)):
        if words:
            words[rng.randrange(len(words))] = rng.choice(VOCAB)
    return " ".join(words)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--copies", type=int, default=3)
    ap.add_argument("--no-shuffle", action="store_true")
    args = ap.parse_args()
    out = []
    with gzip.open(args.input, "rt", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            out.append(json.dumps(rec, ensure_ascii=False))
            # A string seed is hashed with SHA-512 by `random`, so this is stable across runs.
            rng = random.Random(f"{args.seed}:{rec['id']}")
            for k in range(1, args.copies + 1):
                copy = dict(rec)
                copy["id"] = f"{rec['id']}~{k}"
                copy["text"] = perturb(rec.get("text") or "", rng)
                out.append(json.dumps(copy, ensure_ascii=False))
    if not args.no_shuffle:
        random.Random(args.seed).shuffle(out)
    with gzip.open(args.output, "wt", encoding="utf-8", compresslevel=6) as f:
        for line in out:
            f.write(line)
            f.write("\n")


if __name__ == "__main__":
    main()
