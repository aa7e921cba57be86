"""Label Studio tasks (app/formats/label_studio.py), proven by Label Studio's own converter (label_studio_sdk)."""

from __future__ import annotations

import json

import pytest
from label_studio_sdk.converter import Converter
from label_studio_sdk.converter.utils import parse_config

from app.formats import FORMATS, export_as, import_as
from app.formats.label_studio import config_path, doc_stance_control, labeling_config, parse
from app.importer import BadInput
from app.project import Project
from tests.interchange_corpus import ANALYST, EMOJI_TEXT, SECOND, build, stored

FORMAT = FORMATS["label-studio"]


@pytest.fixture
def exported(project, tmp_path):
    """The corpus exported: (project, corpus, path, tasks by document name)."""
    corpus = build(project)
    out = tmp_path / "tasks.json"
    outcome = export_as(project, FORMAT, out)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert outcome.report.documents == len(tasks) == 3
    return project, corpus, out, {task["data"]["name"]: task for task in tasks}


def results(task: dict, analyst: str, kind: str | None = None) -> list[dict]:
    names = task["meta"]["hashiya"]["annotators"]
    annotation = next(a for a in task["annotations"] if names[str(a["id"])] == analyst)
    return [r for r in annotation["result"] if kind is None or r["type"] == kind]


def surfaces(project, analyst: str, layer: str = "entity") -> list[tuple]:
    return sorted((name, label, surface) for name, who, lay, label, _, _, surface in stored(project, analyst)
                  if lay == layer)


def ls_export(tmp_path, tasks, name="ls.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return path


# ---- export ----------------------------------------------------------------------------------------------
def test_every_document_is_a_task_with_one_annotation_per_analyst(exported):
    project, corpus, _, tasks = exported
    assert {name: task["data"]["text"] for name, task in tasks.items()} == corpus.texts
    emoji = tasks["emoji.txt"]
    assert sorted(emoji["meta"]["hashiya"]["annotators"].values()) == [ANALYST, SECOND]
    assert len(emoji["annotations"]) == 2 and all("completed_by" not in a for a in emoji["annotations"])
    assert tasks["plain.txt"]["annotations"] == []
    ids = [a["id"] for task in tasks.values() for a in task["annotations"]]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids)  # Label Studio keeps it as import_id
    layers = {r["from_name"] for r in results(emoji, ANALYST, "labels")}
    assert layers == {"entity", "boilerplate", "stance"}


def test_offsets_are_code_points_and_slice_the_text(exported):
    """Label Studio counts code points (its emoji.cy.ts test): the emoji and the flag before Putin count
    one each, so his start is Python's index, not the UTF-16 one."""
    project, _, _, tasks = exported
    for task in tasks.values():
        for annotation in task["annotations"]:
            for result in annotation["result"]:
                if result["type"] == "labels":
                    value = result["value"]
                    assert task["data"]["text"][value["start"]:value["end"]] == value["text"]
    putin = next(r["value"] for r in results(tasks["emoji.txt"], ANALYST, "labels")
                 if r["value"]["text"] == "فلاديمير بوتين")
    assert putin["start"] == EMOJI_TEXT.index("فلاديمير") == 16
    exported_surfaces = sorted((name, r["value"]["labels"][0], r["value"]["text"]) for name, task in tasks.items()
                               if task["annotations"] for r in results(task, ANALYST, "labels")
                               if r["from_name"] == "entity")
    assert exported_surfaces == surfaces(project, ANALYST)


def test_label_studio_converter_reads_the_export(exported, tmp_path):
    project, _, out, tasks = exported
    converter = Converter(config=labeling_config(project), project_dir=str(tmp_path))
    assert {"JSON_MIN", "CONLL2003", "CSV"} <= set(converter.supported_formats)
    converter.convert(str(out), str(tmp_path / "min"), "JSON_MIN", is_dir=False)
    converter.convert(str(out), str(tmp_path / "conll"), "CONLL2003", is_dir=False)
    converter.convert(str(out), str(tmp_path / "csv"), "CSV", is_dir=False)
    records = json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))
    by_annotation = {record["annotation_id"]: record for record in records if "annotation_id" in record}
    for analyst in (ANALYST, SECOND):
        found = []
        for name, task in tasks.items():
            names = task["meta"]["hashiya"]["annotators"]
            for annotation_id in (int(key) for key, who in names.items() if who == analyst):
                record = by_annotation[annotation_id]
                for value in record.get("entity", []):
                    assert record["text"][value["start"]:value["end"]] == value["text"]
                    found.append((name, value["labels"][0], value["text"]))
        assert sorted(found) == surfaces(project, analyst)
    conll = (tmp_path / "conll" / "result.conll").read_text(encoding="utf-8")
    assert "فلاديمير -X- _ B-PERS\nبوتين -X- _ I-PERS" in conll
    assert "Reuters -X- _ B-ORG" in conll


