"""Holder guess and stance references (app/stance.py)."""

import pytest
from app.project import Span
from app.stance import article_ref, describe, entity_ref, guess_holder, stance_attrs
from tests.conftest import SEEDS

SEED_000 = (SEEDS / "000_cfe630f0c522799c.txt").read_text(encoding="utf-8")


def entity(text, words, label, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return Span(1, "amal", "entity", label, start, start + len(words))


def test_verb_subject_order_picks_the_person_after_the_verb():
    sentence = "وقال بوتين إن روسيا ستدعم كوريا الشمالية دائما في دفاعها عن سيادتها."
    text = SEED_000
    sentence_start = text.index(sentence)
    putin = Span(1, "amal", "entity", "PERS", sentence_start + 5, sentence_start + 10)
    russia = Span(1, "amal", "entity", "GPE", sentence_start + 14, sentence_start + 19)
    evidence = text.index("روسيا ستدعم", sentence_start)
    assert guess_holder(text, evidence, [russia, putin]) == putin


def test_people_win_over_nationalities_and_the_outer_name_over_its_parts():
    text = "وأكد الرئيس الروسي فلاديمير بوتين للزعيم الكوري الشمالي \"تثمينه دعم كوريا الشمالية\""
    norp = entity(text, "الروسي", "NORP")
    person = entity(text, "فلاديمير بوتين", "PERS")
    surname = entity(text, "بوتين", "PERS")
    evidence = text.index("تثمينه")
    assert guess_holder(text, evidence, [norp, surname, person]) == person


def test_subject_before_the_verb():
    text = "الكرملين قال إن الزيارة ستتم قريبا"
    kremlin = entity(text, "الكرملين", "ORG")
    assert guess_holder(text, text.index("الزيارة"), [kremlin]) == kremlin


def test_verb_without_named_subject_takes_the_last_speaker():
    text = "وقال المتحدث ديمتري بيسكوف إن الزيارة مهمة. وأضاف: \"سنناقش كل القضايا\""
    peskov = entity(text, "ديمتري بيسكوف", "PERS")
    assert guess_holder(text, text.index("سنناقش"), [peskov]) == peskov


def test_verbs_match_with_harakat_and_other_alef_forms():
    text = "وأكَّدَ كيم دعمه الكامل لروسيا"
    kim = entity(text, "كيم", "PERS")
    assert guess_holder(text, text.index("دعمه"), [kim]) == kim


def test_verbs_are_found_by_the_matching_engine_whole_words_only():
    # Tatweel inside the verb; مقال ("article") holds قال but is not a verb; the mention after the
    # verb carries a damma the annotated name does not.
    text = "ونشر بوتين مقالا. ثم قــال لافروفُ إن روسيا ستدعم الحل. وكان لافروف في موسكو"
    putin = entity(text, "بوتين", "PERS")
    lavrov = entity(text, "لافروف", "PERS", occurrence=1)
    assert guess_holder(text, text.index("روسيا"), [putin, lavrov]) == lavrov


def test_no_plausible_holder():
    text = "روسيا ستدعم كوريا الشمالية"
    assert guess_holder(text, 0, []) is None


def test_references_and_attrs():
    text = "قال بوتين"
    putin = Span(1, "amal", "entity", "PERS", 4, 9, uid="u1")
    assert entity_ref(putin, text) == {"start": 4, "end": 9, "text": "بوتين", "id": "u1"}
    assert describe(article_ref()) == "the article" and describe({"target": "روسيا"}) == "روسيا"
    assert stance_attrs(article_ref(), {"target": "روسيا"}, "  ") == {
        "holder": {"text": "the article", "article": True}, "target": {"target": "روسيا"}}
    assert stance_attrs(article_ref(), {"target": "روسيا"}, "sarcasm")["note"] == "sarcasm"


def test_an_unannotated_mention_after_the_verb_finds_the_same_name_annotated_elsewhere():
    text = "عقد الرئيس فلاديمير بوتين مباحثات مع كيم جونغ أون. وقال بوتين إن روسيا ستدعم كوريا الشمالية"
    putin = entity(text, "فلاديمير بوتين", "PERS")
    kim = entity(text, "كيم جونغ أون", "PERS")
    assert guess_holder(text, text.index("روسيا ستدعم"), [putin, kim]) == putin


def test_a_schema_with_other_type_names_still_gets_a_guess():
    text = "وقال بوتين إن روسيا ستدعم كوريا الشمالية"
    putin = Span(1, "amal", "entity", "PERSON", 5, 10)
    day = Span(1, "amal", "entity", "DATE", 0, 4)
    assert guess_holder(text, text.index("روسيا"), [day, putin]) == putin


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
