"""Team mode (app.team) on a real PostgreSQL server: each analyst writes only their own layer, an adjudicator
alone the gold layer, an admin alone the schema — enforced by the server, tested with a plain SQL client."""

from __future__ import annotations

import psycopg
import pytest

from app import team
from app.adjudication import GOLD


@pytest.fixture
def team_url(postgres_server):
    database = postgres_server.create_database()
    url = postgres_server.url(database)
    team.init(url)
    return postgres_server, database


def connect(server, database: str, role: str) -> psycopg.Connection:
    """A plain SQL client, logged in as `role` (trust authentication on the test server)."""
    return psycopg.connect(host="127.0.0.1", port=server.port, user=role, dbname=database, autocommit=True)


def _document(server, database: str) -> int:
    with connect(server, database, "hashiya_admin") as owner:
        return owner.execute("INSERT INTO documents (name, text, sha256, meta, imported_at) VALUES "
                             "('a.txt', 'قال سامي حداد', repeat('a', 64), '{}', '') RETURNING id").fetchone()[0]


def _annotator(connection, name: str) -> int:
    return connection.execute("SELECT id FROM annotators WHERE name = %s", (name,)).fetchone()[0]


def _annotate(connection, document: int, annotator: int, uid: str) -> None:
    connection.execute("INSERT INTO annotations (uid, document_id, annotator_id, layer, label, start, \"end\", "
                       "attrs, provenance, created_at, updated_at) VALUES (%s, %s, %s, 'entity', 'PERS', 4, 13, "
                       "'{}', 'manual', '', '')", (uid, document, annotator))


