"""The panels a shortcut asks for open in front of the panels tabbed with them, holding the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.project import Span
from tests.conftest import occurrence, type_text

CTRL_SHIFT = Qt.ControlModifier | Qt.ShiftModifier


def in_front(dock) -> bool:
    """Shown and not covered by another tab of its group."""
    return dock.isVisible() and not dock.visibleRegion().isEmpty()


def put_in_front(qtbot, window, dock, focus) -> None:
    """The analyst was working in another panel of the group: it is the front tab and has the keyboard."""
    dock.show()
    dock.raise_()
    focus.setFocus()
    qtbot.waitUntil(lambda: in_front(dock) and focus.hasFocus())


def press(qtbot, key, modifiers=Qt.NoModifier) -> None:
    """A key pressed wherever the keyboard is now, as the analyst would."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifiers)


@pytest.fixture
def window(qtbot, demo_window, project):
    """The demo corpus where two analysts disagree on a span (so Review → Compare analysts has two to compare)."""
    qtbot.waitUntil(demo_window.isActiveWindow)  # a window shortcut needs its window active
    document, putin = demo_window.editor.document_id, occurrence(demo_window.editor.text, "بوتين")
    project.add_annotation(Span(document, "amal", "entity", "PERS", *putin))
    project.add_annotation(Span(document, "badr", "entity", "ORG", *putin))
    return demo_window


def others(window, dock):
    """(dock, the widget that holds the keyboard in it) for the other panels of the bottom group."""
    panels = [(window.corpus_dock, window.corpus_search.query), (window.suggestions_dock, window.suggestions.view),
              (window.boilerplate_dock, window.boilerplate.view), (window.review_dock, window.review.view)]
    return [(other, focus) for other, focus in panels if other is not dock]


def wait_idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not (window.corpus_search.running() or window.suggestions.running()
                                 or window.boilerplate.background.running()), timeout=20_000)


@pytest.mark.parametrize("behind", [0, 1, 2])
def test_corpus_search_opens_in_front_and_takes_the_typed_query(qtbot, window, behind):
    put_in_front(qtbot, window, *others(window, window.corpus_dock)[behind])
    press(qtbot, Qt.Key_F, CTRL_SHIFT)
    assert in_front(window.corpus_dock) and window.corpus_search.query.hasFocus()
    type_text(QApplication.focusWidget(), "روسيا")
    assert window.corpus_search.query.text() == "روسيا"


def test_boilerplate_review_opens_in_front(qtbot, window):
    put_in_front(qtbot, window, window.corpus_dock, window.corpus_search.query)
    window.suggestions.view.setFocus()  # a list holds the keyboard: the panel's letters are not typed into a field
    press(qtbot, Qt.Key_B, CTRL_SHIFT)
    assert in_front(window.boilerplate_dock) and window.boilerplate.view.hasFocus()
    wait_idle(qtbot, window)
    assert in_front(window.boilerplate_dock) and window.boilerplate.model.rowCount() > 0


def test_proposals_open_in_front(qtbot, window):
    put_in_front(qtbot, window, window.boilerplate_dock, window.boilerplate.view)
    wait_idle(qtbot, window)
    window.pane.select_range(*occurrence(window.editor.text, "روسيا"))
    window.pane.setFocus()
    press(qtbot, Qt.Key_G)  # GPE: the new span is selected
    press(qtbot, Qt.Key_A, CTRL_SHIFT)
    assert in_front(window.suggestions_dock) and window.suggestions.view.hasFocus()
    wait_idle(qtbot, window)
    assert window.suggestions.model.rowCount() > 0 and window.suggestions.view.hasFocus()


def test_review_opens_in_front(qtbot, window):
    put_in_front(qtbot, window, window.corpus_dock, window.corpus_search.query)

    def accept_the_analysts() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:  # not open yet
            return QTimer.singleShot(10, accept_the_analysts)
        assert dialog.names() == ("amal", "badr")
        qtbot.keyClick(dialog, Qt.Key_Return)

    QTimer.singleShot(0, accept_the_analysts)
    press(qtbot, Qt.Key_R, CTRL_SHIFT)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    window.activateWindow()  # a window manager gives the window back its activation; offscreen does not
    qtbot.waitUntil(lambda: window.review.view.hasFocus())
    assert in_front(window.review_dock) and window.review.model.rowCount() > 0


def test_guidelines_come_in_front_where_the_analyst_docked_them(qtbot, window):
    window.tabifyDockWidget(window.corpus_dock, window.guidelines_dock)  # dragged into the bottom group
    put_in_front(qtbot, window, window.corpus_dock, window.corpus_search.query)
    press(qtbot, Qt.Key_F1)
    assert in_front(window.guidelines_dock) and window.guidelines.browser.hasFocus()
    press(qtbot, Qt.Key_F1)  # asking again keeps them: F1 is no toggle that could hide what was asked for
    assert in_front(window.guidelines_dock) and window.guidelines.browser.hasFocus()


def test_the_find_bar_takes_the_keyboard_from_a_panel(qtbot, window):
    put_in_front(qtbot, window, window.corpus_dock, window.corpus_search.query)
    press(qtbot, Qt.Key_F, Qt.ControlModifier)
    assert window.find_bar.isVisible() and window.find_bar.query.hasFocus()
    type_text(QApplication.focusWidget(), "بوتين")
    assert window.find_bar.query.text() == "بوتين" and window.corpus_search.query.text() == ""
