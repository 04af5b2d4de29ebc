#!/usr/bin/env python3
"""Run the Python trafilatura package on the Zyte pages the way the benchmark
does (utf-8 text in, `extract(html, include_comments=False)`), single thread,
and write OUT/trafilatura_py.json for score.py.

Setup (not part of the project's dependencies):
  python3 -m venv /tmp/trafvenv && /tmp/trafvenv/bin/pip install trafilatura lxml_html_clean
Usage: /tmp/trafvenv/bin/python run_trafilatura.py ZYTE_DIR OUT_DIR
"""
import gzip
import json
import sys
import time
from pathlib import Path

import trafilatura


def main():
    zyte, out = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for path in sorted((zyte / "html").glob("*.html.gz")):
        with gzip.open(path, "rt", encoding="utf8") as f:
            pages.append((path.name.split(".")[0], f.read()))
    preds = {}
    t = time.perf_counter()
    for sha, html in pages:
        preds[sha] = {"articleBody": trafilatura.extract(html, include_comments=False) or ""}
    secs = time.perf_counter() - t
    print(f"trafilatura_py\t{len(pages) / secs:.1f} pages/s\t{secs:.3f}s\tversion {trafilatura.__version__}")
    (out / "trafilatura_py.json").write_text(json.dumps(preds), encoding="utf8")


if __name__ == "__main__":
    main()
