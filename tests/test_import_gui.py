"""File → Import runs off the GUI thread, reports, and can be cancelled."""

import pytest
from PySide6.QtWidgets import QMessageBox

from app.importer import ImportCancelled, Importer
from ui.importing import ImportRunner
from ui.mainwindow import MainWindow


def make_corpus(folder, count):
    folder.mkdir()
    for index in range(count):
        (folder / f"{index:03}.txt").write_text(f"قال المتحدث في اليوم رقم {index}", encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"")
    return folder


def test_import_from_the_window_adds_documents_and_reports_rejections(qtbot, project, tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 12)
    window = MainWindow(project, "amal")
    qtbot.addWidget(window)
    window.show()
    runner = ImportRunner(window, project, [str(corpus)], "amal")
    reports = []
    runner.done.connect(reports.append)
    runner.done.connect(lambda _report: window._after_import())
    with qtbot.waitSignal(runner.done, timeout=10_000):
        runner.start()
    [report] = reports
    assert len(report.imported) == 12 and [r[0].endswith("broken.txt") for r in report.rejected] == [True]
    assert window.documents.rowCount() == 12
    assert window.editor.document_id is not None  # the first document opens once there is one
    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and "imported 12 document(s)" in boxes[0].text()


def test_cancelled_import_keeps_what_was_committed_and_nothing_half_done(project, tmp_path):
    corpus = make_corpus(tmp_path / "corpus", 30)
    seen = []

    def cancel_after_ten():
        return len(seen) >= 10

    importer = Importer(project, "amal", progress=lambda done, total: seen.append(done), cancelled=cancel_after_ten)
    with pytest.raises(ImportCancelled):
        importer.run([corpus])
    ids = project.document_ids()
    assert len(ids) == len(importer.report.imported) == 10
    assert all(project.document_text(i).startswith("قال المتحدث") for i in ids)
