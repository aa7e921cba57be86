"""The program a fresh `python -c` child runs for the start-up and memory figures.

It starts Hashiya exactly as the `hashiya` command does (ui.launch.main), with
one hook: MainWindow.show is wrapped so that, once the window is shown and its
reading pane has been painted, the child prints a line the parent waits for.

Environment (set by the parent):
  BENCH_T0    the parent's time.time() just before Popen, to stamp phases
  BENCH_MODE  startup        print "shown", close the window, exit
              idle           also wait 2 s, print "idle", wait for a line on stdin, exit
              scroll-middle  like idle, after scrolling the document list to its middle row
  BENCH_ARGV  JSON list passed to ui.launch.main
"""

CHILD_CODE = r'''
import json, os, sys, time
T0 = float(os.environ["BENCH_T0"])
MODE = os.environ.get("BENCH_MODE", "startup")

def stamp(what, extra=""):
    print(f"{what} {time.time() - T0:.4f} {extra}".rstrip(), flush=True)

stamp("python")  # the interpreter is up and running our code
import ui.main  # noqa: F401  (what `hashiya` runs)
import ui.mainwindow
from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication


class PaintWatch(QObject):
    painted = None

    def eventFilter(self, obj, event):
        if self.painted is None and event.type() == QEvent.Paint:
            self.painted = time.time()
        return False


watch = PaintWatch()
_original_show = ui.mainwindow.MainWindow.show


def show(window):
    stamp("show")
    window.pane.viewport().installEventFilter(watch)
    _original_show(window)
    QTimer.singleShot(0, lambda: on_shown(window))


ui.mainwindow.MainWindow.show = show


def on_shown(window):
    app = QApplication.instance()
    deadline = time.time() + 20
    while watch.painted is None and time.time() < deadline:  # the first frame of the reading pane
        app.processEvents(QEventLoop.AllEvents, 50)
    app.processEvents()
    stamp("shown", f"painted_at={(watch.painted or float('nan')) - T0:.4f}")
    if MODE == "startup":
        return finish(window)
    if MODE == "scroll-middle":
        view, model = window.document_view, window.documents
        middle = model.rowCount() // 2
        view.scrollTo(model.index(middle, 0), QAbstractItemView.PositionAtCenter)
        app.processEvents()
        view.viewport().repaint()
        stamp("scrolled", f"rows={model.rowCount()} top_row={view.rowAt(0)} visible={view.isVisible()}")
    QTimer.singleShot(2000, lambda: idle(window))


def idle(window):
    stamp("idle")
    sys.stdin.readline()  # the parent reads /proc/<pid>/status now
    finish(window)


def finish(window):
    window.close()  # closes the project (WAL checkpoint) like a user closing the window
    QApplication.instance().quit()


import ui.launch
sys.exit(ui.launch.main(json.loads(os.environ["BENCH_ARGV"])))
'''
