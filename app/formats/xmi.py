"""UIMA CAS XMI for INCEpTION (and any UIMA tool): a folder with `TypeSystem.xml` and one `.xmi` per document.

What goes where (one analyst's work per export; `export_as` makes a folder per analyst when there are several):

- entity → `de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity`, `value` = the label: INCEpTION's built-in
  Named entity layer.
- boilerplate → `webanno.custom.Boilerplate`, `category` = the label.
- stance → `webanno.custom.Stance` over the evidence span: `polarity`; the holder as `holderKind` (`entity`,
  `article` or `text`), `holderText`, `holderBegin`/`holderEnd` (an entity holder's offsets) and `holder`, an
  INCEpTION link feature (slot, role "holder") to the NamedEntity at those offsets when the export holds one;
  the target likewise as `targetKind` (`list` or `entity`), `target` (the name from the list, or the entity's
  text), `targetBegin`/`targetEnd` and the link feature `targetEntity`; `note`.
- doc_stance → `webanno.custom.DocumentStance`, an INCEpTION "document metadata" annotation (a subtype of
  `uima.cas.AnnotationBase`, so without offsets): `target`, `polarity`, `note`.
- Hashiya's own bookkeeping, for a lossless round trip: `hashiya.type.Provenance`, one per annotation (its id,
  analyst and provenance, and the ids of the stance holder's and target's entities), and
  `hashiya.type.DocumentInfo` (the document's metadata as JSON). INCEpTION reads XMI leniently and keeps only
  its project's layers, so it drops these without complaint.
- The document's name in DKPro's `DocumentMetaData` (`documentTitle` = `documentId`), one `Sentence` per line
  (lines an annotation crosses are one sentence) and `Token`s: the words of app.words, every other visible
  character alone, split wherever an annotation starts or ends, so INCEpTION's token-anchored layers show a
  clitic-prefixed entity (روسيا in لروسيا) as it is.

Offsets: UIMA counts UTF-16 code units, Python code points; an astral character (an emoji) is two units.
Export converts, import converts back and rejects an offset that falls between the two halves of one.

Lossy: characters XML 1.0 cannot carry at all (C0 controls other than tab and line breaks, U+FFFE, U+FFFF)
are written as U+FFFD, one for one, so offsets stay right but such a text comes back as a new document.

Into INCEpTION: Project settings → Layers → Import, choose `TypeSystem.xml` (creates the Boilerplate and Stance
span layers with their features; Named entity is built in); create a layer named `DocumentStance` of type
"Document metadata" with the String features `target`, `polarity` and `note`; then Documents → Import with
the format "UIMA CAS XMI (XML 1.0)" and the `.xmi` files.

Import reads a `.xmi` file, a folder of them (sub-folders too; `TypeSystem.xml` beside is not needed) or a
`.zip` of them (INCEpTION's exports, also one level of zips inside; deeper zips are reported, and the sizes,
ratio and number of members are bounded: see MAX_ZIP_TOTAL_BYTES and its neighbours). XML is parsed with defusedxml and any
DTD is refused, so no external entity is fetched and no entity is expanded. What an XMI carries that Hashiya
cannot hold — other annotation types (POS, lemma, dependencies, other custom layers…), features of ours that
Hashiya has no place for (a NamedEntity's knowledge-base `identifier`), zero-width spans, other views, stances
without a polarity, holder or target — is reported per file, never dropped silently. A NamedEntity without a
value is imported as MISC and a Boilerplate span without a category as `other`, and each is reported.
Annotations take the analyst written by a Hashiya export; INCEpTION's XMI names nobody, so theirs take the
importing analyst's name.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import zipfile
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from app.formats.common import (BOILERPLATE, DOC_STANCE_LAYER, ENTITY, STANCE_LAYER, BadInput, Cancelled,
                                ExportDocument, ExportReport, ParsedDocument, ParsedImport, Progress,
                                Utf16Offsets, atomic_folder, export_documents)
from app.i18n import _, ngettext, number
from app.importer import ImportCancelled, _normalise_with_offset_map, open_regular_file, read_regular_file
from app.project import Project
from app.safenames import ExportFolder, SafeNames
from app.stance_format import ARTICLE, DOC_POLARITIES, FREE_TEXT, LIST_TARGET, POLARITIES, SPAN, reference_shape
from app.words import word_spans

TYPE_SYSTEM_FILE = "TypeSystem.xml"
SUFFIX = ".xmi"

# ---- the type system ------------------------------------------------------------------------------------
STRING, INTEGER, BOOLEAN = "uima.cas.String", "uima.cas.Integer", "uima.cas.Boolean"
TOP, ANNOTATION_BASE, ANNOTATION = "uima.cas.TOP", "uima.cas.AnnotationBase", "uima.tcas.Annotation"
DOCUMENT_ANNOTATION, FS_ARRAY = "uima.tcas.DocumentAnnotation", "uima.cas.FSArray"

DOCUMENT_META_DATA = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"
SENTENCE = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence"
TOKEN = "de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Token"
NAMED_ENTITY = "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity"
BOILERPLATE_TYPE = "webanno.custom.Boilerplate"
STANCE_TYPE = "webanno.custom.Stance"
HOLDER_LINK = "webanno.custom.StanceHolderLink"  # INCEpTION names a link feature's type layer + Feature + "Link"
TARGET_LINK = "webanno.custom.StanceTargetEntityLink"
DOC_STANCE_TYPE = "webanno.custom.DocumentStance"
PROVENANCE_TYPE = "hashiya.type.Provenance"
DOCUMENT_INFO_TYPE = "hashiya.type.DocumentInfo"
# Read silently: what segments or describes the document rather than annotating it.
CAS_METADATA = "de.tudarmstadt.ukp.clarin.webanno.api.type.CASMetadata"  # INCEpTION's own bookkeeping
TAGSET_DESCRIPTION = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.TagsetDescription"
STRUCTURAL_TYPES = {SENTENCE, TOKEN, DOCUMENT_META_DATA, DOCUMENT_ANNOTATION, CAS_METADATA, TAGSET_DESCRIPTION,
                    HOLDER_LINK, TARGET_LINK}


@dataclass(frozen=True)
class Feature:
    name: str
    range: str
    description: str = ""
    element_type: str | None = None  # of an FSArray: INCEpTION link features are arrays of link structures


@dataclass(frozen=True)
class TypeDef:
    name: str
    supertype: str
    description: str
    features: tuple[Feature, ...] = ()


def _link_type(name: str, role: str) -> TypeDef:
    return TypeDef(name, TOP, f"One filler of the {role} slot of a Stance (an INCEpTION link feature).",
                   (Feature("role", STRING), Feature("target", NAMED_ENTITY, "The NamedEntity that fills it.")))


TYPES = (
    TypeDef(DOCUMENT_META_DATA, DOCUMENT_ANNOTATION, "DKPro Core document metadata.", (
        Feature("documentTitle", STRING, "The document's name in Hashiya."),
        Feature("documentId", STRING, "The document's name in Hashiya."),
        Feature("documentUri", STRING), Feature("documentBaseUri", STRING), Feature("collectionId", STRING),
        Feature("isLastSegment", BOOLEAN))),
    TypeDef(SENTENCE, ANNOTATION, "A line of the text (lines an annotation crosses make one sentence)."),
    TypeDef(TOKEN, ANNOTATION, "A word, or one other visible character; split where an annotation starts or ends."),
    TypeDef(NAMED_ENTITY, ANNOTATION, "An entity span (Hashiya's entity layer).", (
        Feature("value", STRING, "The entity type (Hashiya's label)."),
        Feature("identifier", STRING, "A knowledge-base identifier (not used by Hashiya)."))),
    TypeDef(BOILERPLATE_TYPE, ANNOTATION, "Boilerplate: text that is not the article (Hashiya's boilerplate layer).",
            (Feature("category", STRING, "cookie_consent, related_links, navigation, footer, … or other."),)),
    TypeDef(STANCE_TYPE, ANNOTATION, "A stance; the span is its evidence (Hashiya's stance layer).", (
        Feature("polarity", STRING, "FAVOR, AGAINST or NEUTRAL."),
        Feature("holderKind", STRING, "entity (a span of the text), article (the article itself) or text."),
        Feature("holderText", STRING, "The holder as written."),
        Feature("holderBegin", INTEGER, "An entity holder's begin (UTF-16)."),
        Feature("holderEnd", INTEGER, "An entity holder's end (UTF-16)."),
        Feature("holder", FS_ARRAY, "The NamedEntity that holds the stance.", HOLDER_LINK),
        Feature("targetKind", STRING, "list (a target of the project's list) or entity (a span of the text)."),
        Feature("target", STRING, "The target's name, or an entity target's text."),
        Feature("targetBegin", INTEGER, "An entity target's begin (UTF-16)."),
        Feature("targetEnd", INTEGER, "An entity target's end (UTF-16)."),
        Feature("targetEntity", FS_ARRAY, "The NamedEntity the stance is about.", TARGET_LINK),
        Feature("note", STRING, "The analyst's note."))),
    _link_type(HOLDER_LINK, "holder"),
    _link_type(TARGET_LINK, "targetEntity"),
    TypeDef(DOC_STANCE_TYPE, ANNOTATION_BASE, "The document's stance towards a target (an INCEpTION document "
            "metadata layer; Hashiya's doc_stance layer).", (
        Feature("target", STRING, "The target's name."),
        Feature("polarity", STRING, "FAVOR, AGAINST, NEUTRAL or NONE (the document does not address it)."),
        Feature("note", STRING, "The analyst's note."))),
    TypeDef(PROVENANCE_TYPE, TOP, "Where a Hashiya annotation came from, so that a round trip keeps it.", (
        Feature("annotation", TOP, "The annotation described."),
        Feature("id", STRING, "Its id in Hashiya."),
        Feature("annotator", STRING, "The analyst who made it."),
        Feature("provenance", STRING, "manual, imported, …"),
        Feature("holderId", STRING, "The id of a stance holder's entity annotation."),
        Feature("targetId", STRING, "The id of a stance target's entity annotation."))),
    TypeDef(DOCUMENT_INFO_TYPE, TOP, "The Hashiya document's metadata.", (
        Feature("meta", STRING, "A JSON object."),)),
)
FEATURES = {t.name: {f.name: f for f in t.features} for t in TYPES}
# Attributes every feature structure of a type may carry besides its features.
_COMMON_ATTRIBUTES = {"sofa", "begin", "end"}
# INCEpTION's own features (e.g. i7n_uiOrder, the order of document metadata annotations in its sidebar).
INCEPTION_INTERNAL = "i7n_"


def _package_and_name(type_name: str) -> tuple[str, str]:
    package, _, name = type_name.rpartition(".")
    return package, name


def _prefixes() -> dict[str, str]:
    """An XML prefix for each package: its last part, numbered when two packages share it (as UIMA does)."""
    prefixes: dict[str, str] = {}
    for type_def in TYPES:
        package, _ = _package_and_name(type_def.name)
        if package not in prefixes:
            base = package.rpartition(".")[2]
            prefix, number = base, 2
            while prefix in prefixes.values() or prefix in ("xmi", "cas", "tcas"):
                prefix, number = f"{base}{number}", number + 1
            prefixes[package] = prefix
    return prefixes


XMI_NS, CAS_NS, TCAS_NS = "http://www.omg.org/XMI", "http:///uima/cas.ecore", "http:///uima/tcas.ecore"
PREFIXES = _prefixes()
RESOURCE_NS = "http://uima.apache.org/resourceSpecifier"


def _namespace(package: str) -> str:
    """UIMA's rule: dots become slashes, http:/// before and .ecore after."""
    return "http:///" + package.replace(".", "/") + ".ecore"