def test_labeling_config_is_written_beside_and_describes_the_project(exported):
    project, _, out, _ = exported
    config = config_path(out).read_text(encoding="utf-8")
    assert config == labeling_config(project)
    schema = parse_config(config)
    assert schema["entity"]["labels"] == [label.name for label in project.labels("entity")]
    assert schema["entity"]["labels_attrs"]["PERS"]["background"] == project.labels("entity")[0].color
    assert "related_links" in schema["boilerplate"]["labels"]
    assert schema["stance"]["labels"] == ["FAVOR", "AGAINST", "NEUTRAL"]
    for target in ("روسيا", "الأمم المتحدة"):
        assert schema[doc_stance_control(target)]["labels"] == ["FAVOR", "AGAINST", "NEUTRAL", "NONE"]


def test_document_stances_are_choices_per_target(exported):
    _, _, _, tasks = exported
    russia = doc_stance_control("روسيا")
    emoji = tasks["emoji.txt"]
    assert emoji["meta"]["hashiya"]["doc_stance_targets"][russia] == "روسيا"
    assert [(r["from_name"], r["value"]) for r in results(emoji, ANALYST, "choices")] == [
        (russia, {"choices": ["FAVOR"]})]
    assert [r["value"]["choices"] for r in results(emoji, SECOND, "choices")] == [["NEUTRAL"]]
    assert [r["value"]["choices"] for r in results(tasks["tatweel.txt"], ANALYST, "choices")] == [["NONE"]]


def test_span_stance_holder_is_a_relation_to_the_entity_region(exported):
    _, _, _, tasks = exported
    emoji = tasks["emoji.txt"]
    stance = next(r for r in results(emoji, ANALYST, "labels") if r["from_name"] == "stance")
    putin = next(r for r in results(emoji, ANALYST, "labels") if r["value"]["text"] == "فلاديمير بوتين")
    assert results(emoji, ANALYST, "relation") == [{"from_id": stance["id"], "to_id": putin["id"],
                                                    "type": "relation", "direction": "right",
                                                    "labels": ["holder"]}]
    assert stance["meta"]["attrs"]["target"] == {"target": "روسيا"}
    assert stance["meta"]["attrs"]["note"] == "تصريح مباشر"


def test_export_then_import_then_export_gives_identical_annotations(exported, tmp_path):
    project, _, out, tasks = exported
    other = Project.create(tmp_path / "other.hashiya")
    try:
        report = import_as(other, FORMAT, out, "someone")
        assert report.ok and not report.unrepresented, report.summary_lines()
        assert stored(other) == stored(project)
        again = tmp_path / "again.json"
        export_as(other, FORMAT, again)
        second = {t["data"]["name"]: t for t in json.loads(again.read_text(encoding="utf-8"))}
        for name, task in tasks.items():
            assert second[name]["annotations"] == task["annotations"]
            assert second[name]["meta"]["hashiya"]["annotators"] == task["meta"]["hashiya"]["annotators"]
    finally:
        other.close()


def test_one_analysts_export_has_one_annotation_per_task(project, tmp_path):
    build(project)
    out = tmp_path / "badr.json"
    outcome = export_as(project, FORMAT, out, annotator=SECOND)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert [len(task["annotations"]) for task in tasks] == [1, 1, 0]
    assert outcome.report.annotations == len(stored(project, SECOND))


def test_nothing_in_the_layer_still_writes_tasks_the_converter_reads(project, tmp_path):
    build(project)
    out = tmp_path / "empty.json"
    outcome = export_as(project, FORMAT, out, annotator=SECOND, layer="boilerplate")
    assert outcome.empty
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert len(tasks) == 3 and all(task["annotations"] == [] for task in tasks)
    converter = Converter(config=config_path(out).read_text(encoding="utf-8"), project_dir=str(tmp_path))
    converter.convert(str(out), str(tmp_path / "min"), "JSON_MIN", is_dir=False)
    assert len(json.loads((tmp_path / "min" / "result.json").read_text(encoding="utf-8"))) == 3


# ---- import ----------------------------------------------------------------------------------------------
TEXT = "🙂 قال بوتين إن موسكو مستعدة."


