"""The boilerplate index: every line's fingerprint and every cue block, per document, kept up to date.

`update_index` reads the documents added since it last ran (a watermark in project_info), so an import
of a few documents costs only those; nothing is ever rebuilt. For each document it stores
- the fingerprint of each non-blank line's folded words, with the document's site, and how many
  documents of that site hold each fingerprint (`boilerplate_counts`);
- the blocks its cue phrases point at (app.boilerplate.cue_blocks).

A line is suggested as boilerplate when it repeats in at least MIN_COPIES documents of its site and
in at least SITE_SHARE of them (a quote carried by two follow-up stories is not chrome). Consecutive
repeated lines form one block. Suggestions are grouped by fingerprint: equal blocks anywhere in the
corpus are copies, and one decision covers them all. A tail (مقالات مشابهة to the end) is grouped by
its heading.
"""

from __future__ import annotations

import gc
import math
import operator
import re
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable
from urllib.parse import urlsplit

from sqlalchemy import delete, func, insert, inspect, select, text
from sqlalchemy.orm import Session
from app.store import driver_of, stored_json

from app.boilerplate import (CUE_REASON, MARKUP_REASON, MENU_ITEM_REASON, MENU_REASON, REASON_SEPARATOR,
                             TAIL_REASON, Block, Line, cue_blocks, fingerprint, forget_line_facts, line_facts,
                             line_key, split_lines)
from app import page_chrome
from app.i18n import _, ngettext, number, pgettext
from app.page_chrome import article_heading_lines, chrome_blocks
from app.models import Annotation, BoilerplateCue, BoilerplateLine, BoilerplateSite, Document, Rejection
from app.project import Project, Span, ids_past_watermark, now_iso
from app.searchindex import ID_CHUNK

WATERMARK = "boilerplate_indexed_through"
BATCH = 5_000  # documents per transaction: big sorted batches keep the inserts together in the B-trees
MIN_COPIES = 3
SITE_SHARE = 0.01
# A repeated short line between two article paragraphs (a subheading such as "خلفية") must be in this
# share of the site's stories to count as chrome; a line of this many characters is article text.
INSIDE_SHARE = 0.3
ARTICLE_LINE_CHARS = 80
# Where in a document a repeated line without a cue sits decides its category guess.
HEAD_SHARE, FOOT_SHARE = 0.25, 0.75
_FINGERPRINT = operator.itemgetter(0)
SITE_KEYS = ("site", "source", "domain", "publisher")
URL_KEYS = ("url", "link", "source_url")


@dataclass(frozen=True)
class Suggestion:
    document_id: int
    start: int
    end: int
    category: str
    reason: str
    fingerprint: int  # the group: blocks with equal fingerprints are copies of one another
    copies: int = 1


def preview(text: str, length: int) -> str:
    """A suggestion's text on one line, cut to `length` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[:length - 1] + "…"


def site_of(meta: dict) -> str:
    """The document's site: a site/source field of its metadata, else the host of its URL ("" if unknown)."""
    for key in SITE_KEYS:
        if isinstance(meta.get(key), str) and meta[key].strip():
            return meta[key].strip().casefold()
    for key in URL_KEYS:
        if isinstance(meta.get(key), str) and meta[key].strip():
            host = urlsplit(meta[key].strip()).hostname or ""
            return host.removeprefix("www.")
    return ""


# ---- keeping the index up to date ----------------------------------------------------------------
def indexed(project: Project) -> bool:
    """Whether any document has been indexed (so that suggestions can be listed without indexing)."""
    return project.info(WATERMARK) is not None


def pending_documents(project: Project) -> int:
    """How many documents the index has not read yet."""
    through = int(project.info(WATERMARK, "0"))
    with project.session() as session:
        return session.scalar(select(text("count(*)")).select_from(Document).where(Document.id > through))


