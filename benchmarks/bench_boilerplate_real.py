"""Boilerplate suggestions on real scraped pages, line by line (issue 16): precision and recall.

    .venv/bin/python benchmarks/bench_boilerplate_real.py DEVSET

DEVSET is a labelled set of real pages (see benchmarks/train_page_chrome.py for its layout; the pages are
third-party text and stay out of the repository). The pages are imported into a fresh project with their
site in the document's meta, indexed as the window does (near-duplicates, then boilerplate), and every
pending suggestion is compared with the labels: a line counts as suggested when a suggestion covers its
first character.

The page-alone model shipped with Hashiya was trained on such pages; to score it on sites it has not
seen, each of the five folds of sites is indexed in a project of its own with a model trained on the other
folds only (leave-site-out), exactly as benchmarks/train_page_chrome.py folds them. "shipped model" rows
use the shipped model on every page (optimistic where the dev set is the training set).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from app import boilerplate_index, duplicates, page_chrome  # noqa: E402
from app.importer import import_paths  # noqa: E402
from app.logistic import precision_recall  # noqa: E402
from app.project import Project  # noqa: E402
from train_page_chrome import fit, folds, load  # noqa: E402


def read_set(devset: Path) -> list[dict]:
    pages = []
    for labels_file in sorted((devset / "labels").glob("*.json")):
        labels = json.loads(labels_file.read_text(encoding="utf-8"))
        text = (devset / "pages" / (labels_file.stem + ".txt")).read_text(encoding="utf-8")
        spans, position = [], 0
        by_line = {entry["n"]: entry for entry in labels["lines"]}
        for number, raw in enumerate(text.split("\n")):
            entry = by_line.get(number)
            if entry and entry["label"] != "blank" and raw.strip():
                first = position + len(raw) - len(raw.lstrip())
                spans.append((first, entry["label"] == "boilerplate", entry.get("kind", "")))
            position += len(raw) + 1
        pages.append({"name": labels_file.stem, "site": labels["site"], "text": text, "lines": spans})
    return pages


def score(pages: list[dict], folder: Path, tag: str) -> list[tuple[bool, bool, str, str]]:
    """(suggested, boilerplate, kind, source of the suggestion) for every labelled line of `pages`."""
    corpus = folder / f"{tag}.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for page in pages:
            handle.write(json.dumps({"name": page["name"], "text": page["text"], "meta": {"site": page["site"]}},
                                    ensure_ascii=False) + "\n")
    project = Project.create(folder / f"{tag}.hashiya")
    try:
        import_paths(project, [corpus], "bench")
        duplicates.update_index(project)
        boilerplate_index.update(project)
        names = {project.document_name(doc): doc for doc in project.document_ids()}
        suggestions: dict[int, list] = {}
        for suggestion in boilerplate_index.all_suggestions(project):
            suggestions.setdefault(suggestion.document_id, []).append(suggestion)
        results = []
        for page in pages:
            found = suggestions.get(names[page["name"]], [])
            for first, boilerplate, kind in page["lines"]:
                covering = next((s for s in found if s.start <= first < s.end), None)
                results.append((covering is not None, boilerplate, kind, _source(covering)))
        return results
    finally:
        project.close()


def score_after_decisions(pages: list[dict], folder: Path, decided_per_site: int = 3) -> tuple[list, list, dict]:
    """An analyst decides the first `decided_per_site` pages of every site that has more (their boilerplate
    lines marked, the page marked done); a model is learnt from that and the other pages are scored."""
    from app import boilerplate_learning
    from app.project import Span

    corpus = folder / "decided.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for page in pages:
            handle.write(json.dumps({"name": page["name"], "text": page["text"], "meta": {"site": page["site"]}},
                                    ensure_ascii=False) + "\n")
    project = Project.create(folder / "decided.hashiya")
    try:
        import_paths(project, [corpus], "bench")
        names = {project.document_name(doc): doc for doc in project.document_ids()}
        by_site: dict[str, list[dict]] = {}
        for page in pages:
            by_site.setdefault(page["site"], []).append(page)
        decided = {p["name"] for group in by_site.values() if len(group) > decided_per_site
                   for p in group[:decided_per_site]}
        for page in pages:
            if page["name"] not in decided:
                continue
            doc = names[page["name"]]
            text = page["text"]
            for first, boilerplate, _kind in page["lines"]:
                if boilerplate:
                    end = text.find("\n", first)
                    project.add_annotation(Span(doc, "analyst", "boilerplate", "other", first,
                                                len(text) if end < 0 else end))
            project.set_status(doc, "analyst", "done")
        duplicates.update_index(project)
        boilerplate_index.update(project)

        def results() -> list:
            suggestions: dict[int, list] = {}
            for suggestion in boilerplate_index.all_suggestions(project, "analyst"):
                suggestions.setdefault(suggestion.document_id, []).append(suggestion)
            found_lines = []
            for page in pages:
                if page["name"] in decided or len(by_site[page["site"]]) <= decided_per_site:
                    continue  # only the other pages of the sites the analyst worked on
                found = suggestions.get(names[page["name"]], [])
                for first, boilerplate, kind in page["lines"]:
                    covering = next((s for s in found if s.start <= first < s.end), None)
                    found_lines.append((covering is not None, boilerplate, kind, _source(covering)))
            return found_lines

        before = results()
        model = boilerplate_learning.learn(project, "analyst")
        boilerplate_learning.store(project, model)
        boilerplate_index.update(project)
        return before, results(), model.about
    finally:
        project.close()


def _source(suggestion) -> str:
    if suggestion is None:
        return ""
    if suggestion.reason.startswith("repeated in"):
        return "repetition"
    return "page" if suggestion.reason in page_chrome.REASONS else "cue"


def report(title: str, results: list) -> None:
    precision, recall = precision_recall([r[0] for r in results], [r[1] for r in results])
    sources = Counter(r[3] for r in results if r[0] and r[1])
    print(f"{title}: precision {precision:.3f}  recall {recall:.3f}  "
          f"({sum(r[1] for r in results)} boilerplate lines of {len(results)}; found by {dict(sources)})")
    missed = Counter(r[2] for r in results if r[1] and not r[0])
    wrong = Counter(r[2] for r in results if r[0] and not r[1])
    print(f"  missed by kind: {dict(missed.most_common())}\n  false alarms by kind: {dict(wrong.most_common())}")


def main(argv: list[str]) -> None:
    devset = Path(argv[0])
    pages = read_set(devset)
    training = load(devset)
    print(f"{len(pages)} pages of {len({p['site'] for p in pages})} sites")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        held_out = []
        for number, held in enumerate(folds(training)):
            model = fit([page for page in training if page["site"] not in held], page_chrome.shipped_model().threshold)
            with mock.patch.object(page_chrome, "shipped_model", lambda model=model: model):
                held_out += score([p for p in pages if p["site"] in held], folder, f"fold{number}")
        report("leave-site-out (the page model never saw the site)", held_out)
        report("shipped model", score(pages, folder, "all"))
        with mock.patch.object(boilerplate_index, "chrome_blocks", lambda *args, **kwargs: []):
            report("cues and repetition only (before issue 16)", score(pages, folder, "before"))
        # The same pages, before and after decisions, on the sites with more than 3 pages only.
        before, after, about = score_after_decisions(pages, folder)
        report("sites with more than 3 pages, their other pages, shipped model", before)
        report("the same pages after the analyst decided 3 pages per site", after)
        print(f"  learnt from: {about}")


if __name__ == "__main__":
    main(sys.argv[1:])
