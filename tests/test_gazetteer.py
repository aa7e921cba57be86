"""Gazetteer files: plain lists and CSV, problems reported, proposals for every name."""

import pytest

from app.gazetteer import GazetteerError, read_gazetteer
from app.importer import import_paths
from app.propagation import propose_many
from tests.conftest import SEED_ARTICLES

LABELS = {"PERS", "GPE", "ORG"}


def test_plain_list_takes_the_chosen_label(tmp_path):
    path = tmp_path / "people.txt"
    path.write_text("بوتين\n\nكيم جونغ أون\nبوتين\n", encoding="utf-8")
    assert read_gazetteer(path, LABELS, "PERS").pairs == [("بوتين", "PERS"), ("كيم جونغ أون", "PERS")]


def test_csv_with_header_unknown_labels_and_cp1256(tmp_path):
    path = tmp_path / "names.csv"
    path.write_bytes("name,label\nروسيا,GPE\nالكرملين,ORG\nبيسكوف,PERSON\nأوكرانيا,\n".encode("cp1256"))
    gazetteer = read_gazetteer(path, LABELS)
    assert gazetteer.pairs == [("روسيا", "GPE"), ("الكرملين", "ORG")]
    assert gazetteer.problems == ["line 3: the label PERSON is not in the schema", "line 4: أوكرانيا has no label"]


def test_a_file_without_usable_names_is_an_error_naming_it(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("name,label\nبوتين,NOPE\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="empty.csv: no usable names"):
        read_gazetteer(path, LABELS)


def test_proposals_for_every_name_in_one_pass(project):
    import_paths(project, SEED_ARTICLES, "amal")
    proposals = propose_many(project, [("روسيا", "GPE"), ("الكرملين", "ORG")], "amal")
    assert {p.label for p in proposals} == {"GPE", "ORG"}
    assert {p.form for p in proposals} == {"روسيا", "الكرملين"}
    for proposal in proposals:
        assert project.document_text(proposal.document_id)[proposal.start:proposal.end] == proposal.text


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
