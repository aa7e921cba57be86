"""The corpus search index: which documents can hold a query, so the engine reads only those.

An SQLite FTS5 table over every document's folded text (app.normalize with the default folds),
one token per word. It only narrows the search: the matching engine still runs on each candidate
document's stored text, so every hit, offset and rule (clitics, phrases, spellings) is the engine's.
The index must therefore never leave out a document the engine would find something in:

- Tokens are exactly the engine's words: runs of word characters (app.words.is_word_char) in the
  folded text. FTS5's own unicode61 tokenizer judges characters by the Unicode tables compiled into
  the SQLite library, which differ from Python's (on SQLite 3.40, U+061D and the Arabic symbols of
  Unicode 14 count as letters), so the text is split here: every non-ASCII character that is not a
  word character becomes a space, and FTS5's `ascii` tokenizer splits on spaces and ASCII punctuation.
- A query word behind a proclitic (لروسيا) is another token, so the first word of a query is looked
  up with every prefix the engine allows (and the ل + ال contraction, للفيروس).
- Similar spellings look their variants up in the index's vocabulary (fts5vocab), with one regex
  pass over all its terms.

The table is contentless (the text is in `documents`) and stores no positions (detail=none): about
0.35 bytes of index per byte of text. The importer adds each document in its own transaction
(`add_documents`); migration step 4 indexed the documents of older projects.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

from app.matching import LAM_PROCLITICS, PROCLITICS, SIMILAR_MIN_LENGTH, _close_cores, _lam_contractions
from app.normalize import ByteFold, _char_class, fold
from app.words import is_word_char

TABLE = "search_index"
CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
    "text, tokenize = 'ascii', detail = none, content = '', columnsize = 0)"
)
# What FTS5's ascii tokenizer splits on: every ASCII character but letters and digits.
_ASCII_SEPARATORS = re.compile(r"[\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# sqlite3 takes at most 32,766 parameters (SQLite >= 3.32); ids are looked up in chunks of this.
ID_CHUNK = 500


def index_form(text: str) -> str:
    """The folded text with every non-word character outside ASCII turned into a space."""
    try:
        return _byte_fold().apply(text)
    except UnicodeEncodeError:  # a character outside ASCII and COMMON_CHARACTERS
        return _general_index_form(text)


def _general_index_form(text: str) -> str:
    spaced = _non_ascii_separators().sub(" ", fold(text))
    if _ASTRAL.search(spaced):
        spaced = _ASTRAL.sub(lambda char: char.group() if is_word_char(char.group()) else " ", spaced)
    return spaced


@lru_cache(maxsize=1)
def _non_ascii_separators() -> re.Pattern:
    """Non-word characters of the Basic Multilingual Plane outside ASCII, as one class.

    Kept to the BMP so `re` compiles it to a lookup table (a class reaching past U+FFFF is
    checked range by range, about 40 times slower); astral characters are judged one by one.
    One space per character, as ByteFold gives.
    """
    points = [cp for cp in range(0x80, 0x10000)
              if not 0xD800 <= cp <= 0xDFFF and not is_word_char(chr(cp))]
    return re.compile(_char_class(points))


@lru_cache(maxsize=1)
def _byte_fold() -> ByteFold:
    # What keeps importing (which indexes every document) above 7,500 documents/s.
    return ByteFold(_general_index_form)


def tokens(text: str) -> list[str]:
    """The index's tokens of a text, in order."""
    return [token for token in _ASCII_SEPARATORS.split(index_form(text)) if token]


def add_documents(connection, rows: Iterable[tuple[int, str]]) -> None:
    """Index (document id, stored text) pairs; `connection` is a DB-API connection or cursor."""
    connection.executemany(f"INSERT INTO {TABLE} (rowid, text) VALUES (?, ?)",
                           [(document_id, index_form(text)) for document_id, text in rows])


def index_all_documents(connection, batch: int = 2_000) -> None:
    """Index every document (migration step 4); `connection` is an sqlite3 connection."""
    reader = connection.execute("SELECT id, text FROM documents ORDER BY id")
    while rows := reader.fetchmany(batch):
        add_documents(connection, rows)