def update(project: Project, progress: Callable[[int, int], None] = lambda done, total: None,
           cancelled: Callable[[], bool] = lambda: False) -> int:
    """Both stages for the documents added since the last run: the index (lines, cues, repetition counts),
    then what each page alone shows (app.page_chrome, ten times slower per document, so a stage of its own
    that the index's speed does not carry). Returns how many documents the index read."""
    indexed = update_index(project, progress, cancelled)
    if not cancelled():
        update_page_chrome(project, progress, cancelled)
    return indexed


def update_index(project: Project, progress: Callable[[int, int], None] = lambda done, total: None,
                 cancelled: Callable[[], bool] = lambda: False) -> int:
    """Index the documents added since the last run, BATCH per transaction; returns how many.

    Cancelling keeps what was committed; the next run goes on from there.
    """
    through = int(project.info(WATERMARK, "0"))
    with project.session() as session:
        ids = list(session.scalars(select(Document.id).where(Document.id > through).order_by(Document.id)))
        indexed = session.scalar(select(func.coalesce(func.sum(BoilerplateSite.documents), 0)))
        if not ids and _lookup_ready(session):
            return 0  # nothing to write: a read-only project lists its suggestions as they are
    # A run that at least doubles the index (the first one, above all) adds the fingerprint lookup
    # after its rows: one sort instead of a million inserts all over an index tree.
    bulk = len(ids) >= max(BATCH, indexed)
    with project.derived_data_connection() as connection:
        try:
            _set_lookup(connection, present=not bulk)
            return _index_documents(connection, ids, progress, cancelled, sort=not bulk)
        finally:
            _set_lookup(connection, present=True)
            forget_line_facts()


LOOKUP = "ix_boilerplate_lines_fingerprint"


def _lookup_ready(session: Session) -> bool:
    """Whether lines can be looked up by fingerprint (not while a bulk index run is under way)."""
    return inspect(session.connection()).has_index("boilerplate_lines", LOOKUP)


def _set_lookup(connection, present: bool) -> None:
    statement = (f"CREATE INDEX IF NOT EXISTS {LOOKUP} ON boilerplate_lines (fingerprint, site_id)" if present
                 else f"DROP INDEX IF EXISTS {LOOKUP}")
    with Session(connection) as session, session.begin():
        session.execute(text(statement))


def _index_documents(connection, ids: list[int], progress: Callable[[int, int], None],
                     cancelled: Callable[[], bool], sort: bool) -> int:
    return _in_batches(connection, ids, BATCH, progress, cancelled,
                       lambda session, batch: _index_batch(session, batch, sort))


def _in_batches(connection, ids: list[int], size: int, progress: Callable[[int, int], None],
                cancelled: Callable[[], bool], work: Callable[[Session, list[int]], None]) -> int:
    """`work` on `size` documents per transaction, until done or cancelled; returns how many were read."""
    done = 0
    for chunk in range(0, len(ids), size):
        if cancelled():
            break
        with Session(connection) as session, session.begin(), _collector_paused():
            work(session, ids[chunk:chunk + size])
        done += len(ids[chunk:chunk + size])
        progress(done, len(ids))
    return done


