"""The entity recommender (app/recommender.py) against the string matcher, on a labelled Arabic NER corpus.

    .venv/bin/python benchmarks/bench_recommender.py NERSET [--curve] [--ablate]

NERSET holds docs/train/*.conll and docs/test/*.conll: one `token<TAB>tag` per line (BIO tags), a blank line
between sentences, each file a document (ANERcorp in 20-sentence documents was used; it is third-party
text and stays out of the repository). A document's text is its tokens joined by spaces, a sentence per
line; its spans are the tagged runs. Prints exact-span precision, recall and F1 per label for the CRF and
for the baseline (the training spans' strings found again by the matching engine, as annotate-all does),
training time and prediction time; --curve trains on the first 10, 25, 50, 100 and all training documents
(a learning curve); --ablate retrains without each feature group.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import recommender  # noqa: E402
from app.recommender import Example, evaluate, train  # noqa: E402


def read_document(path: Path) -> Example:
    lines, spans, position = [], [], 0
    for block in path.read_text(encoding="utf-8").strip("\n").split("\n\n"):
        words = []
        open_span = None
        for row in block.split("\n"):
            token, _, tag = row.partition("\t")
            start = position + sum(len(w) + 1 for w in words)
            if tag.startswith("B-") or (tag.startswith("I-") and open_span is None):
                if open_span:
                    spans.append(tuple(open_span))
                open_span = [start, start + len(token), tag[2:]]
            elif tag.startswith("I-"):
                open_span[1] = start + len(token)
            elif open_span:
                spans.append(tuple(open_span))
                open_span = None
            words.append(token)
        if open_span:
            spans.append(tuple(open_span))
        line = " ".join(words)
        lines.append(line)
        position += len(line) + 1
    return Example("\n".join(lines), spans)


def load(folder: Path) -> list[Example]:
    return [read_document(path) for path in sorted(folder.glob("*.conll"))]


def table(title: str, learnt, baseline) -> None:
    print(f"\n{title}")
    print(f"  {'label':8} {'support':>7}   {'CRF P':>6} {'R':>6} {'F1':>6}   {'matcher P':>9} {'R':>6} {'F1':>6}")
    support = learnt.as_dict()["support"]
    for label in [None, *sorted(support)]:
        p, r, f = learnt.of(label)
        bp, br, bf = baseline.of(label)
        count = sum(support.values()) if label is None else support[label]
        print(f"  {label or 'all':8} {count:7d}   {p:6.3f} {r:6.3f} {f:6.3f}   {bp:9.3f} {br:6.3f} {bf:6.3f}")


def main(argv: list[str]) -> None:
    root = Path(argv[0])
    training, testing = load(root / "docs" / "train"), load(root / "docs" / "test")
    spans = sum(len(example.spans) for example in training)
    print(f"{len(training)} training documents ({spans} spans), {len(testing)} test documents "
          f"({sum(len(e.spans) for e in testing)} spans)")
    began = time.perf_counter()
    model = train(training)
    trained = time.perf_counter() - began
    began = time.perf_counter()
    for example in testing:
        model.predict(example.text)
    predicting = (time.perf_counter() - began) / len(testing)
    learnt, baseline = evaluate(training, testing, model)
    table("all training documents", learnt, baseline)
    size = sum(len(e.text) for e in testing) / len(testing)
    print(f"\n  training {trained:.1f} s ({len(training)} documents); prediction {predicting * 1000:.1f} ms per "
          f"document of {size:,.0f} characters; model {len(model.data) / 1024:.0f} KB")
    confusion = sorted(learnt.confusion.items(), key=lambda item: -item[1])
    print("  confusion (gold → predicted, spans; — is none):",
          ", ".join(f"{g}→{p} {n}" for (g, p), n in confusion if g != p)[:400])
    if "--curve" in argv:
        print("\nlearning curve (F1 on the test documents)")
        for count in (10, 25, 50, 100, len(training)):
            part = training[:count]
            learnt, baseline = evaluate(part, testing)
            print(f"  {count:4d} documents ({sum(len(e.spans) for e in part):5d} spans): CRF {learnt.of()[2]:.3f}"
                  f"   matcher {baseline.of()[2]:.3f}")
    if "--ablate" in argv:
        print("\nwithout one feature group (F1 over all labels, 50 training documents)")
        part = training[:50]
        print(f"  everything: {evaluate(part, testing)[0].of()[2]:.3f}")
        empty = recommender.Gazetteer({})
        with mock.patch.object(recommender, "gazetteer_of", lambda examples: empty):
            print(f"  no gazetteer: {evaluate(part, testing)[0].of()[2]:.3f}")
        with mock.patch.object(recommender, "SPLIT_PROCLITICS", ()):
            print(f"  no proclitic split: {evaluate(part, testing)[0].of()[2]:.3f}")
        no_cues = recommender.Cues(frozenset(), frozenset(), frozenset(), frozenset())
        with mock.patch.object(recommender, "cues", lambda: no_cues):
            print(f"  no titles, reporting verbs, heads: {evaluate(part, testing)[0].of()[2]:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
