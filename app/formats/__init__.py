"""Interchange formats: export to and import from what other NLP tools load.

Each format is a module of this package with

    export(project, out, annotator, layers, progress, cancelled) -> ExportReport
    parse(path, default_annotator) -> ParsedImport          (importable formats only)

`annotator` None means everyone's annotations (formats that hold one analyst's work are only ever called
with one name: `export_as` splits the project by analyst for them). `layers` are the layers to write, a
subset of the format's own. The modules are imported when used, so `hashiya export --format jsonl` never
pays for spaCy.
"""

from __future__ import annotations

import importlib
import inspect
import os
from dataclasses import dataclass, field
from pathlib import Path

from app.formats.common import (ALL_LAYERS, BOILERPLATE, ENTITY, SPAN_LAYERS, STANCE_LAYER,
                                Cancelled, ExportReport, ParsedImport, Progress, analysts_with_annotations,
                                atomic_folder)
from app.i18n import N_, _, ngettext, number
from app.importer import BadInput, ImportReport, Importer, cannot_be_read, check_documents
from app.project import Project
from app.safenames import ExportFolder, SafeNames, renamed_note


@dataclass(frozen=True)
class Format:
    name: str  # as given to --format
    title: str  # as the File → Export chooser shows it (marked with N_: translate where shown)
    module: str
    folder: bool  # writes a folder (of files) rather than one file
    suffix: str  # of the file written ("" for a folder)
    layers: tuple[str, ...]  # the layers it carries
    one_layer: bool = False  # carries one layer at a time (--layer, default its first)
    per_analyst: bool = False  # holds one analyst's work: several analysts give one export each, in a folder
    importable: bool = False
    note: str = ""  # what an analyst should know before choosing it (N_, like the title)

    def load(self):
        return importlib.import_module(f"app.formats.{self.module}")


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("spacy", N_("spaCy DocBin (.spacy)"), "spacy_docbin", False, ".spacy", ALL_LAYERS, per_analyst=True,
           note=N_("needs spaCy: pip install 'hashiya[spacy]'")),
    Format("xmi", N_("UIMA CAS XMI for INCEpTION (folder)"), "xmi", True, "", ALL_LAYERS, per_analyst=True,
           importable=True),
    Format("label-studio", N_("Label Studio tasks (.json)"), "label_studio", False, ".json", ALL_LAYERS,
           importable=True),
    Format("doccano", N_("doccano JSONL (.jsonl)"), "doccano", False, ".jsonl", (ENTITY, BOILERPLATE, STANCE_LAYER),
           one_layer=True, per_analyst=True, importable=True),
    Format("conll", N_("CoNLL-2003 IOB2 (.conll)"), "conll", False, ".conll", (ENTITY, BOILERPLATE), one_layer=True,
           per_analyst=True, importable=True, note=N_("word level: spans that cut a word are widened or split")),
    # brat has no document-level annotation: document stances stay out.
    Format("brat", N_("brat standoff (folder of .txt + .ann)"), "brat", True, "", SPAN_LAYERS, per_analyst=True,
           importable=True, note=N_("document stances are left out: brat has none")),
    Format("csv", N_("Spans as a spreadsheet (.csv)"), "span_csv", False, ".csv", SPAN_LAYERS),
)}


class ExportProblem(ValueError):
    """The export cannot be made as asked (the message says why); nothing was written."""


@dataclass
class ExportOutcome:
    path: Path
    analysts: list[str]  # whose work was written ([] = everyone's, in a format that keeps analysts apart)
    report: ExportReport = field(default_factory=ExportReport)
    per_analyst_folder: bool = False  # one export per analyst, in the folder `path`

    @property
    def empty(self) -> bool:
        return self.report.annotations == 0

    def summary(self, layers: tuple[str, ...]) -> str:
        """What the export wrote, as the command line and the window report it."""
        report = self.report
        what = layers[0] if len(layers) == 1 else _("{layers} and {last}").format(layers=", ".join(layers[:-1]),
                                                                                   last=layers[-1])
        whose = ", ".join(self.analysts)
        documents = ngettext("{n} document(s)", "{n} document(s)", report.documents).format(
            n=number(report.documents))
        beside = "".join(_("; and beside it {name}").format(name=Path(path).name) for path in report.also_written)
        if self.empty:
            if len(layers) > 1:
                text = (_("wrote {path}: nothing in the {layers} layers by {analysts}; the export is valid but empty "
                          "({documents})") if whose else
                        _("wrote {path}: nothing in the {layers} layers; the export is valid but empty ({documents})"))
            else:
                text = (_("wrote {path}: nothing in the {layers} layer by {analysts}; the export is valid but empty "
                          "({documents})") if whose else
                        _("wrote {path}: nothing in the {layers} layer; the export is valid but empty ({documents})"))
            return (text.format(path=self.path, layers=what, analysts=whose, documents=documents)
                    + renamed_note(report.renamed) + beside)
        if whose:
            text = ngettext("wrote {path}: {n} annotation(s) in {documents} by {analysts}",
                            "wrote {path}: {n} annotation(s) in {documents} by {analysts}", report.annotations)
        else:
            text = ngettext("wrote {path}: {n} annotation(s) in {documents}",
                            "wrote {path}: {n} annotation(s) in {documents}", report.annotations)
        text = text.format(path=self.path, n=number(report.annotations), documents=documents, analysts=whose)
        if self.per_analyst_folder:
            text += ngettext(", one export per analyst ({n})", ", one export per analyst ({n})",
                             len(self.analysts)).format(n=number(len(self.analysts)))
        if report.dropped:
            text += ngettext("; {n} overlapping span(s) left out (the format is flat)",
                             "; {n} overlapping span(s) left out (the format is flat)", report.dropped).format(
                n=number(report.dropped))
        return text + renamed_note(report.renamed) + beside


