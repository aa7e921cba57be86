"""Boilerplate and near-duplicate benchmarks: index speed, suggestions for one document, clustering, and
the precision and recall of the suggestions on a synthetic corpus with known boilerplate.

Run with `make bench-boilerplate`, i.e.
    .venv/bin/python benchmarks/bench_boilerplate.py [--pages 100000] [--sample 2000]

The corpus (benchmarks/_boilerplate_corpus.py: several sites with chrome of their own, republished
stories, related-links tails; every line labelled) is imported once into a project cached in
benchmarks/.cache/; each run indexes a fresh copy of it. Prints one table and always exits 0.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import _boilerplate_corpus as corpus  # noqa: E402
from bench_foundation import CACHE, figure, guarded, machine_lines, print_table  # noqa: E402

CORPUS_VERSION = 3  # bump when the generator changes
SUGGESTION_RUNS = 200


def cached_project(pages: list, count: int) -> Path:
    from app.importer import import_paths
    from app.migrations import SCHEMA_VERSION
    from app.project import Project

    path = CACHE / f"boilerplate{count // 1000}k-schema{SCHEMA_VERSION}-gen{CORPUS_VERSION}.hashiya"
    if path.exists():
        return path
    CACHE.mkdir(exist_ok=True)
    for stale in CACHE.glob(f"boilerplate{count // 1000}k-*"):
        stale.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "pages.jsonl"
        with open(source, "w", encoding="utf-8") as handle:
            for page in pages:
                handle.write(json.dumps({"name": page.name, "text": page.text, "meta": {"url": page.url}},
                                        ensure_ascii=False) + "\n")
        partial = path.with_name(path.name + ".partial")
        project = Project.create(partial)
        try:
            report = import_paths(project, [source], "bench")
        finally:
            project.close()
        if len(report.imported) != len(pages):
            raise RuntimeError(f"imported {len(report.imported)} of {len(pages)} pages")
        partial.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=100_000, help="pages in the corpus (default 100,000)")
    parser.add_argument("--sample", type=int, default=2_000, help="pages checked line by line for quality")
    args = parser.parse_args(argv)
    print("Hashiya boilerplate benchmarks")
    for text_line in machine_lines():
        print(text_line)
    sys.stdout.flush()

    indexing = figure("B1", f"boilerplate index, {args.pages:,} pages", "MB/s", 25, higher_is_better=True)
    clustering = figure("B2", f"near-duplicate clustering, {args.pages:,} pages", "docs/s", 1_000,
                        higher_is_better=True)
    pages_stage = figure("B1p", f"what each page alone shows, {args.pages:,} pages", "MB/s", None,
                         higher_is_better=True)
    one = figure("B3", "suggestions for the open document (median)", "ms", 10, show_p95=True)
    precision = figure("B4", f"precision of suggested lines ({args.sample:,} pages)", "%", None, higher_is_better=True)
    recall = figure("B5", f"recall of boilerplate lines ({args.sample:,} pages)", "%", None, higher_is_better=True)
    scratch = Path(tempfile.mkdtemp(prefix="hashiya-bp-bench-"))
    began = time.perf_counter()
    state: dict = {}
    try:
        pages = corpus.pages(args.pages)
        state["pages"] = {page.name: page for page in pages}
        state["megabytes"] = sum(len(page.text.encode("utf-8")) for page in pages) / 1e6
        source = cached_project(pages, args.pages)
        del pages
        # The generated pages stay in memory for the quality check: out of the collector's way, so
        # that its passes over them are not charged to the code measured.
        gc.collect()
        gc.freeze()
        working = scratch / "bench.hashiya"
        shutil.copyfile(source, working)
        guarded([clustering], lambda: _cluster(working, clustering, args.pages))
        guarded([indexing], lambda: _index(working, indexing, state["megabytes"]))
        guarded([pages_stage], lambda: _pages(working, pages_stage, state["megabytes"]))
        guarded([one], lambda: _one_document(working, one))
        guarded([precision, recall], lambda: _quality(working, state["pages"], args.sample, precision, recall))
    except BaseException:  # noqa: BLE001  (print what was measured)
        import traceback
        traceback.print_exc()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print_table()
    print(f"\n(total {time.perf_counter() - began:.0f} s; corpus cached in {CACHE.name}/)")
    return 0


def _cluster(path: Path, made, count: int) -> None:
    from app import duplicates
    from app.project import Project

    project = Project.open(path)
    try:
        gc.collect()
        started = time.perf_counter()
        done = duplicates.update_index(project)
        made.samples.append(done / (time.perf_counter() - started))
        groups = duplicates.clusters(project)
        made.note = (f"duplicates.update_index over every page (shingles, MinHash, LSH lookups, exact Jaccard,"
                     f" clusters); {sum(len(m) for m, _ in groups):,} pages in {len(groups):,} clusters at 0.8")
    finally:
        project.close()


def _index(path: Path, made, megabytes: float) -> None:
    _stage(path, made, megabytes, "update_index",
           f"boilerplate_index.update_index over {megabytes:.0f} MB of UTF-8 text (lines, fingerprints, cue blocks, "
           "per-site counts), one core")


def _pages(path: Path, made, megabytes: float) -> None:
    _stage(path, made, megabytes, "update_page_chrome",
           f"boilerplate_index.update_page_chrome over {megabytes:.0f} MB (each page's lines, features and the "
           "page-chrome model; the second stage of an index run, after B1), one core")


def _stage(path: Path, made, megabytes: float, stage: str, note: str) -> None:
    """One index stage of app.boilerplate_index over the whole copy, in MB/s."""
    from app import boilerplate_index
    from app.project import Project

    project = Project.open(path)
    try:
        gc.collect()
        started = time.perf_counter()
        getattr(boilerplate_index, stage)(project)
        made.samples.append(megabytes / (time.perf_counter() - started))
        made.note = note
    finally:
        project.close()


def _one_document(path: Path, made) -> None:
    from app import boilerplate_index
    from app.project import Project

    project = Project.open(path)
    try:
        ids = random.Random(3).sample(project.document_ids(), SUGGESTION_RUNS)
        for document_id in ids:
            started = time.perf_counter()
            boilerplate_index.suggestions_for(project, document_id, "bench")
            made.samples.append((time.perf_counter() - started) * 1000)
        made.note = f"suggestions_for(document) on {SUGGESTION_RUNS} random pages of the indexed corpus"
    finally:
        project.close()


def _quality(path: Path, pages: dict, sample: int, precision, recall) -> None:
    from app import boilerplate_index
    from app.project import Project

    project = Project.open(path)
    true_positive = false_positive = false_negative = 0
    misses: dict[str, int] = {}
    try:
        for document_id in random.Random(5).sample(project.document_ids(), sample):
            page = pages[project.document_name(document_id)]
            suggestions = boilerplate_index.suggestions_for(project, document_id)
            position = 0
            for line, truth in zip(page.lines, page.truth):
                first = position + len(line) - len(line.lstrip())
                position += len(line) + 1
                if not line.strip():
                    continue
                found = any(s.start <= first < s.end for s in suggestions)
                true_positive += found and truth
                false_positive += found and not truth
                false_negative += truth and not found
                if found != truth:
                    key = ("suggested: " if found else "missed: ") + line[:40]
                    misses[key] = misses.get(key, 0) + 1
    finally:
        project.close()
    precision.samples.append(100 * true_positive / max(true_positive + false_positive, 1))
    recall.samples.append(100 * true_positive / max(true_positive + false_negative, 1))
    worst = ", ".join(f"{key} ×{n}" for key, n in sorted(misses.items(), key=lambda item: -item[1])[:4])
    precision.note = (f"line level: {true_positive:,} boilerplate lines suggested, {false_positive:,} article lines"
                      f" suggested, {false_negative:,} boilerplate lines missed. Most frequent: {worst or 'none'}")
    recall.note = "the generator is this project's own: real scraped pages will score lower (see the README)"


if __name__ == "__main__":
    try:
        main()
    finally:
        sys.exit(0)
