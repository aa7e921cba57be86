"""Label Studio tasks (.json): one task per document, one annotation per analyst.

Offsets. Label Studio's `<Text>` regions count Unicode code points, as Python does, so offsets are written and
read unchanged. Evidence: Label Studio's front end builds each text node's content as `[...text]` (a JavaScript
string spread iterates code points) and its global offsets are indices into that array (web/libs/editor/src/
tags/object/RichText/domManager.ts and domManager.md: in "🐱\\nmeans cat" the region "cat" is [8, 11]); its
end-to-end test tests/integration/e2e/ner/emoji.cy.ts ("Should calculate offsets by code points in text", with
and without the feature flag FF_LSDV_4620_3) expects "test" in "🐱 Warning: This is a test text" at 21–25,
which is Python's slice (UTF-16 would give 22–26). The SDK's converter (label_studio_sdk/converter, 2.1.2) also
slices Python strings with these offsets (utils.create_tokens_and_tags for CONLL2003). Older Label Studio
versions counted UTF-16 units (the wrong offsets after an emoji of its issues #1347, 2021, and #2007, 1.4.1,
2022; the fix stores "code points instead of js length", pull request #1559); such exports are caught on import
by their "text" check, and the message says so.

Export (`<out>.json`, plus the labeling config beside it as `<out stem>.label_config.xml`, each written atomically):
    [{"id": document id, "data": {"text": stored text, "name": document name},
      "meta": {"hashiya": {"annotators": {"<annotation id>": analyst, ...},
                           "doc_stance_targets": {"doc_stance_<hash>": target, ...},
                           "document_meta": {...}}},
      "annotations": [{"id": 1, "ground_truth": analyst is the gold layer, "was_cancelled": false,
                       "result": [...]}, ...]}, ...]
- One annotation per analyst with annotations in that document (in the chosen layers), numbered through the file.
  `completed_by` is left out: Label Studio's import takes it as a user id or the email of a member of its
  organisation, and rejects an unknown one (tasks/serializers.py, _insert_valid_completed_by); without it the
  annotation is credited to whoever imports. The analyst's name is kept in the task's `meta` (which Label Studio
  stores and exports back) keyed by the annotation's id, which Label Studio keeps as the annotation's `import_id`.
- A span is a `labels` result: `from_name` its layer ("entity", "boilerplate", "stance"), `to_name` "text",
  `id` the annotation's id, `value` {start, end, text, labels: [LABEL]}; non-empty attrs go in `meta.attrs`.
- A span stance's holder and target, when they are spans of the same analyst's annotation, are also `relation`
  results from the stance region to that region, labelled "holder" or "target", so Label Studio draws them; the
  full holder, target and note are in the stance result's `meta.attrs`.
- A document stance is a `choices` result `{"choices": [POLARITY]}` of the control "doc_stance_" + the first 10
  hex digits of the SHA-256 of the target's name (ASCII and stable whatever the target's script); the task meta
  maps these names back to the targets.
Import reads a list of tasks, one task object, or JSON lines. The analyst is the name Hashiya wrote, else
Label Studio's `completed_by` (its email, or "ls-user-<id>"), else the importing analyst. Reported, not imported:
predictions, drafts, cancelled annotations, relations other than a stance's holder and target, choices other
than a document stance, results of any other type (textarea, rating, hypertextlabels, …), notes on regions,
stance regions without a holder and target. A region's "text" that is not the text at its offsets (whitespace
aside: Label Studio's copy writes a line break as "\\n") rejects the file, naming the task, annotation and result.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import count, groupby
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select

from app.adjudication import GOLD
from app.formats.common import (BOILERPLATE, DOC_STANCE_LAYER, ENTITY, SPAN_LAYERS, STANCE_LAYER, BadInput,
                                Cancelled, ExportDocument, ExportReport, ParsedDocument, ParsedImport, Progress,
                                atomic_write_bytes, export_documents)
from app.fsutil import atomic_write
from app.i18n import _, number
from app.importer import _normalise_with_offset_map, on_line, outside_the_text, read_regular_file, shift_offsets
from app.models import Annotation
from app.project import Project
from app.store import JsonStringAt
from app.schema import STANCE_TARGET
from app.stance_format import DOC_POLARITIES, SPAN as SPAN_REFERENCE, reference_shape
from app.textio import normalise_newlines

TEXT = "text"  # the data key and the name of the <Text> object
NAME = "name"
OURS = "hashiya"
DOC_STANCE_PREFIX = "doc_stance_"
HOLDER, TARGET = "holder", "target"
LAYER_ORDER = (ENTITY, BOILERPLATE, STANCE_LAYER, DOC_STANCE_LAYER)
STANCE_COLOURS = {"FAVOR": "#2e7d32", "AGAINST": "#c62828", "NEUTRAL": "#757575"}
DEFAULT_COLOUR = "#a9a9a9"
# What may differ between a region's text and Label Studio's copy of it: whitespace, and "\n" written for a break.
_INVISIBLE = re.compile(r"(?:\\n|\s)+")
# Keys Label Studio gives a task beside "data"; a task without "data" is all data (Label Studio's own rule).
TASK_KEYS = frozenset({"id", "data", "meta", "annotations", "completions", "predictions", "drafts", "created_at",
                       "updated_at", "inner_id", "total_annotations", "cancelled_annotations", "total_predictions",
                       "comment_count", "unresolved_comment_count", "last_comment_updated_at", "project",
                       "updated_by", "file_upload", "comment_authors"})


def doc_stance_control(target: str) -> str:
    """The name of the Choices control for one stance target's document stance."""
    return DOC_STANCE_PREFIX + hashlib.sha256(target.encode("utf-8")).hexdigest()[:10]


