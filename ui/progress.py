"""Progress reporting from worker threads."""

from __future__ import annotations

from typing import Callable


class Throttled:
    """Passes (done, total) on only when the percentage changes, and the last one on flush():
    a worker reading 100,000 documents sends a hundred signals to the GUI thread, not 100,000."""

    def __init__(self, emit: Callable[[int, int], None]):
        self._emit, self._last, self._pending = emit, -1, None

    def __call__(self, done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        self._pending = (done, total)
        if percent != self._last:
            self._last = percent
            self._emit(done, total)

    def flush(self) -> None:
        if self._pending is not None:
            self._emit(*self._pending)