def chosen_layers(fmt: Format, layer: str | None) -> tuple[str, ...]:
    if layer is None:
        return fmt.layers[:1] if fmt.one_layer else fmt.layers
    if layer not in fmt.layers:
        raise ExportProblem(_("{format} cannot carry the {layer} layer (it carries: {layers})").format(
            format=fmt.name, layer=layer, layers=", ".join(fmt.layers)))
    return (layer,)


def export_as(project: Project, fmt: Format, out: str | os.PathLike, annotator: str | None = None,
              layer: str | None = None, progress: Progress | None = None,
              cancelled: Cancelled | None = None, **options) -> ExportOutcome:
    """Export in `fmt`. A format that holds one analyst's work, asked for everyone's in a project where
    several analysts have annotations, writes a folder `out` with one export per analyst, named after them
    (made safe by app.safenames; names.json lists the names that had to change).
    `options` go to the format's own export (conll: clitics)."""
    out = Path(out)
    layers = chosen_layers(fmt, layer)
    module = fmt.load()
    if annotator is not None or not fmt.per_analyst:
        report = module.export(project, out, annotator, layers, progress, cancelled, **options)
        return ExportOutcome(out, [annotator] if annotator else [], report)
    analysts = analysts_with_annotations(project, layers)
    if len(analysts) > 1 and fmt.suffix and out.suffix.lower() == fmt.suffix:
        raise ExportProblem(ngettext(
            "{n} analysts have annotations here ({analysts}) and a {format} file holds one analyst's work: name one "
            "with --annotator, or give a folder name without {suffix} to get one file per analyst",
            "{n} analysts have annotations here ({analysts}) and a {format} file holds one analyst's work: name one "
            "with --annotator, or give a folder name without {suffix} to get one file per analyst",
            len(analysts)).format(n=number(len(analysts)), analysts=", ".join(analysts), format=fmt.name,
                                  suffix=fmt.suffix))
    if len(analysts) <= 1:
        report = module.export(project, out, analysts[0] if analysts else None, layers, progress, cancelled,
                               **options)
        return ExportOutcome(out, analysts, report)
    outcome = ExportOutcome(out, analysts, per_analyst_folder=True)
    with atomic_folder(out) as building:
        # Analysts' names come from other people's files: `../../x` must not climb out of the folder.
        folder, names = ExportFolder(building), SafeNames(folders=False)
        for position, analyst in enumerate(analysts):
            def step(done: int, total: int, position=position) -> None:
                if progress is not None:
                    progress(position * total + done, len(analysts) * total)
            target = folder.path(names.claim(analyst, (fmt.suffix,)) + fmt.suffix)
            report = module.export(project, target, analyst, layers, step, cancelled, **options)
            outcome.report.annotations += report.annotations
            outcome.report.rows += report.rows
            outcome.report.documents = max(outcome.report.documents, report.documents)
            outcome.report.dropped += report.dropped
            outcome.report.renamed += report.renamed
        names.write_index(folder)
    outcome.report.renamed += len(names.renamed)
    return outcome


def import_as(project: Project, fmt: Format, path: str | os.PathLike, annotator: str,
              layer: str | None = None, cancelled: Cancelled | None = None) -> ImportReport:
    """Import one file (or brat folder) in `fmt`; `annotator` takes whatever names no analyst. `layer`:
    the layer a format without layers (conll) imports into, instead of the one it guesses. `cancelled`: asked
    while a long input is read, by the formats whose parse takes it (xmi); ImportCancelled when it says so.

    The input is read and checked whole before anything is written: a bad one is rejected with the
    reason and leaves the project as it was."""
    path = Path(path)
    importer = Importer(project, annotator)
    if not fmt.importable:
        raise ExportProblem(_("{format} files cannot be imported (importable: {formats})").format(
            format=fmt.name, formats=", ".join(name for name, f in FORMATS.items() if f.importable)))
    parse = fmt.load().parse
    options = {"layer": layer} if layer else {}
    if cancelled is not None and "cancelled" in inspect.signature(parse).parameters:
        options["cancelled"] = cancelled
    try:
        parsed: ParsedImport = parse(path, annotator, **options)
        check_documents(parsed.documents)
    except BadInput as error:
        importer.report.rejected.append((str(path), str(error)))
        return importer.report
    except OSError as error:
        importer.report.rejected.append((str(path), cannot_be_read(error)))
        return importer.report
    return importer.run_parsed(str(path), parsed.documents, parsed.unrepresented)