def config_path(out: Path) -> Path:
    """Where the export writes its labeling config: beside it, `<stem>.label_config.xml`."""
    return out.with_name(f"{out.stem}.label_config.xml")


# ---- export ----------------------------------------------------------------------------------------------
def export(project: Project, out: Path, annotator: str | None, layers: tuple[str, ...], progress: Progress | None,
           cancelled: Cancelled | None) -> ExportReport:
    """Every document as a task; `annotator`'s annotations (everyone's if None) in `layers`, one Label Studio
    annotation per analyst. The labeling config to create the Label Studio project with is written beside it."""
    controls = {doc_stance_control(target): target for target in stance_targets(project)}
    numbers = count(1)
    report = ExportReport()
    with atomic_write(out) as handle:
        handle.write("[")
        for document in export_documents(project, annotator, layers, progress, cancelled):
            task, written = _task(document, controls, numbers)
            handle.write(("\n" if report.documents == 0 else ",\n") + json.dumps(task, ensure_ascii=False))
            report.documents += 1
            report.annotations += written
        handle.write("\n]\n")
    report.rows = report.documents
    atomic_write_bytes(config_path(out), labeling_config(project).encode("utf-8"))
    report.also_written.append(str(config_path(out)))
    return report


def _task(document: ExportDocument, controls: dict[str, str], numbers: Iterator[int]) -> tuple[dict, int]:
    annotators: dict[str, str] = {}
    annotations = []
    by_analyst = sorted(document.annotations, key=lambda item: item["annotator"])
    for analyst, items in groupby(by_analyst, key=lambda item: item["annotator"]):
        number = next(numbers)
        annotators[str(number)] = analyst
        annotations.append({"id": number, "ground_truth": analyst == GOLD, "was_cancelled": False,
                            "result": _results(list(items), document.text)})
    meta = {OURS: {"annotators": annotators, "doc_stance_targets": controls, "document_meta": document.meta}}
    task = {"id": document.id, "data": {TEXT: document.text, NAME: document.name}, "meta": meta,
            "annotations": annotations}
    return task, len(document.annotations)


def _results(items: list[dict], text: str) -> list[dict]:
    """Regions (entity, boilerplate, stance, each in the export's order), then relations, then choices."""
    ordered = sorted(items, key=lambda item: LAYER_ORDER.index(item["layer"]))
    regions = [_region(item, text) for item in ordered if item["layer"] != DOC_STANCE_LAYER]
    relations = [relation for item in ordered if item["layer"] == STANCE_LAYER
                 for relation in _stance_relations(item, ordered)]
    choices = [_doc_stance(item) for item in ordered if item["layer"] == DOC_STANCE_LAYER]
    return regions + relations + choices


def _region(item: dict, text: str) -> dict:
    result = {"id": item["id"], "from_name": item["layer"], "to_name": TEXT, "type": "labels",
              "value": {"start": item["start"], "end": item["end"], "text": text[item["start"]:item["end"]],
                        "labels": [item["label"]]}}
    if item["attrs"]:
        result["meta"] = {"attrs": item["attrs"]}
    return result


