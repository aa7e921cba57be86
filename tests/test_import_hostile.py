"""Whatever an import stores, every export can write: hostile JSONL records are either refused whole (the
project unchanged, the message naming the line and the key) or imported, and then every export of
app.formats.FORMATS and app.exporter.EXPORTERS succeeds."""

from __future__ import annotations

import json

import pytest

from app.exporter import EXPORTERS
from app.formats import FORMATS, export_as
from app.importer import MAX_NESTING, import_paths
from tests.test_import_integrity import snapshot

TEXT = "قال بوتين إن روسيا ستدعم كوريا"


def nested(depth: int, leaf="x"):
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


def record(**changes):
    base = {"name": "doc", "text": TEXT, "meta": {"url": "u"},
            "annotations": [{"annotator": "amal", "layer": "entity", "label": "PERS", "start": 4, "end": 9}]}
    for key, value in changes.items():
        if key in ("label", "annotator", "attrs"):
            base["annotations"][0][key] = value
        else:
            base[key] = value
    return base


# Each: a record, and what a refusal must name (None: it must import, and then export everywhere).
HOSTILE = {
    "surrogate in the text": (record(text=TEXT + " \ud83d"), ("line 1", "the text", "\\ud83d")),
    "surrogate in the name": (record(name="a\ud83d"), ("line 1", "the name")),
    "surrogate in a meta key": (record(meta={"ok": 1, "k\udc00": 1}), ("line 1", "a key of meta")),
    "surrogate deep in meta": (record(meta={"a": {"b": ["fine", "\udfff"]}}), ("line 1", "meta.a.b[1]")),
    "surrogate deep in attrs": (record(attrs={"note": {"x": ["\ud800"]}}), ("line 1", "annotation 1: attrs.note.x[0]")),
    "surrogate in a label": (record(label="PE\ud83dRS"), ("line 1", "annotation 1", '"label"')),
    "surrogate in an analyst": (record(annotator="am\ud83dal"), ("line 1", "annotation 1", '"annotator"')),
    "surrogate in a status": (record(status={"om\ud83dar": "done"}), ("line 1", '"status"')),
    "control character in a label": (record(label="PERS\u0000"), ("line 1", '"label"', "U+0000")),
    "line break in an analyst": (record(annotator="amal\nomar"), ("line 1", '"annotator"', "U+000A")),
    "C1 control in a label": (record(label="PERS\u0085"), ("line 1", '"label"', "U+0085")),
    "meta nested too deep": (record(meta=nested(MAX_NESTING + 5)), ("line 1", "nested more than")),
    "attrs nested too deep": (record(attrs=nested(MAX_NESTING + 5)), ("line 1", "annotation 1: attrs", "nested")),
    # Imported: names get U+FFFD for their control characters, everything else is kept as it is.
    "NUL in the name": (record(name="a\u0000b.txt"), None),
    "escape sequence in the name": (record(name="\u001b[31mred\u001b[0m"), None),
    "tab, line break, DEL and C1 in the name": (record(name="a\tb\nc\u007fd\u0085e"), None),
    "a name that climbs out of the folder": (record(name="../../etc/passwd"), None),
    "an absolute name": (record(name="/tmp/evil.txt"), None),
    "an empty name": (record(name=""), None),
    "bidi controls in the name": (record(name="\u202eكتاب\u202c.txt"), None),
    "control characters in the text": (record(text=TEXT + "\u0001\u0007\u001b\u007f\u0085"), None),
    "control characters in meta": (record(meta={"a\u0000": "b\u0001", "c": ["\u0085"]}), None),
    "meta nested as deep as allowed": (record(meta=nested(MAX_NESTING - 1)), None),
    "attrs with odd keys": (record(attrs={"": 1, "\u0000": [None, True, 1.5], "note": "\u202e"}), None),
    # (Not in a label: U+2029 is white space, which CoNLL's columns refuse with a message of their own.)
    "line separators in the name": (record(name="a\u2028b\u2029c"), None),
    "line separators in the text and meta": (record(text=TEXT + "\u2028\u2029", meta={"u\u2028": "\u2029"}), None),
}


def export_everything(project, folder) -> None:
    """Every export Hashiya has, of everyone's work (a one-analyst format gets a folder per analyst)."""
    for name, fmt in FORMATS.items():
        out = folder / (f"{name}-out" if fmt.folder or fmt.per_analyst else f"{name}-out{fmt.suffix}")
        layers = fmt.layers[:1] if fmt.one_layer else (None,)
        for layer in layers:
            export_as(project, fmt, out if layer is None else folder / f"{name}-{layer}", layer=layer)
    for name, exporter in EXPORTERS.items():
        exporter(project, folder / f"own-{name}")


@pytest.mark.parametrize("line, refusal", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_refused_cleanly_or_exports_everywhere(project, project_path, tmp_path, line, refusal):
    source = tmp_path / "hostile.jsonl"
    source.write_text(json.dumps(line) + "\n", encoding="utf-8")  # ASCII: escapes as a hostile file has them
    before = snapshot(project_path)
    report = import_paths(project, [source], "amal")
    if refusal is not None:
        [(name, message)] = report.rejected
        assert name == str(source)
        for part in refusal:
            assert part in message
        assert snapshot(project_path) == before
        for printed in report.summary_lines():
            printed.encode("utf-8")  # the message itself can be printed
        return
    assert report.ok, report.rejected
    (tmp_path / "exports").mkdir()
    export_everything(project, tmp_path / "exports")


def test_a_renamed_document_is_reported_with_its_old_name_escaped(project, tmp_path):
    (tmp_path / "in.jsonl").write_text(json.dumps(record(name="a\u0000b\nc")) + "\n", encoding="utf-8")
    report = import_paths(project, [tmp_path / "in.jsonl"], "amal")
    assert report.imported == ["a\ufffdb\ufffdc"]
    assert project.document_name(project.document_ids()[0]) == "a\ufffdb\ufffdc"
    lines = report.summary_lines()
    assert any(line.startswith("renamed 1 document(s) whose name held control characters") for line in lines)
    assert any("in.jsonl line 1: 'a\\\\x00b\\\\x0ac' → 'a\ufffdb\ufffdc'" in line for line in lines)


@pytest.mark.parametrize("format_name, content, where", [
    ("doccano", {"text": TEXT, "label": [[4, 9, "PERS"]], "source": {"feed": ["\ud83d"]}}, "line 1"),
    ("doccano", {"text": TEXT, "label": [[4, 9, "PE\u0000RS"]]}, "line 1"),
    ("label-studio", [{"id": 7, "data": {"text": TEXT, "site": "\udc00"}}], "task 7"),
    ("label-studio", [{"id": 7, "data": {"text": TEXT, "name": "a\u0000b"}, "annotations": [{"result": [
        {"type": "labels", "from_name": "entity", "value": {"start": 4, "end": 9, "labels": ["PERS\u0007"]}}]}]}],
     "task 7"),
])
def test_other_tools_formats_pass_the_same_checks(project, project_path, tmp_path, format_name, content, where):
    from app.formats import import_as

    path = tmp_path / ("in.jsonl" if format_name == "doccano" else "in.json")
    path.write_text(json.dumps(content) + "\n", encoding="utf-8")
    before = snapshot(project_path)
    [(name, message)] = import_as(project, FORMATS[format_name], path, "amal").rejected
    assert name == str(path) and message.startswith(where)
    assert snapshot(project_path) == before
