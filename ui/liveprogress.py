"""Others' work on a server project, live (issue 18): the server's change notifications (app.pgstore's
ChangeListener, on a thread of its own) as Qt signals on the GUI thread, a burst folded into one refresh per
document, and the state of the connection for the status bar."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.pgstore import Change, ChangeListener
from app.project import Project

FOLD_MS = 250  # changes arriving within this are shown together (another analyst accepting 200 proposals)


class LiveProgress(QObject):
    """`documentsChanged(set of document ids)`: someone's spans, statuses or assignments changed there;
    `connectionChanged(connected, reason)`: the server connection was lost (at once) or made again."""

    documentsChanged = Signal(object)
    connectionChanged = Signal(bool, str)
    _heard = Signal(object)  # from the listener's thread
    _state = Signal(bool, str)

    def __init__(self, project: Project, parent: QObject | None = None):
        super().__init__(parent)
        self._pending: set[int] = set()
        self._connected: bool | None = None
        self._stopped = False
        self._timer = QTimer(self, singleShot=True, interval=FOLD_MS)
        self._timer.timeout.connect(self._flush)
        self._heard.connect(self._collect)  # queued: emitted on another thread, received on this one
        self._state.connect(self._state_changed)
        self._listener = ChangeListener(project.store.url, self._heard.emit, self._state.emit).start()

    @Slot(object)
    def _collect(self, change: Change) -> None:
        if self._stopped:  # queued before the window closed: its project is closed, nothing may read it
            return
        self._pending.add(change.document_id)
        if not self._timer.isActive():
            self._timer.start()

    def _flush(self) -> None:
        changed, self._pending = self._pending, set()
        if changed and not self._stopped:
            self.documentsChanged.emit(changed)

    @Slot(bool, str)
    def _state_changed(self, connected: bool, reason: str) -> None:
        if self._stopped:
            return
        first = self._connected is None
        self._connected = connected
        if not (first and connected):  # the first connection is no news
            self.connectionChanged.emit(connected, reason)

    def stop(self) -> None:
        """No more signals, even of changes already heard and queued (the window is closing its project)."""
        self._stopped = True
        self._timer.stop()
        self._listener.stop()