def _stance_relations(stance: dict, items: list[dict]) -> list[dict]:
    """A relation to the holder's and the target's region, when the analyst's annotation has one."""
    relations = []
    for role in (HOLDER, TARGET):
        region = _region_of(stance["attrs"].get(role), items)
        if region is not None:
            relations.append({"from_id": stance["id"], "to_id": region, "type": "relation", "direction": "right",
                              "labels": [role]})
    return relations


def _region_of(reference: Any, items: list[dict]) -> str | None:
    """The id of the entity region a holder/target span names: by its id, else by its offsets."""
    if reference_shape(reference) != SPAN_REFERENCE:
        return None
    entities = [item for item in items if item["layer"] == ENTITY]
    by_id = [item["id"] for item in entities if item["id"] == reference.get("id")]
    by_offsets = [item["id"] for item in entities if (item["start"], item["end"]) == (reference["start"],
                                                                                       reference["end"])]
    return (by_id or by_offsets or [None])[0]


def _doc_stance(item: dict) -> dict:
    return {"id": item["id"], "from_name": doc_stance_control(item["attrs"]["target"]), "to_name": TEXT,
            "type": "choices", "value": {"choices": [item["label"]]}, "meta": {"attrs": item["attrs"]}}


def stance_targets(project: Project) -> list[str]:
    """The project's stance targets in their order, then any other target a document stance names, sorted."""
    listed = [label.name for label in project.labels(STANCE_TARGET)]
    target = JsonStringAt(Annotation.attrs, "target")  # a string there names a listed target
    query = select(target).where(Annotation.layer == DOC_STANCE_LAYER, target.is_not(None)).distinct()
    with project.session() as session:
        used = set(session.scalars(query))
    return listed + sorted(used - set(listed))


def labeling_config(project: Project) -> str:
    """The Label Studio labeling config for this project's exports: the text, a Labels control per span layer
    (the project's labels with their colours, and any other label the annotations use), relations for a
    stance's holder and target, and a Choices control per stance target for the document stance."""
    view = ET.Element("View")
    # Keep the text's line breaks and give each line the direction of its own script (Arabic or Latin).
    ET.SubElement(view, "Style").text = ".htx-text { white-space: pre-wrap; unicode-bidi: plaintext; }"
    ET.SubElement(view, "Header", value="$name")
    ET.SubElement(view, "Text", name=TEXT, value=f"${TEXT}")
    for layer in (ENTITY, BOILERPLATE):
        _labels_control(view, layer, _layer_labels(project, layer))
    _labels_control(view, STANCE_LAYER, list(STANCE_COLOURS.items()))
    relations = ET.SubElement(view, "Relations")
    for role in (HOLDER, TARGET):
        ET.SubElement(relations, "Relation", value=role)
    for target in stance_targets(project):
        ET.SubElement(view, "Header", value=f"Document stance towards {target}")
        choices = ET.SubElement(view, "Choices", name=doc_stance_control(target), toName=TEXT, choice="single",
                                showInline="true")
        for polarity in DOC_POLARITIES:
            ET.SubElement(choices, "Choice", value=polarity)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode") + "\n"


def _labels_control(view: ET.Element, layer: str, labels: list[tuple[str, str]]) -> None:
    if not labels:  # Label Studio refuses a Labels control without a Label
        return
    control = ET.SubElement(view, "Labels", name=layer, toName=TEXT)
    for name, colour in labels:
        ET.SubElement(control, "Label", value=name, background=colour)


def _layer_labels(project: Project, layer: str) -> list[tuple[str, str]]:
    listed = [(label.name, label.color) for label in project.labels(layer)]
    query = select(Annotation.label).where(Annotation.layer == layer).distinct()
    with project.session() as session:
        used = set(session.scalars(query))
    known = {name for name, _ in listed}
    return listed + [(name, DEFAULT_COLOUR) for name in sorted(used - known)]


# ---- import ----------------------------------------------------------------------------------------------
def parse(path: Path, default_annotator: str) -> ParsedImport:
    """A Label Studio JSON export, checked whole; BadInput names the task (and annotation, result) at fault."""
    if path.is_dir():
        raise BadInput(_("is a folder: import the Label Studio JSON export file"))
    tasks = _read_tasks(read_regular_file(path))
    reader = _Reader(default_annotator, str(path))
    documents = [reader.document(task, position) for position, task in enumerate(tasks, start=1)]
    reader.drop_shared_ids(documents)
    return ParsedImport(documents, reader.notes.lines())