# ---- writing XML by hand: deterministic attribute order, and no global namespace registry --------------
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ATTRIBUTE_SPECIALS = re.compile('[&<>"\n\r\t]')
# Line breaks and tabs as character references: a parser turns literal ones in an attribute into spaces.
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot carry become U+FFFD, one for one (the same length in code points and UTF-16)."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def _attribute(value: Any) -> str:
    return _ATTRIBUTE_SPECIALS.sub(lambda match: _ESCAPES[match.group()], xml_safe(str(value)))


def _element(tag: str, attributes: dict[str, Any]) -> str:
    pairs = "".join(f' {key}="{_attribute(value)}"' for key, value in attributes.items() if value is not None)
    return f"<{tag}{pairs}/>"


def type_system_xml() -> bytes:
    """TypeSystem.xml: loadable by UIMA, dkpro-cassis, and INCEpTION's layer import (which wants `<?xml` first)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<typeSystemDescription xmlns="{RESOURCE_NS}">',
             "  <name>Hashiya</name>",
             "  <description>Entities, boilerplate and stances exported by Hashiya.</description>",
             "  <version>1.0</version>", "  <types>"]
    for type_def in TYPES:
        lines += ["    <typeDescription>", f"      <name>{type_def.name}</name>",
                  f"      <description>{_attribute(type_def.description)}</description>",
                  f"      <supertypeName>{type_def.supertype}</supertypeName>"]
        if type_def.features:
            lines.append("      <features>")
            for feature in type_def.features:
                lines += ["        <featureDescription>", f"          <name>{feature.name}</name>",
                          f"          <description>{_attribute(feature.description)}</description>",
                          f"          <rangeTypeName>{feature.range}</rangeTypeName>"]
                if feature.element_type:
                    lines += [f"          <elementType>{feature.element_type}</elementType>",
                              "          <multipleReferencesAllowed>false</multipleReferencesAllowed>"]
                lines.append("        </featureDescription>")
            lines.append("      </features>")
        lines.append("    </typeDescription>")
    lines += ["  </types>", "</typeSystemDescription>", ""]
    return "\n".join(lines).encode("utf-8")


# ---- export -----------------------------------------------------------------------------------------------
def export(project: Project, out: Path, annotator: str | None, layers: tuple[str, ...],
           progress: Progress | None, cancelled: Cancelled | None) -> ExportReport:
    report = ExportReport()
    with atomic_folder(out) as building:
        # Plain writes: atomic_folder renames the whole folder into place once everything is written.
        # Files are named after the documents ('a/1.txt' → 'a/1.txt.xmi'), made safe by app.safenames.
        folder, names = ExportFolder(building), SafeNames(reserved=(TYPE_SYSTEM_FILE,))
        folder.path(TYPE_SYSTEM_FILE).write_bytes(type_system_xml())
        for document in export_documents(project, annotator, layers, progress, cancelled):
            folder.path(names.claim(document.name, (SUFFIX,)) + SUFFIX).write_bytes(document_xmi(document))
            report.documents += 1
            report.annotations += len(document.annotations)
        names.write_index(folder)
    report.renamed = len(names.renamed)
    return report


class CasBuilder:
    """The feature structures of one CAS, as XMI elements; the sofa is xmi:id 1."""

    SOFA = 1

    def __init__(self) -> None:
        self.elements: list[str] = [_element("cas:NULL", {"xmi:id": 0})]
        self.members: list[int] = []
        self.next_id = self.SOFA + 1

    def add(self, type_name: str, attributes: dict[str, Any], indexed: bool = True) -> int:
        xmi_id = self.next_id
        self.next_id += 1
        package, name = _package_and_name(type_name)
        self.elements.append(_element(f"{PREFIXES[package]}:{name}", {"xmi:id": xmi_id, **attributes}))
        if indexed:
            self.members.append(xmi_id)
        return xmi_id

    def annotation(self, type_name: str, begin: int, end: int, **features: Any) -> int:
        return self.add(type_name, {"sofa": self.SOFA, "begin": begin, "end": end, **features})

    def xmi(self, text: str) -> bytes:
        namespaces = {"xmi": XMI_NS, "cas": CAS_NS, "tcas": TCAS_NS,
                      **{prefix: _namespace(package) for package, prefix in PREFIXES.items()}}
        declarations = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in namespaces.items())
        sofa = _element("cas:Sofa", {"xmi:id": self.SOFA, "sofaNum": 1, "sofaID": "_InitialView",
                                     "mimeType": "text", "sofaString": text})
        view = _element("cas:View", {"sofa": self.SOFA, "members": " ".join(map(str, self.members))})
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<xmi:XMI {declarations} xmi:version="2.0">',
                 *self.elements, sofa, view, "</xmi:XMI>", ""]
        return "\n".join(lines).encode("utf-8")


def document_xmi(document: ExportDocument) -> bytes:
    """One document with its annotations as CAS XMI."""
    text = document.text
    units = Utf16Offsets(text)
    cas = CasBuilder()
    cas.annotation(DOCUMENT_META_DATA, 0, units.length, language="x-unspecified", documentTitle=document.name,
                   documentId=document.name, isLastSegment="false")
    sentences, tokens = segments(text, anchors(document.annotations))
    for start, end in sentences:
        cas.annotation(SENTENCE, units.units(start), units.units(end))
    for start, end in tokens:
        cas.annotation(TOKEN, units.units(start), units.units(end))
    written: list[tuple[int, dict]] = []
    entities: dict[tuple[int, int], list[tuple[str, int]]] = {}  # span → (Hashiya id, xmi:id) of its entities
    for item in document.layer(ENTITY):
        xmi_id = cas.annotation(NAMED_ENTITY, units.units(item["start"]), units.units(item["end"]),
                                value=item["label"])
        entities.setdefault((item["start"], item["end"]), []).append((item["id"], xmi_id))
        written.append((xmi_id, item))
    for item in document.layer(BOILERPLATE):
        written.append((cas.annotation(BOILERPLATE_TYPE, units.units(item["start"]), units.units(item["end"]),
                                       category=item["label"]), item))
    for item in document.layer(STANCE_LAYER):
        features = _stance_features(item["attrs"], units, cas, entities)
        written.append((cas.annotation(STANCE_TYPE, units.units(item["start"]), units.units(item["end"]),
                                       polarity=item["label"], **features), item))
    for item in document.layer(DOC_STANCE_LAYER):
        written.append((cas.add(DOC_STANCE_TYPE, {"sofa": cas.SOFA, "target": item["attrs"].get("target"),
                                                  "polarity": item["label"], "note": item["attrs"].get("note")}),
                        item))
    for xmi_id, item in written:
        cas.add(PROVENANCE_TYPE, _provenance(xmi_id, item))
    if document.meta:
        cas.add(DOCUMENT_INFO_TYPE, {"meta": json.dumps(document.meta, ensure_ascii=False, sort_keys=True)})
    return cas.xmi(text)


def _stance_features(attrs: dict, units: Utf16Offsets, cas: CasBuilder,
                     entities: dict[tuple[int, int], list[tuple[str, int]]]) -> dict[str, Any]:
    holder, target = attrs.get("holder"), attrs.get("target")
    features: dict[str, Any] = {}
    holder_shape, target_shape = reference_shape(holder), reference_shape(target)
    if holder_shape == SPAN:
        features.update(holderKind="entity", holderText=holder["text"], holderBegin=units.units(holder["start"]),
                        holderEnd=units.units(holder["end"]),
                        holder=_link(cas, HOLDER_LINK, "holder", holder, entities))
    elif holder_shape in (ARTICLE, FREE_TEXT):
        features.update(holderKind="article" if holder_shape == ARTICLE else "text", holderText=holder["text"])
    if target_shape == SPAN:
        features.update(targetKind="entity", target=target["text"], targetBegin=units.units(target["start"]),
                        targetEnd=units.units(target["end"]),
                        targetEntity=_link(cas, TARGET_LINK, "target", target, entities))
    elif target_shape == LIST_TARGET:
        features.update(targetKind="list", target=target["target"])
    features["note"] = attrs.get("note") or None
    return features


def _link(cas: CasBuilder, link_type: str, role: str, reference: dict,
          entities: dict[tuple[int, int], list[tuple[str, int]]]) -> int | None:
    """An INCEpTION slot filler pointing at the exported NamedEntity the reference names (the one with its id,
    else any at its offsets); None when the export holds none there (the offsets features still say where)."""
    candidates = entities.get((reference["start"], reference["end"]), [])
    if not candidates:
        return None
    chosen = next((xmi_id for uid, xmi_id in candidates if uid == reference.get("id")), candidates[0][1])
    return cas.add(link_type, {"role": role, "target": chosen}, indexed=False)


def _provenance(xmi_id: int, item: dict) -> dict[str, Any]:
    attrs = item["attrs"]
    references = {f"{role}Id": attrs[role].get("id") for role in ("holder", "target")
                  if item["layer"] == STANCE_LAYER and isinstance(attrs.get(role), dict)}
    return {"annotation": xmi_id, "id": item["id"], "annotator": item["annotator"],
            "provenance": item["provenance"], **references}


def anchors(annotations: list[dict]) -> list[tuple[int, int]]:
    """Every span an annotation marks: its own, and a stance's holder and target when they are spans."""
    found = []
    for item in annotations:
        if item.get("start") is not None:
            found.append((item["start"], item["end"]))
        for role in ("holder", "target"):
            reference = item["attrs"].get(role)
            if reference_shape(reference) == SPAN:
                found.append((reference["start"], reference["end"]))
    return found


