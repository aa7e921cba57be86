"""File → Export… (the format chooser, the export on a worker, cancel, the message) and File → Import from
another tool…"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests import interchange_corpus as corpus
from tests.conftest import show_window
from ui.exporting import ExportDialog, ExportRequest, ExportWorker


def _choose(qtbot, combo, data) -> None:
    """Pick an entry the way an analyst does: focus the box and step to it with the arrow keys."""
    combo.setFocus()
    target = combo.findData(data)
    assert target >= 0, data
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, Qt.Key_Down if combo.currentIndex() < target else Qt.Key_Up)


def _close_message_boxes() -> list[str]:
    texts = []
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            texts.append(widget.text())
            widget.close()
    return texts


def test_ctrl_e_opens_the_chooser_and_conll_offers_the_clitic_option(qtbot, project):
    corpus.build(project)
    window = show_window(qtbot, project, corpus.ANALYST)
    qtbot.waitUntil(window.isActiveWindow)  # a window shortcut needs its window active
    seen = {}

    def inspect() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ExportDialog):  # not open yet: look again shortly
            return QTimer.singleShot(10, inspect)
        seen["dialog"] = type(dialog).__name__
        _choose(qtbot, dialog.format, "conll")
        seen["clitics"] = dialog.clitics.buttons()[0].isVisibleTo(dialog)
        seen["layers"] = [dialog.layer.itemData(i) for i in range(dialog.layer.count())]
        _choose(qtbot, dialog.format, "label-studio")
        seen["clitics after"] = dialog.clitics.buttons()[0].isVisibleTo(dialog)
        dialog.reject()

    QTimer.singleShot(0, inspect)
    qtbot.keyClick(window.pane, Qt.Key_E, Qt.ControlModifier)
    assert seen == {"dialog": "ExportDialog", "clitics": True, "layers": ["entity", "boilerplate"],
                    "clitics after": False}


def test_the_dialog_knows_when_several_analysts_need_a_folder(qtbot, project, tmp_path):
    corpus.build(project)
    dialog = ExportDialog(None, project, corpus.ANALYST)
    qtbot.addWidget(dialog)
    _choose(qtbot, dialog.format, "doccano")
    assert not dialog.writes_folder()  # amal's work only: one file
    _choose(qtbot, dialog.whose, "")
    assert dialog.writes_folder()  # amal's and badr's: a file each, in a folder
    _choose(qtbot, dialog.format, "label-studio")
    assert not dialog.writes_folder()  # Label Studio keeps the analysts apart within one file


def test_exporting_from_the_window_writes_the_file_and_says_what_it_wrote(qtbot, project, tmp_path):
    corpus.build(project)
    window = show_window(qtbot, project, corpus.ANALYST)
    dialog = ExportDialog(window, project, corpus.ANALYST)
    _choose(qtbot, dialog.format, "doccano")
    out = tmp_path / "amal.jsonl"
    with qtbot.waitSignal(_runner_done(window, dialog.request(out)), timeout=20_000) as blocker:
        pass
    written, message = blocker.args
    assert written
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [len(line["label"]) for line in lines] == [9, 3, 0]
    assert message.startswith(f"Wrote {out}: 12 annotation(s) in 3 document(s) by amal")
    assert message in _close_message_boxes()
    assert window.statusBar().currentMessage() == message


def _runner_done(window, request: ExportRequest):
    window.export_to(request)
    return window._export_runner.done


def test_a_destination_that_is_not_empty_is_refused_before_any_work(qtbot, project, tmp_path, monkeypatch):
    corpus.build(project)
    window = show_window(qtbot, project, corpus.ANALYST)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("مهم", encoding="utf-8")
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warnings.append(text))
    window.export_to(ExportRequest("brat", tmp_path / "full", corpus.ANALYST, folder=True))
    assert window._export_runner is None
    assert "is not empty" in warnings[0]
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["keep.txt"]


def test_a_cancelled_export_says_nothing_was_written(qtbot, project, tmp_path):
    corpus.build(project)
    worker = ExportWorker(project, ExportRequest("spacy", tmp_path / "x.spacy", corpus.ANALYST))
    worker.cancel()
    with qtbot.waitSignal(worker.finished) as blocker:
        worker.run()
    assert blocker.args == [False, "Export cancelled: nothing was written."]
    assert not (tmp_path / "x.spacy").exists()


def test_importing_another_tools_file_from_the_window_stores_it_and_reports_the_rest(qtbot, project, tmp_path):
    window = show_window(qtbot, project, "amal")
    source = tmp_path / "from-doccano.jsonl"
    source.write_text(json.dumps({
        "text": "😀 زار بوتين دمشق.",  # doccano counts UTF-16 units: the emoji is two
        "entities": [{"id": 1, "label": "PERS", "start_offset": 7, "end_offset": 12}],
        "relations": [{"id": 1, "from_id": 1, "to_id": 1, "type": "self"}]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    window._run_import([str(source)], "doccano")
    with qtbot.waitSignal(window._import_runner.done, timeout=20_000) as blocker:
        pass
    report = blocker.args[0]
    assert report.ok and report.unrepresented
    document_id = project.document_ids()[0]
    [span] = project.annotations(document_id, "amal")
    assert project.document_text(document_id)[span.start:span.end] == "بوتين"
    assert window.documents.rowCount() == 1
    _close_message_boxes()


def test_hashiyas_own_formats_export_from_the_same_dialog(qtbot, project, tmp_path):
    corpus.build(project)
    worker = ExportWorker(project, ExportRequest("stance-csv", tmp_path / "stances.csv", corpus.ANALYST))
    with qtbot.waitSignal(worker.finished) as blocker:
        worker.run()
    assert blocker.args == [True, f"Wrote {tmp_path / 'stances.csv'}: 3 annotation(s) from 2 document(s)."]
    assert (tmp_path / "stances.csv").read_text(encoding="utf-8-sig").count("\n") == 4  # header + 3 stances