def _read_tasks(data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(_("is not UTF-8 (byte {position}); Label Studio's JSON export is UTF-8").format(
            position=number(error.start))) from None
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and text.lstrip().startswith("{"):
            return _json_lines(text)
        raise BadInput(_("is not valid JSON: {error} at line {line}, column {column}").format(
            error=error.msg, line=number(error.lineno), column=number(error.colno))) from None
    except RecursionError:
        raise BadInput(_("the JSON is nested too deeply to read")) from None
    tasks = [loaded] if isinstance(loaded, dict) else loaded
    if not isinstance(tasks, list):
        raise BadInput(_("must hold a list of Label Studio tasks (a JSON array of objects)"))
    if not tasks:
        raise BadInput(_("holds no tasks"))
    for position, task in enumerate(tasks, start=1):
        if not isinstance(task, dict):
            raise BadInput(_("task {position} of the list is not an object").format(position=number(position)))
    return tasks


def _json_lines(text: str) -> list[dict]:
    """One task per line (Label Studio imports these too)."""
    tasks = []
    # Only \n ends a record: U+2028, U+2029 and U+0085 may stand unescaped inside JSON strings.
    for row, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            task = json.loads(line)
        except json.JSONDecodeError as error:
            raise BadInput(on_line(row, _("not valid JSON: {error} at column {column}").format(
                error=error.msg, column=number(error.colno)))) from None
        except RecursionError:
            raise BadInput(on_line(row, _("the JSON is nested too deeply to read"))) from None
        if not isinstance(task, dict):
            raise BadInput(on_line(row, _("each line must be a task object")))
        tasks.append(task)
    return tasks


class _Notes:
    """What the input carried that a project cannot hold, counted by kind, with where it was."""

    SHOWN = 5

    def __init__(self) -> None:
        self._where: dict[str, list[str]] = {}

    def add(self, what: str, where: str) -> None:
        self._where.setdefault(what, []).append(where)

    def lines(self) -> list[str]:
        lines = []
        for what, places in self._where.items():
            shown = "; ".join(places[:self.SHOWN]) + ("; …" if len(places) > self.SHOWN else "")
            lines.append(_("{what}: {n} ({places})").format(what=what, n=number(len(places)), places=shown))
        return lines


@dataclass
class _Ours:
    """What a Hashiya export wrote in the task's meta."""

    annotators: dict[str, str] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)  # doc stance control name → target
    document_meta: dict[str, Any] | None = None


@dataclass
class _Region:
    start: int
    end: int
    annotations: list[dict]  # one per label of the region


