"""An unexpected error, from the GUI thread or another, is written to the log in the user's state folder and
shown in one dialog that copies the report; the window goes on working afterwards."""

import sys
import threading

import pytest
from PySide6.QtCore import QObject, QThread, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app import __version__, crashlog
from tests.conftest import add_document, menu_action, show_window
from ui.crash import CrashDialog, CrashReporter


@pytest.fixture
def reporter(monkeypatch):
    """A reporter of its own (no dialog left from another test), routing this test's errors."""
    made = CrashReporter()
    monkeypatch.setattr(sys, "excepthook", made.excepthook)
    monkeypatch.setattr(threading, "excepthook", made.thread_excepthook)
    yield made
    if made.dialog is not None:
        made.dialog.close()


def log_of(tmp_path):
    return tmp_path / "xdg-state" / "hashiya" / "hashiya.log"


def crash_dialogs() -> list[CrashDialog]:
    return [widget for widget in QApplication.topLevelWidgets()
            if isinstance(widget, CrashDialog) and widget.isVisible()]


def fail_in_a_slot():
    raise RuntimeError("the <b>status</b> could not be shown")


class Thrower(QObject):
    go = Signal()

    @Slot()
    def throw(self):
        raise ValueError("a worker failed")


def test_an_error_on_the_gui_thread_is_logged_shown_and_copied_and_the_window_goes_on(
        qtbot, project, reporter, tmp_path, monkeypatch):
    add_document(project, "قال الرئيس الروسي فلاديمير بوتين")
    window = show_window(qtbot, project)
    failing, real = [True], window.editor.set_status
    monkeypatch.setattr(window.editor, "set_status", lambda status: fail_in_a_slot() if failing else real(status))
    mark_done = menu_action(window, "Document", "Mark as done")
    QTimer.singleShot(0, mark_done.trigger)
    qtbot.waitUntil(lambda: reporter.dialog is not None, timeout=5000)
    dialog = reporter.dialog

    log = log_of(tmp_path)
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: the <b>status</b> could not be shown" in text
    assert f"Hashiya {__version__}" in text and "Python 3." in text and "Qt 6." in text and "PySide6 6." in text
    assert "Platform " in text and "unexpected error" in text.splitlines()[0]
    # One line on what happened, shown as plain text (no markup from the message), where the log is.
    assert dialog.summary.text() == "Something went wrong: RuntimeError: the <b>status</b> could not be shown"
    assert dialog.summary.textFormat() == Qt.PlainText
    assert str(log) in dialog.where.text()
    assert any("already saved in the project file" in label.text() for label in dialog.findChildren(type(dialog.where)))

    qtbot.mouseClick(dialog.copy_button, Qt.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "RuntimeError: the <b>status</b> could not be shown" in copied and "fail_in_a_slot" in copied
    assert crash_dialogs() == [dialog], "copying closed the dialog"

    qtbot.mouseClick(dialog.close_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: reporter.dialog is None and not crash_dialogs(), timeout=5000)
    failing.clear()  # set_status works again; the window is still there and answers
    assert window.isVisible()
    mark_done.trigger()
    assert window.status_box.currentText() == "done"
    assert window.editor.status() == "done"


def test_the_same_error_again_is_counted_not_stacked_and_another_is_added(qtbot, reporter, tmp_path):
    for _ in range(3):
        QTimer.singleShot(0, fail_in_a_slot)
    qtbot.waitUntil(lambda: len(reporter.shown) == 3, timeout=5000)
    assert len(crash_dialogs()) == 1
    text = log_of(tmp_path).read_text(encoding="utf-8")
    assert text.count("Traceback") == 1 and "the same error again" in text and "3 times in all" in text
    assert "happened 2 more times" in reporter.dialog.more.text()

    reporter.excepthook(KeyError, KeyError("other"), None)
    qtbot.waitUntil(lambda: len(reporter.shown) == 4, timeout=5000)
    assert len(crash_dialogs()) == 1
    assert log_of(tmp_path).read_text(encoding="utf-8").count("==== ") == 2
    assert "1 other error followed" in reporter.dialog.more.text()
    assert "KeyError: 'other'" in reporter.dialog.report_text()


def test_errors_on_a_qthread_and_a_python_thread_reach_the_log_and_the_gui_thread(qtbot, reporter, tmp_path):
    thread = QThread()
    thrower = Thrower()
    thrower.moveToThread(thread)
    thrower.go.connect(thrower.throw)
    thread.start()
    try:
        thrower.go.emit()
        qtbot.waitUntil(lambda: reporter.dialog is not None, timeout=5000)
    finally:
        thread.quit()
        thread.wait()
    assert reporter.dialog.thread() is QThread.currentThread()

    def fail():
        raise OSError("a Python thread failed")

    python_thread = threading.Thread(target=fail)
    python_thread.start()
    python_thread.join()
    qtbot.waitUntil(lambda: len(reporter.shown) == 2, timeout=5000)
    text = log_of(tmp_path).read_text(encoding="utf-8")
    assert "ValueError: a worker failed" in text and "OSError: a Python thread failed" in text
    assert len(crash_dialogs()) == 1


def test_a_log_that_cannot_be_written_is_said_in_the_dialog_and_raises_nothing(qtbot, reporter, tmp_path,
                                                                                  monkeypatch):
    blocker = tmp_path / "not a folder"
    blocker.write_text("a file where the state folder should be")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    QTimer.singleShot(0, fail_in_a_slot)
    qtbot.waitUntil(lambda: reporter.dialog is not None, timeout=5000)
    where = reporter.dialog.where.text()
    assert "could not be written" in where and str(blocker / "hashiya" / "hashiya.log") in where
    assert "Not a directory" in where or "File exists" in where  # why, as the system said it
    qtbot.mouseClick(reporter.dialog.copy_button, Qt.LeftButton)
    assert "the <b>status</b>" in QGuiApplication.clipboard().text()


def test_the_log_is_kept_under_a_megabyte_with_one_older_file(tmp_path):
    log = log_of(tmp_path)
    log.parent.mkdir(parents=True)
    log.write_text("old entry\n" * (crashlog.MAX_BYTES // 10 + 1))
    assert crashlog.append("new entry\n") is None
    assert crashlog.old_log_path(log).read_text().startswith("old entry")
    assert log.read_text() == "new entry\n"
    crashlog.append("x" * crashlog.MAX_BYTES)
    crashlog.append("newest\n")
    assert crashlog.old_log_path(log).read_text().startswith("new entry")  # only one older file is kept
    assert log.read_text() == "newest\n"


def test_an_error_that_keeps_changing_neither_grows_the_dialog_nor_floods_the_log(qtbot, reporter, tmp_path):
    """A paint or timer failing with a changing message (a counter in it) while the dialog is open."""
    for number in range(300):
        try:
            raise ValueError(f"frame {number} could not be drawn")
        except ValueError:
            reporter.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: len(reporter.shown) == 300, timeout=5000)
    dialog = reporter.dialog
    assert len(dialog.reports) == 1  # one place in the code: the same trace, whatever the message
    assert dialog.repeats == 299 and "299 more times" in dialog.more.text()
    log = log_of(tmp_path).read_text(encoding="utf-8")
    assert log.count("==== ") == 1 and len(log.splitlines()) < 40  # ten repeats, then 16, 32, 64, 128, 256
    assert (log_of(tmp_path).stat().st_mode & 0o777) == 0o600


def test_errors_from_many_places_keep_twenty_in_the_dialog(qtbot, reporter):
    for number in range(30):
        namespace = {}
        exec(compile(f"def fail():\n    raise KeyError({number})\n", f"<place {number}>", "exec"), namespace)
        try:
            namespace["fail"]()
        except KeyError:
            reporter.excepthook(*sys.exc_info())
    qtbot.waitUntil(lambda: len(reporter.shown) == 30, timeout=5000)
    assert len(reporter.dialog.reports) == 20 and reporter.dialog.repeats == 10