@contextmanager
def _collector_paused():
    """A batch allocates a million short-lived tuples and makes no reference cycles: the garbage
    collector's passes over them cost a tenth of an index run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _index_batch(session: Session, ids: list[int], sort: bool) -> None:
    # Plain DB-API calls, in the session's transaction: the ORM's per-row work cost more than reading
    # the documents. `ids` is every id of its range (update_index reads all ids past the watermark).
    driver = driver_of(session)
    ids = ids_past_watermark(driver, WATERMARK, ids)  # another window may have indexed them meanwhile
    if not ids:
        return
    rows = driver.execute("SELECT id, text, meta FROM documents WHERE id BETWEEN ? AND ? ORDER BY id",
                          (ids[0], ids[-1])).fetchall()
    names = [site_of(stored_json(meta) or {}) for _, _, meta in rows]
    sites = _site_ids(session, set(names))
    lines, cues, counts, per_site = [], [], {}, {}
    for (document_id, stored, _meta), name in zip(rows, names):
        site = sites[name]
        per_site[site] = per_site.get(site, 0) + 1
        document_lines = split_lines(stored)
        facts = line_facts(document_lines)
        blocks = cue_blocks(stored, document_lines, facts=facts)
        cues += [(document_id, block.start, block.end, block.category, block.reason,
                  _block_print(block, document_lines), "cue") for block in blocks]
        # Not repetition candidates: what cue blocks already cover (a headline listed under
        # "مقالات ذات صلة" on other pages is not chrome of its own article), datelines (every
        # article of a day carries the same one), and article paragraphs (longer than any chrome
        # line without a cue; counting them cost a third of the indexing time).
        covered = {index for block in blocks for index in block.lines}
        candidates = [(fact.fingerprint, site, document_id, line.start, line.end)
                      for index, (line, fact) in enumerate(zip(document_lines, facts))
                      if fact.fingerprint is not None and index not in covered and not fact.dateline]
        lines += candidates
        for p in {row[0] for row in candidates}:
            counts[(p, site)] = counts.get((p, site), 0) + 1
    if sort:
        # In fingerprint order, the rows land in the lookup index's B-tree page after page instead of
        # at random (the table itself only grows at its end). Sorting on a key is twice as fast as
        # comparing whole tuples.
        lines.sort(key=_FINGERPRINT)
    driver.executemany('INSERT INTO boilerplate_lines (fingerprint, site_id, document_id, start, "end") '
                       "VALUES (?, ?, ?, ?, ?)", lines)
    driver.executemany('INSERT INTO boilerplate_cues (document_id, start, "end", category, reason, fingerprint, '
                       "source) VALUES (?, ?, ?, ?, ?, ?, ?)", cues)
    driver.executemany("INSERT INTO boilerplate_counts (fingerprint, site_id, documents) VALUES (?, ?, ?) "
                       "ON CONFLICT (fingerprint, site_id) DO UPDATE SET documents = boilerplate_counts.documents + excluded.documents",
                       sorted((p, s, n) for (p, s), n in counts.items()))
    driver.executemany("UPDATE boilerplate_sites SET documents = documents + ? WHERE id = ?",
                       [(n, s) for s, n in per_site.items()])
    driver.execute("INSERT INTO project_info (key, value) VALUES (?, ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (WATERMARK, str(ids[-1])))


# ---- what each page alone shows (app.page_chrome) ------------------------------------------------------
PAGE_WATERMARK = "boilerplate_pages_through"
PAGE_BATCH = 500


def update_page_chrome(project: Project, progress: Callable[[int, int], None] = lambda done, total: None,
                       cancelled: Callable[[], bool] = lambda: False) -> int:
    """Blocks of chrome the page alone shows, for the documents the index has read since the last run,
    stored beside the cue blocks (source "page"); lines a cue block holds are left to it. Returns how many
    documents were read; cancelling keeps what was committed."""
    through = int(project.info(PAGE_WATERMARK, "0"))
    indexed = int(project.info(WATERMARK, "0"))
    with project.session() as session:
        ids = list(session.scalars(select(Document.id).where(Document.id > through, Document.id <= indexed)
                                   .order_by(Document.id)))
    from app import boilerplate_learning  # it reads this module's watermark and sites

    learned = boilerplate_learning.active(project) if ids else None
    with project.derived_data_connection() as connection:
        return _in_batches(connection, ids, PAGE_BATCH, progress, cancelled,
                           lambda session, batch: _page_batch(session, batch, learned))


def _page_batch(session: Session, ids: list[int], learned=None) -> None:
    """`learned`: the model learnt from the analyst's decisions (app.boilerplate_learning.Learned), if in use."""
    driver = driver_of(session)
    ids = ids_past_watermark(driver, PAGE_WATERMARK, ids)  # another window may have read them meanwhile
    if not ids:
        return
    cue_ranges: dict[int, list[tuple[int, int]]] = {}
    for document_id, start, end in driver.execute(
            'SELECT document_id, start, "end" FROM boilerplate_cues WHERE document_id BETWEEN ? AND ? '
            "AND source = 'cue'", (ids[0], ids[-1])):
        cue_ranges.setdefault(document_id, []).append((start, end))
    rows = []
    for document_id, stored, meta in driver.execute(
            "SELECT id, text, meta FROM documents WHERE id BETWEEN ? AND ? ORDER BY id", (ids[0], ids[-1])):
        lines = split_lines(stored)
        ranges = cue_ranges.get(document_id, ())
        covered = {index for index, line in enumerate(lines) if any(a <= line.start < b for a, b in ranges)}
        site = learned.site(site_of(stored_json(meta) or {})) if learned else None
        rows += [(document_id, block.start, block.end, block.category, block.reason, _block_print(block, lines), "page")
                 for block in chrome_blocks(stored, learned and learned.model, lines=lines, covered=covered,
                                            site=site)]
    driver.executemany('INSERT INTO boilerplate_cues (document_id, start, "end", category, reason, fingerprint, '
                       "source) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    driver.execute("INSERT INTO project_info (key, value) VALUES (?, ?) "
                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (PAGE_WATERMARK, str(ids[-1])))