class _Reader:
    def __init__(self, default_annotator: str, path: str):
        self.default_annotator = default_annotator
        self.path = path
        self.notes = _Notes()
        self.region_ids: dict[str, int] = {}  # how many spans each region id would name, over the whole file

    # -- a task --
    def document(self, task: dict, position: int) -> ParsedDocument:
        task_id = task.get("id", position)
        where = _("task {id}").format(id=task_id)
        data = task["data"] if "data" in task else {k: v for k, v in task.items() if k not in TASK_KEYS}
        if not isinstance(data, dict):
            raise BadInput(_('{where}: "data" must be an object').format(where=where))
        ours = _our_meta(task.get("meta"), where)
        text_key, raw_text = self._text(data, where)
        name = data.get(NAME) if isinstance(data.get(NAME), str) and data[NAME].strip() else f"task-{task_id}"
        where = _("task {id} ({name})").format(id=task_id, name=name)
        if text_key != TEXT:
            self.notes.add(_('tasks without data.text, the text taken from another field (here "{key}")').format(
                key=text_key), where)
        self._note_task_extras(task, where)
        annotations = self._annotations(task, raw_text, ours, where)
        text, shift = _normalise_with_offset_map(raw_text)
        retext = normalise_newlines if "\r" in raw_text else (lambda quoted: quoted)
        annotations = [shift_offsets(annotation, shift, retext) for annotation in annotations]
        meta = ours.document_meta if ours.document_meta is not None else _foreign_meta(task_id, data, text_key)
        return ParsedDocument(name, self.path, text, meta, annotations, where=where)

    def _text(self, data: dict, where: str) -> tuple[str, str]:
        if isinstance(data.get(TEXT), str):
            return TEXT, data[TEXT]
        for key, value in data.items():
            if key != NAME and isinstance(value, str) and value.strip():
                return key, value
        raise BadInput(_('{where}: "data" has no text (no "text" field, nor any other string)').format(where=where))

    def _note_task_extras(self, task: dict, where: str) -> None:
        for key, what in (("predictions", _("predictions (a model's suggestions, not an analyst's work) — not "
                                            "imported")),
                          ("drafts", _("drafts (unsubmitted work) — not imported"))):
            listed = task.get(key)
            if isinstance(listed, list):
                for _item in listed:
                    self.notes.add(what, where)

    # -- its annotations --
    def _annotations(self, task: dict, text: str, ours: _Ours, where: str) -> list[dict]:
        listed = task.get("annotations", task.get("completions", []))
        if not isinstance(listed, list):
            raise BadInput(_('{where}: "annotations" must be a list').format(where=where))
        found: list[dict] = []
        for position, annotation in enumerate(listed, start=1):
            if not isinstance(annotation, dict):
                raise BadInput(_("{where}: annotation {position} is not an object").format(
                    where=where, position=number(position)))
            here = _("{where}, annotation {id}").format(where=where, id=annotation.get("id", position))
            if annotation.get("was_cancelled") or annotation.get("skipped"):
                self.notes.add(_("cancelled (skipped) annotations — not imported"), here)
                continue
            analyst = self._analyst(annotation, ours)
            found += self._results(annotation.get("result", []), text, analyst, ours, here)
        return self._one_doc_stance_per_target(found, where)

    def _analyst(self, annotation: dict, ours: _Ours) -> str:
        # Label Studio keeps the id Hashiya gave an annotation as its import_id (its own id is new).
        key = annotation.get("import_id") if "import_id" in annotation else annotation.get("id")
        if key is not None and str(key) in ours.annotators:
            return ours.annotators[str(key)]
        user = annotation.get("completed_by")
        if isinstance(user, dict):  # a full export: {"id", "email", "first_name", "last_name"}
            email = user.get("email")
            if isinstance(email, str) and email.strip():
                return email
            user = user.get("id")
        if isinstance(user, str) and user.strip():
            return user
        if isinstance(user, int) and not isinstance(user, bool):
            return f"ls-user-{user}"
        return self.default_annotator

    def _results(self, results: Any, text: str, analyst: str, ours: _Ours, where: str) -> list[dict]:
        if not isinstance(results, list):
            raise BadInput(_('{where}: "result" must be a list').format(where=where))
        regions: dict[str, _Region] = {}
        relations, choices = [], []
        for position, result in enumerate(results, start=1):
            if not isinstance(result, dict):
                raise BadInput(_("{where}: result {position} is not an object").format(
                    where=where, position=number(position)))
            kind = str(result.get("type", "")).lower()
            if kind == "labels":
                key = result.get("id") if isinstance(result.get("id"), str) else f"#{position}"
                region = self._region(result, text, analyst, _result_place(where, key))
                regions[key if key not in regions else f"{key}#{position}"] = region
            elif kind == "relation":
                relations.append(result)
            elif kind == "choices":
                choices.append(result)
            else:
                self.notes.add(_("{kind} results — not imported").format(kind=kind) if kind
                               else _("untyped results — not imported"), where)
        self._link_stances(regions, relations, text, where)
        spans = [annotation for key, region in regions.items() for annotation in region.annotations
                 if self._complete(annotation, key, where)]
        return spans + [stance for result in choices if (stance := self._doc_stance(result, analyst, ours, where))]

    def _region(self, result: dict, text: str, analyst: str, where: str) -> _Region:
        value = result.get("value")
        if not isinstance(value, dict):
            raise BadInput(_('{where}: "value" must be an object').format(where=where))
        start, end = _offsets(value, len(text), where)
        if "text" in value:
            _check_quoted(value["text"], text, start, end, where)
        labels = value.get("labels")
        if not isinstance(labels, list) or not all(isinstance(label, str) and label for label in labels):
            raise BadInput(_('{where}: "value.labels" must be a list of label names').format(where=where))
        if not labels:
            self.notes.add(_("regions without a label — not imported"), where)
        layer = self._layer(result.get("from_name"), where)
        meta = result.get("meta") if isinstance(result.get("meta"), dict) else {}
        attrs = meta.get("attrs") if isinstance(meta.get("attrs"), dict) else {}
        note = meta.get("text")
        if note and "attrs" not in meta:
            if layer == STANCE_LAYER and isinstance(note, list) and all(isinstance(part, str) for part in note):
                attrs = {"note": "\n".join(note)}
            else:
                self.notes.add(_("notes on regions (meta.text) — not imported"), where)
        region_id = result.get("id") if isinstance(result.get("id"), str) and len(labels) == 1 else None
        annotations = []
        for label in labels:
            annotation = {"annotator": analyst, "layer": layer, "label": label, "start": start, "end": end,
                          "attrs": dict(attrs), "provenance": "imported"}
            if region_id is not None and 0 < len(region_id) <= 36:
                annotation["id"] = region_id
                self.region_ids[region_id] = self.region_ids.get(region_id, 0) + 1
            annotations.append(annotation)
        return _Region(start, end, annotations)

    def _layer(self, from_name: Any, where: str) -> str:
        if from_name in SPAN_LAYERS:
            return from_name
        self.notes.add(_("labels from the control {name}, imported as the entity layer").format(name=repr(from_name)),
                       where)
        return ENTITY

    def _link_stances(self, regions: dict[str, _Region], relations: list[dict], text: str, where: str) -> None:
        """A relation labelled holder/target between a stance region and another region fills that part of
        the stance when its meta did not (a stance drawn in Label Studio); any other relation is reported."""
        stances = {key for key, region in regions.items()
                   if any(annotation["layer"] == STANCE_LAYER for annotation in region.annotations)}
        for relation in relations:
            ends = tuple(end if isinstance(end, str) else None for end in (relation.get("from_id"),
                                                                           relation.get("to_id")))
            labels = relation.get("labels") or []
            role = labels[0] if len(labels) == 1 and labels[0] in (HOLDER, TARGET) else None
            stance, other = ends if ends[0] in stances else ends[::-1]
            if role is None or stance not in stances or other not in regions or other in stances:
                self.notes.add(_("relations other than a stance's holder or target — not imported"), where)
                continue
            region = regions[other]
            reference = {"start": region.start, "end": region.end, "text": text[region.start:region.end]}
            if len(region.annotations) == 1 and "id" in region.annotations[0]:
                reference["id"] = region.annotations[0]["id"]
            for annotation in regions[stance].annotations:
                annotation["attrs"].setdefault(role, reference)

    def _complete(self, annotation: dict, key: str, where: str) -> bool:
        if annotation["layer"] != STANCE_LAYER or {HOLDER, TARGET} <= set(annotation["attrs"]):
            return True
        self.notes.add(_("stance regions without a holder and a target — not imported"), _result_place(where, key))
        return False

    def _doc_stance(self, result: dict, analyst: str, ours: _Ours, where: str) -> dict | None:
        from_name = result.get("from_name")
        value = result.get("value") if isinstance(result.get("value"), dict) else {}
        meta = result.get("meta") if isinstance(result.get("meta"), dict) else {}
        attrs = meta.get("attrs") if isinstance(meta.get("attrs"), dict) else None
        if attrs is None and from_name in ours.targets:
            attrs = {"target": ours.targets[from_name]}
        if not (isinstance(from_name, str) and from_name.startswith(DOC_STANCE_PREFIX) and attrs) \
                or "start" in value:
            self.notes.add(_("choices of the control {name} (not a document stance) — not imported").format(
                name=repr(from_name)), where)
            return None
        choices = value.get("choices")
        if not (isinstance(choices, list) and len(choices) == 1):
            self.notes.add(_("document stances with other than one choice — not imported"), where)
            return None
        stance = {"annotator": analyst, "layer": DOC_STANCE_LAYER, "label": choices[0], "attrs": dict(attrs),
                  "provenance": "imported"}
        if isinstance(result.get("id"), str) and 0 < len(result["id"]) <= 36:
            stance["id"] = result["id"]
            self.region_ids[result["id"]] = self.region_ids.get(result["id"], 0) + 1
        return stance

    def _one_doc_stance_per_target(self, annotations: list[dict], where: str) -> list[dict]:
        """Two Label Studio annotations of one user may both give a target's document stance: the first stays."""
        seen, kept = set(), []
        for annotation in annotations:
            if annotation["layer"] == DOC_STANCE_LAYER:
                key = (annotation["annotator"], annotation["attrs"].get("target"))
                if key in seen:
                    self.notes.add(_("second document stances by the same user for a target — not imported"), where)
                    continue
                seen.add(key)
            kept.append(annotation)
        return kept

    def drop_shared_ids(self, documents: list[ParsedDocument]) -> None:
        """A region id names one annotation only if no other region of the file has it (Label Studio copies
        region ids when an annotation is made from a prediction or another annotation)."""
        shared = {key for key, times in self.region_ids.items() if times > 1}
        if not shared:
            return
        for document in documents:
            for annotation in document.annotations:
                if annotation.get("id") in shared:
                    del annotation["id"]
                for role in (HOLDER, TARGET):
                    reference = annotation["attrs"].get(role)
                    if isinstance(reference, dict) and reference.get("id") in shared:
                        annotation["attrs"][role] = {k: v for k, v in reference.items() if k != "id"}


