"""Synthetic but realistic Arabic inputs for the benchmarks, all built from seeds/*.txt.

Everything here is deterministic (fixed seeds), so two runs measure the same data.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
from itertools import cycle
from pathlib import Path

from app import packagedata, words

EMOJI = "\U0001F600"  # 😀, an astral character: two UTF-16 units in Qt
LABELS = ("PERS", "LOC", "ORG", "GPE")
BIG_DOC_CHARS = 1_000_000
EMOJI_EVERY = 5_000
SMALL_DOC_BYTES = 4_096
# Bump when the generated 100k-document project would change, so a stale cache is rebuilt.
GENERATOR_VERSION = 1

# A run of word characters the way app.words sees them (letters, marks, digits, tatweel, joiners).
WORD = re.compile(r"(?:[^\W_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d])+")


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in packagedata.demo_articles()]


def seed_paragraphs() -> list[str]:
    """Non-trivial lines of the seed articles (some seeds use single newlines between paragraphs)."""
    found = []
    for text in seed_texts():
        found += [line.strip() for line in text.splitlines() if len(line.strip()) >= 20]
    return found


# ---- the 1 MB document ---------------------------------------------------------
def big_document() -> str:
    """The seed articles repeated to 1,000,000 code points, with 😀 every ~5,000 characters."""
    base = "\n\n".join(seed_texts())
    repeated = ("\n\n".join([base] * (BIG_DOC_CHARS // len(base) + 2)))
    pieces, position = [], 0
    while position < BIG_DOC_CHARS:
        cut = repeated.find(" ", position + EMOJI_EVERY)
        pieces.append(repeated[position:cut])
        pieces.append(" " + EMOJI)
        position = cut
    return "".join(pieces)[:BIG_DOC_CHARS]


def word_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of every word, already as snap_to_words would leave it."""
    found = []
    for match in WORD.finditer(text):
        start, end = words.snap_to_words(text, match.start(), match.end())
        if start < end and (not found or start >= found[-1][1]):
            found.append((start, end))
    return found


def big_document_spans(text: str, total: int = 10_000) -> tuple[list[tuple[int, int, str]], list[tuple[int, int]]]:
    """10,000 spans spread over the document, and words left free for adding spans.

    Top-level spans never overlap each other; every tenth one covers three words
    and has a one-word span nested in its middle word (so some spans are nested).
    Returns (spans as (start, end, label), free word ranges between the groups).
    """
    ranges = word_ranges(text)
    groups = total * 10 // 11 + 1  # 10 singles + 1 triple-with-nested per 11 spans
    stride = len(ranges) // groups
    assert stride >= 6, "document too short for the requested number of spans"
    labels = cycle(LABELS)
    spans: list[tuple[int, int, str]] = []
    free: list[tuple[int, int]] = []
    for group in range(groups):
        first = group * stride
        if group % 10 == 0:
            spans.append((ranges[first][0], ranges[first + 2][1], next(labels)))
            spans.append((ranges[first + 1][0], ranges[first + 1][1], next(labels)))
        else:
            spans.append((ranges[first][0], ranges[first][1], next(labels)))
        free.append(ranges[first + stride // 2])
        if len(spans) >= total:
            break
    return spans[:total], free


# ---- ~4 KB documents ---------------------------------------------------------------
def small_documents(count: int, seed: int = 1, start: int = 0):
    """Yield (name, text) for `count` distinct ~4 KB (UTF-8) articles made of shuffled seed paragraphs.

    Each starts with a numbered title, so no two have the same hash.
    """
    paragraphs = seed_paragraphs()
    generator = random.Random(seed)
    for number in range(start, start + count):
        parts = [f"وثيقة رقم {number}: {generator.choice(paragraphs)[:60]}"]
        size = len(parts[0].encode("utf-8"))
        while size < SMALL_DOC_BYTES:
            paragraph = generator.choice(paragraphs)
            parts.append(paragraph)
            size += len(paragraph.encode("utf-8")) + 2
        data = "\n\n".join(parts).encode("utf-8")[:SMALL_DOC_BYTES]
        text = data.decode("utf-8", errors="ignore")
        text = text[: text.rfind(" ")] + "\n"
        yield f"doc_{number:06d}.txt", text


def write_small_documents(folder: Path, count: int) -> int:
    """Write the ~4 KB documents as .txt files; returns the total bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, text in small_documents(count):
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        total += len(data)
    return total


# ---- a 100,000-document project (cached) -----------------------------------------------
def build_large_project(path: Path, count: int, batch: int = 5_000) -> None:
    """Create a project and bulk-insert `count` ~4 KB documents through SQLAlchemy Core.

    The rows are what the importer would write (name, path, text, sha256, meta,
    imported_at, and the search index); it is only faster because it skips file
    reading and durability. Written to a temporary name and renamed when complete.
    """
    from sqlalchemy import create_engine, event, insert

    from app import searchindex
    from app.models import Document
    from app.project import Project, now_iso

    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    Project.create(partial).close()

    engine = create_engine(f"sqlite:///{partial}")

    @event.listens_for(engine, "connect")
    def _fast(dbapi_connection, _record):  # a throw-away build: durability is not needed
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()

    stamp = now_iso()
    documents = small_documents(count, seed=100)
    try:
        for offset in range(0, count, batch):
            rows = []
            for name, text in (next(documents) for _ in range(min(batch, count - offset))):
                rows.append({
                    "name": name, "path": f"/corpus/{name}", "text": text,
                    "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "meta": {}, "imported_at": stamp,
                })
            with engine.begin() as connection:
                connection.execute(insert(Document), rows)
                first_id = connection.exec_driver_sql("SELECT max(id) FROM documents").scalar() - len(rows) + 1
                searchindex.add_documents(connection.connection.driver_connection,
                                          [(first_id + n, row["text"]) for n, row in enumerate(rows)])
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    os.replace(partial, path)
