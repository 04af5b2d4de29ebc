"""Shared reading and shingling for the dedup benchmark scripts (Python side).

Shingles are word 5-grams of lowercased `\\w+` words, the definition ibid uses. Documents with
fewer than MIN_TOKENS words are left out of matching everywhere (ibid's `min_tokens`), so that
empty scrapes do not count as thousands of "duplicate" pairs.
"""
import gzip
import json
import re

WORD = re.compile(r"\w+")
K = 5
MIN_TOKENS = 10


def read_docs(path):
    """Yields (id, text) for every JSONL line of a (gzip'd) file."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                yield str(rec["id"]), rec.get("text") or ""


def shingles(text):
    """The set of word 5-gram shingles (strings), or None for a too-short text."""
    words = WORD.findall(text.lower())
    if len(words) < MIN_TOKENS:
        return None
    if len(words) < K:
        return {" ".join(words)}
    return {" ".join(words[i:i + K]) for i in range(len(words) - K + 1)}