def _our_meta(meta: Any, where: str) -> _Ours:
    ours = meta.get(OURS) if isinstance(meta, dict) else None
    if ours is None:
        return _Ours()
    annotators, targets = ours.get("annotators", {}), ours.get("doc_stance_targets", {})
    document_meta = ours.get("document_meta", {})
    if not (_strings(annotators) and _strings(targets) and isinstance(document_meta, dict)):
        raise BadInput(_('{where}: "meta.{key}" is not what Hashiya writes (annotators and doc_stance_targets map '
                         'names to names, document_meta is an object)').format(where=where, key=OURS))
    return _Ours(annotators, targets, document_meta)


def _strings(mapping: Any) -> bool:
    return isinstance(mapping, dict) and all(isinstance(value, str) and value for value in mapping.values())


def _foreign_meta(task_id: Any, data: dict, text_key: str) -> dict[str, Any]:
    """A Label Studio task's id and its other data fields, kept as the document's metadata."""
    extra = {key: value for key, value in data.items() if key not in (text_key, NAME)}
    meta: dict[str, Any] = {"label_studio_task": task_id}
    if extra:
        meta["label_studio_data"] = extra
    return meta


def _offsets(value: dict, length: int, where: str) -> tuple[int, int]:
    start, end = value.get("start"), value.get("end")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise BadInput(_('{where}: "value.start" and "value.end" must be integers (character offsets into the '
                         "text; a HyperText region's XPath offsets cannot be imported)").format(where=where))
    if not 0 <= start < end <= length:
        raise BadInput(outside_the_text(where, start, end, length))
    return start, end


