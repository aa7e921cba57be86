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


# ---- layout: a 1366×768 laptop screen, and the analyst's layout remembered -----------------------------

def open_review(qtbot, window) -> None:
    def accept_the_analysts() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:  # not open yet
            return QTimer.singleShot(10, accept_the_analysts)
        qtbot.keyClick(dialog, Qt.Key_Return)

    QTimer.singleShot(0, accept_the_analysts)
    press(qtbot, Qt.Key_R, CTRL_SHIFT)
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def open_proposals(qtbot, window) -> None:
    window.pane.select_range(*occurrence(window.editor.text, "روسيا"))
    window.pane.setFocus()
    press(qtbot, Qt.Key_G)
    press(qtbot, Qt.Key_A, CTRL_SHIFT)


OPENERS = {
    "corpus": (lambda qtbot, window: press(qtbot, Qt.Key_F, CTRL_SHIFT), "corpus_dock"),
    "proposals": (open_proposals, "suggestions_dock"),
    "boilerplate": (lambda qtbot, window: press(qtbot, Qt.Key_B, CTRL_SHIFT), "boilerplate_dock"),
    "review": (open_review, "review_dock"),
    "guidelines": (lambda qtbot, window: press(qtbot, Qt.Key_F1), "guidelines_dock"),
}
LAPTOP = (1366, 768)


def laptop_window(qtbot, window):
    window.resize(*LAPTOP)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == LAPTOP)
    return window


def test_a_new_window_fits_its_screen(window):
    available = window.screen().availableGeometry()
    assert window.width() <= available.width() and window.height() < available.height()


@pytest.mark.parametrize("panel", OPENERS)
def test_each_panel_opens_at_a_share_of_a_laptop_window_without_growing_it(qtbot, window, panel):
    laptop_window(qtbot, window)
    opener, dock_name = OPENERS[panel]
    opener(qtbot, window)
    dock = getattr(window, dock_name)
    qtbot.waitUntil(lambda: in_front(dock))
    wait_idle(qtbot, window)
    assert (window.width(), window.height()) == LAPTOP
    if panel == "guidelines":  # beside the text
        qtbot.waitUntil(lambda: 0.2 * LAPTOP[0] <= dock.width() <= 0.3 * LAPTOP[0])
        assert window.pane.viewport().width() >= 300
    else:  # below it
        qtbot.waitUntil(lambda: 0.25 * LAPTOP[1] <= dock.height() <= 0.4 * LAPTOP[1])
        assert window.pane.viewport().height() >= 8 * window.pane.fontMetrics().lineSpacing()
    assert (window.width(), window.height()) == LAPTOP


def test_the_review_panel_shows_several_lines_and_rows(qtbot, window):
    laptop_window(qtbot, window)
    open_review(qtbot, window)
    review = window.review
    assert review.model.rowCount() > 0
    assert review.pane.viewport().height() >= 4 * review.pane.fontMetrics().lineSpacing()
    assert review.view.viewport().height() >= 4 * review.view.rowHeight(0)
    assert review.pane.viewport().width() >= 500  # whole lines of text, not a few words each


def test_opening_every_panel_in_turn_never_grows_the_window(qtbot, window):
    laptop_window(qtbot, window)
    for opener, _dock in OPENERS.values():
        opener(qtbot, window)
        wait_idle(qtbot, window)
        assert (window.width(), window.height()) == LAPTOP


def reopen(qtbot, window, project_path):
    """Close the window (as the analyst quits) and open the project again in a new one."""
    from app.project import Project
    from tests.conftest import show_window

    window.close()
    project = Project.open(project_path)
    reopened = show_window(qtbot, project)
    qtbot.waitUntil(reopened.isActiveWindow)
    return reopened, project


def test_the_analysts_layout_is_saved_on_close_and_restored(qtbot, window, project_path):
    from app import settings
    from PySide6.QtCore import Qt as QtEnums

    window.resize(780, 700)  # within the offscreen screen (800×800), so the geometry is restored as is
    press(qtbot, Qt.Key_B, CTRL_SHIFT)
    wait_idle(qtbot, window)
    press(qtbot, Qt.Key_F, CTRL_SHIFT)
    opened_at = window.corpus_dock.height()
    # The analyst's own height, well below the share it opened at (the tabs' bar is part of the 180).
    window.resizeDocks([window.corpus_dock], [180], QtEnums.Vertical)
    qtbot.waitUntil(lambda: window.corpus_dock.height() < opened_at - 40)
    window.addDockWidget(QtEnums.LeftDockWidgetArea, window.guidelines_dock)  # the analyst dragged it left
    press(qtbot, Qt.Key_F1)
    open_review(qtbot, window)  # in the same group: the group is as high as the review panel needs
    analysts_height = window.review_dock.height()
    assert analysts_height < opened_at - 40
    saved = settings.load()
    reopened, project = reopen(qtbot, window, project_path)
    try:
        stored = settings.load()
        assert isinstance(stored["window_state"], str) and isinstance(stored["window_geometry"], str)
        assert stored != saved  # written on close
        assert (reopened.width(), reopened.height()) == (780, 700)
        assert reopened.dockWidgetArea(reopened.guidelines_dock) == QtEnums.LeftDockWidgetArea
        assert reopened.guidelines_dock.isVisible()
        assert not reopened.review_dock.isVisible()  # review mode is not restored; its panel is not either
        # Corpus search and boilerplate come back open, tabbed at the analyst's height; boilerplate lists its
        # suggestions as opening it does.
        assert not reopened.corpus_dock.isHidden() and not reopened.boilerplate_dock.isHidden()
        [front] = [dock for dock in (reopened.corpus_dock, reopened.boilerplate_dock) if in_front(dock)]
        assert abs(front.height() - analysts_height) <= 2
        wait_idle(qtbot, reopened)
        assert reopened.boilerplate.model.rowCount() > 0
    finally:
        reopened.close()
        project.close()


@pytest.mark.parametrize("state, geometry", [
    ("not base64 at all!", "%%%"),
    ("AAAA/wAAAAH9", "AdnQywAD"),  # base64 of truncated layouts
    (12, ["a list"]),  # a hand-edited file
])
def test_a_corrupt_saved_layout_is_ignored(qtbot, window, project_path, state, geometry):
    from app import settings

    window.close()
    settings.update(window_state=state, window_geometry=geometry)
    reopened, project = reopen(qtbot, window, project_path)
    try:
        available = reopened.screen().availableGeometry()
        assert reopened.width() <= available.width() and reopened.height() < available.height()
        assert not any(dock.isVisible() for dock in (reopened.corpus_dock, reopened.guidelines_dock))
    finally:
        reopened.close()
        project.close()


def test_a_layout_saved_by_another_version_is_ignored(qtbot, window, project_path):
    from app import settings
    from ui import mainwindow

    press(qtbot, Qt.Key_F, CTRL_SHIFT)
    foreign = bytes(window.saveState(mainwindow.LAYOUT_VERSION + 1).toBase64()).decode()
    window.close()
    settings.update(window_state=foreign)
    reopened, project = reopen(qtbot, window, project_path)
    try:
        assert not reopened.corpus_dock.isVisible()
    finally:
        reopened.close()
        project.close()
