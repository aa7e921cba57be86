"""UIMA CAS XMI for INCEpTION, proven by dkpro-cassis (INCEpTION's own Python reader): the type system and every
document load, covered text matches after an emoji while the raw offsets are UTF-16 units, INCEpTION's
segmentation and custom layers are there, the round trip is byte-identical, foreign annotation types are
reported, and hostile XML (external entities, entity bombs) is refused."""

import json
import re
import zipfile
from xml.etree import ElementTree

import cassis
import pytest

from app.formats import FORMATS, export_as, import_as
from app.formats.xmi import (BOILERPLATE_TYPE, DOC_STANCE_TYPE, NAMED_ENTITY, SENTENCE, STANCE_TYPE, TOKEN,
                             TYPE_SYSTEM_FILE)
from app.project import Project, Span
from tests.conftest import add_document, occurrence
from tests.interchange_corpus import ANALYST, EMOJI_TEXT, SECOND, build, stored

XMI = FORMATS["xmi"]
POS = "de.tudarmstadt.ukp.dkpro.core.api.lexmorph.type.pos.POS"


@pytest.fixture
def other_project(tmp_path):
    opened = Project.create(tmp_path / "other.hashiya")
    yield opened
    opened.close()


def load_typesystem(folder):
    with open(folder / TYPE_SYSTEM_FILE, "rb") as handle:
        return cassis.load_typesystem(handle)


def load_cas(path, typesystem):
    with open(path, "rb") as handle:
        return cassis.load_cas_from_xmi(handle, typesystem=typesystem)


def raw_elements(path, type_name):
    """The XMI elements of one type, as written (begin/end in the file's own units)."""
    package, _, name = type_name.rpartition(".")
    tag = "{http:///" + package.replace(".", "/") + ".ecore}" + name
    return ElementTree.parse(path).getroot().findall(tag)


def utf16_units(text, point):
    return len(text[:point].encode("utf-16-le")) // 2


def file_contents(folder):
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def test_cassis_loads_every_document_with_covered_text_right_after_the_emoji(project, tmp_path):
    corpus = build(project)
    out = tmp_path / "amal"
    outcome = export_as(project, XMI, out, annotator=ANALYST)
    assert sorted(file_contents(out)) == [TYPE_SYSTEM_FILE, "emoji.txt.xmi", "plain.txt.xmi", "tatweel.txt.xmi"]
    typesystem = load_typesystem(out)
    expected = [(name, label, surface) for name, _, layer, label, _, _, surface in stored(project, ANALYST)
                if layer == "entity"]
    found = []
    for name, text in corpus.texts.items():
        cas = load_cas(out / f"{name}.xmi", typesystem)
        assert cas.sofa_string == text
        found += [(name, entity.value, entity.get_covered_text()) for entity in cas.select(NAMED_ENTITY)]
    assert sorted(found) == sorted(expected)
    assert outcome.report.annotations == len(stored(project, ANALYST))


def test_raw_offsets_in_the_file_are_utf16_units(project, tmp_path):
    build(project)
    export_as(project, XMI, tmp_path / "out", annotator=ANALYST)
    entities = raw_elements(tmp_path / "out" / "emoji.txt.xmi", NAMED_ENTITY)
    spans = {(span.start, span.end): span.label for name, span in _spans(project, "emoji.txt", "entity")}
    written = {(int(e.get("begin")), int(e.get("end"))): e.get("value") for e in entities}
    expected = {(utf16_units(EMOJI_TEXT, start), utf16_units(EMOJI_TEXT, end)): label
                for (start, end), label in spans.items()}
    assert written == expected
    # Every entity follows the emoji (three astral characters, one of them a flag of two): the units differ.
    putin_start, _ = occurrence(EMOJI_TEXT, "فلاديمير بوتين")
    assert (putin_start + 3, "PERS") in {(begin, value) for (begin, _), value in written.items()}
    assert all(begin != start for (begin, _), (start, _) in zip(sorted(written), sorted(spans)))


