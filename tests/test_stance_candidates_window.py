"""Stance candidates in the window: listed for the open document, taken with F/A/N into the database with the
guessed holder and the target, dismissed with R (remembered), and the learnt polarity pre-selected."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import schema
from app import stance_candidates as sc
from app.project import Span
from tests.conftest import add_document, show_window
from tests.test_stance_candidates import TARGETS, TEXT


def _project_with_targets(project):
    for name in TARGETS:
        schema.add_label(project, schema.LabelDef("stance_target", name, "#d62728", None))
    doc = add_document(project, TEXT, "t.txt")
    start = TEXT.index("سامي حداد")
    project.add_annotations([Span(doc, "amal", "entity", "PERS", start, start + len("سامي حداد"))])
    return doc


def test_candidates_are_taken_with_a_polarity_key_or_dismissed_and_the_database_says_so(qtbot, project):
    doc = _project_with_targets(project)
    window = show_window(qtbot, project, "amal")
    window.editor.open_document(doc)
    window.find_stance_candidates()
    panel = window.stance_candidates
    assert panel.model.rowCount() == 2 and window.candidates_dock.isVisible()
    first, second = panel.model.candidates()
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key_A)  # against
    [stance] = project.annotations(doc, "amal", "stance")
    assert (stance.start, stance.end, stance.label) == (first.start, first.end, "AGAINST")
    assert stance.attrs["holder"]["text"] == "سامي حداد" and stance.attrs["target"] == {"target": "روسيا"}
    qtbot.keyClick(panel.view, Qt.Key_R)  # the quotation: not a stance
    assert panel.model.rowCount() == 0 and sc.dismissed(project, doc, "amal") == [(second.start, second.end)]
    window.find_stance_candidates()  # neither comes back
    assert panel.model.rowCount() == 0
    window.editor.undo_stack.undo()  # the stance undone: its sentence is a candidate again
    window.find_stance_candidates()
    assert panel.model.candidates() == [first]


def test_the_learnt_polarity_is_learnt_in_the_panel_and_pre_selected_with_its_confidence(qtbot, project):
    doc = _project_with_targets(project)
    body = "\n".join(f"جملة {n} " + ("تدعم وترحب" if n % 2 else "ترفض وتدين") + " الموقف" for n in range(14))
    other = add_document(project, body, "s.txt")
    text = project.document_text(other)
    spans = []
    for n in range(14):
        line = f"جملة {n} " + ("تدعم وترحب" if n % 2 else "ترفض وتدين") + " الموقف"
        start = text.index(line)
        spans.append(Span(other, "amal", "stance", "FAVOR" if n % 2 else "AGAINST", start, start + len(line),
                          attrs={"holder": {}, "target": {"target": "روسيا"}}))
    project.add_annotations(spans)
    window = show_window(qtbot, project, "amal")
    panel = window.stance_candidates
    assert not panel.use_learnt.isEnabled() and "No polarity learnt" in panel.figures.text()
    qtbot.mouseClick(panel.learn_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not panel.running() and "learnt from 14 stances" in panel.figures.text(), timeout=10_000)
    assert panel.use_learnt.isChecked()
    window.editor.open_document(doc)
    window.find_stance_candidates()
    first = panel.model.candidates()[0]
    assert first.polarity in ("FAVOR", "AGAINST") and 0 < first.confidence <= 1
    assert "%" in panel.model.data(panel.model.index(0, 3))
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key_Return)  # takes the guess
    [stance] = project.annotations(doc, "amal", "stance")
    assert stance.label == first.polarity


def test_a_list_of_another_document_never_writes_into_the_open_one(qtbot, project):
    doc = _project_with_targets(project)
    other = add_document(project, "كلام عادي لا موقف فيه ولا شيء آخر يذكر في هذه الجملة الطويلة.", "o.txt")
    window = show_window(qtbot, project, "amal")
    window.editor.open_document(doc)
    window.find_stance_candidates()
    panel = window.stance_candidates
    assert panel.model.rowCount() == 2
    window.candidates_dock.hide()
    window.editor.open_document(other)
    window.candidates_dock.show()  # shown again by hand (the dock's own toggle), not through the menu
    assert panel.document_id == other and panel.model.rowCount() == 0
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key_F)
    assert project.annotations(other, "amal", "stance") == []