_LINE = re.compile(r"[^\n]+")


def segments(text: str, spans: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(sentences, tokens) for INCEpTION, which shows text sentence by sentence and anchors spans to tokens.

    Sentences are the lines without their outer spaces, merged where an annotation crosses a line break;
    tokens are the words and every other visible character, cut where an annotation starts or ends."""
    lines = []
    for match in _LINE.finditer(text):
        stripped = match.group().strip()
        if stripped:
            start = match.start() + match.group().index(stripped)
            lines.append((start, start + len(stripped)))
    sentences: list[list[int]] = []
    for start, end in sorted(lines + [span for span in spans if span[0] < span[1]]):
        if sentences and start < sentences[-1][1]:
            sentences[-1][1] = max(sentences[-1][1], end)
        else:
            sentences.append([start, end])
    cuts = sorted({offset for span in spans for offset in span})
    tokens = []
    for start, end in _visible_tokens(text):
        edges = [start, *cuts[bisect_right(cuts, start):bisect_left(cuts, end)], end]
        tokens += zip(edges, edges[1:])
    return [(start, end) for start, end in sentences], tokens


def _visible_tokens(text: str) -> list[tuple[int, int]]:
    tokens, previous = [], 0
    for start, end in [*word_spans(text), (len(text), len(text))]:
        tokens += [(i, i + 1) for i in range(previous, start) if not text[i].isspace()]
        if start < end:
            tokens.append((start, end))
        previous = end
    return tokens


# ---- import -----------------------------------------------------------------------------------------------
# Reading a .zip (an INCEpTION export) is bounded whatever the archive's headers claim: sizes are counted as
# the bytes come out of the decompressor, a megabyte at a time, never taken from a header. Hashiya's own XMI
# of news articles packs about 5:1 (INCEpTION's is the same kind of XML), so these leave room for exports
# of hundreds of MB while a zip bomb (a member of zeros packs 1000:1) is refused within its first megabytes.
MAX_XMI_BYTES = 1 << 30  # one member, unpacked
MAX_ZIP_TOTAL_BYTES = 2 << 30  # everything one input's zips unpack, together (a zip inside it counted too)
MAX_ZIP_RATIO = 100  # unpacked : packed, of a member and of the input so far, once past ZIP_RATIO_GRACE
ZIP_RATIO_GRACE = 8 << 20  # unpacked bytes before the ratio is checked: a small file may pack better
MAX_ZIP_MEMBERS = 100_000  # entries of one archive
# zipfile reads an archive's whole central directory when it opens it: its size is checked first, from the
# archive's end record, so that a directory of millions of entries is never read into memory.
MAX_ZIP_DIRECTORY_BYTES = MAX_ZIP_MEMBERS * 256
# Zips inside the zip are read (INCEpTION's project export keeps each analyst's XMI in one); a zip inside one
# of those is not opened, and the import reports it.
MAX_ZIP_NESTING = 1
ZIP_CHUNK = 1 << 20
_INTEGER = re.compile(r"-?[0-9]+")


def parse(path: Path, default_annotator: str, cancelled: Cancelled | None = None) -> ParsedImport:
    """Read a .xmi file, a folder of them or a .zip of them; see the module's docstring. `cancelled` is
    asked between documents and between the megabytes of a zip (ImportCancelled: nothing is imported)."""
    path = Path(path)
    several = path.is_dir() or path.suffix.lower() == ".zip"
    parsed = ParsedImport([])
    for name, location, data in _sources(path, _ZipBudget(cancelled), parsed.unrepresented):
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        try:
            document, unrepresented = parse_xmi(data, name, location, default_annotator)
        except BadInput as error:
            raise BadInput(f"{name}: {error}" if several else str(error)) from None
        document.where = name
        parsed.documents.append(document)
        parsed.unrepresented += [f"{name}: {line}" for line in unrepresented]
    return parsed


def _sources(path: Path, budget: "_ZipBudget", notes: list[str]) -> Iterator[tuple[str, str, bytes]]:
    """(display name, location, bytes) of each XMI of the input, one at a time."""
    if path.is_dir():
        found = False
        for file, name in _xmi_files(path):
            found = True
            try:
                data = read_regular_file(file)
            except BadInput as error:
                raise BadInput(f"{name} {error}") from None
            yield name, str(file), data
        if not found:
            raise BadInput(_("the folder holds no {suffix} files").format(suffix=SUFFIX))
    elif path.suffix.lower() == ".zip":
        try:
            with open_regular_file(path) as handle:
                _check_directory(handle, _("the zip"))
                with zipfile.ZipFile(handle) as archive:
                    if not (yield from _zip_members(archive, str(path), "", 0, budget, notes)):
                        raise BadInput(_("the zip holds no {suffix} files").format(suffix=SUFFIX))
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError) as error:
            raise BadInput(_("is not a readable zip ({error})").format(error=error)) from None
    else:
        yield path.name, str(path), read_regular_file(path)


def _xmi_files(folder: Path) -> Iterator[tuple[Path, str]]:
    """The .xmi files under `folder`, sorted, hidden ones and symlinked folders skipped; a sub-folder that
    cannot be listed refuses the input (which is one unit) rather than being left out unsaid."""
    def unreadable(error: OSError) -> None:
        where = Path(error.filename).relative_to(folder).as_posix() if error.filename else "."
        raise BadInput(_("{folder}: the folder cannot be read ({error})").format(folder=where,
                                                                                 error=error.strerror or error))

    for root, folders, files in os.walk(folder, onerror=unreadable):
        folders[:] = sorted(name for name in folders
                            if not name.startswith(".") and not os.path.islink(os.path.join(root, name)))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(SUFFIX):
                file = Path(root, name)
                yield file, file.relative_to(folder).as_posix()


def _zip_members(archive: zipfile.ZipFile, location: str, prefix: str, depth: int, budget: "_ZipBudget",
                 notes: list[str]):
    """Yields the archive's XMI members (and those of the zips inside it, MAX_ZIP_NESTING levels down);
    returns whether there were any. `prefix` names the zip inside the input that `archive` is."""
    if len(archive.infolist()) > MAX_ZIP_MEMBERS:
        entries = len(archive.infolist())
        raise BadInput(ngettext("{zip} has {n} entries, more than the {limit} an import reads from one archive",
                                "{zip} has {n} entries, more than the {limit} an import reads from one archive",
                                entries).format(zip=prefix or _("the zip"), n=number(f"{entries:,}"),
                                                limit=number(f"{MAX_ZIP_MEMBERS:,}")))
    found = False
    for info in sorted(archive.infolist(), key=lambda info: info.filename):
        name, lower = f"{prefix}{info.filename}", info.filename.lower()
        if info.is_dir() or Path(info.filename).name.startswith("."):
            continue
        if lower.endswith(".zip") and depth >= MAX_ZIP_NESTING:
            notes.append(_("{name}: a zip inside a zip inside the input — not opened (one level of zips inside the "
                           "zip is read)").format(name=name))
        elif lower.endswith(SUFFIX):
            found = True
            yield name, f"{location}/{name}", budget.read(archive, info, name)
        elif lower.endswith(".zip"):
            inner = io.BytesIO(budget.read(archive, info, name))
            _check_directory(inner, name)
            with zipfile.ZipFile(inner) as opened:
                found = (yield from _zip_members(opened, location, f"{name}/", depth + 1, budget, notes)) or found
    return found


@dataclass
class _ZipBudget:
    """What the zips of one input have unpacked so far; every read is counted and checked against the limits
    as it goes."""

    cancelled: Cancelled | None
    unpacked: int = 0
    packed: int = 0

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
        self.packed += info.compress_size
        data = bytearray()
        with archive.open(info) as stream:
            while chunk := stream.read(ZIP_CHUNK):
                if self.cancelled is not None and self.cancelled():
                    raise ImportCancelled()
                data += chunk
                self.unpacked += len(chunk)
                self._check(name, len(data), info.compress_size)
        return data

    def _check(self, name: str, member: int, packed: int) -> None:
        if member > MAX_XMI_BYTES:
            raise BadInput(ngettext("{name} unpacks to more than {n} bytes, the limit for one member",
                                    "{name} unpacks to more than {n} bytes, the limit for one member",
                                    MAX_XMI_BYTES).format(name=name, n=number(f"{MAX_XMI_BYTES:,}")))
        if self.unpacked > MAX_ZIP_TOTAL_BYTES:
            raise BadInput(ngettext("{name}: the zip unpacks to more than {n} bytes in all, the limit for one input",
                                    "{name}: the zip unpacks to more than {n} bytes in all, the limit for one input",
                                    MAX_ZIP_TOTAL_BYTES).format(name=name, n=number(f"{MAX_ZIP_TOTAL_BYTES:,}")))
        for what, unpacked, packed_size in ((name, member, packed),
                                            (_("{name}: the zip so far").format(name=name), self.unpacked,
                                             self.packed)):
            if unpacked > ZIP_RATIO_GRACE and unpacked > MAX_ZIP_RATIO * packed_size:
                raise BadInput(ngettext("{what} unpacks to more than {ratio} times its packed size ({n} bytes), the "
                                        "limit past the first {grace} MB: refused as a zip bomb",
                                        "{what} unpacks to more than {ratio} times its packed size ({n} bytes), the "
                                        "limit past the first {grace} MB: refused as a zip bomb", packed_size).format(
                    what=what, ratio=number(MAX_ZIP_RATIO), n=number(f"{packed_size:,}"),
                    grace=number(ZIP_RATIO_GRACE >> 20)))


_END_RECORD = struct.Struct("<4s4H2LH")  # signature, disks, entries here, entries in all, directory size, …
_ZIP64_LOCATOR = struct.Struct("<4sLQL")  # signature, disk, offset of the Zip64 end record, disks
_ZIP64_END_RECORD = struct.Struct("<4sQ2H2L4Q")  # …, entries here, entries in all, directory size, offset


def _check_directory(handle: BinaryIO, name: str) -> None:
    """Refuse an archive whose end record declares more than MAX_ZIP_MEMBERS entries or a central directory
    bigger than MAX_ZIP_DIRECTORY_BYTES, before zipfile reads that directory. An archive without an end
    record is left to zipfile, which refuses it."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, _END_RECORD.size + 0xFFFF)  # the record, then a comment of at most 64 KB
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06", 0, max(len(tail) - _END_RECORD.size + 4, 0))
    if at >= 0:
        entries, directory = _END_RECORD.unpack_from(tail, at)[4:6]
        if (entries == 0xFFFF or directory == 0xFFFFFFFF) and at >= _ZIP64_LOCATOR.size:
            entries, directory = _zip64_counts(handle, tail[at - _ZIP64_LOCATOR.size:at], entries, directory)
        if entries > MAX_ZIP_MEMBERS or directory > MAX_ZIP_DIRECTORY_BYTES:
            raise BadInput(ngettext("{name} declares {n} entries in a directory of {size} bytes, more than the "
                                    "{limit} entries ({limit_size} bytes) an import reads from one archive",
                                    "{name} declares {n} entries in a directory of {size} bytes, more than the "
                                    "{limit} entries ({limit_size} bytes) an import reads from one archive",
                                    entries).format(name=name, n=number(f"{entries:,}"),
                                                    size=number(f"{directory:,}"),
                                                    limit=number(f"{MAX_ZIP_MEMBERS:,}"),
                                                    limit_size=number(f"{MAX_ZIP_DIRECTORY_BYTES:,}")))
    handle.seek(0)


def _zip64_counts(handle: BinaryIO, locator: bytes, entries: int, directory: int) -> tuple[int, int]:
    signature, _, offset, _ = _ZIP64_LOCATOR.unpack(locator)
    if signature != b"PK\x06\x07":
        return entries, directory
    handle.seek(offset)
    record = handle.read(_ZIP64_END_RECORD.size)
    if len(record) != _ZIP64_END_RECORD.size or record[:4] != b"PK\x06\x06":
        return entries, directory
    fields = _ZIP64_END_RECORD.unpack(record)
    return fields[7], fields[8]


def _xml_root(data: bytes) -> Element:
    try:
        return safe_xml.fromstring(data, forbid_dtd=True)
    except DTDForbidden:
        raise BadInput(_("refused: the XML declares a DTD (<!DOCTYPE …>); XMI needs none, and a DTD can read local "
                         "files (external entities) or expand entities without bound")) from None
    except (EntitiesForbidden, ExternalReferenceForbidden) as error:
        raise BadInput(_("refused: the XML declares entities ({error})").format(error=error)) from None
    except DefusedXmlException as error:
        raise BadInput(_("refused: unsafe XML ({error})").format(error=error)) from None
    except ParseError as error:
        raise BadInput(_("is not well-formed XML ({error})").format(error=error)) from None


@dataclass
class FeatureStructure:
    xmi_id: str
    type: str
    attributes: dict[str, str]
    children: list[str]  # tags of child elements (arrays of strings written inline)

    @property
    def short(self) -> str:
        return f"{_package_and_name(self.type)[1]} xmi:id {self.xmi_id}"


def _type_name(tag: str) -> str | None:
    """The UIMA type of an element: '{http:///a/b.ecore}C' → 'a.b.C'; None for what is not a feature structure."""
    if not tag.startswith("{http:///") or "}" not in tag:
        return None
    uri, name = tag[1:].split("}", 1)
    package = uri[len("http:///"):].removesuffix(".ecore").replace("/", ".")
    return name if package == "uima.noNamespace" else f"{package}.{name}"


def _feature_structures(root: Element) -> list[FeatureStructure]:
    if root.tag != f"{{{XMI_NS}}}XMI":
        raise BadInput(_("is not UIMA CAS XMI (its root element is not xmi:XMI)"))
    found = []
    for element in root:
        type_name = _type_name(element.tag)
        if type_name is None or type_name == "uima.cas.NULL":
            continue
        attributes = {key: value for key, value in element.attrib.items() if not key.startswith("{")}
        xmi_id = element.get(f"{{{XMI_NS}}}id", "")
        found.append(FeatureStructure(xmi_id, type_name, attributes, [child.tag for child in element]))
    return found


@dataclass
class XmiDocument:
    """One XMI read for import: its initial view's text and what that view indexes."""

    source: str
    raw_text: str
    members: list[FeatureStructure]
    by_id: dict[str, FeatureStructure]
    other_views: Counter = field(default_factory=Counter)


def read_xmi(data: bytes, source: str) -> XmiDocument:
    structures = _feature_structures(_xml_root(data))
    by_id = {fs.xmi_id: fs for fs in structures if fs.xmi_id}
    sofas = [fs for fs in structures if fs.type == "uima.cas.Sofa"]
    initial = [fs for fs in sofas if fs.attributes.get("sofaID") == "_InitialView"]
    if not initial and len(sofas) != 1:
        raise BadInput(_("has no _InitialView sofa (the text of the CAS)"))
    sofa = (initial or sofas)[0]
    if "sofaString" not in sofa.attributes:
        raise BadInput(_("its _InitialView has no text (sofaString); XMI whose text lies elsewhere (sofaURI) "
                         "cannot be imported"))
    views = [fs for fs in structures if fs.type == "uima.cas.View"]
    members: list[FeatureStructure] = []
    other_views: Counter = Counter()
    for view in views:
        listed = [by_id[member] for member in view.attributes.get("members", "").split() if member in by_id]
        if view.attributes.get("sofa") == sofa.xmi_id:
            members += listed
        else:
            other = by_id.get(view.attributes.get("sofa", ""))
            other_views[other.attributes.get("sofaID", "?") if other else "?"] += len(listed)
    if not any(view.attributes.get("sofa") == sofa.xmi_id for view in views):
        # No view element: hand-made XMI. Take everything that points at the initial sofa.
        members = [fs for fs in structures if fs.attributes.get("sofa") == sofa.xmi_id]
    return XmiDocument(source, sofa.attributes["sofaString"], members, by_id, other_views)


def parse_xmi(data: bytes, source: str, location: str, default_annotator: str) -> tuple[ParsedDocument, list[str]]:
    """One XMI → the document with its annotations, and a line for each thing it could not represent."""
    xmi = read_xmi(data, source)
    reader = _Reader(xmi, default_annotator)
    annotations, places = reader.annotations()
    name = reader.document_name() or source.removesuffix(SUFFIX) or source
    return (ParsedDocument(name, location, reader.text, reader.meta(), annotations, places=places),
            reader.unrepresented())


class _Reader:
    """Turns the members of one CAS view into Hashiya annotations, counting what it cannot represent."""

    def __init__(self, xmi: XmiDocument, default_annotator: str):
        self.xmi = xmi
        self.default_annotator = default_annotator
        self.offsets = Utf16Offsets(xmi.raw_text)
        self.text, self.shift = _normalise_with_offset_map(xmi.raw_text)
        self.provenance = {fs.attributes.get("annotation"): fs.attributes
                           for fs in xmi.members if fs.type == PROVENANCE_TYPE}
        self.skipped: Counter = Counter()  # (English line, kind, details) → how many
        self.other_types: Counter = Counter()
        self.extra_features: Counter = Counter()

    # -- reading values
    def position(self, fs: FeatureStructure, feature: str) -> int:
        """A UTF-16 offset feature as a code-point offset into the normalised text."""
        raw = fs.attributes.get(feature, "0")
        if not _INTEGER.fullmatch(raw.strip()):
            raise BadInput(_("{where}: {feature} {value} is not an integer").format(
                where=fs.short, feature=feature, value=repr(raw)))
        return self.shift(self.offsets.code_point(int(raw), _("{where}, {feature}").format(
            where=self._named(fs), feature=feature)))

    def _named(self, fs: FeatureStructure) -> str:
        """The element, with the annotation id Hashiya gave it when it has one."""
        uid = self.provenance.get(fs.xmi_id, {}).get("id")
        return _("{element} (annotation id {id})").format(element=fs.short, id=uid) if uid else fs.short

    def span(self, fs: FeatureStructure, begin: str = "begin", end: str = "end") -> tuple[int, int] | None:
        """The span's offsets; None (and counted) when it is empty, which no Hashiya span can be."""
        start, stop = self.position(fs, begin), self.position(fs, end)
        if start > stop:
            raise BadInput(_("{where}: {begin} {begin_value} is after {end} {end_value}").format(
                where=self._named(fs), begin=begin, begin_value=fs.attributes.get(begin), end=end,
                end_value=fs.attributes.get(end)))
        if start == stop:
            type_name = _package_and_name(fs.type)[1]
            self.skipped[f"zero-width {type_name} span(s) — not imported", "zero-width", type_name] += 1
            return None
        return start, stop

    @staticmethod
    def value(fs: FeatureStructure, feature: str) -> str:
        value = fs.attributes.get(feature, "")
        return value if value.strip() else ""

    # -- the annotations
    def annotations(self) -> tuple[list[dict], list[str]]:
        """The annotations, and where each is (its element: type and xmi:id)."""
        readers = {NAMED_ENTITY: self.entity, BOILERPLATE_TYPE: self.boilerplate, STANCE_TYPE: self.stance,
                   DOC_STANCE_TYPE: self.doc_stance}
        found, places = [], []
        for fs in self.xmi.members:
            if fs.type in readers:
                self._count_extra_features(fs)
                annotation = readers[fs.type](fs)
                if annotation is not None:
                    found.append(annotation)
                    places.append(fs.short)
            elif fs.type not in STRUCTURAL_TYPES | {PROVENANCE_TYPE, DOCUMENT_INFO_TYPE}:
                self.other_types[fs.type] += 1
        return found, places

    def _annotation(self, fs: FeatureStructure, layer: str, label: str, span: tuple[int, int] | None,
                    attrs: dict | None = None) -> dict:
        kept = self.provenance.get(fs.xmi_id, {})
        annotation = {"annotator": kept.get("annotator") or self.default_annotator, "layer": layer,
                      "label": label, "attrs": attrs or {}, "provenance": kept.get("provenance") or "imported"}
        if span is not None:
            annotation["start"], annotation["end"] = span
        if kept.get("id"):
            annotation["id"] = kept["id"]
        return annotation

    def entity(self, fs: FeatureStructure) -> dict | None:
        span = self.span(fs)
        if span is None:
            return None
        label = self.value(fs, "value")
        if not label:
            self.skipped["NamedEntity annotation(s) without a value — imported with the label MISC", "no value",
                         ""] += 1
        return self._annotation(fs, ENTITY, label or "MISC", span)

    def boilerplate(self, fs: FeatureStructure) -> dict | None:
        span = self.span(fs)
        if span is None:
            return None
        label = self.value(fs, "category")
        if not label:
            self.skipped["Boilerplate annotation(s) without a category — imported as other", "no category", ""] += 1
        return self._annotation(fs, BOILERPLATE, label or "other", span)

    def stance(self, fs: FeatureStructure) -> dict | None:
        span = self.span(fs)
        if span is None:
            return None
        polarity = self.value(fs, "polarity")
        holder, target = self.holder(fs), self.target(fs)
        missing = tuple(what for what, ok in (("polarity", polarity in POLARITIES), ("holder", holder is not None),
                                              ("target", target is not None)) if not ok)
        if missing:
            english = " or ".join(_MISSING_ENGLISH[what] for what in missing)
            self.skipped[f"Stance annotation(s) without {english} — not imported", "incomplete stance", missing] += 1
            return None
        attrs = {"holder": holder, "target": target}
        if self.value(fs, "note"):
            attrs["note"] = fs.attributes["note"]
        return self._annotation(fs, STANCE_LAYER, polarity, span, attrs)

    def doc_stance(self, fs: FeatureStructure) -> dict | None:
        polarity, target = self.value(fs, "polarity"), self.value(fs, "target")
        if polarity not in DOC_POLARITIES or not target:
            self.skipped["DocumentStance annotation(s) without a target or a polarity (FAVOR, AGAINST, NEUTRAL or "
                         "NONE) — not imported", "incomplete document stance", ""] += 1
            return None
        attrs = {"target": target}
        if self.value(fs, "note"):
            attrs["note"] = fs.attributes["note"]
        return self._annotation(fs, DOC_STANCE_LAYER, polarity, None, attrs)

    # -- a stance's holder and target
    def holder(self, fs: FeatureStructure) -> dict | None:
        kind, text = self.value(fs, "holderKind"), self.value(fs, "holderText")
        entity = self.linked_entity(fs, "holder", "holderBegin", "holderEnd", kind == "entity", "holderId")
        if entity is not None:
            return entity
        if kind == "article":
            return {"text": text or "the article", "article": True}
        return {"text": text} if text else None

    def target(self, fs: FeatureStructure) -> dict | None:
        kind, name = self.value(fs, "targetKind"), self.value(fs, "target")
        entity = self.linked_entity(fs, "targetEntity", "targetBegin", "targetEnd", kind == "entity", "targetId")
        if entity is not None:
            return entity
        return {"target": name} if name and kind != "entity" else None

    def linked_entity(self, fs: FeatureStructure, slot: str, begin: str, end: str, by_offsets: bool,
                      id_feature: str) -> dict | None:
        """An entity-span reference: the slot's filler if the link feature has one (what an INCEpTION user
        edits), else the begin/end features when the kind says entity; None if neither."""
        span, uid = None, self.provenance.get(fs.xmi_id, {}).get(id_feature)
        fillers = self.slot_fillers(fs, slot)
        if fillers:
            if len(fillers) > 1:
                self.skipped[f"Stance {slot} slot(s) with more than one filler — imported the first", "fillers",
                             slot] += 1
            span = self.span(fillers[0])
            uid = uid or self.provenance.get(fillers[0].xmi_id, {}).get("id")
        elif by_offsets:
            span = self.span(fs, begin, end)
        if span is None:
            return None
        reference = {"start": span[0], "end": span[1], "text": self.text[span[0]:span[1]]}
        if uid:
            reference["id"] = uid
        return reference

    def slot_fillers(self, fs: FeatureStructure, slot: str) -> list[FeatureStructure]:
        fillers = []
        for link_id in fs.attributes.get(slot, "").split():
            link = self._referenced(fs, slot, link_id)
            fillers.append(self._referenced(fs, _("{slot} link's target").format(slot=slot),
                                            link.attributes.get("target", "")))
        return fillers

    def _referenced(self, fs: FeatureStructure, what: str, xmi_id: str) -> FeatureStructure:
        if xmi_id not in self.xmi.by_id:
            raise BadInput(_("{where}: its {what} refers to xmi:id {id}, which the file does not have").format(
                where=fs.short, what=what, id=repr(xmi_id)))
        return self.xmi.by_id[xmi_id]

    # -- the document
    def document_name(self) -> str:
        for fs in self.xmi.members:
            if fs.type == DOCUMENT_META_DATA:
                return self.value(fs, "documentTitle") or self.value(fs, "documentId")
        return ""

    def meta(self) -> dict:
        for fs in self.xmi.members:
            if fs.type == DOCUMENT_INFO_TYPE and fs.attributes.get("meta"):
                try:
                    meta = json.loads(fs.attributes["meta"])
                except ValueError:
                    meta = None
                if not isinstance(meta, dict):
                    raise BadInput(_("{where}: meta is not a JSON object").format(where=fs.short))
                return meta
        return {}

    # -- what could not be represented
    def _count_extra_features(self, fs: FeatureStructure) -> None:
        known = FEATURES[fs.type]
        for feature, value in fs.attributes.items():
            if (feature not in known and feature not in _COMMON_ATTRIBUTES and value.strip()
                    and not feature.startswith(INCEPTION_INTERNAL)):
                self.extra_features[(_package_and_name(fs.type)[1], feature)] += 1
        for tag in fs.children:
            self.extra_features[(_package_and_name(fs.type)[1], tag)] += 1
        if fs.type == NAMED_ENTITY and self.value(fs, "identifier"):
            self.extra_features[("NamedEntity", "identifier")] += 1

    def unrepresented(self) -> list[str]:
        lines = [ngettext("{n} {type} annotation(s) — Hashiya has no layer for them, not imported",
                          "{n} {type} annotation(s) — Hashiya has no layer for them, not imported", count).format(
                     n=number(count), type=type_name)
                 for type_name, count in sorted(self.other_types.items())]
        lines += [ngettext("{n} value(s) of the {type} feature {feature} — Hashiya has no place for them, not "
                           "imported",
                           "{n} value(s) of the {type} feature {feature} — Hashiya has no place for them, not "
                           "imported", count).format(n=number(count), type=type_name, feature=feature)
                  for (type_name, feature), count in sorted(self.extra_features.items())]
        lines += [_skipped_line(kind, detail, count)
                  for (_english, kind, detail), count in sorted(self.skipped.items())]
        lines += [ngettext("{n} feature structure(s) in the view {view} — only the initial view is imported",
                           "{n} feature structure(s) in the view {view} — only the initial view is imported",
                           count).format(n=number(count), view=view)
                  for view, count in sorted(self.xmi.other_views.items())]
        return lines


# What a Stance lacks, as the line of a skipped one says it (in English, the order the lines are sorted in).
_MISSING_ENGLISH = {"polarity": "a polarity (FAVOR, AGAINST or NEUTRAL)", "holder": "a holder", "target": "a target"}


def _skipped_line(kind: str, detail, count: int) -> str:
    """The line saying how many annotations of one kind were skipped or changed on import."""
    if kind == "zero-width":
        text = ngettext("{n} zero-width {type} span(s) — not imported", "{n} zero-width {type} span(s) — not imported",
                        count)
        return text.format(n=number(count), type=detail)
    if kind == "no value":
        text = ngettext("{n} NamedEntity annotation(s) without a value — imported with the label MISC",
                        "{n} NamedEntity annotation(s) without a value — imported with the label MISC", count)
    elif kind == "no category":
        text = ngettext("{n} Boilerplate annotation(s) without a category — imported as other",
                        "{n} Boilerplate annotation(s) without a category — imported as other", count)
    elif kind == "incomplete stance":
        shown = {"polarity": _("a polarity (FAVOR, AGAINST or NEUTRAL)"), "holder": _("a holder"),
                 "target": _("a target")}
        missing = shown[detail[0]]
        for what in detail[1:]:
            missing = _("{first} or {second}").format(first=missing, second=shown[what])
        text = ngettext("{n} Stance annotation(s) without {missing} — not imported",
                        "{n} Stance annotation(s) without {missing} — not imported", count)
        return text.format(n=number(count), missing=missing)
    elif kind == "incomplete document stance":
        text = ngettext("{n} DocumentStance annotation(s) without a target or a polarity (FAVOR, AGAINST, NEUTRAL or "
                        "NONE) — not imported",
                        "{n} DocumentStance annotation(s) without a target or a polarity (FAVOR, AGAINST, NEUTRAL or "
                        "NONE) — not imported", count)
    else:
        text = ngettext("{n} Stance {slot} slot(s) with more than one filler — imported the first",
                        "{n} Stance {slot} slot(s) with more than one filler — imported the first", count)
        return text.format(n=number(count), slot=detail)
    return text.format(n=number(count))
