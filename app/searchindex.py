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
    """Index (document id, stored text) pairs; `connection` is the store's raw driver (app.store.driver_of)
    or an sqlite3 connection."""
    _index_of(connection).add(rows)


def index_all_documents(connection, batch: int = 2_000) -> None:
    """Index every document (migration step 4); `connection` is an sqlite3 connection."""
    reader = connection.execute("SELECT id, text FROM documents ORDER BY id")
    while rows := reader.fetchmany(batch):
        add_documents(connection, rows)


# --- narrowing a query -----------------------------------------------------------------------------


def match_tree(query: str, *, clitics: bool = True, similar: bool = False, vocabulary: str = ""):
    """What every document with a hit of `query` holds, as a tree of index terms: a set of terms is "any of
    these", ("and", [...]) and ("or", [...]) combine them. Each index renders it in its own query language.

    None when the index cannot narrow the search (the query holds no word character). With `similar`,
    `vocabulary` must be the index's terms, one per line (see `vocabulary`).
    """
    words = fold(query).split()
    conditions = []
    for index, word in enumerate(words):
        word_tokens = tokens(word)
        if not word_tokens:
            continue
        first_of_query = index == 0 and clitics and is_word_char(word[0])
        first = _prefixed_first_tokens(word) if first_of_query else {word_tokens[0]}
        condition = ("and", [frozenset(first)] + [frozenset({token}) for token in word_tokens[1:]])
        if similar and len(word) >= SIMILAR_MIN_LENGTH:
            # A similar spelling is one word of the text (وروسيا for و-روسيا too): one term.
            variants = similar_terms(vocabulary, word, clitics and index == 0)
            if variants:
                condition = ("or", [condition, frozenset(variants)])
        conditions.append(condition)
    return ("and", conditions) if conditions else None


def match_expression(query: str, *, clitics: bool = True, similar: bool = False,
                     vocabulary: str = "") -> str | None:
    """The FTS5 MATCH expression of `match_tree`."""
    tree = match_tree(query, clitics=clitics, similar=similar, vocabulary=vocabulary)
    return None if tree is None else _fts5(tree)


def _fts5(node) -> str:
    if isinstance(node, frozenset):
        return "(" + " OR ".join(_quoted(term) for term in sorted(node)) + ")"
    operator, parts = node
    return "(" + f" {operator.upper()} ".join(_fts5(part) for part in parts) + ")"


def _prefixed_first_tokens(word: str) -> set[str]:
    """The first token of `word` as the text may write it: bare, behind a proclitic, or contracted."""
    forms = [word] + [prefix + word for prefix in PROCLITICS]
    forms += [lam + contracted for contracted in _lam_contractions([word]) for lam in LAM_PROCLITICS]
    return {first for form in forms if (first := next(iter(tokens(form)), None))}


def vocabulary(connection) -> str:
    """Every term of the index, one per line (`connection`: the store's raw driver, or sqlite3's).

    Read from the whole index (about 0.3 s for 100,000 documents), so callers keep the result while the
    corpus does not change.
    """
    return _index_of(connection).vocabulary()


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


def candidate_ids(connection, query) -> list[int]:
    """Ids of the documents satisfying `query` (a match tree, or an FTS5 expression on SQLite), ascending."""
    return _index_of(connection).candidates(query)


def _index_of(connection):
    """The index behind a store's raw driver (app.store.driver_of); a bare sqlite3 connection (migration
    step 4, the benchmarks) has the file's."""
    return connection.search if hasattr(connection, "search") else Fts5Index(connection)


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