def region(rid, start, end, label, from_name="label", text=TEXT, **extra):
    return {"id": rid, "from_name": from_name, "to_name": "text", "type": "labels",
            "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]}, **extra}


def foreign_task():
    """A task as Label Studio exports it, with what a project cannot hold."""
    putin, moscow = TEXT.index("بوتين"), TEXT.index("موسكو")
    return {
        "id": 41, "data": {"text": TEXT, "source": "wire"},
        "annotations": [
            {"id": 7, "import_id": None, "completed_by": {"id": 3, "email": "rana@example.org"},
             "was_cancelled": False, "result": [
                 region("r1", putin, putin + 5, "Person"),
                 region("r2", moscow, moscow + 5, "City"),
                 {"from_id": "r1", "to_id": "r2", "type": "relation", "direction": "right", "labels": ["visits"]},
                 {"id": "t1", "from_name": "comment", "to_name": "text", "type": "textarea",
                  "value": {"text": ["looks fine"]}},
                 {"id": "x1", "from_name": "rating", "to_name": "text", "type": "rating", "value": {"rating": 4}},
                 {"id": "x2", "from_name": "sentiment", "to_name": "text", "type": "choices",
                  "value": {"choices": ["Positive"]}},
                 {"id": "x3", "from_name": "html", "to_name": "html", "type": "hypertextlabels",
                  "value": {"start": "/p[1]/text()[1]", "end": "/p[1]/text()[1]", "startOffset": 0,
                            "endOffset": 3, "hypertextlabels": ["Person"]}},
             ]},
            {"id": 8, "completed_by": 5, "was_cancelled": True, "result": [region("r9", 0, 1, "Person")]},
        ],
        "predictions": [{"model_version": "m1", "result": [region("p1", putin, putin + 5, "Person")]}],
    }


def test_import_reports_what_it_cannot_represent_and_keeps_the_rest(project, tmp_path):
    report = import_as(project, FORMAT, ls_export(tmp_path, [foreign_task()]), "amal")
    assert report.ok, report.rejected
    assert report.annotations_added == 2
    putin, moscow = TEXT.index("بوتين"), TEXT.index("موسكو")
    assert stored(project) == sorted([
        ("task-41", "rana@example.org", "entity", "City", moscow, moscow + 5, "موسكو"),
        ("task-41", "rana@example.org", "entity", "Person", putin, putin + 5, "بوتين"),
    ], key=repr)
    lines = "\n".join(report.unrepresented)
    for expected in ("predictions (a model's suggestions, not an analyst's work) — not imported: 1 (task 41",
                     "cancelled (skipped) annotations — not imported: 1 (task 41 (task-41), annotation 8)",
                     "relations other than a stance's holder or target — not imported: 1",
                     "textarea results — not imported: 1", "rating results — not imported: 1",
                     "hypertextlabels results — not imported: 1",
                     "choices of the control 'sentiment' (not a document stance) — not imported: 1",
                     "labels from the control 'label', imported as the entity layer: 2"):
        assert expected in lines
    assert "task 41 (task-41)" in lines
    document = parse(ls_export(tmp_path, [foreign_task()], "again.json"), "amal").documents[0]
    assert document.meta == {"label_studio_task": 41, "label_studio_data": {"source": "wire"}}


def test_stance_drawn_in_label_studio_takes_holder_and_target_from_relations(tmp_path):
    text = "قال بوتين إن روسيا لن تتراجع."
    holder, target, evidence = text.index("بوتين"), text.index("روسيا"), text.index("لن تتراجع")
    task = {"id": 1, "data": {"text": text}, "annotations": [{"id": 1, "completed_by": 2, "result": [
        region("h", holder, holder + 5, "PERS", "entity", text),
        region("t", target, target + 5, "GPE", "entity", text),
        region("s", evidence, evidence + 9, "AGAINST", "stance", text, meta={"text": ["صريح"]}),
        {"from_id": "s", "to_id": "h", "type": "relation", "direction": "right", "labels": ["holder"]},
        {"from_id": "t", "to_id": "s", "type": "relation", "direction": "left", "labels": ["target"]},
        region("lonely", evidence, evidence + 2, "FAVOR", "stance", text),
    ]}]}
    parsed = parse(ls_export(tmp_path, [task]), "amal")
    stance = next(a for a in parsed.documents[0].annotations if a["layer"] == "stance")
    assert stance["attrs"] == {"note": "صريح",
                               "holder": {"start": holder, "end": holder + 5, "text": "بوتين", "id": "h"},
                               "target": {"start": target, "end": target + 5, "text": "روسيا", "id": "t"}}
    assert stance["annotator"] == "ls-user-2"
    assert len([a for a in parsed.documents[0].annotations if a["layer"] == "stance"]) == 1
    assert any("stance regions without a holder and a target" in line for line in parsed.unrepresented)


def test_names_survive_a_pass_through_label_studio(exported, tmp_path):
    """Label Studio gives imported annotations new ids, keeps ours as import_id and credits the importing user."""
    project, _, out, _ = exported
    tasks = json.loads(out.read_text(encoding="utf-8"))
    for task in tasks:
        for annotation in task["annotations"]:
            annotation.update(import_id=annotation["id"], id=annotation["id"] + 500,
                              completed_by={"id": 1, "email": "admin@example.org"})
    other = Project.create(tmp_path / "other.hashiya")
    try:
        report = import_as(other, FORMAT, ls_export(tmp_path, tasks), "someone")
        assert report.ok and stored(other) == stored(project)
    finally:
        other.close()


def test_region_whose_text_is_not_at_its_offsets_is_rejected_naming_the_task(project, tmp_path):
    task = foreign_task()
    task["annotations"][0]["result"][0]["value"]["start"] += 1
    report = import_as(project, FORMAT, ls_export(tmp_path, [task]), "amal")
    assert not report.ok and project.document_count() == 0
    reason = report.rejected[0][1]
    assert "task 41" in reason and "result r1" in reason and "بوتين" in reason


def test_utf16_offsets_of_an_old_label_studio_are_rejected_with_the_reason(tmp_path):
    putin = TEXT.index("بوتين") + 1  # the emoji counted as two UTF-16 units
    task = {"id": 2, "data": {"text": TEXT}, "annotations": [{"id": 1, "result": [
        {"id": "old", "from_name": "label", "to_name": "text", "type": "labels",
         "value": {"start": putin, "end": putin + 5, "text": "بوتين", "labels": ["PER"]}}]}]}
    with pytest.raises(BadInput, match="task 2.*UTF-16"):
        parse(ls_export(tmp_path, [task]), "amal")


def test_malformed_json_names_the_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n{"id": 1, "data": {"text": "x"}},\n{"id": 2 "data": {}}\n]', encoding="utf-8")
    with pytest.raises(BadInput, match="line 3, column 10"):
        parse(path, "amal")