def _spans(project, name, layer, analyst=ANALYST):
    for document_id in project.document_ids():
        if project.document_name(document_id) == name:
            yield from ((name, span) for span in project.annotations(document_id, analyst) if span.layer == layer)


def test_custom_layers_carry_boilerplate_stance_and_document_stance(project, tmp_path):
    build(project)
    export_as(project, XMI, tmp_path / "out", annotator=ANALYST)
    typesystem = load_typesystem(tmp_path / "out")
    cas = load_cas(tmp_path / "out" / "emoji.txt.xmi", typesystem)
    assert sorted((b.category, b.get_covered_text()) for b in cas.select(BOILERPLATE_TYPE)) == [
        ("related_links", "اقرأ أيضاً: مقالات مشابهة"), ("share_social", "شارك المقال")]
    [stance] = cas.select(STANCE_TYPE)
    assert (stance.polarity, stance.get_covered_text(), stance.note) == ("FAVOR", "لن تتراجع لروسيا", "تصريح مباشر")
    assert (stance.holderKind, stance.holderText, stance.targetKind, stance.target) == (
        "entity", "فلاديمير بوتين", "list", "روسيا")
    [link] = stance.holder.elements  # INCEpTION's link feature: the slot filler is the NamedEntity itself
    assert (link.role, link.target.value, link.target.get_covered_text()) == ("holder", "PERS", "فلاديمير بوتين")
    [document_stance] = cas.select(DOC_STANCE_TYPE)
    assert (document_stance.target, document_stance.polarity) == ("روسيا", "FAVOR")
    assert not hasattr(document_stance, "begin")  # a document metadata annotation has no offsets


def test_sentences_and_tokens_suit_inception(project, tmp_path):
    """INCEpTION shows a document sentence by sentence and anchors named entities to tokens: every span
    starts and ends on a token boundary (the clitic ل of لروسيا is a token of its own) inside one sentence,
    and sentences neither overlap nor start or end with a space."""
    build(project)
    export_as(project, XMI, tmp_path / "out", annotator=ANALYST)
    cas = load_cas(tmp_path / "out" / "emoji.txt.xmi", load_typesystem(tmp_path / "out"))
    text = cas.sofa_string
    sentences = [(s.begin, s.end) for s in cas.select(SENTENCE)]
    assert all(start < end and not text[start].isspace() and not text[end - 1].isspace() for start, end in sentences)
    assert all(first[1] < second[0] for first, second in zip(sentences, sentences[1:]))
    assert len(sentences) == EMOJI_TEXT.count("\n") + 1
    boundaries = {t.begin for t in cas.select(TOKEN)} | {t.end for t in cas.select(TOKEN)}
    for annotation in [*cas.select(NAMED_ENTITY), *cas.select(BOILERPLATE_TYPE), *cas.select(STANCE_TYPE)]:
        assert {annotation.begin, annotation.end} <= boundaries
        assert any(start <= annotation.begin and annotation.end <= end for start, end in sentences)
    assert "ل" in [t.get_covered_text() for t in cas.select(TOKEN)]


def test_round_trip_is_identical(project, other_project, tmp_path):
    build(project)
    export_as(project, XMI, tmp_path / "first", annotator=ANALYST)
    report = import_as(other_project, XMI, tmp_path / "first", "someone")
    assert report.ok and not report.unrepresented
    assert stored(other_project) == stored(project, ANALYST)
    original = {(s.uid, s.annotator, s.provenance, repr(s.attrs))
                for d in project.document_ids() for s in project.annotations(d, ANALYST)}
    assert {(s.uid, s.annotator, s.provenance, repr(s.attrs))
            for d in other_project.document_ids() for s in other_project.annotations(d)} == original
    export_as(other_project, XMI, tmp_path / "second", annotator=ANALYST)
    assert file_contents(tmp_path / "second") == file_contents(tmp_path / "first")


