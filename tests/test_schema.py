"""The label schema (app/schema.py): renames and deletes reach every annotation; schema files round-trip."""

import json
import sqlite3

import pytest

from app import schema
from app.project import LabelDef, Project, Span
from tests.conftest import SEEDS, add_document
from ui.main import ensure_demo_project

TEXT = "قال بوتين إن روسيا تحارب سياسة الولايات المتحدة، وقال كيم إن روسيا على حق"
RUSSIA = "روسيا"
USA = "الولايات المتحدة"


def at(word: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return start, start + len(word)


def target(name: str) -> LabelDef:
    return LabelDef(schema.STANCE_TARGET, name, "#d62728", None, "")


@pytest.fixture
def doc(project):
    return add_document(project, TEXT)


@pytest.fixture
def persons(project, doc):
    """Three PERS spans (two analysts) and a GPE span."""
    return project.add_annotations([
        Span(doc, "amal", "entity", "PERS", *at("بوتين")),
        Span(doc, "huda", "entity", "PERS", *at("بوتين")),
        Span(doc, "amal", "entity", "PERS", *at("كيم")),
        Span(doc, "amal", "entity", "GPE", *at(RUSSIA)),
    ])


def stance(doc: int, polarity: str, target_ref: dict, who: str = "amal") -> Span:
    start, end = at("سياسة الولايات المتحدة")
    holder = {"start": at("بوتين")[0], "end": at("بوتين")[1], "text": "بوتين"}
    return Span(doc, who, "stance", polarity, start, end, {"holder": holder, "target": target_ref, "note": "ن"})


def doc_stance(doc: int, polarity: str, name: str, who: str = "amal") -> Span:
    return Span(doc, who, "doc_stance", polarity, None, None, {"target": name})


def stored(project_path) -> list[tuple]:
    """What the file holds, read past the Project class."""
    connection = sqlite3.connect(project_path)
    try:
        return connection.execute(
            "SELECT uid, layer, label, attrs FROM annotations ORDER BY id").fetchall()
    finally:
        connection.close()


def entity_names(project) -> list[str]:
    return [label.name for label in schema.labels(project, schema.ENTITY)]


# ---- rename --------------------------------------------------------------------
def test_renaming_an_entity_type_renames_every_annotation_and_returns_the_count(project, project_path, persons):
    before = schema.get_label(project, schema.ENTITY, "PERS")
    assert schema.rename_label(project, schema.ENTITY, "PERS", "PERSON") == 3
    labels = [label for _, layer, label, _ in stored(project_path)]
    assert labels == ["PERSON", "PERSON", "PERSON", "GPE"]
    assert entity_names(project)[0] == "PERSON"  # same place in the palette
    after = schema.get_label(project, schema.ENTITY, "PERSON")
    assert (after.color, after.shortcut, after.description) == (before.color, before.shortcut, before.description)
    assert schema.usage_count(project, schema.ENTITY, "PERS") == 0


def test_renaming_a_target_rewrites_span_and_document_stances(project, project_path, doc, persons):
    schema.add_label(project, target(RUSSIA))
    schema.add_label(project, target(USA))
    entity_target = {"start": at(RUSSIA)[0], "end": at(RUSSIA)[1], "text": RUSSIA, "id": persons[3].uid}
    project.add_annotations([
        stance(doc, "AGAINST", {"target": RUSSIA}),
        stance(doc, "AGAINST", {"target": USA}),
        stance(doc, "FAVOR", entity_target),  # a span target carries text, not a target name: left alone
        doc_stance(doc, "FAVOR", RUSSIA),
        doc_stance(doc, "NONE", RUSSIA, who="huda"),
        doc_stance(doc, "AGAINST", USA),
    ])
    assert schema.usage_count(project, schema.STANCE_TARGET, RUSSIA) == 3

    assert schema.rename_label(project, schema.STANCE_TARGET, RUSSIA, "روسيا الاتحادية") == 3

    attrs = [json.loads(raw) for _, layer, _, raw in stored(project_path) if layer in ("stance", "doc_stance")]
    assert [a["target"] for a in attrs] == [
        {"target": "روسيا الاتحادية"}, {"target": USA}, entity_target, "روسيا الاتحادية", "روسيا الاتحادية", USA,
    ]
    assert attrs[0]["holder"]["text"] == "بوتين" and attrs[0]["note"] == "ن"  # the rest of attrs is kept
    # The project reads the rewritten JSON back like any other.
    spans = project.annotations(doc, annotator="amal", layer="stance")
    assert spans[0].attrs["target"] == {"target": "روسيا الاتحادية"}
    assert [t.name for t in schema.labels(project, schema.STANCE_TARGET)] == ["روسيا الاتحادية", USA]


def test_renaming_boilerplate_categories_renames_their_spans(project, project_path, doc):
    project.add_annotation(Span(doc, "amal", "boilerplate", "tags", 0, 3))
    assert schema.rename_label(project, schema.BOILERPLATE, "tags", "keywords") == 1
    assert [row[2] for row in stored(project_path)] == ["keywords"]


@pytest.mark.parametrize("new, message", [
    ("", "needs a name"),
    ("   ", "needs a name"),
    ("LOC", "There is already an entity type called LOC"),
])
def test_rename_refuses_an_empty_or_taken_name_and_changes_nothing(project, project_path, persons, new, message):
    before = stored(project_path)
    with pytest.raises(ValueError, match=message):
        schema.rename_label(project, schema.ENTITY, "PERS", new)
    assert stored(project_path) == before and entity_names(project)[0] == "PERS"


def test_rename_refuses_a_name_annotations_already_use(project, doc, persons):
    """Merging two groups of annotations under one name could not be undone."""
    project.add_annotation(Span(doc, "amal", "entity", "PERSON", *at("كيم")))
    with pytest.raises(schema.SchemaError, match="PERSON is already used by 1 annotation"):
        schema.rename_label(project, schema.ENTITY, "PERS", "PERSON")


# ---- delete and restore ----------------------------------------------------------
def test_delete_returns_the_spans_and_restore_brings_them_back_with_their_uids(project, project_path, persons):
    label = schema.get_label(project, schema.ENTITY, "PERS")
    position = schema.label_position(project, schema.ENTITY, "PERS")
    before = stored(project_path)

    spans = schema.delete_label(project, schema.ENTITY, "PERS")

    assert sorted(s.uid for s in spans) == sorted(s.uid for s in persons if s.label == "PERS")
    assert {s.annotator for s in spans} == {"amal", "huda"}
    assert [row[2] for row in stored(project_path)] == ["GPE"]
    assert "PERS" not in entity_names(project)

    schema.restore_label(project, label, position, spans)

    assert sorted(stored(project_path)) == sorted(before)  # same uids, labels and attributes
    assert entity_names(project)[position] == "PERS"
    assert schema.get_label(project, schema.ENTITY, "PERS") == label
    restored = {s.uid: s for s in project.annotations(persons[0].document_id)}
    assert all(restored[s.uid].created_at == s.created_at for s in persons)


def test_deleting_a_target_deletes_its_stances_and_nothing_else(project, project_path, doc, persons):
    schema.add_label(project, target(RUSSIA))
    schema.add_label(project, target(USA))
    project.add_annotations([stance(doc, "AGAINST", {"target": RUSSIA}), doc_stance(doc, "FAVOR", RUSSIA),
                             doc_stance(doc, "AGAINST", USA)])
    deleted = schema.delete_label(project, schema.STANCE_TARGET, RUSSIA)
    assert sorted(s.layer for s in deleted) == ["doc_stance", "stance"]
    left = [(layer, json.loads(raw).get("target")) for _, layer, _, raw in stored(project_path)]
    assert ("doc_stance", USA) in left and len(left) == 5
    schema.restore_label(project, target(RUSSIA), 0, deleted)
    assert schema.usage_count(project, schema.STANCE_TARGET, RUSSIA) == 2
    assert [t.name for t in schema.labels(project, schema.STANCE_TARGET)] == [RUSSIA, USA]


def test_unknown_labels_are_refused_by_name(project):
    with pytest.raises(schema.UnknownLabel, match="no entity type called PER"):
        schema.delete_label(project, schema.ENTITY, "PER")


# ---- shortcuts -----------------------------------------------------------------------
def test_a_key_clash_is_refused_naming_the_label_that_has_the_key(project):
    with pytest.raises(schema.ShortcutClash, match=r"^The key P is already used by PERS\.$") as caught:
        schema.update_label(project, schema.ENTITY, "LOC", shortcut="p")
    assert isinstance(caught.value, ValueError) and caught.value.holder == "PERS"
    with pytest.raises(schema.ShortcutClash, match="already used by ORG"):
        schema.add_label(project, LabelDef(schema.ENTITY, "QUOTE", "#123456", "O"))
    assert schema.get_label(project, schema.ENTITY, "LOC").shortcut == "L"
    assert "QUOTE" not in entity_names(project)


def test_the_stance_and_boilerplate_keys_are_reserved(project):
    assert schema.RESERVED_KEYS == {"S": "make a stance", "B": "mark boilerplate"}
    with pytest.raises(schema.ShortcutClash, match="The key B is reserved to mark boilerplate"):
        schema.update_label(project, schema.ENTITY, "LOC", shortcut="b")
    with pytest.raises(schema.ShortcutClash, match="The key S is reserved to make a stance"):
        schema.update_label(project, schema.ENTITY, "LOC", shortcut="s")
    with pytest.raises(schema.ShortcutClash, match="reserved"):
        schema.add_label(project, LabelDef(schema.ENTITY, "SOURCE", "#123456", "S"))


def test_keys_are_one_letter_or_digit_stored_upper_case(project):
    assert schema.update_label(project, schema.ENTITY, "LOC", shortcut="x").shortcut == "X"
    assert schema.update_label(project, schema.ENTITY, "LOC", shortcut="7").shortcut == "7"
    assert schema.update_label(project, schema.ENTITY, "LOC", shortcut="").shortcut is None
    for bad in ("PP", "ح", "-"):
        with pytest.raises(schema.SchemaError, match="one letter A–Z or one digit"):
            schema.update_label(project, schema.ENTITY, "LOC", shortcut=bad)
    # Keeping one's own key is no clash.
    assert schema.update_label(project, schema.ENTITY, "PERS", shortcut="P").shortcut == "P"


def test_a_new_label_gets_a_free_key_suggested(project):
    assert schema.suggest_shortcut(project, schema.ENTITY, "PRODUCT") == "R"  # P taken
    assert schema.suggest_shortcut(project, schema.ENTITY, "SOLDIER") == "I"  # S reserved, O and L taken


def test_moving_a_label_changes_the_palette_order(project):
    assert schema.move_label(project, schema.ENTITY, "LOC", -1) == 0
    assert entity_names(project)[:3] == ["LOC", "PERS", "ORG"]
    assert schema.move_label(project, schema.ENTITY, "LOC", -1) == 0  # already first
    schema.move_label(project, schema.ENTITY, "LOC", 2)
    assert entity_names(project)[:3] == ["PERS", "ORG", "LOC"]


# ---- schema files -----------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".json", ".toml"])
def test_save_then_load_into_another_project_gives_the_same_schema(project, tmp_path, suffix):
    schema.add_label(project, LabelDef(schema.STANCE_TARGET, RUSSIA, "#d62728", None, "Russia"))
    schema.add_label(project, LabelDef(schema.ENTITY, "QUOTE", "#123456", "Q",
                                       'Quoted "speech", a back\\slash,\nand a tab\t— «اقتباس»'))
    schema.move_label(project, schema.ENTITY, "QUOTE", -3)
    path = tmp_path / f"schema{suffix}"
    schema.save_schema(project, path)

    other = Project.create(tmp_path / "other.hashiya")
    try:
        report = schema.load_schema(other, path)
        assert report.applied and report.added == [(schema.ENTITY, "QUOTE"), (schema.STANCE_TARGET, RUSSIA)]
        assert schema.schema_to_dict(other) == schema.schema_to_dict(project)
    finally:
        other.close()


def test_a_saved_schema_file_is_readable_json(project, tmp_path):
    path = tmp_path / "schema.json"
    schema.save_schema(project, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert list(data) == ["entity", "stance_target", "boilerplate"]
    assert data["entity"][0] == {"name": "PERS", "color": "#e6194b", "shortcut": "P",
                                 "description": "A person: بوتين، كيم جونغ أون، ديمتري بيسكوف"}
    assert data["stance_target"] == []


def test_loading_a_file_that_leaves_out_a_used_label_reports_it_and_changes_nothing(project, tmp_path, persons):
    path = tmp_path / "small.json"
    path.write_text(json.dumps({"entity": [{"name": "LOC", "color": "#3cb44b", "shortcut": "L"}]}))
    before = schema.schema_to_dict(project)

    report = schema.load_schema(project, path)

    assert not report.applied
    assert report.conflicts == [schema.Conflict("entity", "GPE", 1), schema.Conflict("entity", "PERS", 3)]
    assert "PERS (entity) is used by 3 annotations" in report.summary() and "nothing was changed" in report.summary()
    assert schema.schema_to_dict(project) == before


def test_loading_replaces_only_the_layers_in_the_file(project, tmp_path, persons):
    path = tmp_path / "schema.toml"
    path.write_text(
        '[[entity]]\nname = "GPE"\ncolor = "#000000"\nshortcut = "P"\n\n'
        '[[entity]]\nname = "PERS"\ncolor = "#e6194b"\nshortcut = "G"\n\n'
        '[[entity]]\nname = "WEAPON"\ncolor = "#111111"\ndescription = "سلاح"\n', encoding="utf-8")
    boilerplate = schema.labels(project, schema.BOILERPLATE)

    report = schema.load_schema(project, path)

    assert report.applied
    assert report.added == [("entity", "WEAPON")]
    assert [name for _, name in report.removed] == ["LOC", "ORG", "NORP", "EVENT", "DATE", "MISC"]
    assert report.updated == [("entity", "GPE"), ("entity", "PERS")]
    assert [(l.name, l.shortcut) for l in schema.labels(project, schema.ENTITY)] == [
        ("GPE", "P"), ("PERS", "G"), ("WEAPON", None)]  # two labels may swap keys
    assert schema.labels(project, schema.BOILERPLATE) == boilerplate


def test_the_demo_targets_file_loads(project):
    report = schema.load_schema(project, SEEDS / "schema.json")
    assert report.applied
    assert [t.name for t in schema.labels(project, schema.STANCE_TARGET)] == [RUSSIA, "كوريا الشمالية", USA, "أوكرانيا"]


@pytest.mark.parametrize("name, content, problem", [
    ("bad.json", '{"entity": [', "is not valid JSON (line 1"),
    ("bad.toml", "[[entity]\nname = 1", "is not valid TOML"),
    ("s.json", '{"entity": [{"color": "#123456"}]}', "entity entry 1 has no name"),
    ("s.json", '{"entity": [{"name": ""}]}', "entity entry 1 has no name"),
    ("s.toml", '[[entity]]\nname = "A"\n[[entity]]\nname = "A"\n', "entity lists A twice"),
    ("s.json", '{"entity": [{"name": "A", "shortcut": "K"}, {"name": "B", "shortcut": "k"}]}',
     "B: The key K is already used by A"),
    ("s.json", '{"entity": [{"name": "A", "shortcut": "S"}]}', "The key S is reserved"),
    ("s.json", '{"entity": [{"name": "A", "colour": "#123456"}]}', "unknown field(s) colour"),
    ("s.json", '{"entity": [{"name": "A", "color": "red"}]}', "A colour is written #rrggbb"),
    ("s.json", '{"entities": []}', "unknown layer “entities”"),
    ("s.json", '[1, 2]', "expected a table of layers"),
    ("s.yaml", "entity: []", "a schema file is .json or .toml"),
])
def test_a_malformed_schema_file_is_refused_with_the_file_and_the_problem(project, tmp_path, name, content,
                                                                         problem):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    before = schema.schema_to_dict(project)
    with pytest.raises(schema.SchemaFileError) as caught:
        schema.load_schema(project, path)
    assert str(caught.value).startswith(f"{path}: ") and problem in str(caught.value)
    assert schema.schema_to_dict(project) == before


def test_a_missing_or_binary_schema_file_is_refused_by_name(project, tmp_path):
    with pytest.raises(schema.SchemaFileError, match="cannot be read"):
        schema.load_schema(project, tmp_path / "missing.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(schema.SchemaFileError, match="not UTF-8"):
        schema.load_schema(project, binary)


# ---- guidelines and the demo ---------------------------------------------------------------
def test_guidelines_default_to_the_bundled_text_until_set(project, project_path):
    assert schema.guidelines(project).startswith("# Annotation guidelines")
    schema.set_guidelines(project, "# قواعد\n\nلا تعلّم الألقاب.")
    reopened = Project.open(project_path)
    try:
        assert schema.guidelines(reopened) == "# قواعد\n\nلا تعلّم الألقاب."
    finally:
        reopened.close()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_bundled_guidelines_quote_the_demo_corpus(language):
    seeds = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
    quoted = [line[2:].split(" … ")[0].rstrip(" …") for line in schema.default_guidelines(language).splitlines()
              if line.startswith("> ") and len(line) > 10]
    assert len(quoted) >= 15
    assert [q for q in quoted if q not in seeds] == []


def test_a_project_without_guidelines_of_its_own_shows_them_in_the_interface_s_language(project):
    from app import i18n

    assert schema.guidelines(project).startswith("# Annotation guidelines")
    i18n.set_language("ar")
    assert schema.guidelines(project) == schema.default_guidelines("ar") != schema.default_guidelines("en")


def test_the_demo_project_has_the_seed_targets_and_a_new_project_none(project):
    demo = Project.open(ensure_demo_project())
    try:
        assert [t.name for t in schema.labels(demo, schema.STANCE_TARGET)] == [RUSSIA, "كوريا الشمالية", USA,
                                                                                "أوكرانيا"]
    finally:
        demo.close()
    assert schema.labels(project, schema.STANCE_TARGET) == []
    assert len(schema.labels(project, schema.BOILERPLATE)) == 11
