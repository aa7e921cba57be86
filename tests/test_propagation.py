"""Annotate all occurrences: proposals, what they leave out, and remembered rejections."""

import pytest

from app.importer import import_paths
from app.project import Span
from app.propagation import forget_rejections, propose, reject, reject_everywhere
from tests.conftest import SEED_ARTICLES, add_document


@pytest.fixture
def demo(project):
    import_paths(project, SEED_ARTICLES, "amal")
    return project


def test_proposals_cover_the_corpus_and_skip_what_is_already_labelled(demo):
    first = demo.document_ids()[0]
    text = demo.document_text(first)
    start = text.index("روسيا")
    demo.add_annotation(Span(first, "amal", "entity", "GPE", start, start + 5))
    proposals = propose(demo, "روسيا", "GPE", "amal")
    assert proposals and (first, start) not in {(p.document_id, p.start) for p in proposals}
    assert len({p.document_id for p in proposals}) >= 4
    for proposal in proposals:
        assert demo.document_text(proposal.document_id)[proposal.start:proposal.end] == proposal.text
    behind_lam = [p for p in proposals if demo.document_text(p.document_id)[p.start - 1] == "ل"]
    assert behind_lam and all(p.text == "روسيا" for p in behind_lam)  # لروسيا → روسيا
    # Someone else's annotation does not count as this analyst's.
    assert len(propose(demo, "روسيا", "GPE", "huda")) == len(proposals) + 1


def test_a_longer_span_of_the_same_label_covers_the_form(demo):
    first = demo.document_ids()[0]
    text = demo.document_text(first)
    start = text.index("كوريا الشمالية")
    demo.add_annotation(Span(first, "amal", "entity", "GPE", start, start + 14))
    assert all((p.document_id, p.start) != (first, start) for p in propose(demo, "كوريا", "GPE", "amal"))


def test_only_the_given_documents(demo):
    first = demo.document_ids()[0]
    proposals = propose(demo, "بوتين", "PERS", "amal", document_ids=[first])
    assert proposals and {p.document_id for p in proposals} == {first}


def test_rejections_are_remembered(demo):
    proposals = propose(demo, "بوتين", "PERS", "amal")
    reject(demo, proposals[:2], "amal")
    again = propose(demo, "بوتين", "PERS", "amal")
    assert len(again) == len(proposals) - 2
    assert propose(demo, "بوتين", "ORG", "amal")  # another label is still proposed
    reject_everywhere(demo, [("بوتين", "PERS")], "amal")
    assert propose(demo, "بوتين", "PERS", "amal") == []
    assert propose(demo, "بوتين", "PERS", "huda")  # another analyst's choice
    forget_rejections(demo, "بوتين", "PERS", "amal")
    assert len(propose(demo, "بوتين", "PERS", "amal")) == len(proposals)


def test_accepted_proposals_are_propagated_spans(demo):
    [proposal, *_] = propose(demo, "بوتين", "PERS", "amal")
    stored = demo.add_annotation(proposal.as_span("amal"))
    assert stored.provenance == "propagated" and stored.label == "PERS"


def test_proposals_get_their_context_from_one_read_of_each_document(project):
    from app.propagation import with_context

    first = add_document(project, "قال بوتين إن\nروسيا تدعم", "a.txt")
    second = add_document(project, "وروسيا دولة", "b.txt")
    proposals = propose(project, "روسيا", "GPE", "amal")
    rows = with_context(project, list(reversed(proposals)), 6)
    assert [(p.document_id, before, after) for p, before, after in rows] == [
        (second, "و", "دولة"), (first, "\n", "تدعم")]  # the line before is cut at its break


def test_a_limit_returns_the_first_proposals_in_document_order(demo):
    every = propose(demo, "روسيا", "GPE", "amal")
    assert propose(demo, "روسيا", "GPE", "amal", limit=3) == every[:3]
    assert propose(demo, "روسيا", "GPE", "amal", limit=len(every) + 5) == every


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
