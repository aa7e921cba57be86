"""Background work for the panels: one worker at a time on a thread of its own, cancellable.

A worker's unexpected error never reaches a dialog from its own thread (Qt widgets live on the GUI
thread only: a message box opened from a worker crashes the app). `Worker.run_reporting` catches it
and sends its message as a signal, which `Background` receives on the GUI thread: the thread is ended
and the panel's `failed` callback shows the message (by default, a warning box).
"""

from __future__ import annotations

import sys
import threading
import traceback
from typing import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import _
from app.project import ProjectError


class Worker(QObject):
    """Work for a background thread: `run` does it, checking `is_cancelled` as it goes."""

    failed = Signal(str)  # an error `run` raised, as the analyst should read it

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self.is_cancelled: Callable[[], bool] = self._cancel.is_set  # what app/ functions take as `cancelled`

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        raise NotImplementedError

    @Slot()
    def run_reporting(self) -> None:
        """`run`, with any error it raises sent to the GUI thread as `failed` (the traceback on stderr)."""
        try:
            self.run()
        except Exception as error:  # noqa: BLE001 - whatever it is, the analyst must hear of it
            if not isinstance(error, ProjectError):
                traceback.print_exc(file=sys.stderr)
            self.failed.emit(error_message(error))


def error_message(error: BaseException) -> str:
    """What an analyst reads of an error: ours already say what and where; others get their kind."""
    if isinstance(error, ProjectError):
        return str(error)
    reason = getattr(error, "orig", None) or error
    return _("Stopped by an unexpected error ({kind}: {reason}). What was saved before it is kept.").format(
        kind=type(reason).__name__, reason=reason)


class Background(QObject):
    """Runs one Worker at a time on its own QThread.

    `failed(message)` is called on the GUI thread when the worker's `run` raised; the thread has been
    ended by then. Without it, the message is shown in a warning box over `parent`'s window."""

    def __init__(self, parent: QObject, failed: Callable[[str], None] | None = None) -> None:
        super().__init__(parent)
        self._parent = parent
        self._failed = failed
        self.thread: QThread | None = None
        self.worker: Worker | None = None
        self.last_error: str | None = None

    def start(self, worker: Worker, connect: Callable[[Worker], None]) -> None:
        """`connect` wires the worker's signals before it starts."""
        self.worker, self.thread = worker, QThread(self)
        self.last_error = None
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run_reporting)
        worker.failed.connect(self._worker_failed)  # this object lives on the GUI thread: a queued call
        connect(worker)
        self.thread.start()

    def running(self) -> bool:
        return self.thread is not None

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def finish(self, worker: QObject | None = None) -> bool:
        """End the thread once the worker said it finished; False if it was stopped before (a late,
        queued signal from a worker that was told to stop). Pass the signal's sender as `worker`: a late
        signal of a stopped worker may arrive while a new one runs, and must not end (and wait for) it."""
        if self.thread is None or (worker is not None and worker is not self.worker):
            return False
        self.thread.quit()
        self.thread.wait()
        self.thread = self.worker = None
        return True

    def stop_and_wait(self) -> bool:
        """Ask the worker to stop and wait for its thread (closing the window); False if none ran."""
        if self.thread is None:
            return False
        self.cancel()
        return self.finish()

    @Slot(str)
    def _worker_failed(self, message: str) -> None:
        if not self.finish():  # stopped (the window closing) before this queued report arrived
            return
        self.last_error = message
        if self._failed is not None:
            self._failed(message)
        else:
            window = self._parent.window() if isinstance(self._parent, QWidget) else None
            QMessageBox(QMessageBox.Warning, _("Hashiya"), message, QMessageBox.Ok, window).open()