def test_an_analyst_writes_their_own_layer_and_cannot_touch_anothers_or_gold(team_url):
    server, database = team_url
    amal, badr = team.add_member(server.url(database), "أمل"), team.add_member(server.url(database), "badr")
    document = _document(server, database)
    with connect(server, database, amal) as a, connect(server, database, badr) as b:
        _annotate(a, document, _annotator(a, "أمل"), "a1")
        _annotate(b, document, _annotator(b, "badr"), "b1")
        # B reads A's work (agreement, review) but cannot change, delete or forge it.
        assert b.execute("SELECT count(*) FROM annotations").fetchone()[0] == 2
        assert b.execute("UPDATE annotations SET label = 'ORG' WHERE uid = 'a1'").rowcount == 0
        assert b.execute("DELETE FROM annotations WHERE uid = 'a1'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _annotate(b, document, _annotator(b, "أمل"), "forged")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _annotate(b, document, _annotator(b, GOLD), "g1")  # gold is the adjudicator's
        # Nor mark A's progress: a status row is the analyst's own too.
        a.execute("INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
                  "VALUES (%s, %s, 'in_progress', '')", (document, _annotator(a, "أمل")))
        assert b.execute("UPDATE document_status SET status = 'done'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute("INSERT INTO document_status (document_id, annotator_id, status, updated_at) "
                      "VALUES (%s, %s, 'done', '')", (document, _annotator(b, GOLD)))
        assert a.execute("SELECT label FROM annotations WHERE uid = 'a1'").fetchone()[0] == "PERS"
        assert a.execute("SELECT status FROM document_status").fetchone()[0] == "in_progress"


def test_the_adjudicator_writes_gold_and_only_an_admin_changes_the_schema(team_url):
    server, database = team_url
    url = server.url(database)
    judge, analyst, admin = (team.add_member(url, "huda", "adjudicator"), team.add_member(url, "badr"),
                             team.add_member(url, "omar", "admin"))
    document = _document(server, database)
    with connect(server, database, judge) as j, connect(server, database, analyst) as b, \
            connect(server, database, admin) as o:
        _annotate(j, document, _annotator(j, GOLD), "g1")
        assert j.execute("SELECT count(*) FROM annotations WHERE uid = 'g1'").fetchone()[0] == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute("INSERT INTO labels (layer, name, color, position) VALUES ('entity', 'X', '#000000', 9)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute("INSERT INTO project_info (key, value) VALUES ('guidelines', 'mine')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            b.execute("UPDATE team_members SET kind = 'admin'")
        o.execute("INSERT INTO project_info (key, value) VALUES ('guidelines', 'the team''s')")
        assert b.execute("SELECT value FROM project_info WHERE key = 'guidelines'").fetchone()[0] == "the team's"


def test_names_from_other_peoples_files_never_become_sql():
    assert team.role_name(' x"; DROP TABLE annotations; -- ') == 'x"; DROP TABLE annotations; --'
    for bad in ("", "a\nb", "pg_admin", "ك" * 40, "hashiya_m_0123456789"):
        with pytest.raises(team.TeamError):
            team.role_name(bad)


def test_a_hostile_name_is_a_role_like_any_other(team_url):
    server, database = team_url
    role = team.add_member(server.url(database), 'x"; DROP TABLE annotations; --')
    with connect(server, database, role) as hostile:
        assert hostile.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0  # the table is there


def test_hashiya_team_init_and_add_analyst_from_the_command_line(postgres_server, capsys):
    from app.cli import main

    database = postgres_server.create_database()
    plain = f"postgresql://hashiya_admin@127.0.0.1:{postgres_server.port}/{database}"
    assert main(["team", "init", plain]) == 0
    assert "tables and the team's rules are in place" in capsys.readouterr().out
    assert main(["team", "add-analyst", plain, "أمل"]) == 0
    assert main(["team", "add-analyst", plain, "huda", "--role", "adjudicator"]) == 0
    assert "huda logs in as the role huda (adjudicator)" in capsys.readouterr().out
    with connect(postgres_server, database, "أمل") as amal:
        assert amal.execute("SELECT kind FROM team_members WHERE role = current_user").fetchone()[0] == "analyst"
    # A password on the command line is refused (it would stay in the shell's history), and so is a file.
    assert main(["team", "init", plain.replace("hashiya_admin@", "hashiya_admin:secret@")]) == 1
    err = capsys.readouterr().err
    assert "holds a password" in err and "secret" not in err
    assert main(["team", "init", "project.hashiya"]) == 1
    # A server that is not there: named, without waiting for ever.
    closed = f"postgresql://nobody@127.0.0.1:{postgres_server.port + 1}/none?connect_timeout=3"
    assert main(["team", "init", closed]) == 2
    assert "127.0.0.1" in capsys.readouterr().err


# ---- three analysts and an adjudicator, through Hashiya itself ----------------------------------------------
def login(owner_url: str, role: str) -> str:
    """The project's address as `role` logs in to it."""
    from sqlalchemy.engine import make_url

    return make_url(owner_url).set(username=role).render_as_string(hide_password=False)


def test_three_analysts_and_an_adjudicator_share_one_server_project(postgres_server):
    from app.adjudication import disagreements, resolve
    from app.agreement import agreement_report
    from app.pgstore import ProjectRefused
    from app.project import Project, Span
    from tests.conftest import add_document

    owner_url = postgres_server.url(postgres_server.create_database())
    team.init(owner_url)
    people = {"أمل": "analyst", "badr": "analyst", "سامي": "analyst", "dina": "adjudicator"}
    for name, kind in people.items():
        team.add_member(owner_url, name, kind)
    owner = Project.open(owner_url)
    document = add_document(owner, "قال سامي حداد في بيروت إن لبنان بخير", "a.txt")  # documents: the admin's
    owner.close()
    opened = {name: Project.open(login(owner_url, name)) for name in people}
    try:
        for name, project in opened.items():
            assert team.analyst_for(project, "whoever") == name  # the login decides who annotates
        amal, badr, sami, dina = (opened[name] for name in people)
        amal.add_annotation(Span(document, "أمل", "entity", "PERS", 4, 13))
        badr.add_annotation(Span(document, "badr", "entity", "PERS", 4, 8))
        sami.add_annotation(Span(document, "سامي", "entity", "LOC", 17, 22))
        for name in ("أمل", "badr", "سامي"):
            opened[name].set_status(document, name, "done")
        # Each sees the others' progress and work as it is committed.
        assert [amal.status(document, name) for name in ("badr", "سامي")] == ["done", "done"]
        assert {span.annotator for span in badr.annotations(document)} == {"أمل", "badr", "سامي"}
        report = agreement_report(dina, "أمل", "badr")
        assert report["documents"] == 1
        # The adjudicator settles the disagreement in the gold layer.
        disagreement = disagreements(dina, document, "أمل", "badr")[0]
        written = resolve(dina, disagreement, "a", "dina", "أمل", "badr")
        assert [(span.annotator, span.start, span.end) for span in written] == [("gold", 4, 13)]
        # Nobody writes where they do not belong, through Hashiya as through any client.
        with pytest.raises(ProjectRefused, match="own layer"):
            amal.add_annotation(Span(document, "badr", "entity", "ORG", 0, 3))
        with pytest.raises(ProjectRefused):
            amal.add_annotation(Span(document, GOLD, "entity", "ORG", 0, 3, provenance="adjudicated"))
        with pytest.raises(ProjectRefused):
            amal.set_status(document, "badr", "new")
        badrs = badr.annotations(document, "badr")
        amal.delete_annotations([span.uid for span in badrs])  # deletes nothing of another's layer
        assert badr.annotations(document, "badr") == badrs
        assert [span.label for span in amal.annotations(document, GOLD)] == ["PERS"]
    finally:
        for project in opened.values():
            project.close()


def test_a_member_of_one_team_cannot_even_connect_to_another_teams_project(postgres_server):
    first, second = (postgres_server.create_database() for _ in range(2))
    for database in (first, second):
        team.init(postgres_server.url(database))
    team.add_member(postgres_server.url(first), "zaid")
    connect(postgres_server, first, "zaid").close()
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        connect(postgres_server, second, "zaid")


def test_round_robin_shares_the_documents_evenly_and_never_twice(postgres_server):
    from app.assignment import AssignmentError, round_robin

    pairs = round_robin([1, 2, 3, 4], ["a", "b", "c"], 2)
    assert pairs == [(1, "a"), (1, "b"), (2, "c"), (2, "a"), (3, "b"), (3, "c"), (4, "a"), (4, "b")]
    assert round_robin([1, 2], ["a", "b"], 2, taken={1: {"b"}}) == [(1, "a"), (2, "b"), (2, "a")]
    assert round_robin([1], ["a", "b"], 1, taken={1: {"a"}}) == []  # it has its analyst already
    with pytest.raises(AssignmentError):
        round_robin([1], ["a"], 2)


def test_hashiya_team_assign_from_the_command_line_on_a_file_and_a_server(postgres_server, project_path, capsys):
    from app.assignment import assigned, queue
    from app.cli import main
    from app.project import Project, Span
    from tests.conftest import add_document

    server_url = postgres_server.url(postgres_server.create_database()).replace("postgresql+psycopg", "postgresql")
    for location in (str(project_path), server_url):
        project = Project.open(location, create=True)
        ids = [add_document(project, f"نص {n}", f"{n}.txt") for n in range(3)]
        for name in ("أمل", "badr"):
            project.add_annotation(Span(ids[0], name, "entity", "PERS", 0, 2))
        project.close()
        assert main(["team", "assign", location, "--analysts", "أمل", "badr", "--per-document", "2"]) == 0
        assert "3 documents assigned: أمل 3, badr 3." in capsys.readouterr().out
        assert main(["team", "assign", location, "--analysts", "أمل", "badr"]) == 0  # nothing unassigned left
        assert "0 documents assigned" in capsys.readouterr().out
        assert main(["team", "assign", location, "--analysts", "nobody"]) == 1
        assert "no analyst called nobody" in capsys.readouterr().err
        project = Project.open(location)
        assert assigned(project) == {document: {"أمل", "badr"} for document in ids}
        assert queue(project, "badr") == ids
        project.close()
