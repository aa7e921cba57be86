"""ui.workers.Background: a late signal of a stopped worker does not end the worker started after it."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject

from ui.workers import Background, Worker


class Waiting(Worker):
    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def run(self) -> None:
        self.release.wait(5)


def test_a_stopped_workers_late_signal_does_not_finish_the_next_one(qtbot):
    owner = QObject()
    background = Background(owner)
    first = Waiting()
    background.start(first, lambda worker: None)
    first.release.set()
    background.stop_and_wait()
    second = Waiting()
    background.start(second, lambda worker: None)
    assert not background.finish(first) and background.running()  # the late one is refused at once
    second.release.set()
    assert background.finish(second) and not background.running()
