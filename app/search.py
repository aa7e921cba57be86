"""Corpus search: every match of a query in the project's documents, via the matching engine.

Offsets are code points into each document's stored text. The search index
(app.searchindex) picks the documents that can hold the query; the engine then
reads only those, in document order, so the first hits arrive at once.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from sqlalchemy import select

from app import searchindex
from app.store import driver_of
from app.matching import SIMILAR_MIN_LENGTH, find_all, similar_variants
from app.models import Document
from app.normalize import fold
from app.project import Project


@dataclass(frozen=True)
class Hit:
    document_id: int
    document: str  # the document's name
    start: int
    end: int
    text: str
    kind: str = "exact"
    prefix: str = ""

    def as_json(self) -> dict:
        return {"document": self.document, "start": self.start, "end": self.end, "text": self.text,
                "kind": self.kind}


@dataclass(frozen=True)
class Scope:
    """Where hits count: anywhere, only inside entities of one type, or only outside all annotations."""

    inside_label: str | None = None
    outside_annotations: bool = False
    annotator: str | None = None  # whose annotations define the scope (None: everyone's)

    @property
    def needs_spans(self) -> bool:
        return self.inside_label is not None or self.outside_annotations

    def admits(self, start: int, end: int, spans: list) -> bool:
        if self.inside_label is not None:
            return any(s.label == self.inside_label and s.start <= start and end <= s.end for s in spans)
        if self.outside_annotations:
            return not any(s.start < end and start < s.end for s in spans)
        return True


def iter_documents(project: Project, document_ids: Iterable[int] | None = None,
                   cancelled: Callable[[], bool] = lambda: False,
                   progress: Callable[[int, int], None] = lambda done, total: None) -> Iterator[tuple[int, str, str]]:
    """(id, name, text) in document order, reporting progress after each; stops when `cancelled()`.

    `document_ids` (any order, repeats allowed) limits it to those documents; None means all.
    """
    columns = select(Document.id, Document.name, Document.text).order_by(Document.id)
    with project.session() as session:
        if document_ids is None:
            total = project.document_count()
            rows = session.execute(columns).yield_per(500)
        else:
            ids = sorted(set(document_ids))
            total = len(ids)
            rows = (row for chunk in range(0, total, searchindex.ID_CHUNK)
                    for row in session.execute(columns.where(Document.id.in_(ids[chunk:chunk + searchindex.ID_CHUNK]))))
        for done, row in enumerate(rows, start=1):
            if cancelled():
                return
            yield tuple(row)
            progress(done, total)


def candidate_documents(project: Project, queries: Iterable[str], *, similar: bool = False,
                        within: Iterable[int] | None = None) -> list[int] | None:
    """Ids of the documents that may hold any of `queries` (ascending), from the search index.

    None when the index cannot narrow the search and every document has to be read.
    """
    found: set[int] = set()
    for ids in candidates_by_query(project, queries, similar=similar).values():
        if ids is None:
            return None if within is None else sorted(set(within))
        found.update(ids)
    if within is not None:
        found &= set(within)
    return sorted(found)


def candidates_by_query(project: Project, queries: Iterable[str], *,
                        similar: bool = False) -> dict[str, list[int] | None]:
    """For each query, the ids of the documents that may hold it; None where the index cannot tell
    (a query with no word character)."""
    found: dict[str, list[int] | None] = {}
    with project.engine.connect() as connection:
        driver = driver_of(connection)
        vocabulary = _vocabulary(project, driver) if similar else ""
        for query in dict.fromkeys(queries):
            tree = searchindex.match_tree(query, similar=similar, vocabulary=vocabulary)
            found[query] = None if tree is None else driver.search.candidates(tree)
    return found


# Each open project's index vocabulary, with the newest document id it was read at: documents are
# only ever added, so a new id means new terms.
_VOCABULARIES: "weakref.WeakKeyDictionary[Project, tuple[int, str]]" = weakref.WeakKeyDictionary()
_VOCABULARY_LOCK = threading.Lock()  # searches run in worker threads


def _vocabulary(project: Project, driver) -> str:
    newest = driver.execute("SELECT coalesce(max(id), 0) FROM documents").fetchone()[0]
    with _VOCABULARY_LOCK:
        cached = _VOCABULARIES.get(project)
        if cached is None or cached[0] != newest:
            cached = _VOCABULARIES[project] = (newest, driver.search.vocabulary())
    return cached[1]


def search_project(project: Project, query: str, **options) -> Iterator[Hit]:
    """Hits in document order, then text order; stops early when `cancelled()` turns true.

    Options as for `search_documents`.
    """
    for _document_id, _name, _text, hits in search_documents(project, query, **options):
        yield from hits


def search_documents(project: Project, query: str, *, similar: bool = False, keep_prefix: bool = False,
                     scope: Scope = Scope(), document_ids: Iterable[int] | None = None,
                     cancelled: Callable[[], bool] = lambda: False,
                     progress: Callable[[int, int], None] = lambda done, total: None,
                     ) -> Iterator[tuple[int, str, str, list[Hit]]]:
    """(id, name, stored text, hits) for each document with hits, in document order.

    Progress counts the documents read (those the index could not rule out).
    """
    if not query.strip():
        return
    candidates = candidate_documents(project, [query], similar=similar, within=document_ids)
    variants = corpus_variants(project, query) if similar else None
    for document_id, name, text in iter_documents(project, candidates, cancelled, progress):
        hits = list(_document_hits(project, document_id, name, text, query, similar, keep_prefix, scope, variants))
        if hits:
            yield document_id, name, text, hits


def corpus_variants(project: Project, query: str) -> list[list[str]] | None:
    """The similar spellings of each word of `query` that the corpus holds (see matching.find_all):
    worked out once from the index vocabulary, rather than from each document's words."""
    words = fold(query).split()
    with project.engine.connect() as connection:
        vocabulary = _vocabulary(project, driver_of(connection))
    close: set[str] = set()
    for index, word in enumerate(words):
        if len(word) >= SIMILAR_MIN_LENGTH:
            close |= searchindex.similar_terms(vocabulary, word, index == 0)
    return similar_variants(close, words, clitics=True)


