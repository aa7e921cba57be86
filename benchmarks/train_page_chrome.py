"""Train the page-chrome model shipped in resources/page_chrome_model.json from a labelled set of real pages.

    .venv/bin/python benchmarks/train_page_chrome.py DEVSET [--write]

DEVSET holds pages/<site>__<n>.txt (a page's text as a scraper returns it) and labels/<site>__<n>.json
({"site": …, "lines": [{"n": line number in text.split("\\n"), "label": "boilerplate" | "article" | "blank",
"kind": …}]}). The pages are third-party text and stay out of the repository; the model (a few dozen
numbers) and what it learnt from are written with --write.

The model has two stages (app.page_chrome.PageModel): each line alone, then each line with its neighbours'
first scores. Prints leave-site-out cross-validation: each fold's sites are scored by a model trained on the other sites
only, so the figures say how the model does on sites it has never seen. The threshold shipped is the
lowest one whose cross-validated precision is at least TARGET_PRECISION.
"""

from __future__ import annotations

import json
import sys
import zlib
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.logistic import precision_recall, train  # noqa: E402
from app.page_chrome import CONTEXT_FEATURES, FEATURES, PageModel, context_rows, read_page  # noqa: E402

FOLDS = 5
TARGET_PRECISION = 0.90
MODEL = Path(__file__).resolve().parent.parent / "resources" / "page_chrome_model.json"


def load(devset: Path) -> list[dict]:
    """One entry per page: its site, feature rows, 0/1 labels and kinds, for its non-blank lines."""
    pages = []
    for labels_file in sorted((devset / "labels").glob("*.json")):
        labels = json.loads(labels_file.read_text(encoding="utf-8"))
        text = (devset / "pages" / (labels_file.stem + ".txt")).read_text(encoding="utf-8")
        starts, position = {}, 0
        for number, raw in enumerate(text.split("\n")):
            starts[number] = (position, position + len(raw))
            position += len(raw) + 1
        by_line = {entry["n"]: entry for entry in labels["lines"]}
        page = read_page(text)
        keep = []
        for index, line in enumerate(page.lines):
            number = next(n for n, (a, b) in starts.items() if a <= line.start < b + 1)
            entry = by_line.get(number)
            if entry is None or entry["label"] == "blank":
                continue
            keep.append((page.rows[index], entry["label"] == "boilerplate", entry.get("kind", "")))
        pages.append({"site": labels["site"], "rows": [k[0] for k in keep], "labels": [k[1] for k in keep],
                      "kinds": [k[2] for k in keep]})
    return pages


def folds(pages: list[dict]) -> list[set[str]]:
    # A stable order (str's hash() changes from run to run): the folds, and so the figures, repeat.
    sites = sorted({page["site"] for page in pages}, key=lambda s: (zlib.crc32(s.encode()), s))
    return [set(sites[i::FOLDS]) for i in range(FOLDS)]


def fit_lines(pages: list[dict]):
    rows = [row for page in pages for row in page["rows"]]
    labels = [int(label) for page in pages for label in page["labels"]]
    return train(FEATURES, rows, labels, l2=2.0, iterations=400)


def fit(pages: list[dict], threshold: float = 0.5) -> PageModel:
    """Both stages. The context stage learns from first-stage scores of sites the first stage did not see
    (inner folds), as it will meet them on a new site: scores of lines it was trained on are too sure."""
    rows, labels = [], []
    for held in folds(pages):
        inner = fit_lines([page for page in pages if page["site"] not in held])
        for page in pages:
            if page["site"] in held:
                first = [inner.probability(row) for row in page["rows"]]
                rows += [row + around for row, around in zip(page["rows"], context_rows(first))]
                labels += [int(label) for label in page["labels"]]
    context = train(FEATURES + CONTEXT_FEATURES, rows, labels, l2=2.0, iterations=400)
    return PageModel(fit_lines(pages), context, threshold, {})


def cross_validate(pages: list[dict]) -> list[tuple[float, bool, str, str]]:
    scored = []
    for held in folds(pages):
        model = fit([page for page in pages if page["site"] not in held])
        for page in pages:
            if page["site"] in held:
                scored += [(score, label, kind, page["site"])
                           for score, label, kind in zip(model.scores(page["rows"]), page["labels"], page["kinds"])]
    return scored


def choose_threshold(scored) -> float:
    for threshold in [t / 100 for t in range(20, 96)]:
        precision, _recall = precision_recall([p >= threshold for p, *_ in scored], [a for _, a, *_ in scored])
        if precision is not None and precision >= TARGET_PRECISION:
            return threshold
    return 0.95


def main(argv: list[str]) -> None:
    devset = Path(argv[0])
    pages = load(devset)
    lines = sum(len(page["labels"]) for page in pages)
    chrome = sum(sum(page["labels"]) for page in pages)
    sites = {page["site"] for page in pages}
    print(f"{len(pages)} pages, {len(sites)} sites, {lines} lines ({chrome} boilerplate)")
    scored = cross_validate(pages)
    threshold = choose_threshold(scored)
    for t in sorted({0.3, 0.4, 0.5, 0.6, 0.62, 0.64, 0.66, 0.68, threshold, 0.7, 0.8}):
        p, r = precision_recall([s >= t for s, *_ in scored], [a for _, a, *_ in scored])
        print(f"  threshold {t:.2f}: precision {p:.3f} recall {r:.3f} (leave-site-out, {FOLDS} folds)")
    missed = Counter(kind for s, a, kind, _ in scored if a and s < threshold)
    wrong = Counter(kind for s, a, kind, _ in scored if not a and s >= threshold)
    print("  missed by kind:", dict(missed.most_common()))
    print("  false alarms by kind:", dict(wrong.most_common()))
    model = fit(pages)
    precision, recall = precision_recall([s >= threshold for s, *_ in scored], [a for _, a, *_ in scored])
    about = {"pages": len(pages), "sites": len(sites), "lines": lines, "boilerplate_lines": chrome,
             "held_out": f"leave-site-out, {FOLDS} folds", "precision": round(precision, 3),
             "recall": round(recall, 3), "trained_by": "benchmarks/train_page_chrome.py"}
    data = PageModel(model.lines, model.context, threshold, about).to_json()
    weights = sorted(zip(model.context.features, model.context.weights), key=lambda fw: -abs(fw[1]))
    print("  strongest weights:", ", ".join(f"{f} {w:+.2f}" for f, w in weights[:10]))
    if "--write" in argv:
        MODEL.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MODEL}")


if __name__ == "__main__":
    main(sys.argv[1:])
