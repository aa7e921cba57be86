"""The assistant in a project (app.assistant): learning entities from finished documents, scoring them
held out against the string matcher, storing the model, and proposing what it finds."""

from __future__ import annotations

import pytest

from app import assistant, propagation
from app.project import Project, Span
from tests.conftest import add_document
from tests.test_recommender import PEOPLE, PLACES, _corpus

ANALYST = "amal"


def finished(project: Project, examples, done: bool = True) -> list[int]:
    """The examples as documents with the analyst's spans, marked done."""
    ids = []
    for number, example in enumerate(examples):
        doc = add_document(project, example.text, f"{number:03}.txt")
        project.add_annotations(Span(doc, ANALYST, "entity", label, start, end) for start, end, label in example.spans)
        if done:
            project.set_status(doc, ANALYST, "done")
        ids.append(doc)
    return ids


def test_too_few_finished_documents_say_how_many_are_needed(project):
    finished(project, _corpus(PEOPLE[:3], PLACES[:3]))
    finished(project, _corpus(PEOPLE[3:9], PLACES[3:9]), done=False)  # annotated but not finished
    with pytest.raises(assistant.NotEnoughDocuments, match="3 with entity spans; at least 5"):
        assistant.learn(project, ANALYST)


def test_a_learnt_model_is_scored_held_out_beside_the_string_matcher_and_stored_with_what_it_learnt(project):
    ids = finished(project, _corpus(PEOPLE[:10], PLACES[:10]))
    steps = []
    learnt = assistant.learn(project, ANALYST, progress=lambda done, total: steps.append(done / total))
    about = learnt.about
    held = [doc for doc in ids if assistant.held_out(doc)]
    assert about["documents"] == 10 and about["held_out_documents"] == len(held) > 0
    assert about["spans"] == 50 and about["labels"] == ["LOC", "PERS"]
    assert about["scores"]["all"]["f1"] > about["baseline"]["all"]["f1"]  # unseen names: the matcher misses
    assert [point["documents"] for point in about["curve"]] == sorted(point["documents"] for point in about["curve"])
    assert steps and max(steps) <= 1 and steps == sorted(steps)
    assert "held-out" in assistant.describe(about) and assistant.quiet_reason(about) is None
    assistant.store(project, learnt)
    project.close()
    reopened = Project.open(project.path)
    try:
        again = assistant.stored(reopened)
        assert again is not None and assistant.used(reopened)
        assert again.about["trained_at"] == about["trained_at"] and again.about["scores"] == about["scores"]
        text = "وأكد الوزير جمال عيسى أن الزيارة إلى الدوحة ستتم."
        assert again.model.predict(text) == learnt.model.predict(text)
    finally:
        reopened.close()


def test_below_the_chosen_f1_the_recommender_stays_quiet_and_says_why():
    about = {"scores": {"all": {"f1": 0.31, "precision": 0.5, "recall": 0.2}}}
    assert "0.31" in assistant.quiet_reason(about) and "0.50" in assistant.quiet_reason(about)
    assert "Not scored" in assistant.quiet_reason({"scores": None})


def test_predictions_are_proposals_less_what_the_analyst_has_or_rejected_and_accepted_ones_say_predicted(project):
    finished(project, _corpus(PEOPLE[:8], PLACES[:8]))
    learnt = assistant.learn(project, ANALYST)
    text = "قال الرئيس نور الهدى إن العلاقات مع صنعاء جيدة.\nوسافر الوفد لصنعاء أمس."
    doc = add_document(project, text, "new.txt")
    found = assistant.proposals(project, learnt, [doc], ANALYST)
    shown = {(p.text, p.label) for p in found}
    assert ("نور الهدى", "PERS") in shown and ("صنعاء", "LOC") in shown
    assert all(p.kind == "predicted" and 0 < p.score <= 1 for p in found)
    person = next(p for p in found if p.label == "PERS")
    place = next(p for p in found if p.text == "صنعاء" and p.start > text.index("\n"))
    assert text[place.start - 1] == "ل"  # proposed without the proclitic
    propagation.reject(project, [place], ANALYST)
    [span] = project.add_annotations([person.as_span(ANALYST)])
    assert span.provenance == "predicted" and project.status(doc, ANALYST) == "in_progress"
    again = {(p.start, p.label) for p in assistant.proposals(project, learnt, [doc], ANALYST)}
    assert (person.start, "PERS") not in again and (place.start, "LOC") not in again


def test_the_documents_to_finish_are_ranked_least_sure_or_densest_in_unknown_names_first(project):
    done = finished(project, _corpus(PEOPLE[:8], PLACES[:8]))
    learnt = assistant.learn(project, ANALYST)
    known = add_document(project, "قال الرئيس سامي حداد إن العلاقات مع روسيا جيدة.", "known.txt")
    unknown = add_document(project, "قال الرئيس نور الهدى إن العلاقات مع صنعاء جيدة. وأكد الوزير جمال عيسى "
                                    "أن الزيارة إلى الدوحة ستتم.", "unknown.txt")
    strange = add_document(project, "كان الطقس جميلا اليوم في كل مكان والناس في الحدائق.", "strange.txt")
    by_unknown = assistant.ranked_documents(project, learnt, ANALYST, "unknown")
    assert set(by_unknown) == {known, unknown, strange} and not set(done) & set(by_unknown)  # done: left out
    assert by_unknown[0] == unknown
    by_doubt = assistant.ranked_documents(project, learnt, ANALYST, "uncertain")
    assert by_doubt.index(strange) < by_doubt.index(known)  # text unlike anything learnt: least sure
    with pytest.raises(ValueError):
        assistant.ranked_documents(project, learnt, ANALYST, "random")


def test_a_damaged_stored_model_is_never_opened(project):
    from app.models import LearnedModel

    finished(project, _corpus(PEOPLE[:6], PLACES[:6]))
    assistant.store(project, assistant.learn(project, ANALYST))
    with project.session.begin() as session:
        row = session.get(LearnedModel, assistant.ENTITY_MODEL)
        row.data = row.data[:2000]  # cut short: crfsuite would crash the process on it
    assert assistant.stored(project) is None


def test_the_first_few_finished_documents_are_scored_on_one_held_out(project):
    ids = finished(project, _corpus(PEOPLE[:5], PLACES[:5]))
    assert not any(assistant.held_out(doc) for doc in ids)  # none of these falls in the one-in-five
    about = assistant.learn(project, ANALYST).about
    assert about["held_out_documents"] == 1 and about["scores"] is not None


def test_nothing_to_learn_from_gives_a_model_that_finds_nothing():
    from app.recommender import train
    from app.recommender import Example as Doc

    model = train([Doc("؟ ، .", [])])
    assert model.predict("قال سامي حداد") == [] and model.labels() == []
