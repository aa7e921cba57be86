"""The headless `hashiya` subcommands. No Qt is loaded here: they run on servers."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

from app import duplicates, i18n, settings, version_line
from app.adjudication import GOLD
from app.agreement import agreement_report, many_raters, not_marked_note
from app.boilerplate_index import all_suggestions, preview, update_index
from app.exporter import EXPORTERS, FOLDER_FORMATS, FORMATS, ExportReport
from app.formats import FORMATS as INTERCHANGE, ExportProblem, export_as, import_as
from app.formats.common import ALL_LAYERS, ExportCancelled
from app.fsutil import write_failure
from app.importer import ImportReport, import_paths
from app.merge import merge_project
from app.packagedata import MissingResource
from app.project import Project, ProjectError
from app.safenames import renamed_note
from app.search import search_project

# Each subcommand's line of help, as `hashiya -h` (with the window's options) and `python -m app -h` list them.
SUBCOMMAND_HELP = {
    "import": "import .txt files, folders or JSONL into a project, or another tool's export with --format",
    "export": "export documents and annotations (jsonl), stances as a spreadsheet table (stance-csv), each "
              "document's text without its boilerplate (text-clean), or another tool's format with --format",
    "search": "find a word or phrase in every document, the way an Arabic reader would (harakat, hamza forms, "
              "attached و ب ل …)",
    "boilerplate": "list the pending boilerplate suggestions (site chrome, related-links tails, …) after indexing "
                   "new documents",
    "duplicates": "list clusters of near-duplicate articles (the same story republished), after indexing new "
                  "documents",
    "merge": "add another analyst's annotations from their project file (documents matched by text; merging "
             "again updates)",
    "agreement": "how far analysts agree: span F1, token kappa and alpha, stances (definitions in "
                 "docs/agreement.md)",
}
SUBCOMMANDS = tuple(SUBCOMMAND_HELP)


def commands_help(width: int | None = None) -> str:
    """Every subcommand with its line of help, laid out as argparse lists options (for `hashiya -h`)."""
    width = width or max(60, min(shutil.get_terminal_size().columns, 120)) - 2
    column = max(map(len, SUBCOMMANDS)) + 4
    lines = ["commands (no window; `hashiya COMMAND -h` gives each one's options):"]
    for name, text in SUBCOMMAND_HELP.items():
        lines.append(textwrap.fill(text, width, initial_indent=f"  {name}".ljust(column),
                                   subsequent_indent=" " * column, break_on_hyphens=False))
    return "\n".join(lines)


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """Listed in --help; ui.launch takes the option out of the command line before any parser runs."""
    parser.add_argument("--language", choices=i18n.LANGUAGES,
                        help="the language of messages for this run (default: the one chosen in Preferences, "
                             "else the system's)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hashiya", description="Hashiya: annotate Arabic news text.")
    parser.add_argument("--version", action="version", version=version_line())
    add_language_option(parser)
    commands = parser.add_subparsers(dest="command", required=True)

    importing = commands.add_parser("import", help=SUBCOMMAND_HELP["import"])
    importing.add_argument("project", type=Path, help="project file (created if it does not exist)")
    importing.add_argument("paths", nargs="+", type=Path,
                           help=".txt or .jsonl files, or folders; with --format, that tool's files")
    importing.add_argument("--format", choices=[n for n, f in INTERCHANGE.items() if f.importable],
                           help="read another tool's export: doccano JSONL, label-studio JSON, a brat folder, "
                                "conll (the text is rebuilt from the tokens), xmi (a file or folder)")
    importing.add_argument("--annotator", help="annotator for annotations that name none (default: you)")
    importing.add_argument("--layer", choices=("entity", "boilerplate"),
                           help="conll: the layer its labels go into (default: boilerplate when every label is a "
                                "boilerplate category, else entity)")

    exporting = commands.add_parser("export", help=SUBCOMMAND_HELP["export"])
    exporting.add_argument("project", type=Path)
    exporting.add_argument("--format", choices=[*FORMATS, *INTERCHANGE], required=True,
                           help="hashiya's own: jsonl, stance-csv, text-clean; other tools': " + ", ".join(INTERCHANGE))
    exporting.add_argument("--out", type=Path, required=True,
                           help="the file to write (a new folder for text-clean, xmi and brat, and for a "
                                "one-analyst format such as doccano when several analysts are exported)")
    exporting.add_argument("--layer", choices=ALL_LAYERS,
                           help="only this layer (doccano and conll carry one layer: entity unless given)")
    exporting.add_argument("--clitics", choices=("split", "word"), default="split",
                           help="conll: a word only partly inside a span (لروسيا, entity روسيا) is split at the "
                                "span's edge (split, the default) or labelled whole (word)")
    exporting.add_argument("--annotator", help="only this annotator's annotations")
    exporting.add_argument("--gold", action="store_true",
                           help="the gold layer made by adjudication, with where each annotation came from")

    searching = commands.add_parser("search", help=SUBCOMMAND_HELP["search"])
    searching.add_argument("project", type=Path)
    searching.add_argument("query")
    searching.add_argument("--similar", action="store_true",
                           help="also find similar spellings of names (بيونغ يانغ ~ بيونج يانج), marked as such")
    searching.add_argument("--keep-prefix", action="store_true",
                           help="matched spans include an attached clitic (لروسيا rather than روسيا)")
    searching.add_argument("--json", action="store_true",
                           help='print a JSON list of {"document", "start", "end", "text", "kind"}')
    boilerplate = commands.add_parser("boilerplate", help=SUBCOMMAND_HELP["boilerplate"])
    boilerplate.add_argument("project", type=Path)
    boilerplate.add_argument("--annotator", help="what this analyst has not decided yet (default: what no one has)")
    boilerplate.add_argument("--json", action="store_true",
                             help='print a JSON list of {"document", "start", "end", "category", "reason", "copies"}')
    near = commands.add_parser("duplicates", help=SUBCOMMAND_HELP["duplicates"])
    near.add_argument("project", type=Path)
    near.add_argument("--threshold", type=float, default=0.8,
                      help="the Jaccard similarity of article bodies that makes two documents duplicates "
                           "(0.5 to 1; default 0.8)")
    near.add_argument("--json", action="store_true",
                      help='print a JSON list of {"documents": [...], "pairs": [{"a", "b", "score"}]}')
    merging = commands.add_parser("merge", help=SUBCOMMAND_HELP["merge"])
    merging.add_argument("project", type=Path, help="this project (written)")
    merging.add_argument("other_project", type=Path, help="the other analyst's project file (only read)")
    merging.add_argument("--annotator", help="you: your annotations here are never changed, and yours in the "
                                             "other file are left out (default: you)")
    merging.add_argument("--json", action="store_true",
                         help="print the report as JSON (added, updated, unchanged, skipped_yours, "
                              "matched_documents, unmatched_documents, annotators, new_labels, kept)")
    agreeing = commands.add_parser("agreement", help=SUBCOMMAND_HELP["agreement"])
    agreeing.add_argument("project", type=Path)
    agreeing.add_argument("--annotators", nargs="+", required=True, metavar="NAME",
                          help="two analysts (three or more: Fleiss' kappa and alpha of the entity tokens)")
    agreeing.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def cmd_agreement(args) -> int:
    if len(set(args.annotators)) < 2:
        print("hashiya: --annotators needs two different analysts", file=sys.stderr)
        return 1
    project = Project.open(args.project)
    try:
        unknown = [name for name in args.annotators if name not in project.annotators()]
        if unknown:
            print(f"hashiya: {args.project} has no analyst called {', '.join(unknown)} "
                  f"(it has: {', '.join(project.annotators()) or 'none'})", file=sys.stderr)
            return 1
        if len(args.annotators) == 2:
            report = agreement_report(project, *args.annotators)
        else:
            report = {layer: many_raters(project, args.annotators, layer) for layer in ("entity", "boilerplate")}
    finally:
        project.close()
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else _agreement_text(report))
    return 0


def _agreement_text(report: dict) -> str:
    def figure(value) -> str:
        return "—" if value is None else f"{value:.3f}"

    if "annotators" not in report:  # three or more analysts
        return "\n".join(f"{layer}: Fleiss' kappa {figure(r['fleiss_kappa'])} over {r['documents_all']} document(s) "
                         f"all worked on; alpha {figure(r['alpha_token'])} over {r['documents_some']}"
                         for layer, r in report.items())
    first, second = report["annotators"]
    note = not_marked_note(first, second, report["documents_not_marked"])
    lines = [f"{first} and {second}: {report['documents']} document(s) both worked on" + (f"; {note}" if note else "")]
    for layer in ("entity", "boilerplate"):
        r = report[layer]
        lines.append(f"{layer}: F1 exact {figure(r['f1_exact'])}, overlap {figure(r['f1_overlap'])}; "
                     f"token kappa {figure(r['kappa_token'])}, alpha {figure(r['alpha_token'])}")
        for label, scores in r["per_label"].items():
            lines.append(f"  {label}\tF1 exact {figure(scores['f1_exact'])}\toverlap {figure(scores['f1_overlap'])}"
                         f"\t{scores['support_a']} / {scores['support_b']} spans")
    d, s = report["doc_stance"], report["stance"]
    lines.append(f"document stances: kappa {figure(d['kappa'])}, alpha {figure(d['alpha'])} over {d['n']} rated by both")
    lines.append(f"span stances: {s['matched']} matched, polarity agreement {figure(s['polarity_agreement'])}")
    return "\n".join(lines)


def cmd_merge(args) -> int:
    project = Project.open(args.project)
    try:
        report = merge_project(project, args.other_project, args.annotator or settings.default_analyst())
    finally:
        project.close()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(report.summary())
    return 0


def cmd_import(args) -> int:
    if args.layer and args.format != "conll":
        print("hashiya: --layer on import applies to conll files only", file=sys.stderr)
        return 1
    project = Project.open(args.project, create=True)
    annotator = args.annotator or settings.default_analyst()
    try:
        if args.format:
            report = _import_interchange(project, args.format, args.paths, annotator, args.layer)
        else:
            report = import_paths(project, args.paths, annotator)
    finally:
        project.close()
    print(f"{args.project}:")
    for line in report.summary_lines():
        print(f"  {line}")
    return 0 if report.ok else 1


def _import_interchange(project: Project, format_name: str, paths: list[Path], annotator: str, layer: str | None):
    """Each path is one input in that tool's format; the reports add up."""
    report = ImportReport()
    for path in paths:
        report.add(import_as(project, INTERCHANGE[format_name], path, annotator, layer))
    return report


