"""The project file as a window holds it: opening it (and what to do when another window has it),
watching that it stays where it was opened, and showing when a write waits for another window.

- A window takes the project's lock file (app.windowlock). A second window on the same file is told who
  has it and offered to bring that window forward or to open the project read-only.
- The window listens on a local socket named after the project, so a second Hashiya process can ask it to
  come forward.
- The file is watched: moved, renamed, replaced or deleted while open, the window hears of it before the
  next edit (the store refuses that edit anyway, app.store) and offers to save the project elsewhere.
- While a write waits for another window's write lock, the window says so (the store calls `waiting`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, Signal, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.i18n import _
from app.project import Project, ProjectError, ProjectFileMoved, ProjectReadOnly
from app.windowlock import HeldElsewhere, Holder, WindowLock
from ui import dialogs

RAISE_REQUEST = b"raise\n"
RAISE_DONE = b"ok\n"
ANSWER_WAIT_MS = 2000


def server_name(project: Path) -> str:
    """One local socket name per project file and user (the path hashed: names are length-limited)."""
    key = hashlib.sha256(os.fsencode(os.path.realpath(project))).hexdigest()[:20]
    return f"hashiya-{os.getuid()}-{key}"


class OpenedProject:
    """A project opened for a window, with the lock it holds (None: read-only, or no lock possible)."""

    def __init__(self, project: Project, lock: WindowLock | None):
        self.project, self.lock = project, lock


def open_for_window(path: Path, create: bool, parent: QWidget | None, labels: str = "en") -> OpenedProject | None:
    """Open `path` for a window. None when the analyst chose not to (or brought the other window forward);
    ProjectError when it cannot be opened. A project created starts with the label preset `labels`.
    `path` may be a server project's URL: a server lets many windows write at once (each its own rows), so
    no lock is taken."""
    if isinstance(path, str):
        return OpenedProject(Project.open(path), None)
    if create and not path.exists():
        project = Project.create(path, labels=labels)
        return OpenedProject(project, _lock_or_none(path))
    try:
        lock = WindowLock.acquire(path) if path.exists() else None
    except HeldElsewhere as held:
        choice = ask_when_open_elsewhere(path, held.holder, parent)
        if choice == "forward":
            if not bring_forward(path, held.holder):
                QMessageBox.information(parent, _("Hashiya"), _("The window that has {file} open did not answer: "
                                                                 "look for it on your screen, or open the project "
                                                                 "read-only.").format(file=path.name))
            return None
        if choice != "read_only":
            return None
        who = held.holder.describe() if held.holder else _("another window")
        reason = _("it is open for editing in another window ({who})").format(who=who)
        return OpenedProject(Project.open(path, read_only=reason), None)
    try:
        return OpenedProject(Project.open(path), lock)
    except BaseException:
        if lock is not None:
            lock.release()
        raise


def _lock_or_none(path: Path) -> WindowLock | None:
    try:
        return WindowLock.acquire(path)
    except HeldElsewhere:
        return None


def ask_when_open_elsewhere(path: Path, holder: Holder | None, parent: QWidget | None) -> str:
    """'forward', 'read_only' or 'cancel'."""
    who = holder.describe() if holder else _("another Hashiya window")
    elsewhere = holder is not None and not holder.same_host  # a window on another computer cannot be raised
    return dialogs.choose(
        parent, _("Project already open"),
        _("{file} is already open in another window: {who}.").format(file=path.name, who=who),
        _("Two windows editing one project would each show an out-of-date view of the other's work. Bring that "
          "window forward, or open the project here to read only (reading, searching, exporting and merging from "
          "it work; editing does not)."),
        [("forward", _("Bring that window forward"), "accept"), ("read_only", _("Open read-only"), "action"),
         ("cancel", _("Cancel"), "reject")],
        "read_only" if elsewhere else "forward", disabled=("forward",) if elsewhere else ())


def bring_forward(path: Path, holder: Holder | None) -> bool:
    """Ask the window that has `path` open to come to the front; whether it said it did."""
    if holder is not None and holder.here:
        for widget in QApplication.topLevelWidgets():
            presence = getattr(widget, "presence", None)
            if isinstance(presence, WindowPresence) and presence.holds(path):
                presence.raiseRequested.emit()
                return True
        return False
    socket = QLocalSocket()
    socket.connectToServer(server_name(path))
    if not socket.waitForConnected(ANSWER_WAIT_MS):
        return False
    socket.write(RAISE_REQUEST)
    socket.flush()
    answered = socket.waitForReadyRead(ANSWER_WAIT_MS) and socket.readAll().data() == RAISE_DONE
    socket.disconnectFromServer()
    return answered


class WindowPresence(QObject):
    """What a window holds while a project is open in it: the lock, and the socket others ask to raise it."""

    raiseRequested = Signal()

    def __init__(self, path: Path, lock: WindowLock | None, parent: QObject | None = None):
        super().__init__(parent)
        self.path, self.lock = path, lock
        self._server: QLocalServer | None = None
        if lock is not None:
            self._listen()

    def holds(self, path: Path) -> bool:
        return self.lock is not None and self.lock.held and os.path.realpath(path) == os.path.realpath(self.path)

    def _listen(self) -> None:
        name = server_name(self.path)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.UserAccessOption)
        if not server.listen(name):
            # Left by a process that is gone (we hold the lock, so no live window listens): clear and retry.
            QLocalServer.removeServer(name)
            if not server.listen(name):
                return
        server.newConnection.connect(self._answer)
        self._server = server

    @Slot()
    def _answer(self) -> None:
        while self._server is not None and self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda socket=socket: self._read_request(socket))
            socket.disconnected.connect(socket.deleteLater)

    def _read_request(self, socket: QLocalSocket) -> None:
        if socket.readAll().data()[:len(RAISE_REQUEST)] == RAISE_REQUEST:
            self.raiseRequested.emit()
            socket.write(RAISE_DONE)
            socket.flush()

    def hand_over(self) -> WindowLock | None:
        """The lock, for the window that takes this one's place (ui.mainwindow's reopening in another
        language): this one stops answering, and releases nothing when it closes."""
        if self._server is not None:
            self._server.close()
            self._server = None
        lock, self.lock = self.lock, None
        return lock

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self.lock is not None:
            self.lock.release()


class ProjectGuard(QObject):
    """Watches the open project's file and reports writes waiting for another window.

    `waitingChanged(bool)` arrives on the GUI thread whichever thread's write is waiting (a write on the
    GUI thread itself gets it at once, before it goes on waiting). `fileLost(error)`: the file is no longer
    where it was opened (ProjectFileMoved)."""

    waitingChanged = Signal(bool)
    fileLost = Signal(object)

    def __init__(self, project: Project, parent: QObject | None = None):
        super().__init__(parent)
        self.project = project
        self.lost: ProjectFileMoved | None = None
        project.store.waiting = self._waiting
        self._watcher: QFileSystemWatcher | None = None
        if not project.read_only and project.is_file:
            self._watcher = QFileSystemWatcher([str(project.path), str(project.path.parent)], self)
            self._watcher.fileChanged.connect(self.check)
            self._watcher.directoryChanged.connect(self.check)

    def _waiting(self, waiting: bool) -> None:
        # Called by the store on the writing thread; a signal reaches the GUI thread either way.
        self.waitingChanged.emit(waiting)

    @Slot()
    @Slot(str)
    def check(self, _changed: str = "") -> None:
        """Whether the file is still where it was opened; tells the window once when it is not."""
        if self.lost is not None:
            return
        try:
            self.project.check_file()
        except ProjectFileMoved as error:
            self.fileLost.emit(error)  # the window records it in `lost`
        except (ProjectReadOnly, ProjectError):
            pass

    def stop(self) -> None:
        self.project.store.waiting = None
        if self._watcher is not None:
            self._watcher.removePaths(self._watcher.files() + self._watcher.directories())
            # Deleted now, not at the next turn of the event loop: each watcher holds an inotify instance, and
            # a user may have only 128 of them.
            self._watcher.setParent(None)
            self._watcher = None