def test_a_stance_exported_without_its_entities_keeps_its_holder(project, other_project, tmp_path):
    """With only the stance layer there is no NamedEntity to link to: the offsets features carry the holder."""
    build(project)
    export_as(project, XMI, tmp_path / "out", annotator=ANALYST, layer="stance")
    cas = load_cas(tmp_path / "out" / "emoji.txt.xmi", load_typesystem(tmp_path / "out"))
    [stance] = cas.select(STANCE_TYPE)
    assert stance.holder is None and not list(cas.select(NAMED_ENTITY))
    import_as(other_project, XMI, tmp_path / "out", "someone")
    [(_, original)] = _spans(project, "emoji.txt", "stance")
    [(_, imported)] = _spans(other_project, "emoji.txt", "stance")
    assert (imported.uid, imported.label, imported.start, imported.end, imported.attrs) == (
        original.uid, original.label, original.start, original.end, original.attrs)


def test_two_analysts_give_a_folder_each_and_import_back_whole(project, other_project, tmp_path):
    build(project)
    outcome = export_as(project, XMI, tmp_path / "out")
    assert outcome.per_analyst_folder and outcome.analysts == [ANALYST, SECOND]
    for analyst in (ANALYST, SECOND):
        folder = tmp_path / "out" / analyst
        typesystem = load_typesystem(folder)
        values = sorted(e.value for name in ("emoji.txt", "tatweel.txt", "plain.txt")
                        for e in load_cas(folder / f"{name}.xmi", typesystem).select(NAMED_ENTITY))
        assert values == sorted(label for _, _, layer, label, *_ in stored(project, analyst) if layer == "entity")
    report = import_as(other_project, XMI, tmp_path / "out", "someone")
    assert report.ok
    assert stored(other_project) == stored(project)


def test_a_zip_of_the_export_imports_too(project, other_project, tmp_path):
    build(project)
    export_as(project, XMI, tmp_path / "out", annotator=ANALYST)
    archive = tmp_path / "inception-export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, data in file_contents(tmp_path / "out").items():
            zipped.writestr(f"export/{name}", data)
    assert import_as(other_project, XMI, archive, "someone").ok
    assert stored(other_project) == stored(project, ANALYST)


def test_an_empty_layer_still_loads(project, tmp_path):
    build(project)
    outcome = export_as(project, XMI, tmp_path / "out", annotator=SECOND, layer="boilerplate")
    assert outcome.empty and outcome.report.documents == 3
    typesystem = load_typesystem(tmp_path / "out")
    for path in (tmp_path / "out").glob("*.xmi"):
        cas = load_cas(path, typesystem)
        assert cas.sofa_string and not list(cas.select(BOILERPLATE_TYPE))


def test_document_names_become_safe_unique_paths_and_come_back(project, other_project, tmp_path):
    names = ["a/1.txt", "../../escape.txt", "CON.txt", "x.txt", "X.txt", 'what?<"*>.txt']
    for number, name in enumerate(names):
        add_document(project, f"نص رقم {number}", name)
    export_as(project, XMI, tmp_path / "out")
    files = sorted(file_contents(tmp_path / "out"))
    assert len(files) == len(names) + 2  # TypeSystem.xml and names.json, listing the names that changed
    assert all(".." not in path.split("/") and not re.search(r'[<>:"|?*\\]', path) for path in files)
    assert "a/1.txt.xmi" in files and "_CON.txt.xmi" in files
    renamed = json.loads((tmp_path / "out" / "names.json").read_text(encoding="utf-8"))
    assert renamed["X.txt-2.xmi"] == "X.txt" and renamed["__/__/escape.txt.xmi"] == "../../escape.txt"
    import_as(other_project, XMI, tmp_path / "out", "someone")
    assert sorted(map(other_project.document_name, other_project.document_ids())) == sorted(names)