def _check_output(out: Path) -> str | None:
    if out.is_dir():
        return f"--out {out} is a folder; give a file name"
    if not out.parent.is_dir():
        return f"--out {out}: the folder {out.parent} does not exist"
    return None


def _check_folder(out: Path) -> str | None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return f"--out {out} exists; give a new folder (or an empty one)"
    if not out.parent.is_dir():
        return f"--out {out}: the folder {out.parent} does not exist"
    return None


def cmd_export(args) -> int:
    folder = args.format in FOLDER_FORMATS or (args.format in INTERCHANGE and INTERCHANGE[args.format].folder)
    problem = _check_folder(args.out) if folder else _check_output(args.out)
    if problem:
        print(f"hashiya: {problem}", file=sys.stderr)
        return 1
    if args.layer and args.format not in INTERCHANGE:
        print(f"hashiya: --layer applies to the other tools' formats ({', '.join(INTERCHANGE)}), not {args.format}",
              file=sys.stderr)
        return 1
    if args.gold and args.annotator:
        print("hashiya: --gold exports the gold layer; leave out --annotator", file=sys.stderr)
        return 1
    project = Project.open(args.project)
    try:
        return _export(project, args)
    except BrokenPipeError:
        raise  # stdout, not the export: main stops quietly
    except OSError as error:  # a full disk, a folder that went away: named as the analyst gave it
        print(f"hashiya: {write_failure(error, args.out)}", file=sys.stderr)
        return 1
    finally:
        project.close()