def _document_hits(project, document_id, name, text, query, similar, keep_prefix, scope,
                   variants=None) -> Iterator[Hit]:
    matches = find_all(text, query, similar=similar, keep_prefix=keep_prefix, variants=variants)
    spans = []
    if matches and scope.needs_spans:
        spans = [s for s in project.annotations(document_id, annotator=scope.annotator) if s.start is not None]
    for match in matches:
        if scope.admits(match.start, match.end, spans):
            yield Hit(document_id, name, match.start, match.end, match.text, match.kind, match.prefix)


def context_around(text: str, start: int, end: int, chars: int) -> tuple[str, str]:
    """Up to `chars` characters before and after [start, end), for keyword-in-context lists.

    Runs of spaces become one space, but a line break stays a line break ("\n", one for a run of blank
    lines): flattened into a space, a date line would run into the sentence after it, and a list shows
    the break as a mark. A window that starts (or ends) inside another line is cut at that line's break
    instead of showing a few stray letters of it; one that starts or ends inside a word drops that
    piece of a word."""
    first, last = max(0, start - chars), min(len(text), end + chars)
    before, after = text[first:start], text[end:last]
    if first > 0:
        before = _cut_head(before, starts_line=text[first - 1] == "\n", starts_word=text[first - 1].isspace())
    if last < len(text):
        after = _cut_head(after[::-1], starts_line=text[last] == "\n", starts_word=text[last].isspace())[::-1]
    return _tidy(before), _tidy(after)


def _cut_head(window: str, starts_line: bool, starts_word: bool) -> str:
    """The window without the piece of a line (else of a word) it begins with. The break or space
    where the cut falls is kept: it shows the reader that something came before."""
    if starts_line:
        return window
    newline = window.find("\n")
    if newline >= 0:
        return window[newline:]
    if starts_word or window[:1].isspace():
        return window
    space = next((index for index, char in enumerate(window) if char.isspace()), -1)
    return window[space:] if space >= 0 else window  # one long word: keep its piece


def _tidy(piece: str) -> str:
    """A run of white space holding a line break becomes one "\n", any other run one space; no
    spaces at the ends."""
    return _OTHER_SPACES.sub(" ", _BREAKS.sub("\n", piece)).strip(" ")


_BREAKS = re.compile(r"\s*\n\s*")
_OTHER_SPACES = re.compile(r"[^\S\n]+")
