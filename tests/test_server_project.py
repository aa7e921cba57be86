"""A project on a PostgreSQL server (issue 18) gives what a project file gives: the same store operations, the
same search candidates, the same indexes and exports, the same commands with a URL for a path."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import boilerplate_index, duplicates, schema, searchindex, transfer
from app.exporter import export_jsonl
from app.formats.label_studio import stance_targets
from app.migrations import SCHEMA_VERSION
from app.pgstore import PsycopgDriver
from app.project import LabelDef, Project, ProjectError, Span
from app.search import search_project
from tests.conftest import ROOT, add_document
from tests.test_searchindex import queries, texts

ARTICLE = ("قال سامي حداد في بيروت إن لبنان بخير.\nاقرأ أيضاً: أخبار اليوم\n"
           "وأضاف أن COVID-19 انتهى في كوريا الشمالية وبيونغ يانغ.")


def test_the_store_operations_give_the_same_results_on_a_file_and_a_server(either_project):
    project = either_project
    first = add_document(project, ARTICLE, "أ.txt")
    second = add_document(project, "زار بيونج يانج وكوريا الشمالية", "b.txt")
    span = project.add_annotation(Span(first, "أمل", "entity", "PERS", 4, 13, attrs={"note": "ملاحظة"}))
    assert project.annotations(first) == [span]
    assert project.status(first, "أمل") == "in_progress"
    project.set_status(first, "أمل", "done")
    project.set_status(first, "أمل", "in_progress")  # a second write of the same row: an upsert
    assert project.status(first, "أمل") == "in_progress"
    changed = project.update_annotation(span, label="ORG")
    assert project.annotations(first)[0].label == "ORG" and changed.label == "ORG"
    assert project.document_ids("b.") == [second] and project.document_ids("B.") == [second]
    assert [row.status for row in project.document_rows([first, second], "أمل")] == ["in_progress", "new"]
    project.set_info("somewhere", "1")
    project.set_info("somewhere", "2")
    assert project.info("somewhere") == "2"
    project.delete_annotations([span.uid])
    assert project.annotations(first) == []


def test_search_finds_the_same_hits_with_clitics_and_similar_spellings(either_project):
    project = either_project
    ids = [add_document(project, text, f"{n}.txt") for n, text in enumerate(
        [ARTICLE, "زار بيونج يانج", "لروسيا وروسيا", "ﻻ شيء هنا"])]
    hits = [(hit.document_id, hit.start, hit.end) for hit in search_project(project, "بيونغ يانغ", similar=True)]
    assert {document for document, *_ in hits} == {ids[0], ids[1]}
    assert [hit.text for hit in search_project(project, "روسيا")] == ["روسيا", "روسيا"]
    assert [hit.document_id for hit in search_project(project, "covid-19")] == [ids[0]]


def test_the_boilerplate_and_near_duplicate_indexes_run_on_both(either_project):
    project = either_project
    for n in range(4):
        add_document(project, f"خبر رقم {n} عن الاقتصاد اللبناني اليوم.\nاقرأ أيضاً: أخبار اليوم\n"
                              "جميع الحقوق محفوظة لموقع المثال", f"{n}.txt")
    add_document(project, ARTICLE + "\nجميع الحقوق محفوظة لموقع المثال", "x.txt")
    add_document(project, ARTICLE + "\nجميع الحقوق محفوظة لموقع المثال!", "y.txt")
    assert boilerplate_index.update_index(project) == 6
    assert boilerplate_index.update_index(project) == 0  # the watermark holds
    assert duplicates.update_index(project) == 6
    assert duplicates.pending_documents(project) == 0
    assert any({5, 6} <= set(members) for members, _pairs in duplicates.clusters(project))
    suggested = boilerplate_index.all_suggestions(project, "أمل")
    assert suggested, "repeated lines are suggested"


def test_stance_targets_are_read_and_renamed_in_the_json_attributes(either_project):
    project = either_project
    document = add_document(project, ARTICLE, "a.txt")
    schema.add_label(project, LabelDef(schema.STANCE_TARGET, "لبنان", "#336699", None))
    project.add_annotations([
        Span(document, "أمل", "doc_stance", "favor", None, None, attrs={"target": "لبنان"}),
        Span(document, "أمل", "stance", "against", 0, 3,
             attrs={"target": {"target": "لبنان", "note": "x"}, "holder": {"start": 4, "end": 13}}),
        Span(document, "أمل", "stance", "against", 0, 3, attrs={"target": {"start": 17, "end": 22}}),
    ])
    assert stance_targets(project) == ["لبنان"]
    schema.rename_label(project, schema.STANCE_TARGET, "لبنان", "الجمهورية اللبنانية")
    attrs = [span.attrs for span in project.annotations(document)]
    assert {"target": "الجمهورية اللبنانية"} in attrs
    assert {"target": {"target": "الجمهورية اللبنانية", "note": "x"}, "holder": {"start": 4, "end": 13}} in attrs
    assert {"target": {"start": 17, "end": 22}} in attrs  # a span target is not a list target


def test_an_export_of_a_server_project_equals_the_export_of_the_same_file(postgres_url, project_path, tmp_path):
    file_project = Project.create(project_path)
    for n, text in enumerate([ARTICLE, "نص ثان عن لبنان"]):
        document = add_document(file_project, text, f"{n}.txt")
        file_project.add_annotation(Span(document, "أمل", "entity", "LOC", 0, 3, attrs={"n": n}))
    file_project.set_status(1, "أمل", "done")
    file_project.close()
    transfer.push(project_path, postgres_url)
    server = Project.open(postgres_url)
    file_project = Project.open(project_path)
    try:
        for project, out in ((file_project, tmp_path / "file.jsonl"), (server, tmp_path / "server.jsonl")):
            export_jsonl(project, out)
        assert (tmp_path / "server.jsonl").read_bytes() == (tmp_path / "file.jsonl").read_bytes()
    finally:
        server.close()
        file_project.close()


def test_push_then_pull_gives_back_every_row_and_a_searchable_file(postgres_url, project_path, tmp_path):
    source = Project.create(project_path)
    document = add_document(source, ARTICLE, "a.txt")
    source.add_annotation(Span(document, "أمل", "entity", "PERS", 4, 13))
    source.set_status(document, "سامي", "done")
    boilerplate_index.update_index(source)
    before = transfer.row_counts(source)
    source.close()
    transfer.push(project_path, postgres_url)
    server = Project.open(postgres_url)
    after = transfer.row_counts(server)
    assert after.pop("project_info") == before.pop("project_info") + len(transfer.MARKER_KEYS)  # its format
    assert after == before
    # Ids continue after the copied ones.
    later = add_document(server, "وثيقة جديدة", "new.txt")
    assert later == document + 1
    server.close()
    back = tmp_path / "back.hashiya"
    transfer.pull(postgres_url, back)
    pulled = Project.open(back)
    try:
        counts = transfer.row_counts(pulled)
        assert counts["documents"] == 2 and counts["annotations"] == 1 and counts["document_status"] == 2
        assert [hit.document_id for hit in search_project(pulled, "جديدة")] == [later]
        assert pulled.schema_version() == SCHEMA_VERSION
        assert pulled.info("application") is None  # a file's format is in its header
    finally:
        pulled.close()


def test_a_database_that_is_not_a_project_is_named_in_the_refusal(postgres_url):
    engine_url = postgres_url
    with psycopg.connect(engine_url.replace("postgresql+psycopg", "postgresql")) as connection:
        connection.execute("CREATE TABLE project_info (key TEXT PRIMARY KEY, value TEXT)")
    with pytest.raises(ProjectError, match="not a Hashiya project") as refused:
        Project.open(postgres_url)
    assert "postgresql://" in str(refused.value) and "+psycopg" not in str(refused.value)


def test_an_empty_database_is_not_opened_unless_asked_to_create(postgres_url):
    with pytest.raises(ProjectError, match="holds no Hashiya project"):
        Project.open(postgres_url)
    Project.open(postgres_url, create=True).close()
    with pytest.raises(ProjectError, match="already holds"):
        Project.create(postgres_url)


def test_a_password_in_the_address_is_refused_and_never_repeated(postgres_server):
    with pytest.raises(ProjectError) as refused:
        Project.open(f"postgresql://amal:s3cret@127.0.0.1:{postgres_server.port}/x")
    assert "s3cret" not in str(refused.value) and "holds a password" in str(refused.value)


def test_a_newer_project_format_on_the_server_is_refused(postgres_url):
    Project.create(postgres_url).close()
    with psycopg.connect(postgres_url.replace("postgresql+psycopg", "postgresql")) as connection:
        connection.execute("UPDATE project_info SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(ProjectError, match="newer version of Hashiya"):
        Project.open(postgres_url)


# ---- the search index: the same candidates from both ---------------------------------------------------------
@pytest.fixture(scope="module")
def both_indexes(postgres_server):
    memory = sqlite3.connect(":memory:")
    server = psycopg.connect(postgres_server.url(postgres_server.create_database()).replace(
        "postgresql+psycopg", "postgresql"), autocommit=True)
    server.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY)")
    searchindex.TermsIndex(PsycopgDriver(server)).create()
    yield memory, server
    memory.close()
    server.close()


def candidates_on_both(both_indexes, documents: list[str], query: str, similar: bool):
    memory, server = both_indexes
    memory.execute(f"DROP TABLE IF EXISTS {searchindex.TABLE}")
    memory.execute("DROP TABLE IF EXISTS temp.search_index_terms")
    memory.execute(searchindex.CREATE_TABLE)
    server.execute(f"DELETE FROM {searchindex.TERMS_TABLE}")
    server.execute("DELETE FROM documents")
    for number in range(1, len(documents) + 1):
        server.execute("INSERT INTO documents (id) VALUES (%s)", (number,))
    found = []
    for index in (searchindex.Fts5Index(memory), searchindex.TermsIndex(PsycopgDriver(server))):
        index.add(enumerate(documents, start=1))
        vocabulary = index.vocabulary() if similar else ""
        tree = searchindex.match_tree(query, similar=similar, vocabulary=vocabulary)
        found.append((None if tree is None else index.candidates(tree), sorted(vocabulary.split("\n"))))
    return found


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=1, max_size=5), queries, st.booleans())
def test_the_server_index_returns_exactly_the_file_index_candidates(both_indexes, documents, query, similar):
    (file_found, file_terms), (server_found, server_terms) = candidates_on_both(both_indexes, documents, query,
                                                                                similar)
    assert server_found == file_found
    assert server_terms == file_terms


@pytest.mark.parametrize("documents, query", [
    (["a" * 40_000, "b" * 32_768 + "c", "b" * 32_768], "a" * 40_000),  # tokens longer than FTS5 keeps
    (["b" * 32_768 + "c", "x"], "b" * 32_768),
    (["COVID-19 Covid", "covid"], "COVID"),
    (["x" * 32_767 + "é", "x" * 32_767 + "ب"], "x" * 32_767 + "é"),  # a cut through a character
    (['he said "no"', "no"], '"no"'),
    (["روسيا ولروسيا", "لروسيا", "موسكو"], "روسيا"),  # two forms of one word in a document: one candidate
])
def test_long_tokens_case_and_quotes_match_alike(both_indexes, documents, query):
    (file_found, file_terms), (server_found, server_terms) = candidates_on_both(both_indexes, documents, query,
                                                                                False)
    assert server_found == file_found
    assert file_found is None or len(set(file_found)) == len(file_found)


# ---- the commands take a URL wherever they take a project file ------------------------------------------------
def hashiya(*arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "app", *arguments], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_import_search_export_and_agreement_commands_on_a_server_url(postgres_url, tmp_path):
    url = postgres_url.replace("postgresql+psycopg", "postgresql")  # as a person writes it
    article = tmp_path / "خبر.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    hashiya("team", "init", url)
    hashiya("import", url, str(article))
    found = hashiya("search", url, "بيروت")
    assert "بيروت" in found.stdout
    project = Project.open(url)
    try:
        document = project.document_ids()[0]
        for analyst in ("أمل", "سامي"):
            project.add_annotation(Span(document, analyst, "entity", "PERS", 4, 13))
    finally:
        project.close()
    agreement = hashiya("agreement", url, "--annotators", "أمل", "سامي", "--json")
    assert json.loads(agreement.stdout)
    hashiya("export", url, "--format", "jsonl", "--out", str(tmp_path / "out.jsonl"))
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[0]["text"] == ARTICLE and len(rows[0]["annotations"]) == 2


def test_push_and_pull_commands(postgres_url, project_path, tmp_path):
    url = postgres_url.replace("postgresql+psycopg", "postgresql")
    project = Project.create(project_path)
    document = add_document(project, ARTICLE, "a.txt")
    project.add_annotation(Span(document, "أمل", "entity", "PERS", 4, 13))
    project.close()
    pushed = hashiya("team", "push", str(project_path), url)
    assert "1 documents" in pushed.stdout or "1 document" in pushed.stdout
    assert "add-analyst" in pushed.stdout and "أمل" in pushed.stdout
    again = hashiya("team", "push", str(project_path), url, check=False)
    assert again.returncode == 2 and "already holds" in again.stderr
    back = tmp_path / "back.hashiya"
    hashiya("team", "pull", url, str(back))
    pulled = Project.open(back)
    try:
        assert [span.label for span in pulled.annotations(document)] == ["PERS"]
    finally:
        pulled.close()


# ---- format upgrades on a server ------------------------------------------------------------------------------
def test_a_server_project_of_an_older_format_is_upgraded_when_opened(postgres_url):
    Project.create(postgres_url).close()
    with psycopg.connect(postgres_url.replace("postgresql+psycopg", "postgresql")) as connection:
        connection.execute("DROP TABLE assignments CASCADE")  # as format 9 had it
        connection.execute("UPDATE project_info SET value = '9' WHERE key = 'schema_version'")
    project = Project.open(postgres_url)
    try:
        assert project.schema_version() == SCHEMA_VERSION
        document = add_document(project, ARTICLE)
        from app import assignment

        assert assignment.assign(project, [(document, "أمل")], by="admin") == [(document, "أمل")]
        assert assignment.queue(project, "أمل") == [document]
    finally:
        project.close()


# ---- others' work arrives live --------------------------------------------------------------------------------
def test_every_window_hears_of_each_change_once_committed(postgres_url):
    import queue as queues

    from app.pgstore import Change, ChangeListener

    project = Project.create(postgres_url)
    heard: "queues.Queue[Change]" = queues.Queue()
    states: "queues.Queue[bool]" = queues.Queue()
    listener = ChangeListener(project.store.url, heard.put, lambda connected, reason: states.put(connected)).start()
    try:
        assert states.get(timeout=10) is True
        document = add_document(project, ARTICLE)
        project.add_annotations([Span(document, "أمل", "entity", "PERS", 4, 13),
                                 Span(document, "أمل", "entity", "LOC", 17, 22)])
        amal = project.annotator_id("أمل")
        received = {heard.get(timeout=10), heard.get(timeout=10)}
        # Two spans and the status they started: one notice per table and pair, not one per row.
        assert received == {Change("annotations", document, amal), Change("document_status", document, amal)}
        project.set_status(document, "أمل", "done")
        assert heard.get(timeout=10) == Change("document_status", document, amal)
        assert heard.empty()
    finally:
        listener.stop()
        project.close()


def test_a_server_restart_is_said_at_once_and_the_window_reconnects(postgres_server):
    """The listener says the connection is lost when the server goes, and connected when it is back; a
    read after the restart works again without reopening the project (the pool checks its connections)."""
    import queue as queues

    from app.pgstore import ChangeListener
    from tests.postgres import TestServer

    server = TestServer()  # its own server: this one is restarted
    try:
        url = server.url(server.create_database())
        project = Project.create(url)
        document = add_document(project, ARTICLE)
        states: "queues.Queue[bool]" = queues.Queue()
        listener = ChangeListener(project.store.url, lambda change: None,
                                  lambda connected, reason: states.put(connected)).start()
        try:
            assert states.get(timeout=10) is True
            server.restart()
            assert states.get(timeout=15) is False
            assert states.get(timeout=30) is True
            assert project.document_text(document) == ARTICLE
            project.set_status(document, "أمل", "done")
            assert project.status(document, "أمل") == "done"
        finally:
            listener.stop()
            project.close()
    finally:
        server.stop()


def test_an_edit_while_the_server_is_down_fails_as_retryable_and_succeeds_once_it_is_back(postgres_server):
    from app.store import ProjectUnreachable, can_retry
    from tests.postgres import TestServer

    server = TestServer()
    try:
        url = server.url(server.create_database())
        project = Project.create(url)
        document = add_document(project, ARTICLE)
        server.halt()
        span = Span(document, "أمل", "entity", "PERS", 4, 13)
        with pytest.raises(ProjectUnreachable) as failed:
            project.add_annotation(span)
        assert can_retry(failed.value) and "cannot be reached" in str(failed.value)
        server.resume()
        project.add_annotation(span)  # the same edit, tried again
        assert project.annotations(document) == [project.annotations(document)[0]]
        project.close()
    finally:
        server.stop()


def test_merge_takes_another_analysts_work_from_a_server_project(postgres_url, project_path, capsys):
    from app.cli import main

    server = Project.create(postgres_url)
    document = add_document(server, ARTICLE, "a.txt")
    server.add_annotation(Span(document, "badr", "entity", "PERS", 4, 13))
    server.close()
    mine = Project.create(project_path)
    add_document(mine, ARTICLE, "a.txt")
    mine.close()
    plain = postgres_url.replace("postgresql+psycopg", "postgresql")
    assert main(["merge", str(project_path), plain, "--annotator", "أمل", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["added"] == 1
    merged = Project.open(project_path)
    try:
        assert [(span.annotator, span.label) for span in merged.annotations(1)] == [("badr", "PERS")]
    finally:
        merged.close()


def test_a_window_killed_mid_edit_leaves_every_committed_edit_and_no_half_one(postgres_url):
    """A process writing to the server is killed in the middle of a transaction: what it committed (what a
    window had shown as done) is there, the edit it had not committed is not, and no lock is left behind."""
    import os
    import signal
    import textwrap

    project = Project.create(postgres_url)
    document = add_document(project, ARTICLE)
    project.close()
    script = textwrap.dedent(f"""
        import sys, time
        from app.project import Project, Span
        project = Project.open({postgres_url!r})
        project.add_annotation(Span({document}, "أمل", "entity", "PERS", 4, 13))  # committed, shown as done
        with project.store.write_engine.begin() as connection:  # the next edit, killed before its commit
            from app.project import _INSERT_ANNOTATIONS
            connection.execute(_INSERT_ANNOTATIONS, [project._row_for(Span({document}, "أمل", "entity", "LOC",
                                                                             17, 22))])
            print("writing", flush=True)
            time.sleep(60)
    """)
    writer = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(30)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait(30)
        writer.stdout.close()
    reopened = Project.open(postgres_url)
    try:
        assert [span.label for span in reopened.annotations(document)] == ["PERS"]
        reopened.add_annotation(Span(document, "badr", "entity", "LOC", 17, 22))  # nothing waits on a lock
        assert reopened.status(document, "أمل") == "in_progress"
    finally:
        reopened.close()