# --- the two indexes -------------------------------------------------------------------------------
class Fts5Index:
    """The index in a project file: a contentless FTS5 table, rowid = document id."""

    def __init__(self, driver):
        self.driver = driver

    def create(self) -> None:
        self.driver.execute(CREATE_TABLE)

    def add(self, rows: Iterable[tuple[int, str]]) -> None:
        self.driver.executemany(f"INSERT INTO {TABLE} (rowid, text) VALUES (?, ?)",
                                [(document_id, index_form(text)) for document_id, text in rows])

    def vocabulary(self) -> str:
        self.driver.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{TABLE}_terms "
                            f"USING fts5vocab(main, {TABLE}, row)")
        return "\n".join(term for (term,) in self.driver.execute(f"SELECT term FROM temp.{TABLE}_terms"))

    def candidates(self, query) -> list[int]:
        expression = query if isinstance(query, str) else _fts5(query)
        rows = self.driver.execute(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? ORDER BY rowid", (expression,))
        return [document_id for (document_id,) in rows]


# FTS5 keeps at most this many bytes of a token, indexing and querying alike; the server index does the same.
FTS5_TOKEN_BYTES = 32_768
TERMS_TABLE = "search_terms"


class TermsIndex:
    """The index on a database server: one row per (term, document), the terms cut here exactly as the
    SQLite index tokenizes (these tokens, ASCII lower-cased, at most 32,768 bytes), so a query finds the
    same documents on both. The server's own text search is not used: its parser splits and folds words by
    its own rules. Terms are looked up by their md5 (an index key holds at most about 2.7 kB; a token may be
    32 kB), the term itself kept for the vocabulary."""

    def __init__(self, driver):
        self.driver = driver

    def create(self) -> None:
        self.driver.execute(f"CREATE TABLE {TERMS_TABLE} (term TEXT NOT NULL, "
                            "document_id INTEGER NOT NULL REFERENCES documents (id))")
        self.driver.execute(f"CREATE UNIQUE INDEX ix_{TERMS_TABLE}_term ON {TERMS_TABLE} (md5(term), document_id)")

    def add(self, rows: Iterable[tuple[int, str]]) -> None:
        self.driver.executemany(f"INSERT INTO {TERMS_TABLE} (term, document_id) VALUES (?, ?)",
                                [(term, document_id) for document_id, text in rows
                                 for term in sorted(set(map(fts5_term, tokens(text))))])

    def vocabulary(self) -> str:
        return "\n".join(term for (term,) in self.driver.execute(f"SELECT DISTINCT term FROM {TERMS_TABLE}"))

    def candidates(self, tree) -> list[int]:
        parameters: list[str] = []
        statement = self._sql(tree, parameters)
        # DISTINCT: a document holding two of one condition's terms (روسيا and لروسيا) is one candidate.
        rows = self.driver.execute(f"SELECT DISTINCT document_id FROM ({statement}) AS found ORDER BY document_id",
                                   parameters)
        return [document_id for (document_id,) in rows]

    def _sql(self, node, parameters: list[str]) -> str:
        if isinstance(node, frozenset):
            terms = sorted({fts5_term(term) for term in node})
            parameters.extend(terms)
            marks = ", ".join(["md5(?)"] * len(terms))
            return f"SELECT document_id FROM {TERMS_TABLE} WHERE md5(term) IN ({marks})"
        operator, parts = node
        joiner = " INTERSECT " if operator == "and" else " UNION "
        return joiner.join(f"({self._sql(part, parameters)})" for part in parts)


_ASCII_UPPER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fts5_term(token: str) -> str:
    """A token as FTS5's ascii tokenizer stores it: ASCII letters lower-cased, cut at 32,768 bytes. A cut
    through a character keeps part of its bytes, which text on a server cannot hold: they follow U+FFFF
    (never in a folded text) as hex digits, so two tokens FTS5 tells apart stay apart."""
    token = token.translate(_ASCII_UPPER)
    encoded = token.encode("utf-8")
    if len(encoded) <= FTS5_TOKEN_BYTES:
        return token
    cut = encoded[:FTS5_TOKEN_BYTES]
    whole = cut.decode("utf-8", "ignore")
    partial = cut[len(whole.encode("utf-8")):]
    return whole + ("\uffff" + partial.hex() if partial else "")