def _site_ids(session, names: set[str]) -> dict[str, int]:
    known = dict(session.execute(select(BoilerplateSite.name, BoilerplateSite.id)
                                 .where(BoilerplateSite.name.in_(names))).all())
    for name in sorted(names - set(known)):
        known[name] = session.execute(insert(BoilerplateSite).values(name=name, documents=0)
                                      .returning(BoilerplateSite.id)).scalar_one()
    return known


def _block_print(block: Block, lines: list[Line]) -> int:
    """Equal blocks are copies; a tail is the same decision wherever its heading opens one."""
    if block.tail:
        return fingerprint("tail\n" + line_key(lines[block.lines[0]]))
    return fingerprint("\n".join(line_key(lines[index]) for index in block.lines))


# ---- suggestions ---------------------------------------------------------------------------------
def suggestions_for(project: Project, document_id: int, annotator: str | None = None) -> list[Suggestion]:
    """The pending suggestions of one document (what `annotator` has not decided yet), in text order."""
    return _pending(project, {document_id: _document_suggestions(project, document_id)}, annotator)


def all_suggestions(project: Project, annotator: str | None = None) -> list[Suggestion]:
    """Every pending suggestion of the corpus, in document and text order, with its number of copies."""
    by_document: dict[int, list[Suggestion]] = {}
    for document_id in _documents_with_candidates(project):
        by_document[document_id] = _document_suggestions(project, document_id)
    pending = _pending(project, by_document, annotator)
    copies: dict[int, int] = {}
    for suggestion in pending:
        copies[suggestion.fingerprint] = copies.get(suggestion.fingerprint, 0) + 1
    return [replace(suggestion, copies=copies[suggestion.fingerprint]) for suggestion in pending]


def _documents_with_candidates(project: Project) -> list[int]:
    """Documents holding a cue block or a line repeated often enough in its site."""
    with project.session() as session:
        found = set(session.scalars(select(BoilerplateCue.document_id).distinct()))
        frequent = session.execute(text(
            "SELECT c.fingerprint, c.site_id FROM boilerplate_counts c JOIN boilerplate_sites s ON s.id = c.site_id "
            "WHERE c.documents >= :least AND c.documents >= s.documents * :share"),
            {"least": MIN_COPIES, "share": SITE_SHARE}).all()
        for p, site in frequent:
            found.update(session.scalars(select(BoilerplateLine.document_id).where(
                BoilerplateLine.fingerprint == p, BoilerplateLine.site_id == site)))
    return sorted(found)