def _cassis_cas(tmp_path, text):
    """A CAS written by cassis rather than Hashiya, as INCEpTION would: our type system and a POS type."""
    typesystem = load_typesystem_from_export(tmp_path)
    pos = typesystem.create_type(POS, supertypeName="uima.tcas.Annotation")
    typesystem.create_feature(pos, "PosValue", "uima.cas.String")
    cas = cassis.Cas(typesystem=typesystem)
    cas.sofa_string = text
    return typesystem, cas


def load_typesystem_from_export(tmp_path):
    project = Project.create(tmp_path / "types.hashiya")
    try:
        add_document(project, "x")
        export_as(project, XMI, tmp_path / "types")
    finally:
        project.close()
    return load_typesystem(tmp_path / "types")


def test_an_xmi_written_by_cassis_imports_with_code_point_offsets_and_reports_what_it_cannot_hold(
        project, tmp_path):
    text = "😀 قال بوتين\r\nإن 🌍 موسكو تراقب"
    typesystem, cas = _cassis_cas(tmp_path, text)
    entity, holder_link = typesystem.get_type(NAMED_ENTITY), typesystem.get_type("webanno.custom.StanceHolderLink")
    putin = entity(begin=text.index("بوتين"), end=text.index("بوتين") + 5, value="PERS")
    moscow = entity(begin=text.index("موسكو"), end=text.index("موسكو") + 5, value="GPE", identifier="Q649")
    unnamed = entity(begin=text.index("قال"), end=text.index("قال") + 3)
    stance = typesystem.get_type(STANCE_TYPE)(  # as an INCEpTION user fills it: the holder slot, a target name
        begin=text.index("موسكو"), end=len(text), polarity="AGAINST", target="روسيا",
        holder=typesystem.get_type("uima.cas.FSArray")(elements=[holder_link(role="holder", target=putin)]))
    unheld = typesystem.get_type(STANCE_TYPE)(begin=0, end=1, polarity="FAVOR", target="روسيا")  # slot left empty
    document_stance_type = typesystem.get_type(DOC_STANCE_TYPE)
    typesystem.create_feature(document_stance_type, "i7n_uiOrder", "uima.cas.Integer")  # INCEpTION's own
    document_stance = document_stance_type(polarity="AGAINST", target="روسيا", i7n_uiOrder=1)
    cas.add_all([putin, moscow, unnamed, stance, unheld, document_stance])
    cas.add_all([typesystem.get_type(POS)(begin=start, end=end, PosValue="NOUN") for start, end in ((2, 5), (6, 11))])
    cas.to_xmi(tmp_path / "inception.xmi")
    assert "&#13;&#10;" in (tmp_path / "inception.xmi").read_text(encoding="utf-8")  # the CRLF survives in the file

    report = import_as(project, XMI, tmp_path / "inception.xmi", "amal")
    assert report.ok
    normalised = text.replace("\r\n", "\n")
    [document_id] = project.document_ids()
    assert project.document_text(document_id) == normalised
    found = {(s.layer, s.label, normalised[s.start:s.end] if s.start is not None else None, s.annotator)
             for s in project.annotations(document_id)}
    assert found == {("entity", "PERS", "بوتين", "amal"), ("entity", "GPE", "موسكو", "amal"),
                     ("entity", "MISC", "قال", "amal"), ("stance", "AGAINST", "موسكو تراقب", "amal"),
                     ("doc_stance", "AGAINST", None, "amal")}
    [imported_stance] = project.annotations(document_id, layer="stance")
    assert imported_stance.attrs["holder"]["text"] == "بوتين"
    assert imported_stance.attrs["target"] == {"target": "روسيا"}
    assert report.unrepresented == [
        f"inception.xmi: 2 {POS} annotation(s) — Hashiya has no layer for them, not imported",
        "inception.xmi: 1 value(s) of the NamedEntity feature identifier — Hashiya has no place for them, "
        "not imported",
        "inception.xmi: 1 NamedEntity annotation(s) without a value — imported with the label MISC",
        "inception.xmi: 1 Stance annotation(s) without a holder — not imported",
    ]