def _export(project: Project, args) -> int:
    if args.gold and GOLD not in project.annotators():
        print(f"hashiya: {args.project} has no gold annotations yet (adjudicate two analysts' work first); "
              "nothing was written", file=sys.stderr)
        return 1
    annotator = GOLD if args.gold else args.annotator
    if annotator is not None and annotator not in project.annotators():
        print(f"hashiya: {args.project} has no analyst called {annotator} "
              f"(it has: {', '.join(project.annotators()) or 'none'}); nothing was written", file=sys.stderr)
        return 1
    if args.format in INTERCHANGE:
        return _export_interchange(project, args, annotator)
    options = {"annotator": annotator}
    if args.format == "stance-csv":
        options["gold"] = args.gold
    report = EXPORTERS[args.format](project, args.out, **options)
    print(f"wrote {args.out}: {_export_summary(args.format, report)}")
    return 0


def _export_interchange(project: Project, args, annotator: str | None) -> int:
    fmt = INTERCHANGE[args.format]
    options = {"clitics": args.clitics} if args.format == "conll" else {}
    try:
        outcome = export_as(project, fmt, args.out, annotator, args.layer, **options)
    except ExportProblem as problem:
        print(f"hashiya: {problem}; nothing was written", file=sys.stderr)
        return 1
    except ExportCancelled:
        return 1
    print(outcome.summary(fmt.layers if args.layer is None and not fmt.one_layer
                          else (args.layer or fmt.layers[0],)))
    return 0


def _export_summary(kind: str, report: ExportReport) -> str:
    if kind == "text-clean":
        return (f"{report.documents} text file(s), {report.annotations} boilerplate span(s) removed"
                f"{renamed_note(report.renamed)}")
    if kind == "jsonl":
        return f"{report.documents} document(s), {report.annotations} annotation(s)"
    if not report.rows:
        return "no stances to export; the file has only the header row"
    return f"{report.rows} stance row(s) from {report.documents} document(s)"