def _document_suggestions(project: Project, document_id: int) -> list[Suggestion]:
    """Cue blocks and repeated blocks; only cue blocks while a bulk index run has the lookup by
    fingerprint down (repetition counts are not complete then anyway)."""
    with project.session() as session:
        found = session.execute(
            select(BoilerplateCue.start, BoilerplateCue.end, BoilerplateCue.category, BoilerplateCue.reason,
                   BoilerplateCue.fingerprint, BoilerplateCue.source).where(BoilerplateCue.document_id == document_id)
            .order_by(BoilerplateCue.start)).all()
        cues = [Suggestion(document_id, *row[:5]) for row in found if row[5] != "page"]
        page = [Suggestion(document_id, *row[:5]) for row in found if row[5] == "page"]
        stored = session.scalar(select(Document.text).where(Document.id == document_id))
        if document_id > int(project.info(PAGE_WATERMARK, "0")):  # not read by that stage yet: read it now
            page = _page_suggestions(document_id, stored, cues)
        if not _lookup_ready(session):
            return sorted(cues + page, key=lambda suggestion: suggestion.start)
        lines = session.execute(text(
            "SELECT l.start, l.\"end\", l.fingerprint, c.documents, s.documents, s.name, l.site_id "
            "FROM boilerplate_lines l JOIN boilerplate_counts c ON c.fingerprint = l.fingerprint "
            "AND c.site_id = l.site_id JOIN boilerplate_sites s ON s.id = l.site_id "
            "WHERE l.document_id = :d ORDER BY l.start"), {"d": document_id}).all()

        def stories(fingerprint_: int, site: int, needed: int) -> int:
            """Distinct near-duplicate clusters holding the line, counted up to `needed`."""
            return session.execute(text(
                "SELECT count(*) FROM (SELECT DISTINCT coalesce(k.cluster_id, l.document_id) "
                "FROM boilerplate_lines l LEFT JOIN document_clusters k ON k.document_id = l.document_id "
                "WHERE l.fingerprint = :p AND l.site_id = :s LIMIT :n)"),
                {"p": fingerprint_, "s": site, "n": needed}).scalar()

        repeated = _repeated_blocks(document_id, stored, lines, cues, stories)
    # What the page alone finds gives way where a cue or repetition finds it too (their reasons say more).
    page = [piece for suggestion in page for piece in _outside(suggestion, cues + repeated, stored)]
    return sorted(cues + repeated + page, key=lambda suggestion: suggestion.start)


def _page_suggestions(document_id: int, stored: str, cues: list[Suggestion]) -> list[Suggestion]:
    lines = split_lines(stored)
    covered = {index for index, line in enumerate(lines) if any(c.start <= line.start < c.end for c in cues)}
    return [Suggestion(document_id, block.start, block.end, block.category, block.reason, _block_print(block, lines))
            for block in chrome_blocks(stored, lines=lines, covered=covered)]


def _outside(suggestion: Suggestion, others: list[Suggestion], text_: str) -> list[Suggestion]:
    """The parts of `suggestion` no other suggestion covers, each trimmed to its visible text; a part
    other than the whole is a group of its own (fingerprint of its words)."""
    taken = sorted((o.start, o.end) for o in others if o.start < suggestion.end and suggestion.start < o.end)
    if not taken:
        return [suggestion]
    pieces, position = [], suggestion.start
    for start, end in taken + [(suggestion.end, suggestion.end)]:
        piece = text_[position:max(position, start)]
        if piece.strip():
            first = position + len(piece) - len(piece.lstrip())
            last = position + len(piece.rstrip())
            pieces.append(replace(suggestion, start=first, end=last,
                                  fingerprint=fingerprint(" ".join(text_[first:last].split()))))
        position = max(position, end)
    return pieces


