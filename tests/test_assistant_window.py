"""The entity assistant in the window: learning in the background from the dialog, its figures, suggestions
as pending proposals with scores, accepted into the database as "predicted"."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import assistant
from tests.conftest import add_document, menu_action, show_window
from tests.test_assistant import ANALYST, finished
from tests.test_recommender import PEOPLE, PLACES, _corpus

NEW = "قال الرئيس نور الهدى إن العلاقات مع صنعاء جيدة.\nوسافر الوفد لصنعاء أمس."


def _learn_in_the_dialog(qtbot, window):
    from ui.assistantdialog import EntityAssistantDialog

    menu_action(window, "Span", "Entity assistant…").trigger()
    dialog = window.findChild(EntityAssistantDialog)
    assert "Nothing learnt yet" in dialog.summary.text() and not dialog.use.isEnabled()
    qtbot.mouseClick(dialog.learn_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=60_000)
    return dialog


def test_learning_from_the_dialog_stores_the_model_and_shows_it_beside_the_string_matcher(qtbot, project):
    finished(project, _corpus(PEOPLE[:8], PLACES[:8]))
    window = show_window(qtbot, project, ANALYST)
    dialog = _learn_in_the_dialog(qtbot, window)
    assert "held-out" in dialog.summary.text() and "string matcher" in dialog.summary.text()
    assert dialog.use.isChecked() and assistant.used(project)
    shown = {dialog.table.item(row, 0).text() for row in range(dialog.table.rowCount())}
    assert {"LOC", "PERS", "All labels"} <= shown and dialog.table.columnCount() == 6
    assert "Learning curve" in dialog.curve.text()
    stored = assistant.stored(project)
    assert stored is not None and stored.about["source"] == ANALYST and stored.about["documents"] == 8
    dialog.use.click()  # off: nothing is suggested
    assert not assistant.used(project)
    dialog.done(0)
    window.suggest_entities()
    assert "switched off" in window.statusBar().currentMessage()
    assert window.suggestions.model.rowCount() == 0


def test_suggested_entities_are_pending_with_scores_and_accepted_as_predicted_spans(qtbot, project):
    finished(project, _corpus(PEOPLE[:8], PLACES[:8]))
    assistant.store(project, assistant.learn(project, ANALYST))
    doc = add_document(project, NEW, "new.txt")
    window = show_window(qtbot, project, ANALYST)
    window.editor.open_document(doc)
    window.suggest_entities()
    panel = window.suggestions
    qtbot.waitUntil(lambda: not panel.running() and panel.model.rowCount() > 0, timeout=20_000)
    assert not panel.view.isColumnHidden(panel.model.SCORE_COLUMN) and panel.scores_row.isVisible()
    assert panel.pending(doc)  # framed in the text pane like other proposals
    first = panel.model.proposals()[0]
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key_A)
    [span] = [s for s in project.annotations(doc, ANALYST) if s.start == first.start]
    assert span.provenance == "predicted" and span.label == first.label
    assert project.status(doc, ANALYST) == "in_progress"
    panel.least_score.setValue(0.0)
    qtbot.mouseClick(panel.accept_sure, Qt.LeftButton)  # the rest, all scored above 0
    assert panel.model.rowCount() == 0
    assert len(project.annotations(doc, ANALYST)) >= 2
    window.editor.undo_stack.undo()  # one undo step takes the batch back
    assert len(project.annotations(doc, ANALYST)) == 1


def test_a_quiet_recommender_proposes_nothing_and_says_why_until_the_team_chooses_a_lower_f1(qtbot, project):
    from ui.assistantdialog import EntityAssistantDialog

    finished(project, _corpus(PEOPLE[:8], PLACES[:8]))
    learnt = assistant.learn(project, ANALYST)
    learnt.about["scores"]["all"]["f1"] = 0.2
    assistant.store(project, learnt)
    window = show_window(qtbot, project, ANALYST)
    window.suggest_entities()
    assert "below" in window.statusBar().currentMessage()
    assert not window.suggestions.running() and window.suggestions.model.rowCount() == 0
    menu_action(window, "Span", "Entity assistant…").trigger()
    dialog = window.findChild(EntityAssistantDialog)
    assert dialog.quiet.isVisible() and "0.50" in dialog.quiet.text()
    dialog.quiet_below.setValue(0.1)
    assert assistant.quiet_below(project) == 0.1 and not dialog.quiet.isVisible()
    dialog.done(0)
    window.suggest_entities()
    qtbot.waitUntil(lambda: not window.suggestions.running(), timeout=10_000)
    assert "assistant proposes" in window.suggestions.title.text()  # it speaks now


def test_the_document_list_can_follow_the_assistant_and_next_document_follows_it(qtbot, project):
    finished(project, _corpus(PEOPLE[:8], PLACES[:8]))
    window = show_window(qtbot, project, ANALYST)
    order = window.document_order
    order.setCurrentIndex(order.findData("unknown"))  # nothing learnt yet: says so, back to corpus order
    assert "Nothing learnt yet" in window.statusBar().currentMessage() and order.currentData() == "corpus"
    assistant.store(project, assistant.learn(project, ANALYST))
    plain = add_document(project, "كان الطقس جميلا اليوم.", "plain.txt")
    names = add_document(project, NEW, "names.txt")
    window.documents.reload()
    order.setCurrentIndex(order.findData("unknown"))
    qtbot.waitUntil(lambda: window.documents.document_id(0) == names, timeout=20_000)
    assert window.documents.document_id(1) == plain  # then the rest, the finished ones in corpus order
    window.editor.open_document(names)
    from ui.models import select_row
    select_row(window.document_view, 0)
    window.step_document(1)
    assert window.editor.document_id == plain
    order.setCurrentIndex(order.findData("corpus"))
    assert window.documents.document_id(0) != names


def test_a_teams_model_server_is_tested_taught_and_asked_from_the_window(qtbot, project, running):
    from tests.test_external_recommender import _example_module, answering
    from ui.assistantdialog import EntityAssistantDialog

    finished(project, _corpus(PEOPLE[:6], PLACES[:6]))
    url = running(_example_module().serve(port=0))
    window = show_window(qtbot, project, ANALYST)
    menu_action(window, "Span", "Entity assistant…").trigger()
    dialog = window.findChild(EntityAssistantDialog)
    dialog.use_server.click()  # no address yet: refused, says why
    assert not dialog.use_server.isChecked() and "http://" in dialog.server_said.text()
    dialog.server_url.setText(url)
    qtbot.mouseClick(dialog.server_test, Qt.LeftButton)
    qtbot.waitUntil(lambda: "answers" in dialog.server_said.text(), timeout=10_000)
    qtbot.mouseClick(dialog.server_send, Qt.LeftButton)
    qtbot.waitUntil(lambda: "Sent 6 finished documents" in dialog.server_said.text(), timeout=10_000)
    dialog.use_server.click()
    assert assistant.suggestions_from(project) == "server" and assistant.server(project) == url
    dialog.done(0)
    doc = add_document(project, "وأكد الوزير سامي حداد أن الزيارة إلى روسيا ستتم.", "new.txt")
    window.editor.open_document(doc)
    window.suggest_entities()
    panel = window.suggestions
    qtbot.waitUntil(lambda: not panel.running() and panel.model.rowCount() == 2, timeout=10_000)
    assert {(p.text, p.label) for p in panel.model.proposals()} == {("سامي حداد", "PERS"), ("روسيا", "LOC")}
    assert url in panel.title.text()
    # A server answering nonsense is reported in the panel; the window goes on.
    bad = running(answering(b"not json"))
    assistant.use_server(project, bad, True)
    window.suggest_entities()
    qtbot.waitUntil(lambda: not panel.running() and "not JSON" in panel.title.text(), timeout=10_000)
    assert panel.model.rowCount() == 0