# --- narrowing a query -----------------------------------------------------------------------------


def match_expression(query: str, *, clitics: bool = True, similar: bool = False,
                     vocabulary: str = "") -> str | None:
    """An FTS5 MATCH expression every document with a hit of `query` satisfies.

    None when the index cannot narrow the search (the query holds no word character). With
    `similar`, `vocabulary` must be the index's terms, one per line (see `vocabulary`).
    """
    words = fold(query).split()
    conditions = []
    for index, word in enumerate(words):
        word_tokens = tokens(word)
        if not word_tokens:
            continue
        first_of_query = index == 0 and clitics and is_word_char(word[0])
        first = _prefixed_first_tokens(word) if first_of_query else {word_tokens[0]}
        condition = " AND ".join([_any_of(first)] + [_any_of({token}) for token in word_tokens[1:]])
        if similar and len(word) >= SIMILAR_MIN_LENGTH:
            # A similar spelling is one word of the text (وروسيا for و-روسيا too): one term.
            variants = similar_terms(vocabulary, word, clitics and index == 0)
            if variants:
                condition = f"({condition}) OR {_any_of(variants)}"
        conditions.append(f"({condition})")
    return " AND ".join(conditions) if conditions else None


def _any_of(terms: set[str]) -> str:
    return "(" + " OR ".join(_quoted(term) for term in sorted(terms)) + ")"


def _prefixed_first_tokens(word: str) -> set[str]:
    """The first token of `word` as the text may write it: bare, behind a proclitic, or contracted."""
    forms = [word] + [prefix + word for prefix in PROCLITICS]
    forms += [lam + contracted for contracted in _lam_contractions([word]) for lam in LAM_PROCLITICS]
    return {first for form in forms if (first := next(iter(tokens(form)), None))}


def vocabulary(connection) -> str:
    """Every term of the index, one per line (`connection`: DB-API).

    FTS5 lists its terms by reading its whole index (about 0.3 s for 100,000 documents), so
    callers keep the result while the corpus does not change.
    """
    connection.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{TABLE}_terms "
                       f"USING fts5vocab(main, {TABLE}, row)")
    return "\n".join(term for (term,) in connection.execute(f"SELECT term FROM temp.{TABLE}_terms"))


def similar_terms(vocabulary: str, word: str, strip_clitic: bool) -> set[str]:
    """The terms of `vocabulary` (one per line) that are a similar spelling of the folded `word`.

    One regex pass over the whole vocabulary finds the terms one edit (or two letter positions)
    away, behind any proclitic; app.matching's own rule then decides on those few.
    """
    return {term for term in _neighbours(word, strip_clitic).findall(vocabulary)
            if _close_cores(term, word, strip_clitic)}


@lru_cache(maxsize=64)
def _neighbours(word: str, strip_clitic: bool) -> re.Pattern:
    """Whole lines within one substitution, insertion or deletion of `word`, or two substitutions."""
    size = len(word)
    parts = [re.escape(word[:i]) + "." + re.escape(word[i + 1:]) for i in range(size)]
    parts += [re.escape(word[:i] + word[i + 1:]) for i in range(size)]
    parts += [re.escape(word[:i]) + "." + re.escape(word[i:]) for i in range(size + 1)]
    parts += [re.escape(word[:i]) + "." + re.escape(word[i + 1:j]) + "." + re.escape(word[j + 1:])
              for i in range(size) for j in range(i + 1, size)]
    prefix = "(?:" + "|".join(map(re.escape, PROCLITICS)) + ")?" if strip_clitic else ""
    return re.compile(f"^{prefix}(?:{'|'.join(parts)})$", re.MULTILINE)


def candidate_ids(connection, expression: str) -> list[int]:
    """Ids of the documents satisfying a MATCH expression, ascending (`connection`: DB-API)."""
    rows = connection.execute(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY rowid", (expression,))
    return [document_id for (document_id,) in rows]


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'
