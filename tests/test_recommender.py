"""The entity recommender's core (app/recommender.py): tokens split from proclitics, features, a CRF trained
on spans, and scores against the string matcher. Texts are written for the tests."""

from __future__ import annotations

import pytest

from app import recommender
from app.recommender import Entity, Example, Gazetteer, Scores, bio, entities, outermost, sentences, train

PEOPLE = ["سامي حداد", "ليلى منصور", "كريم العلي", "هدى سالم", "فادي نصار", "رنا الخطيب", "وليد عثمان", "منى يوسف",
          "جمال عيسى", "سعاد ناصر", "عادل فهمي", "نور الهدى"]
PLACES = ["روسيا", "القاهرة", "بيروت", "عمان", "تونس", "الرباط", "بغداد", "دمشق", "الدوحة", "مسقط", "الجزائر", "صنعاء"]


def tokens_of(text: str) -> list[tuple[str, str]]:
    return [(text[t.start:t.end], t.part) for sentence in sentences(text) for t in sentence]


def test_a_word_is_split_from_one_conjunction_or_preposition_but_never_from_the_article():
    assert tokens_of("لروسيا بالقاهرة وبلبنان") == [
        ("ل", "prefix"), ("روسيا", "stem"), ("ب", "prefix"), ("القاهرة", "stem"),
        ("وب", "prefix"), ("لبنان", "stem")]
    # Harakat stay with the letter they sit on; two letters are never split.
    assert tokens_of("وَروسيا لي") == [("وَ", "prefix"), ("روسيا", "stem"), ("لي", "word")]
    text = "لبنان"
    [[prefix, stem]] = sentences(text)
    assert (prefix.word, stem.word) == ("لبنان", "لبنان")  # the model sees the whole word too


def test_sentences_end_at_a_full_stop_a_question_mark_or_a_line():
    assert [len(s) for s in sentences("قال سامي. هل جاء؟ نعم\nجاء")] == [2, 2, 1, 1]


def test_spans_become_tags_and_tags_spans_again_with_the_least_sure_token_as_score():
    text = "زار سامي حداد لروسيا"
    [tokens] = sentences(text)
    spans = [(4, 13, "PERS"), (text.index("روسيا"), len(text), "LOC")]
    tags = bio(tokens, spans)
    assert tags == ["O", "B-PERS", "I-PERS", "O", "B-LOC"]
    found = entities(tokens, tags, [0.9, 0.8, 0.6, 0.99, 0.7])
    assert found == [Entity(4, 13, "PERS", 0.6), Entity(text.index("روسيا"), len(text), "LOC", 0.7)]
    # Nested spans: a flat labelling keeps the outer one.
    assert outermost([(0, 10, "ORG"), (5, 10, "LOC"), (12, 15, "PERS")]) == [(0, 10, "ORG"), (12, 15, "PERS")]


def test_the_gazetteer_marks_the_longest_known_name_on_tokens():
    gazetteer = Gazetteer.from_spans([("سامي حداد", "PERS"), ("سامي", "PERS"), ("روسيا", "LOC"), ("روسيا", "LOC"),
                                      ("روسيا", "ORG")])
    [tokens] = sentences("قال سامي حداد في روسيا")
    assert gazetteer.marks(tokens) == ["", "B-PERS", "I-PERS", "", "B-LOC"]  # the label given most


def _corpus(people: list[str], places: list[str]) -> list[Example]:
    """Sentences in the shapes of news: a title before a person, a reporting verb after; a place after في
    or behind a proclitic."""
    examples = []
    for n, (person, place) in enumerate(zip(people, places)):
        parts = [("قال الرئيس ", None), (person, "PERS"), (" إن العلاقات مع ", None), (place, "LOC"),
                 (" جيدة.\nوأكد الوزير ", None), (person, "PERS"), (" أن الزيارة إلى ", None), (place, "LOC"),
                 (f" ستتم في الشهر {n + 1}.\nوسافر الوفد ل", None), (place, "LOC"), (" أمس.", None)]
        text, spans = "", []
        for part, label in parts:
            if label:
                spans.append((len(text), len(text) + len(part), label))
            text += part
        examples.append(Example(text, spans))
    return examples


def test_a_crf_learnt_from_spans_finds_names_it_never_saw_where_the_string_matcher_cannot():
    training = _corpus(PEOPLE[:9], PLACES[:9])
    testing = _corpus(PEOPLE[9:], PLACES[9:])
    learnt, baseline = recommender.evaluate(training, testing)
    assert learnt.of("PERS")[2] >= 0.9 and learnt.of("LOC")[2] >= 0.9
    assert baseline.of()[1] == 0.0  # the matcher knows only the names it was given
    # A name learnt bare is proposed behind ل without it, as annotate-all would.
    model = train(training)
    text = "وسافر الوفد لروسيا أمس."
    assert Entity(text.index("روسيا"), text.index(" أمس"), "LOC") in [
        Entity(e.start, e.end, e.label) for e in model.predict(text)]
    assert all(0 < e.score <= 1 for e in model.predict(text))


def test_the_analysts_spans_decide_whether_a_proclitic_belongs_to_the_name():
    # لبنان is one name, and the analysts mark it whole: the model never cuts its ل off.
    examples = [Example(f"قال الرئيس إن لبنان بلد جميل رقم {n}.", [(14, 19, "LOC")]) for n in range(8)]
    model = train(examples)
    text = "وزار الوفد لبنان أمس."
    assert [(text[e.start:e.end], e.label) for e in model.predict(text)] == [("لبنان", "LOC")]


def test_training_reports_its_progress_and_honours_cancel_around_the_optimisation():
    steps = []
    train(_corpus(PEOPLE[:2], PLACES[:2]), progress=lambda done, total: steps.append((done, total)))
    assert steps and steps[-1][0] <= steps[-1][1] and [d for d, _ in steps] == sorted(d for d, _ in steps)
    with pytest.raises(recommender.Cancelled):
        train(_corpus(PEOPLE[:2], PLACES[:2]), cancelled=lambda: True)


def test_scores_count_exact_spans_per_label_and_a_confusion_table():
    scores = Scores()
    gold = [(0, 5, "PERS"), (10, 15, "LOC"), (20, 25, "ORG")]
    said = [Entity(0, 5, "PERS"), Entity(10, 15, "ORG"), Entity(30, 35, "LOC")]
    scores.add(gold, said)
    assert scores.of("PERS") == (1.0, 1.0, 1.0)
    assert scores.of() == (pytest.approx(1 / 3), pytest.approx(1 / 3), pytest.approx(1 / 3))
    assert scores.confusion[("LOC", "ORG")] == 1 and scores.confusion[("—", "LOC")] == 1
    assert scores.confusion[("ORG", "—")] == 1
    assert scores.as_dict()["support"] == {"LOC": 1, "ORG": 1, "PERS": 1}


def test_each_thread_reads_with_its_own_tagger():
    import threading

    model = train(_corpus(PEOPLE[:4], PLACES[:4]))
    text = "وقال الرئيس سامي حداد إن روسيا مستعدة."
    alone = model.predict(text)
    results, taggers = [], []

    def read() -> None:
        taggers.append(model._tagger)  # kept alive: ids are not reused
        results.extend(model.predict(text) == alone for _ in range(50))

    threads = [threading.Thread(target=read) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results) and len({id(tagger) for tagger in taggers}) == 3