XXE = """<?xml version="1.0"?>
<!DOCTYPE xmi:XMI [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" xmlns:cas="http:///uima/cas.ecore" xmi:version="2.0">
<cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" mimeType="text" sofaString="&xxe;"/>
<cas:View sofa="1" members=""/>
</xmi:XMI>"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<xmi:XMI xmlns:xmi="http://www.omg.org/XMI" xmlns:cas="http:///uima/cas.ecore" xmi:version="2.0">
<cas:Sofa xmi:id="1" sofaNum="1" sofaID="_InitialView" mimeType="text" sofaString="&lol4;"/>
</xmi:XMI>"""


@pytest.mark.parametrize("content", [XXE, LAUGHS], ids=["external-entity", "billion-laughs"])
def test_hostile_xml_is_refused_and_nothing_imported(project, tmp_path, content):
    path = tmp_path / "hostile.xmi"
    path.write_text(content, encoding="utf-8")
    report = import_as(project, XMI, path, "amal")
    [(name, reason)] = report.rejected
    assert name == str(path) and "refused" in reason and "DTD" in reason
    assert project.document_ids() == []


def _exported_emoji_xmi(project, tmp_path):
    build(project)
    export_as(project, XMI, tmp_path / "out", annotator=ANALYST)
    return tmp_path / "out" / "emoji.txt.xmi"


def _with_first_entity_offsets(path, begin, end):
    """The file with its first NamedEntity's raw begin/end replaced."""
    content = path.read_text(encoding="utf-8")
    match = re.search(r'(<type3:NamedEntity xmi:id="(\d+)" sofa="1") begin="\d+" end="\d+"', content)
    path.write_text(content[:match.start()] + f'{match.group(1)} begin="{begin}" end="{end}"'
                    + content[match.end():], encoding="utf-8")
    return match.group(2)


def test_an_offset_beyond_the_text_is_rejected_naming_the_annotation(project, other_project, tmp_path):
    path = _exported_emoji_xmi(project, tmp_path)
    xmi_id = _with_first_entity_offsets(path, 2, 9999)
    report = import_as(other_project, XMI, path, "amal")
    [(_, reason)] = report.rejected
    assert f"NamedEntity xmi:id {xmi_id}" in reason and "9999" in reason and "outside the text" in reason
    assert "annotation id" in reason
    assert other_project.document_ids() == []


def test_an_offset_inside_a_surrogate_pair_is_rejected(project, other_project, tmp_path):
    path = _exported_emoji_xmi(project, tmp_path)
    xmi_id = _with_first_entity_offsets(path, 1, 8)  # unit 1 is the second half of 😀
    [(_, reason)] = import_as(other_project, XMI, path, "amal").rejected
    assert f"NamedEntity xmi:id {xmi_id}" in reason and "surrogate pair" in reason and "😀" in reason
    assert other_project.document_ids() == []


def test_a_bad_file_in_a_folder_rejects_the_whole_folder_naming_the_file(project, other_project, tmp_path):
    path = _exported_emoji_xmi(project, tmp_path)
    _with_first_entity_offsets(path, 0, 99999)
    [(_, reason)] = import_as(other_project, XMI, tmp_path / "out", "amal").rejected
    assert reason.startswith("emoji.txt.xmi: ")
    assert other_project.document_ids() == []


def test_characters_xml_cannot_carry_are_replaced_one_for_one(project, tmp_path):
    document_id = add_document(project, "نص\x0cفيه 😀 محرف تحكم")
    start, end = occurrence("نص\x0cفيه 😀 محرف تحكم", "محرف")
    project.add_annotations([Span(document_id, ANALYST, "entity", "MISC", start, end)])
    export_as(project, XMI, tmp_path / "out")
    cas = load_cas(tmp_path / "out" / "doc.txt.xmi", load_typesystem(tmp_path / "out"))
    assert cas.sofa_string == "نص\ufffdفيه 😀 محرف تحكم"
    assert [e.get_covered_text() for e in cas.select(NAMED_ENTITY)] == ["محرف"]


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