def _repeated_blocks(document_id: int, text_: str, lines: list, cues: list[Suggestion], stories) -> list[Suggestion]:
    """Runs of consecutive lines repeated across the site, outside the cue blocks.

    A line counts once per cluster of near-duplicate articles: the paragraphs of one story scraped or
    republished on a site several times are not chrome. `lines` are the document's stored lines (not
    its paragraphs), so whether two are consecutive, and what stands around a run, is read in the text.
    """
    def frequent(row) -> bool:
        needed = max(MIN_COPIES, math.ceil(row[4] * SITE_SHARE))
        return row[3] >= needed and stories(row[2], row[6], needed) >= needed

    def in_cue(row) -> bool:
        return any(cue.start <= row[0] and row[1] <= cue.end for cue in cues)

    heading: list[tuple[int, int]] | None = None  # read only when a line is frequent: most are not

    def names_the_article(row) -> bool:
        nonlocal heading
        if heading is None:
            heading = article_heading_lines(text_)
        return any(start <= row[0] < end for start, end in heading)

    runs: list[list] = []
    for row in lines:
        if not frequent(row) or in_cue(row) or names_the_article(row):
            continue
        if runs and not text_[runs[-1][-1][1]:row[0]].strip():  # nothing but spaces between them
            runs[-1].append(row)
        else:
            runs.append([row])
    blocks = []
    for run in runs:
        first, last = run[0], run[-1]
        if _inside_article(text_, first[0], last[1]) and not _widespread(run, stories):
            continue  # a subheading such as "خلفية" between two paragraphs: article text, even if common
        copies = min(row[3] for row in run)
        # In English, as data (a decided span keeps it in its attrs); describe_reason words it for the analyst.
        reason = (f"repeated in {copies} documents of site {first[5]}" if first[5]
                  else f"repeated in {copies} documents of this corpus (site unknown)")
        blocks.append(Suggestion(
            document_id, first[0], last[1], _position_category(text_, first[0], last[1]),
            reason, fingerprint(" ".join(str(row[2]) for row in run)), copies))
    return blocks


def _inside_article(text_: str, start: int, end: int) -> bool:
    """Article paragraphs (long lines) stand right before and after [start, end)."""
    before = text_[:start].rstrip().rsplit("\n", 1)[-1].strip()
    after = text_[end:].lstrip().split("\n", 1)[0].strip()
    return len(before) >= ARTICLE_LINE_CHARS and len(after) >= ARTICLE_LINE_CHARS


def _widespread(run: list, stories) -> bool:
    """Found in INSIDE_SHARE of the site's stories: chrome even in the middle of a page (an ad line)."""
    return all(stories(row[2], row[6], math.ceil(row[4] * INSIDE_SHARE)) >= math.ceil(row[4] * INSIDE_SHARE)
               for row in run)


def _position_category(text_: str, start: int, end: int) -> str:
    """Chrome at the top of a page is navigation, at the bottom a footer."""
    if not text_[end:].strip() or start / max(len(text_), 1) >= FOOT_SHARE:
        return "footer"
    if not text_[:start].strip() or start / max(len(text_), 1) < HEAD_SHARE:
        return "navigation"
    return "other"


def _pending(project: Project, by_document: dict[int, list[Suggestion]], annotator: str | None) -> list[Suggestion]:
    """Leave out what the analyst decided: blocks their boilerplate spans cover, and rejected groups."""
    covered: dict[int, list[tuple[int, int]]] = {}
    spans = select(Annotation.document_id, Annotation.start, Annotation.end).where(Annotation.layer == "boilerplate")
    rejections = select(Rejection.form).where(Rejection.layer == "boilerplate")
    if annotator is not None:  # else: what no analyst has decided
        annotator_id = project._known_annotator_id(annotator)
        spans = spans.where(Annotation.annotator_id == annotator_id)
        rejections = rejections.where(Rejection.annotator_id == annotator_id)
    ids = list(by_document)
    with project.session() as session:
        for chunk in range(0, len(ids), ID_CHUNK):
            for document_id, start, end in session.execute(
                    spans.where(Annotation.document_id.in_(ids[chunk:chunk + ID_CHUNK]))):
                covered.setdefault(document_id, []).append((start, end))
        rejected = set(session.scalars(rejections))
    return [suggestion for document_id in sorted(by_document) for suggestion in by_document[document_id]
            if str(suggestion.fingerprint) not in rejected
            and not any(start <= suggestion.start and suggestion.end <= end
                        for start, end in covered.get(document_id, ()))]


# ---- what a suggestion's reason says, in the interface's language -------------------------------------
_REPEATED = re.compile(r"repeated in (?P<copies>\d+) documents of (?:site (?P<site>.+)|this corpus \(site unknown\))",
                       re.DOTALL)
