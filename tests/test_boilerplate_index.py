"""The boilerplate index: incremental, per site, grouped by fingerprint, minus what was decided."""

import pytest
from sqlalchemy import text

from app import boilerplate_index
from app.boilerplate_index import (LOOKUP, MIN_COPIES, WATERMARK, all_suggestions, fingerprint, pending_documents,
                                   site_of, suggestions_for, update_index)
from app.importer import Importer, ParsedDocument, import_paths
from app.models import Rejection
from app.project import Span, now_iso
from tests.conftest import SEED_ARTICLES

FOOTER = "حقوق الطبع لموقع المثال ٢٠٢٤"


def add(project, text, name, url=None):
    importer = Importer(project, "tester")
    document = ParsedDocument(name, None, text, {"url": url} if url else {}, [])
    importer._pending.append((name, [document]))
    importer._pending_documents = 1
    importer._flush()
    return project.known_hashes()[document.sha256]


def article(number: int) -> str:
    return f"خبر رقم {number} عن زيارة الوفد إلى العاصمة ولقاءات مطولة مع المسؤولين هناك.\nتفاصيل إضافية {number}."


def test_the_index_reads_only_documents_it_has_not_seen(project):
    import_paths(project, SEED_ARTICLES, "amal")
    assert pending_documents(project) == 5
    assert update_index(project) == 5 and pending_documents(project) == 0
    assert update_index(project) == 0
    add(project, article(1) + "\nزر الذهاب إلى الأعلى", "new.txt")
    assert pending_documents(project) == 1
    progress = []
    assert update_index(project, progress=lambda done, total: progress.append((done, total))) == 1
    assert progress == [(1, 1)] and project.info(WATERMARK) == str(project.document_ids()[-1])


def test_a_cancelled_run_keeps_its_batches_and_the_next_goes_on(project):
    for number in range(3):
        add(project, article(number), f"{number}.txt")
    assert update_index(project, cancelled=lambda: True) == 0
    assert pending_documents(project) == 3 and update_index(project) == 3


def test_a_line_repeated_across_a_site_is_suggested_in_every_copy(project):
    ids = [add(project, f"{article(n)}\n{FOOTER}", f"{n}.txt", url=f"https://www.example.com/{n}")
           for n in range(MIN_COPIES)]
    add(project, f"{article(9)}\n{FOOTER}", "other-site.txt", url="https://another.net/a")
    update_index(project)
    found = [s for s in all_suggestions(project) if project.document_text(s.document_id)[s.start:s.end] == FOOTER]
    assert [s.document_id for s in found] == ids  # the other site's single copy is not enough there
    assert {s.category for s in found} == {"footer"} and {s.copies for s in found} == {MIN_COPIES}
    assert found[0].reason == f"repeated in {MIN_COPIES} documents of site example.com"
    assert len({s.fingerprint for s in found}) == 1  # one group: one decision covers every copy


def test_a_line_in_too_few_documents_is_article_text(project):
    for n in range(MIN_COPIES - 1):
        add(project, f"{article(n)}\nنثمن كثيرا دعمكم المنتظم والدائم للسياسة الروسية", f"{n}.txt")
    update_index(project)
    assert all_suggestions(project) == []


def test_consecutive_repeated_lines_are_one_block_and_counts_grow_with_imports(project):
    chrome = "القائمة الجانبية للموقع\nأخبار محلية | رياضة | اقتصاد"
    ids = [add(project, f"{chrome}\n{article(n)}", f"{n}.txt") for n in range(MIN_COPIES - 1)]
    update_index(project)
    # Not repeated often enough yet (the page alone may see chrome in it: app.page_chrome).
    assert not any(s.reason.startswith("repeated") for s in suggestions_for(project, ids[0]))
    ids.append(add(project, f"{chrome}\n{article(7)}", "7.txt"))  # the third copy arrives later
    update_index(project)
    [block] = suggestions_for(project, ids[0])
    assert project.document_text(ids[0])[block.start:block.end] == chrome
    assert block.category == "navigation" and block.copies == MIN_COPIES


def test_suggestions_of_one_document_are_those_of_the_corpus_list(project):
    import_paths(project, SEED_ARTICLES, "amal")
    update_index(project)
    every = all_suggestions(project)
    for document_id in project.document_ids():
        mine = [s for s in every if s.document_id == document_id]
        assert [(s.start, s.end, s.category) for s in suggestions_for(project, document_id)] == \
            [(s.start, s.end, s.category) for s in mine]


def test_decided_suggestions_are_no_longer_pending(project):
    import_paths(project, SEED_ARTICLES, "amal")
    update_index(project)
    first, second, *rest = all_suggestions(project, "amal")
    project.add_annotation(Span(first.document_id, "amal", "boilerplate", first.category, first.start, first.end))
    with project.session.begin() as session:
        session.add(Rejection(annotator_id=project.annotator_id("amal"), layer="boilerplate",
                              label=second.category, form=str(second.fingerprint), created_at=now_iso()))
    left = all_suggestions(project, "amal")
    assert first not in left and all(s.fingerprint != second.fingerprint for s in left)
    assert len(all_suggestions(project, "someone else")) == len(rest) + 2


