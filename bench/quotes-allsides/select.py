#!/usr/bin/env python3
"""Picks the AllSides articles of the real-news quote check (issue 18), reproducibly.

Articles are ranked by SHA-256 of "ibid-18-quotes:" + id (ids and file order carry no
signal); walking that ranking, an article is taken when its text has 1,500 to 5,000
characters (so one annotator can read it whole), holds at least one double quotation mark,
has a year 2012-2020 in its date, and its outlet has fewer than 2 and its year fewer than 8
articles taken already. The first N (default 44) are the sample.

    python3 bench/quotes-allsides/select.py [N] > ids.txt
"""
import gzip
import hashlib
import json
import re
import sys
from collections import Counter

PATH = "../shared/data/allsides/articles.jsonl.gz"


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 44
    arts = []
    with gzip.open(PATH, "rt", encoding="utf-8") as f:
        for line in f:
            try:
                d = json.loads(line)
            except ValueError:
                continue
            arts.append(d)
    arts.sort(key=lambda d: hashlib.sha256(("ibid-18-quotes:" + str(d.get("id"))).encode()).hexdigest())
    outlets, years, out = Counter(), Counter(), []
    for d in arts:
        text = d.get("text") or ""
        m = re.search(r"(20\d\d)", str(d.get("date") or ""))
        year = int(m.group(1)) if m else 0
        outlet = d.get("source") or ""
        if not (1500 <= len(text) <= 5000) or not re.search('[“"]', text):
            continue
        if not (2012 <= year <= 2020) or outlets[outlet] >= 2 or years[year] >= 8:
            continue
        outlets[outlet] += 1
        years[year] += 1
        out.append(d["id"])
        print(d["id"], year, outlet, sep="\t")
        if len(out) == n:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
