"""The headless `hashiya` subcommands. No Qt is loaded here: they run on servers."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import textwrap
from pathlib import Path

from app import duplicates, i18n, settings, team, version_line
from app.i18n import N_, _, ngettext, number, pgettext
from app.adjudication import GOLD
from app.agreement import agreement_report, many_raters, not_marked_note
from app.boilerplate_index import all_suggestions, preview, update as update_boilerplate
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
    "import": N_("import .txt files, folders or JSONL into a project, or another tool's export with --format"),
    "export": N_("export documents and annotations (jsonl), stances as a spreadsheet table (stance-csv), each "
                 "document's text without its boilerplate (text-clean), or another tool's format with --format"),
    "search": N_("find a word or phrase in every document, the way an Arabic reader would (harakat, hamza forms, "
                 "attached و ب ل …)"),
    "boilerplate": N_("list the pending boilerplate suggestions (site chrome, related-links tails, …) after indexing "
                      "new documents"),
    "duplicates": N_("list clusters of near-duplicate articles (the same story republished), after indexing new "
                     "documents"),
    "merge": N_("add another analyst's annotations from their project file (documents matched by text; merging "
                "again updates)"),
    "agreement": N_("how far analysts agree: span F1, token kappa and alpha, stances (definitions in "
                    "docs/agreement.md)"),
    "team": N_("a project on a PostgreSQL server: init URL creates its tables and the team's rules; "
               "add-analyst URL NAME gives a person a login role"),
}
SUBCOMMANDS = tuple(SUBCOMMAND_HELP)


def commands_help(width: int | None = None) -> str:
    """Every subcommand with its line of help, laid out as argparse lists options (for `hashiya -h`)."""
    width = width or max(60, min(shutil.get_terminal_size().columns, 120)) - 2
    column = max(map(len, SUBCOMMANDS)) + 4
    lines = [_("commands (no window; `hashiya COMMAND -h` gives each one's options):")]
    for name, text in SUBCOMMAND_HELP.items():
        lines.append(textwrap.fill(_(text), width, initial_indent=f"  {name}".ljust(column),
                                   subsequent_indent=" " * column, break_on_hyphens=False))
    return "\n".join(lines)


def add_language_option(parser: argparse.ArgumentParser) -> None:
    """Listed in --help; ui.launch takes the option out of the command line before any parser runs."""
    parser.add_argument("--language", choices=i18n.LANGUAGES,
                        help=_("the language of messages for this run (default: the one chosen in Preferences, "
                               "else the system's)"))


def project_location(text: str):
    """A project file's path, or a server project's URL (postgresql://…), kept as written: a Path would fold
    its // and lose the host."""
    from app.paths import is_server_address

    return text if is_server_address(text) else Path(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hashiya", description=_("Hashiya: annotate Arabic news text."))
    parser.add_argument("--version", action="version", version=version_line(),
                        help=_("show program's version number and exit"))
    add_language_option(parser)
    commands = parser.add_subparsers(dest="command", required=True)

    importing = commands.add_parser("import", help=_(SUBCOMMAND_HELP["import"]))
    importing.add_argument("project", type=project_location, help=_("project file (created if it does not exist)"))
    importing.add_argument("paths", nargs="+", type=Path,
                           help=_(".txt or .jsonl files, or folders; with --format, that tool's files"))
    importing.add_argument("--format", choices=[n for n, f in INTERCHANGE.items() if f.importable],
                           help=_("read another tool's export: doccano JSONL, label-studio JSON, a brat folder, "
                                  "conll (the text is rebuilt from the tokens), xmi (a file or folder)"))
    importing.add_argument("--annotator", help=_("annotator for annotations that name none (default: you)"))
    importing.add_argument("--layer", choices=("entity", "boilerplate"),
                           help=_("conll: the layer its labels go into (default: boilerplate when every label is a "
                                  "boilerplate category, else entity)"))

    exporting = commands.add_parser("export", help=_(SUBCOMMAND_HELP["export"]))
    exporting.add_argument("project", type=project_location)
    exporting.add_argument("--format", choices=[*FORMATS, *INTERCHANGE], required=True,
                           help=_("hashiya's own: jsonl, stance-csv, text-clean; other tools': {formats}")
                           .format(formats=", ".join(INTERCHANGE)))
    exporting.add_argument("--out", type=Path, required=True,
                           help=_("the file to write (a new folder for text-clean, xmi and brat, and for a "
                                  "one-analyst format such as doccano when several analysts are exported)"))
    exporting.add_argument("--layer", choices=ALL_LAYERS,
                           help=_("only this layer (doccano and conll carry one layer: entity unless given)"))
    exporting.add_argument("--clitics", choices=("split", "word"), default="split",
                           help=_("conll: a word only partly inside a span (لروسيا, entity روسيا) is split at the "
                                  "span's edge (split, the default) or labelled whole (word)"))
    exporting.add_argument("--annotator", help=_("only this annotator's annotations"))
    exporting.add_argument("--gold", action="store_true",
                           help=_("the gold layer made by adjudication, with where each annotation came from"))

    searching = commands.add_parser("search", help=_(SUBCOMMAND_HELP["search"]))
    searching.add_argument("project", type=project_location)
    searching.add_argument("query")
    searching.add_argument("--similar", action="store_true",
                           help=_("also find similar spellings of names (بيونغ يانغ ~ بيونج يانج), marked as such"))
    searching.add_argument("--keep-prefix", action="store_true",
                           help=_("matched spans include an attached clitic (لروسيا rather than روسيا)"))
    searching.add_argument("--json", action="store_true",
                           help=_('print a JSON list of {"document", "start", "end", "text", "kind"}'))
    boilerplate = commands.add_parser("boilerplate", help=_(SUBCOMMAND_HELP["boilerplate"]))
    boilerplate.add_argument("project", type=project_location)
    boilerplate.add_argument("--annotator", help=_("what this analyst has not decided yet (default: what no one has)"))
    boilerplate.add_argument("--json", action="store_true",
                             help=_('print a JSON list of {"document", "start", "end", "category", "reason", '
                                    '"copies"}'))
    near = commands.add_parser("duplicates", help=_(SUBCOMMAND_HELP["duplicates"]))
    near.add_argument("project", type=project_location)
    near.add_argument("--threshold", type=float, default=0.8,
                      help=_("the Jaccard similarity of article bodies that makes two documents duplicates "
                             "(0.5 to 1; default 0.8)"))
    near.add_argument("--json", action="store_true",
                      help=_('print a JSON list of {"documents": [...], "pairs": [{"a", "b", "score"}]}'))
    merging = commands.add_parser("merge", help=_(SUBCOMMAND_HELP["merge"]))
    merging.add_argument("project", type=project_location, help=_("this project (written)"))
    merging.add_argument("other_project", type=project_location,
                         help=_("the other analyst's project file, or a server's URL (only read)"))
    merging.add_argument("--annotator", help=_("you: your annotations here are never changed, and yours in the "
                                               "other file are left out (default: you)"))
    merging.add_argument("--json", action="store_true",
                         help=_("print the report as JSON (added, updated, unchanged, skipped_yours, "
                                "matched_documents, unmatched_documents, annotators, new_labels, kept)"))
    agreeing = commands.add_parser("agreement", help=_(SUBCOMMAND_HELP["agreement"]))
    agreeing.add_argument("project", type=project_location)
    agreeing.add_argument("--annotators", nargs="+", required=True, metavar="NAME",
                          help=_("two analysts (three or more: Fleiss' kappa and alpha of the entity tokens)"))
    agreeing.add_argument("--json", action="store_true", help=_("print the figures as JSON"))
    teaming = commands.add_parser("team", help=_(SUBCOMMAND_HELP["team"]))
    actions = teaming.add_subparsers(dest="team_command", required=True)
    url_help = _("the database, as postgresql://user@host/name (no password here: use ~/.pgpass or a service file)")
    initialising = actions.add_parser("init", help=_("create the project's tables and the team's rules in an empty "
                                                     "database (run as its owner)"))
    initialising.add_argument("url", help=url_help)
    adding = actions.add_parser("add-analyst", help=_("give a person a login role on the server"))
    adding.add_argument("url", help=url_help)
    adding.add_argument("name", help=_("the person's analyst name (their role has the same name)"))
    adding.add_argument("--role", choices=team.KINDS, default="analyst",
                        help=_("analyst: their own layer; adjudicator: also gold; admin: also the schema and the "
                               "team (default: analyst)"))
    pushing = actions.add_parser("push", help=_("upload a project file (documents, schema, every analyst's work) "
                                                "into an empty database"))
    pushing.add_argument("file", type=Path, help=_("the project file (only read)"))
    pushing.add_argument("url", help=url_help)
    pulling = actions.add_parser("pull", help=_("take a snapshot of a server project back as a project file"))
    pulling.add_argument("url", help=url_help)
    pulling.add_argument("file", type=Path, help=_("the project file to write (replaced if it exists)"))
    assigning = actions.add_parser("assign", help=_("give documents to analysts, N per document in turn (round robin)"))
    assigning.add_argument("project", type=project_location, help=_("the project: a file, or a server's URL"))
    assigning.add_argument("--analysts", nargs="+", required=True, metavar="NAME", help=_("the analysts, in turn"))
    assigning.add_argument("--per-document", type=int, default=1, metavar="N",
                           help=_("analysts per document (2 or more: documents for agreement; default: 1)"))
    assigning.add_argument("--documents", choices=("unassigned", "all"), default="unassigned",
                           help=_("unassigned: only documents nobody has yet (default); all: every document, "
                                  "up to N analysts each"))
    assigning.add_argument("--by", default=None, help=_("who assigns (default: your analyst name)"))
    return parser


def cmd_team(args) -> int:
    if args.team_command == "assign":  # the one team command that takes a project file too
        return _team_assign(args)
    from sqlalchemy.exc import SQLAlchemyError

    from app.pgstore import server_url, shown

    try:
        url = server_url(args.url)
    except ProjectError as error:
        print(f"hashiya: {error}", file=sys.stderr)
        return 1
    where = shown(url)
    try:
        return _TEAM_ACTIONS[args.team_command](args, url, where)
    except team.TeamError as refused:  # a ProjectError (the server, the project) is main's: exit status 2
        print(f"hashiya: {refused}", file=sys.stderr)
        return 1
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print("hashiya:", _("{url}: {reason}").format(url=where, reason=reason), file=sys.stderr)
        return 2


def _team_init(args, url, where) -> int:
    team.init(url)
    print(_("{url}: the project's tables and the team's rules are in place.").format(url=where))
    return 0


def _team_add(args, url, where) -> int:
    role = team.add_member(url, args.name, args.role)
    print(_("{name} logs in as the role {role} ({kind}).").format(name=args.name, role=role, kind=args.role))
    return 0


def _team_push(args, url, where) -> int:
    from app import transfer

    if not args.file.is_file():
        print("hashiya:", _("{path}: no such project file.").format(path=args.file), file=sys.stderr)
        return 1
    copied = transfer.push(args.file, url)
    team.init(url)
    print(_("{path} is on {url}: {contents}.").format(path=args.file, url=where, contents=_contents(copied)))
    names = team.analysts_without_login(url)
    if names:
        print(_("Give each analyst a login: hashiya team add-analyst {url} NAME (for {names}).").format(
            url=where, names=", ".join(names)))
    return 0


def _team_pull(args, url, where) -> int:
    from app import transfer

    copied = transfer.pull(url, args.file)
    print(_("{path}: a copy of {url}, {contents}.").format(path=args.file, url=where, contents=_contents(copied)))
    return 0


def _contents(copied: dict[str, int]) -> str:
    documents, annotations = copied.get("documents", 0), copied.get("annotations", 0)
    return ", ".join((ngettext("{n} document", "{n} documents", documents).format(n=number(documents)),
                      ngettext("{n} annotation", "{n} annotations", annotations).format(n=number(annotations))))


def _team_assign(args) -> int:
    from app import assignment

    project = Project.open(args.project)
    try:
        unknown = [name for name in args.analysts if name not in project.annotators()]
        if unknown:
            print("hashiya:", _("{project} has no analyst called {names} (it has: {known})").format(
                project=project.location, names=", ".join(unknown), known=_known_analysts(project)), file=sys.stderr)
            return 1
        given = assignment.assigned(project)
        ids = [document for document in project.document_ids()
               if args.documents == "all" or document not in given]
        try:
            pairs = assignment.round_robin(ids, args.analysts, args.per_document, given)
        except assignment.AssignmentError as refused:
            print(f"hashiya: {refused}", file=sys.stderr)
            return 1
        written = assignment.assign(project, pairs, args.by or settings.default_analyst())
        documents = len({document for document, _analyst in written})
        counts = pgettext("list separator", ", ").join(
            f"{name} {number(sum(analyst == name for _document, analyst in written))}" for name in args.analysts)
        print(ngettext("{n} document assigned: {counts}.", "{n} documents assigned: {counts}.", documents).format(
            n=number(documents), counts=counts))
    finally:
        project.close()
    return 0


_TEAM_ACTIONS = {"init": _team_init, "add-analyst": _team_add, "push": _team_push, "pull": _team_pull}


def cmd_agreement(args) -> int:
    if len(set(args.annotators)) < 2:
        print("hashiya:", _("--annotators needs two different analysts"), file=sys.stderr)
        return 1
    project = Project.open(args.project)
    try:
        unknown = [name for name in args.annotators if name not in project.annotators()]
        if unknown:
            message = _("{project} has no analyst called {names} (it has: {known})").format(
                project=args.project, names=", ".join(unknown), known=_known_analysts(project))
            print(f"hashiya: {message}", file=sys.stderr)
            return 1
        if len(args.annotators) == 2:
            report = agreement_report(project, *args.annotators)
        else:
            report = {layer: many_raters(project, args.annotators, layer) for layer in ("entity", "boilerplate")}
    finally:
        project.close()
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else _agreement_text(report))
    return 0


def _known_analysts(project: Project) -> str:
    """The analysts a project has, for a message naming one it lacks."""
    return ", ".join(project.annotators()) or _("none")


def _agreement_text(report: dict) -> str:
    def figure(value) -> str:
        return "—" if value is None else number(value, decimals=3)

    if "annotators" not in report:  # three or more analysts
        return "\n".join(ngettext("{layer}: Fleiss' kappa {kappa} over {n} document(s) all worked on; alpha {alpha} "
                                  "over {some}",
                                  "{layer}: Fleiss' kappa {kappa} over {n} document(s) all worked on; alpha {alpha} "
                                  "over {some}", r["documents_all"])
                         .format(layer=layer, kappa=figure(r["fleiss_kappa"]), n=number(r["documents_all"]),
                                 alpha=figure(r["alpha_token"]), some=number(r["documents_some"]))
                         for layer, r in report.items())
    first, second = report["annotators"]
    note = not_marked_note(first, second, report["documents_not_marked"])
    both = report["documents"]
    lines = [ngettext("{first} and {second}: {n} document(s) both worked on",
                      "{first} and {second}: {n} document(s) both worked on", both)
             .format(first=first, second=second, n=number(both))
             + (_("; {note}").format(note=note) if note else "")]
    for layer in ("entity", "boilerplate"):
        r = report[layer]
        lines.append(_("{layer}: F1 exact {exact}, overlap {overlap}; token kappa {kappa}, alpha {alpha}").format(
            layer=layer, exact=figure(r["f1_exact"]), overlap=figure(r["f1_overlap"]),
            kappa=figure(r["kappa_token"]), alpha=figure(r["alpha_token"])))
        for label, scores in r["per_label"].items():
            lines.append("\t".join((
                f"  {label}", _("F1 exact {value}").format(value=figure(scores["f1_exact"])),
                _("overlap {value}").format(value=figure(scores["f1_overlap"])),
                ngettext("{a} / {b} spans", "{a} / {b} spans", scores["support_b"]).format(
                    a=number(scores["support_a"]), b=number(scores["support_b"])))))
    d, s = report["doc_stance"], report["stance"]
    lines.append(ngettext("document stances: kappa {kappa}, alpha {alpha} over {n} rated by both",
                          "document stances: kappa {kappa}, alpha {alpha} over {n} rated by both", d["n"]).format(
        kappa=figure(d["kappa"]), alpha=figure(d["alpha"]), n=number(d["n"])))
    lines.append(ngettext("span stances: {n} matched, polarity agreement {agreement}",
                          "span stances: {n} matched, polarity agreement {agreement}", s["matched"]).format(
        n=number(s["matched"]), agreement=figure(s["polarity_agreement"])))
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
        print("hashiya:", _("--layer on import applies to conll files only"), file=sys.stderr)
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
        return _("--out {out} is a folder; give a file name").format(out=out)
    if not out.parent.is_dir():
        return _("--out {out}: the folder {folder} does not exist").format(out=out, folder=out.parent)
    return None


def _check_folder(out: Path) -> str | None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        return _("--out {out} exists; give a new folder (or an empty one)").format(out=out)
    if not out.parent.is_dir():
        return _("--out {out}: the folder {folder} does not exist").format(out=out, folder=out.parent)
    return None


def cmd_export(args) -> int:
    folder = args.format in FOLDER_FORMATS or (args.format in INTERCHANGE and INTERCHANGE[args.format].folder)
    problem = _check_folder(args.out) if folder else _check_output(args.out)
    if problem:
        print(f"hashiya: {problem}", file=sys.stderr)
        return 1
    if args.layer and args.format not in INTERCHANGE:
        message = _("--layer applies to the other tools' formats ({formats}), not {format}").format(
            formats=", ".join(INTERCHANGE), format=args.format)
        print(f"hashiya: {message}", file=sys.stderr)
        return 1
    if args.gold and args.annotator:
        print("hashiya:", _("--gold exports the gold layer; leave out --annotator"), file=sys.stderr)
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
        message = _("{project} has no gold annotations yet (adjudicate two analysts' work first); nothing was "
                    "written").format(project=args.project)
        print(f"hashiya: {message}", file=sys.stderr)
        return 1
    annotator = GOLD if args.gold else args.annotator
    if annotator is not None and annotator not in project.annotators():
        message = _("{project} has no analyst called {name} (it has: {known}); nothing was written").format(
            project=args.project, name=annotator, known=_known_analysts(project))
        print(f"hashiya: {message}", file=sys.stderr)
        return 1
    if args.format in INTERCHANGE:
        return _export_interchange(project, args, annotator)
    options = {"annotator": annotator}
    if args.format == "stance-csv":
        options["gold"] = args.gold
    report = EXPORTERS[args.format](project, args.out, **options)
    print(_("wrote {path}: {summary}").format(path=args.out, summary=_export_summary(args.format, report)))
    return 0


def _export_interchange(project: Project, args, annotator: str | None) -> int:
    fmt = INTERCHANGE[args.format]
    options = {"clitics": args.clitics} if args.format == "conll" else {}
    try:
        outcome = export_as(project, fmt, args.out, annotator, args.layer, **options)
    except ExportProblem as problem:
        print("hashiya:", _("{problem}; nothing was written").format(problem=problem), file=sys.stderr)
        return 1
    except ExportCancelled:
        return 1
    print(outcome.summary(fmt.layers if args.layer is None and not fmt.one_layer
                          else (args.layer or fmt.layers[0],)))
    return 0


def _export_summary(kind: str, report: ExportReport) -> str:
    if kind == "text-clean":
        files = ngettext("{n} text file(s)", "{n} text file(s)", report.documents).format(n=number(report.documents))
        removed = ngettext("{n} boilerplate span(s) removed", "{n} boilerplate span(s) removed",
                           report.annotations).format(n=number(report.annotations))
        return _("{text_files}, {spans_removed}").format(text_files=files, spans_removed=removed) \
            + renamed_note(report.renamed)
    if kind == "jsonl":
        return _("{documents}, {annotations}").format(documents=documents_phrase(report.documents),
                                                        annotations=annotations_phrase(report.annotations))
    if not report.rows:
        return _("no stances to export; the file has only the header row")
    return ngettext("{n} stance row(s) from {documents}", "{n} stance row(s) from {documents}", report.rows).format(
        n=number(report.rows), documents=documents_phrase(report.documents))


def documents_phrase(count: int) -> str:
    """"3 document(s)", for a report that names a number of documents inside a longer sentence."""
    return ngettext("{n} document(s)", "{n} document(s)", count).format(n=number(count))


def annotations_phrase(count: int) -> str:
    return ngettext("{n} annotation(s)", "{n} annotation(s)", count).format(n=number(count))


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
                marker = "  " + _("(similar spelling)") if hit.kind == "similar" else ""
                print(f"{hit.document}\t{hit.start}\t{hit.end}\t{shown(hit.text)}{marker}")
            count += 1
            documents.add(hit.document_id)
        if args.json:
            print("\n]" if count else "]")
    finally:
        project.close()
    if not args.json:
        print(ngettext("{n} match(es) in {documents}", "{n} match(es) in {documents}", count).format(
            n=number(count), documents=documents_phrase(len(documents))), file=sys.stderr)
    return 0


def cmd_boilerplate(args) -> int:
    project = Project.open(args.project)
    try:
        duplicates.update_index(project)  # first: a line repeated by copies of one story counts once
        indexed = update_boilerplate(project)
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
    print(ngettext("{n} suggestion(s) in {documents}, {groups} to decide ({indexed})",
                   "{n} suggestion(s) in {documents}, {groups} to decide ({indexed})", len(suggestions)).format(
        n=number(len(suggestions)), documents=documents_phrase(len(names)),
        groups=ngettext("{n} group(s)", "{n} group(s)", groups).format(n=number(groups)),
        indexed=newly_indexed_phrase(indexed)), file=sys.stderr)
    return 0


def cmd_duplicates(args) -> int:
    if not duplicates.STORED_SCORE <= args.threshold <= 1:
        message = _("--threshold must be between {low} and {high}").format(low=number(duplicates.STORED_SCORE),
                                                                           high=number(1))
        print(f"hashiya: {message}", file=sys.stderr)
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
    for position, cluster in enumerate(listed, start=1):
        size = len(cluster["documents"])
        print(ngettext("cluster {number}: {n} documents", "cluster {number}: {n} documents", size).format(
            number=number(position), n=number(size)))
        for pair in cluster["pairs"]:
            print(f"  {pair['score']:.3f}\t{pair['a']}\t{pair['b']}")
    print(ngettext("{n} cluster(s) at a threshold of {threshold} ({indexed})",
                   "{n} cluster(s) at a threshold of {threshold} ({indexed})", len(listed)).format(
        n=number(len(listed)), threshold=number(args.threshold), indexed=newly_indexed_phrase(indexed)),
        file=sys.stderr)
    return 0


def newly_indexed_phrase(count: int) -> str:
    return ngettext("{n} newly indexed document(s)", "{n} newly indexed document(s)", count).format(n=number(count))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"import": cmd_import, "export": cmd_export, "search": cmd_search,
               "boilerplate": cmd_boilerplate, "duplicates": cmd_duplicates, "merge": cmd_merge,
               "agreement": cmd_agreement, "team": cmd_team}[args.command]
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