@pytest.mark.parametrize("meta, site", [
    ({"url": "https://www.aljadeed.tv/news/1"}, "aljadeed.tv"),
    ({"site": "Sada El Balad", "url": "https://x.org"}, "sada el balad"),
    ({"url": "not a url"}, ""),
    ({}, ""),
])
def test_site_of_a_document(meta, site):
    assert site_of(meta) == site


def test_fingerprints_are_stable_across_runs():
    assert fingerprint("زر الذهاب الى الاعلى") == fingerprint("زر الذهاب الى الاعلى")
    assert fingerprint("a") == -1677663141193711518  # fixed: stored fingerprints must not change meaning


def test_headless_boilerplate_lists_pending_suggestions_as_json(tmp_path, capsys):
    import json

    from app.cli import main as cli
    from app.project import Project

    path = tmp_path / "demo.hashiya"
    project = Project.create(path)
    import_paths(project, SEED_ARTICLES, "amal")
    texts = {project.document_name(i): project.document_text(i) for i in project.document_ids()}
    project.close()
    assert cli(["boilerplate", str(path), "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed and all(set(item) == {"document", "start", "end", "category", "reason", "copies"} for item in listed)
    by_text = {texts[item["document"]][item["start"]:item["end"]]: item for item in listed}
    assert by_text["زر الذهاب إلى الأعلى"]["category"] == "navigation"
    assert by_text["شارك القصة"]["copies"] == 1
    tails = [item for item in listed if item["category"] == "related_links"]
    assert len(tails) == 2 and {item["copies"] for item in tails} == {2}  # one heading, two documents

    assert cli(["boilerplate", str(path)]) == 0  # indexing again finds nothing new; text output
    captured = capsys.readouterr()
    assert captured.out.count("\n") == len(listed) and "(0 newly indexed document(s))" in captured.err


def test_accepting_a_group_marks_every_copy_and_rejecting_hides_it_everywhere(project):
    from app.boilerplate_index import accept, copies, forget_rejection, reject

    ids = [add(project, f"{article(n)}\n{FOOTER}", f"{n}.txt", url=f"https://example.com/{n}") for n in range(4)]
    for n in range(2):
        add(project, f"{article(10 + n)}\nمقالات مشابهة\nعنوان {n}", f"tail{n}.txt")
    update_index(project)
    [footer] = [s for s in suggestions_for(project, ids[1], "amal") if s.category == "footer"]
    group = copies(project, footer, "amal")
    assert [s.document_id for s in group] == ids
    spans = accept(project, group, "amal", "footer")
    stored = [(s.document_id, s.label, s.provenance) for d in ids for s in project.annotations(d, layer="boilerplate")]
    assert stored == [(d, "footer", "detected") for d in ids]
    assert all(s.document_id != ids[0] or s.category != "footer" for s in all_suggestions(project, "amal"))
    project.delete_annotations(span.uid for span in spans)  # undo
    assert len(copies(project, footer, "amal")) == 4

    [tail] = [s for s in all_suggestions(project, "amal") if s.category == "related_links"][:1]
    assert len(copies(project, tail, "amal")) == 2  # the same heading in two documents
    reject(project, tail, "amal")
    assert not [s for s in all_suggestions(project, "amal") if s.category == "related_links"]
    assert [s for s in all_suggestions(project, "bilal") if s.category == "related_links"]  # others still see it
    forget_rejection(project, tail, "amal")
    assert len([s for s in all_suggestions(project, "amal") if s.category == "related_links"]) == 2


def test_index_runs_leave_every_connection_committing_with_full_durability(project):
    from app import duplicates

    import_paths(project, SEED_ARTICLES, "amal")
    seen = []
    duplicates.update_index(project, progress=lambda *_: seen.append(_synchronous(project)))
    update_index(project, progress=lambda *_: seen.append(_synchronous(project)))
    assert _synchronous(project) == 2  # FULL again for the analyst's edits
    with project.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def _synchronous(project) -> int:
    with project.engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA synchronous").scalar()


def test_article_paragraphs_are_not_counted_for_repetition(project):
    from app.boilerplate import REPEAT_MAX_WORDS

    paragraph = " ".join(["كلمة"] * (REPEAT_MAX_WORDS + 1))
    short = "تنويه: الآراء الواردة تعبر عن كتابها"
    for number in range(MIN_COPIES):
        add(project, f"{article(number)}\n{paragraph}\n{short}", f"{number}.txt")
    update_index(project)
    texts = {project.document_text(s.document_id)[s.start:s.end] for s in all_suggestions(project)}
    assert texts == {short}


def test_repeated_lines_with_an_article_between_them_are_two_blocks(project):
    header, footer = "قائمة الأقسام في موقع المثال", "تابعونا على منصات التواصل الاجتماعي"
    # The article is one long paragraph: not a repetition candidate, so not among the stored lines.
    ids = [add(project, f"{header}\n{'خبر ' * 30}رقم {n} {'وتفاصيل ' * 15}\n{footer}", f"{n}.txt")
           for n in range(MIN_COPIES)]
    update_index(project)
    text = project.document_text(ids[0])
    assert [(text[s.start:s.end], s.category) for s in suggestions_for(project, ids[0])] == [
        (header, "navigation"), (footer, "footer")]


@pytest.mark.parametrize("collecting", [True, False])
def test_an_index_run_leaves_the_garbage_collector_and_the_line_cache_as_it_found_them(project, collecting):
    import gc

    from app import boilerplate

    import_paths(project, SEED_ARTICLES, "amal")
    (gc.enable if collecting else gc.disable)()
    try:
        assert update_index(project) == 5
        assert gc.isenabled() == collecting and not boilerplate._FACTS
    finally:
        gc.enable()


def _lookup_exists(project) -> bool:
    with project.session() as session:
        return session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = :n"), {"n": LOOKUP}) == 1


def _site_pages(project, numbers):
    return [add(project, f"{article(n)}\nزر الذهاب إلى الأعلى\n{FOOTER}", f"{n}.txt", url=f"https://example.com/{n}")
            for n in numbers]


def test_a_run_that_doubles_the_index_builds_the_fingerprint_lookup_after_its_rows(project, monkeypatch):
    monkeypatch.setattr(boilerplate_index, "BATCH", 2)
    ids = _site_pages(project, range(4))
    during = []

    def look(done, total):
        cues_only = [project.document_text(ids[0])[s.start:s.end] for s in suggestions_for(project, ids[0])]
        during.append((_lookup_exists(project), cues_only))

    assert update_index(project, progress=look) == 4
    assert during == [(False, ["زر الذهاب إلى الأعلى"])] * 2  # no half-counted repetition meanwhile
    assert _lookup_exists(project)
    footers = [s for s in all_suggestions(project) if project.document_text(s.document_id)[s.start:s.end] == FOOTER]
    assert [s.document_id for s in footers] == ids

    during.clear()
    _site_pages(project, [4])  # a small run keeps the lookup up all along
    assert update_index(project, progress=lambda done, total: during.append(_lookup_exists(project))) == 1
    assert during == [True]


@pytest.mark.parametrize("stop", ["cancel", "error"])
def test_a_bulk_run_that_stops_early_puts_the_lookup_back(project, monkeypatch, stop):
    monkeypatch.setattr(boilerplate_index, "BATCH", 2)
    _site_pages(project, range(4))

    def fail(done, total):
        raise RuntimeError("disk full")

    if stop == "cancel":
        assert update_index(project, cancelled=lambda: True) == 0
    else:
        with pytest.raises(RuntimeError):
            update_index(project, progress=fail)
    assert _lookup_exists(project)
    assert update_index(project) == (4 if stop == "cancel" else 2) and pending_documents(project) == 0


def test_upgrading_a_version_5_project_rebuilds_its_boilerplate_index(tmp_path):
    """Versions 6 (lines keyed by place) and 8 (blocks the page alone finds) change the index: emptied by the
    upgrade, it is rebuilt by the next index run with the same suggestions."""
    import sqlite3

    from app.project import Project

    path = tmp_path / "five.hashiya"
    project = Project.create(path)
    _site_pages(project, range(MIN_COPIES))
    update_index(project)
    before = all_suggestions(project)
    project.close()
    connection = sqlite3.connect(path)
    connection.executescript("""
        CREATE TABLE old_lines (fingerprint INTEGER NOT NULL, site_id INTEGER NOT NULL, document_id INTEGER NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, PRIMARY KEY (fingerprint, site_id, document_id, start)
        ) WITHOUT ROWID;
        INSERT INTO old_lines SELECT fingerprint, site_id, document_id, start, "end" FROM boilerplate_lines;
        DROP TABLE boilerplate_lines;
        ALTER TABLE old_lines RENAME TO boilerplate_lines;
        CREATE INDEX ix_boilerplate_lines_document ON boilerplate_lines (document_id);
        ALTER TABLE boilerplate_cues DROP COLUMN source;
        DROP TABLE learned_models;
        DROP TABLE assignments;
        PRAGMA user_version = 5;""")
    connection.close()
    project = Project.open(path)
    try:
        assert project.upgraded_from == 5
        assert all_suggestions(project) == [] and pending_documents(project) == MIN_COPIES
        update_index(project)
        assert all_suggestions(project) == before and len(before) > MIN_COPIES
        assert _lookup_exists(project)
    finally:
        project.close()
