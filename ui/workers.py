"""Background work for the panels: one worker at a time on a thread of its own, cancellable."""

from __future__ import annotations

import threading
from typing import Callable

from PySide6.QtCore import QObject, QThread


class Worker(QObject):
    """Work for a background thread: `run` does it, checking `is_cancelled` as it goes."""

    def __init__(self) -> None:
        super().__init__()
        self._cancel = threading.Event()
        self.is_cancelled: Callable[[], bool] = self._cancel.is_set  # what app/ functions take as `cancelled`

    def cancel(self) -> None:
        self._cancel.set()


class Background:
    """Runs one Worker at a time on its own QThread."""

    def __init__(self, parent: QObject) -> None:
        self._parent = parent
        self.thread: QThread | None = None
        self.worker: Worker | None = None

    def start(self, worker: Worker, connect: Callable[[Worker], None]) -> None:
        """`connect` wires the worker's signals before it starts."""
        self.worker, self.thread = worker, QThread(self._parent)
        worker.moveToThread(self.thread)
        self.thread.started.connect(worker.run)
        connect(worker)
        self.thread.start()

    def running(self) -> bool:
        return self.thread is not None

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def finish(self) -> bool:
        """End the thread once the worker said it finished; False if it was stopped before (a late,
        queued signal from a worker that was told to stop)."""
        if self.thread is None:
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