def test_one_task_object_and_json_lines_are_read(tmp_path):
    task = foreign_task()
    single = parse(ls_export(tmp_path, task, "one.json"), "amal")
    lines = tmp_path / "tasks.jsonl"
    second = {**task, "id": 42, "data": {"text": "نص آخر"}, "annotations": [], "predictions": []}
    lines.write_text(json.dumps(task, ensure_ascii=False) + "\n" + json.dumps(second, ensure_ascii=False) + "\n",
                     encoding="utf-8")
    both = parse(lines, "amal")
    assert [d.name for d in single.documents] == ["task-41"]
    assert [d.name for d in both.documents] == ["task-41", "task-42"]


def test_carriage_returns_are_counted_by_label_studio_and_removed_here(tmp_path):
    text = "سطر أول\r\nقال بوتين"
    start = text.index("بوتين")
    task = {"id": 1, "data": {"text": text}, "annotations": [{"id": 1, "result": [
        region("r", start, start + 5, "PERS", "entity", text)]}]}
    document = parse(ls_export(tmp_path, [task]), "amal").documents[0]
    assert document.text == "سطر أول\nقال بوتين"
    (annotation,) = document.annotations
    assert document.text[annotation["start"]:annotation["end"]] == "بوتين"
    assert annotation["annotator"] == "amal"


def test_region_ids_two_annotations_share_are_not_used_as_ids(project, tmp_path):
    """Annotations made from one prediction keep its region ids: both analysts' spans must still import."""
    start = TEXT.index("بوتين")
    task = {"id": 1, "data": {"text": TEXT}, "annotations": [
        {"id": n, "completed_by": n, "result": [region("same", start, start + 5, "PERS", "entity")]}
        for n in (1, 2)]}
    report = import_as(project, FORMAT, ls_export(tmp_path, [task]), "amal")
    assert report.annotations_added == 2 and report.skipped_annotations == 0
    assert [who for _, who, *_ in stored(project)] == ["ls-user-1", "ls-user-2"]


def test_label_studios_copy_of_a_region_across_a_line_break_is_accepted(tmp_path):
    """Label Studio writes a region's line break as the two characters \\n (its emoji.cy.ts test)."""
    text = "🐱 Warning:\n🐱 This is a test text"
    start, end = text.index("Warning"), text.index(" text")
    task = {"id": 1, "data": {"text": text}, "annotations": [{"id": 1, "result": [
        {"id": "r", "from_name": "entity", "to_name": "text", "type": "labels",
         "value": {"start": start, "end": end, "text": "Warning:\\n🐱 This is a test", "labels": ["MISC"]}}]}]}
    (annotation,) = parse(ls_export(tmp_path, [task]), "amal").documents[0].annotations
    assert (annotation["start"], annotation["end"]) == (2, 27)  # the offsets of Label Studio's own test


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
