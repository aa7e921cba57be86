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
    project = _imported(pages, folder, tag)
    try:
        duplicates.update_index(project)
        boilerplate_index.update(project)
        names = {project.document_name(doc): doc for doc in project.document_ids()}
        return _found_lines(project, pages, names, None)
    finally:
        project.close()


def score_after_decisions(pages: list[dict], folder: Path, decided_per_site: int = 3) -> tuple[list, list, dict | None]:
    """An analyst decides the suggestions of the first `decided_per_site` pages of every site that has more,
    as in the boilerplate panel: a group whose lines are mostly boilerplate is accepted (every copy in the
    corpus, one decision), any other is rejected (no copy suggested again); the boilerplate left is marked by
    hand and the page marked done. A model is learnt from that, and the site's other pages are scored before
    and after: a line counts as found when a pending suggestion or the analyst's accepted group covers it."""
    from app import boilerplate_learning

    folder.mkdir(exist_ok=True)
    project = _imported(pages, folder, "decided")
    analyst = "analyst"
    try:
        names = {project.document_name(doc): doc for doc in project.document_ids()}
        by_site: dict[str, list[dict]] = {}
        for page in pages:
            by_site.setdefault(page["site"], []).append(page)
        decided = [p for group in by_site.values() if len(group) > decided_per_site for p in group[:decided_per_site]]
        scored = [p for group in by_site.values() if len(group) > decided_per_site for p in group[decided_per_site:]]
        duplicates.update_index(project)
        boilerplate_index.update(project)
        before = _found_lines(project, scored, names, analyst)
        for page in decided:
            _decide(project, page, names[page["name"]], analyst)
        boilerplate_index.update(project)
        try:
            model = boilerplate_learning.learn(project, analyst)
        except boilerplate_learning.NotEnoughDecisions:  # e.g. sites whose pages hold no boilerplate
            model = None
        else:
            boilerplate_learning.store(project, model)
            boilerplate_index.update(project)
        return before, _found_lines(project, scored, names, analyst), model and model.about
    finally:
        project.close()


def _imported(pages: list[dict], folder: Path, tag: str) -> Project:
    corpus = folder / f"{tag}.jsonl"
    with open(corpus, "w", encoding="utf-8") as handle:
        for page in pages:
            handle.write(json.dumps({"name": page["name"], "text": page["text"], "meta": {"site": page["site"]}},
                                    ensure_ascii=False) + "\n")
    project = Project.create(folder / f"{tag}.hashiya")
    import_paths(project, [corpus], "bench")
    return project


def _decide(project: Project, page: dict, doc: int, analyst: str) -> None:
    """What an analyst does with one page in the boilerplate panel and the text pane."""
    from app.project import Span

    text = page["text"]
    chrome = {first for first, boilerplate, _kind in page["lines"] if boilerplate}
    for suggestion in boilerplate_index.suggestions_for(project, doc, analyst):
        covered = [first for first, _b, _k in page["lines"] if suggestion.start <= first < suggestion.end]
        if not covered:
            continue
        if sum(first in chrome for first in covered) * 2 > len(covered):
            boilerplate_index.accept(project, boilerplate_index.copies(project, suggestion, analyst), analyst,
                                     suggestion.category)
        else:
            boilerplate_index.reject(project, suggestion, analyst)
    marked = _analyst_spans(project, doc, analyst)
    for first in sorted(chrome):
        if not any(start <= first < end for start, end in marked):
            end = text.find("\n", first)
            project.add_annotation(Span(doc, analyst, "boilerplate", "other", first, len(text) if end < 0 else end))
    project.set_status(doc, analyst, "done")


def _analyst_spans(project: Project, doc: int, analyst: str) -> list[tuple[int, int]]:
    return [(span.start, span.end) for span in project.annotations(doc, analyst, "boilerplate")]


def _found_lines(project: Project, pages: list[dict], names: dict[str, int], analyst: str | None) -> list:
    """(found, boilerplate, kind, source) for every labelled line of `pages`: covered by a suggestion pending
    for `analyst` (for anyone: None) or by one of `analyst`'s accepted copies."""
    suggestions: dict[int, list] = {}
    for suggestion in boilerplate_index.all_suggestions(project, analyst):
        suggestions.setdefault(suggestion.document_id, []).append(suggestion)
    found_lines = []
    for page in pages:
        doc = names[page["name"]]
        found = suggestions.get(doc, [])
        accepted = _analyst_spans(project, doc, analyst) if analyst else []
        for first, boilerplate, kind in page["lines"]:
            covering = next((s for s in found if s.start <= first < s.end), None)
            taken = any(start <= first < end for start, end in accepted)
            found_lines.append((covering is not None or taken, boilerplate, kind,
                                "accepted copy" if taken and covering is None else _source(covering)))
    return found_lines


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
        held_out, before, after, learnt = [], [], [], []
        for number, held in enumerate(folds(training)):
            model = fit([page for page in training if page["site"] not in held], page_chrome.shipped_model().threshold)
            fold = [p for p in pages if p["site"] in held]
            with mock.patch.object(page_chrome, "shipped_model", lambda model=model: model):
                held_out += score(fold, folder, f"fold{number}")
                # The fold's sites with more than 3 pages, before and after an analyst decided 3 of them.
                if _multi_page_sites(fold):
                    fold_before, fold_after, about = score_after_decisions(fold, folder / f"decided{number}")
                    before, after, learnt = before + fold_before, after + fold_after, learnt + [about] * bool(about)
        report("leave-site-out (the page model never saw the site)", held_out)
        report("shipped model", score(pages, folder, "all"))
        with mock.patch.object(boilerplate_index, "chrome_blocks", lambda *args, **kwargs: []):
            report("cues and repetition only (before issue 16)", score(pages, folder, "before"))
        report(f"sites with more than 3 pages ({len(_multi_page_sites(pages))}), their other pages, leave-site-out", before)
        report("the same pages after the analyst decided 3 pages per site", after)
        for about in learnt:
            print(f"  learnt in one fold from {about['documents']} documents of {about['sites']} sites: held-out "
                  f"precision {about['precision']}, recall {about['recall']}")


def _multi_page_sites(pages: list[dict], decided_per_site: int = 3) -> set[str]:
    sites = Counter(page["site"] for page in pages)
    return {site for site, count in sites.items() if count > decided_per_site}


if __name__ == "__main__":
    main(sys.argv[1:])