def _check_quoted(quoted: Any, text: str, start: int, end: int, where: str) -> None:
    """The region's own copy of its text must be what its offsets give: a mismatch means offsets in another
    unit (Label Studio before its code-point fix counted UTF-16) or a text changed since, and is not guessed at.

    Label Studio copies the text as the browser shows it: a line break as the two characters "\\n"
    (domManager.ts, normalizeText; emoji.cy.ts expects "Warning:\\n🐱 This is a test") and, without
    `white-space: pre-wrap`, runs of spaces collapsed. So the copies are compared without their whitespace."""
    if quoted == text[start:end] or (isinstance(quoted, str) and _visible(quoted) == _visible(text[start:end])):
        return
    values = {"where": where, "quoted": repr(quoted), "start": number(start), "end": number(end),
              "text": repr(text[start:end])}
    in_units = _utf16_slice(text, start, end)
    if isinstance(quoted, str) and in_units is not None and _visible(quoted) == _visible(in_units):
        raise BadInput(_('{where}: "value.text" {quoted} is not the text at {start}–{end}, which is {text}; it is the '
                         "text at those offsets counted in UTF-16 units, as Label Studio counted them before it "
                         "counted code points (its issue #2007): export again from a current Label Studio").format(
            **values))
    raise BadInput(_('{where}: "value.text" {quoted} is not the text at {start}–{end}, which is {text}').format(
        **values))


def _result_place(where: str, key: str) -> str:
    """Where a result is: its annotation's place and the result's id ("#3": the third, which has none)."""
    return _("{where}, result {id}").format(where=where, id=key)


def _visible(text: str) -> str:
    return _INVISIBLE.sub("", text)


def _utf16_slice(text: str, start: int, end: int) -> str | None:
    units = text.encode("utf-16-le", "surrogatepass")[2 * start:2 * end]
    try:
        return units.decode("utf-16-le")
    except UnicodeDecodeError:
        return None