def _text_column():
    """How a column of document text is printed: in a terminal, between bidi isolates (FSI … PDI) so that an
    Arabic match cannot reorder the columns around it; into a pipe or a file, as it is, for the next program."""
    if sys.stdout.isatty():
        return lambda text: f"\u2068{text}\u2069"
    return lambda text: text


def cmd_search(args) -> int:
    """Prints hits as they are found (a long search shows its first lines at once); --json prints
    the same list json.dumps(indent=1) would, object by object."""
    project = Project.open(args.project)
    count, documents = 0, set()
    shown = _text_column()
    try:
        if args.json:
            print("[", end="")
        for hit in search_project(project, args.query, similar=args.similar, keep_prefix=args.keep_prefix):
            if args.json:
                body = json.dumps(hit.as_json(), ensure_ascii=False, indent=1).replace("\n", "\n ")
                print(("," if count else "") + "\n " + body, end="")
            else:
                marker = "  (similar spelling)" if hit.kind == "similar" else ""
                print(f"{hit.document}\t{hit.start}\t{hit.end}\t{shown(hit.text)}{marker}")
            count += 1
            documents.add(hit.document_id)
        if args.json:
            print("\n]" if count else "]")
    finally:
        project.close()
    if not args.json:
        print(f"{count} match(es) in {len(documents)} document(s)", file=sys.stderr)
    return 0


def cmd_boilerplate(args) -> int:
    project = Project.open(args.project)
    try:
        duplicates.update_index(project)  # first: a line repeated by copies of one story counts once
        indexed = update_index(project)
        suggestions = all_suggestions(project, args.annotator)
        names = {document_id: project.document_name(document_id)
                 for document_id in {suggestion.document_id for suggestion in suggestions}}
        texts = {document_id: project.document_text(document_id) for document_id in names} if not args.json else {}
        previews = {(s.document_id, s.start): preview(texts[s.document_id][s.start:s.end], 60)
                    for s in suggestions} if not args.json else {}
    finally:
        project.close()
    if args.json:
        print(json.dumps([{"document": names[s.document_id], "start": s.start, "end": s.end, "category": s.category,
                           "reason": s.reason, "copies": s.copies} for s in suggestions], ensure_ascii=False, indent=1))
        return 0
    shown = _text_column()
    for s in suggestions:
        print(f"{names[s.document_id]}\t{s.start}\t{s.end}\t{s.category}\t×{s.copies}\t{s.reason}\t"
              f"{shown(previews[(s.document_id, s.start)])}")
    groups = len({s.fingerprint for s in suggestions})
    print(f"{len(suggestions)} suggestion(s) in {len(names)} document(s), {groups} group(s) to decide"
          f" ({indexed} newly indexed document(s))", file=sys.stderr)
    return 0


def cmd_duplicates(args) -> int:
    if not duplicates.STORED_SCORE <= args.threshold <= 1:
        print(f"hashiya: --threshold must be between {duplicates.STORED_SCORE} and 1", file=sys.stderr)
        return 1
    project = Project.open(args.project)
    try:
        indexed = duplicates.update_index(project)
        found = duplicates.clusters(project, args.threshold)
        names = {document_id: project.document_name(document_id)
                 for members, _ in found for document_id in members}
    finally:
        project.close()
    listed = [{"documents": [names[d] for d in members],
               "pairs": [{"a": names[a], "b": names[b], "score": round(score, 4)} for a, b, score in pairs]}
              for members, pairs in found]
    if args.json:
        print(json.dumps(listed, ensure_ascii=False, indent=1))
        return 0
    for number, cluster in enumerate(listed, start=1):
        print(f"cluster {number}: {len(cluster['documents'])} documents")
        for pair in cluster["pairs"]:
            print(f"  {pair['score']:.3f}\t{pair['a']}\t{pair['b']}")
    print(f"{len(listed)} cluster(s) at a threshold of {args.threshold} ({indexed} newly indexed document(s))",
          file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"import": cmd_import, "export": cmd_export, "search": cmd_search,
               "boilerplate": cmd_boilerplate, "duplicates": cmd_duplicates, "merge": cmd_merge,
               "agreement": cmd_agreement}[args.command]
    try:
        return handler(args)
    except BrokenPipeError:
        # The reader went away (`hashiya search … | head`): stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ProjectError, MissingResource) as error:
        print(f"hashiya: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # reading an input or writing a file failed
        named = f"{error.filename}: " if error.filename is not None else ""
        print(f"hashiya: {named}{error.strerror or error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