_PHRASE = '(?P<phrase>[^"\n]*)'
# Most specific first: the plain cue reason is the start of the menu-item one.
_REASON_PARTS = tuple((re.compile(re.escape(template).replace(re.escape("{phrase}"), _PHRASE)), template)
                      for template in (MENU_ITEM_REASON, CUE_REASON, TAIL_REASON, MENU_REASON, MARKUP_REASON,
                                       *page_chrome.REASONS))


def describe_reason(reason: str) -> str:
    """A suggestion's reason (stored in English: app.boilerplate's templates, joined with ", ", or a
    repetition count) as the interface shows it; a reason of another shape is shown as it is."""
    repeated = _REPEATED.fullmatch(reason)
    if repeated:
        copies = int(repeated["copies"])
        if repeated["site"] is None:
            message = ngettext("repeated in {copies} document of this corpus (site unknown)",
                               "repeated in {copies} documents of this corpus (site unknown)", copies)
        else:
            message = ngettext("repeated in {copies} document of site {site}",
                               "repeated in {copies} documents of site {site}", copies)
        return message.format(copies=number(copies), site=repeated["site"])
    parts, position = [], 0
    while position < len(reason):
        if parts:
            if not reason.startswith(REASON_SEPARATOR, position):
                return reason
            position += len(REASON_SEPARATOR)
        for pattern, template in _REASON_PARTS:
            found = pattern.match(reason, position)
            if found:
                parts.append(_(template).format(**found.groupdict()))
                position = found.end()
                break
        else:
            return reason
    return pgettext("list separator", ", ").join(parts) if parts else reason


# ---- decisions -------------------------------------------------------------------------------------
def copies(project: Project, suggestion: Suggestion, annotator: str | None = None) -> list[Suggestion]:
    """Every pending copy of a suggestion's group in the corpus (the suggestion itself included)."""
    with project.session() as session:
        cue_documents = set(session.scalars(select(BoilerplateCue.document_id).where(
            BoilerplateCue.fingerprint == suggestion.fingerprint)))
        first_line = session.execute(select(BoilerplateLine.fingerprint, BoilerplateLine.site_id).where(
            BoilerplateLine.document_id == suggestion.document_id,
            BoilerplateLine.start == suggestion.start)).first()
        line_documents = set() if first_line is None else set(session.scalars(
            select(BoilerplateLine.document_id).where(BoilerplateLine.fingerprint == first_line[0],
                                                      BoilerplateLine.site_id == first_line[1])))
    candidates = {document_id: _document_suggestions(project, document_id)
                  for document_id in sorted(cue_documents | line_documents | {suggestion.document_id})}
    return [found for found in _pending(project, candidates, annotator) if found.fingerprint == suggestion.fingerprint]


def accept(project: Project, group: list[Suggestion], annotator: str, category: str) -> list[Span]:
    """Every copy becomes the analyst's boilerplate span of `category` (provenance "detected"), in one
    transaction; returns the spans (deleting them undoes the decision)."""
    return project.add_annotations(
        Span(copy.document_id, annotator, "boilerplate", category, copy.start, copy.end, provenance="detected",
             attrs={"reason": copy.reason})
        for copy in group)


def reject(project: Project, suggestion: Suggestion, annotator: str) -> None:
    """Not boilerplate: the group is not suggested to this analyst again, anywhere."""
    with project.session.begin() as session:
        session.execute(insert(Rejection).values(
            annotator_id=project._ensure_annotator(session, annotator), layer="boilerplate",
            label=suggestion.category, form=str(suggestion.fingerprint), created_at=now_iso()))


def forget_rejection(project: Project, suggestion: Suggestion, annotator: str) -> None:
    """Undo of `reject`."""
    with project.session.begin() as session:
        session.execute(delete(Rejection).where(
            Rejection.layer == "boilerplate", Rejection.form == str(suggestion.fingerprint),
            Rejection.annotator_id == project._known_annotator_id(annotator)))
