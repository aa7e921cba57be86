"""Near-duplicate articles: the same story republished by several outlets, or scraped twice.

Each document's article body (its lines minus the cue-phrase boilerplate and the short chrome lines)
is cut into shingles of SHINGLE_WORDS folded words. A MinHash signature of PERMUTATIONS hashes,
split into BANDS bands (LSH), puts alike documents in a shared bucket; only those pairs are compared,
by the exact Jaccard similarity of their shingle sets. Pairs scoring at least STORED_SCORE are kept,
and documents scoring at least CLUSTER_SCORE with one another form a cluster (the boilerplate index
counts a repeated line once per cluster, so a story carried by five outlets is not taken for chrome).

Indexing is incremental: `index_documents` is called by the boilerplate indexer for each batch of new
documents, against the buckets already stored.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

import numpy as np

from app.boilerplate import SHORT_LINE_WORDS, Line, cue_blocks, split_lines
from app.normalize import fold

_WORDS = re.compile(r"[^\W_]+")

SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 32  # 4 rows a band: pairs above a Jaccard of ~0.4 share a bucket with high probability
STORED_SCORE = 0.5
CLUSTER_SCORE = 0.8
# How far below STORED_SCORE a signature estimate may fall and still get the exact check (about three
# standard deviations of a 128-hash estimate).
ESTIMATE_MARGIN = 0.15
# Multiply-shift hashing: (a·x + b) mod 2^64, top 32 bits; odd a. Fixed seed: stored buckets must
# keep their meaning from one run to the next.
_RANDOM = np.random.default_rng(20241122)
_A = _RANDOM.integers(1, 1 << 63, PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RANDOM.integers(0, 1 << 63, PERMUTATIONS, dtype=np.uint64)
_SHIFT = np.uint64(32)


@dataclass(frozen=True)
class Body:
    """What the near-duplicate test looks at in one document."""

    document_id: int
    shingles: np.ndarray


def body_shingles(text: str, lines: list[Line] | None = None, blocks: list | None = None) -> np.ndarray:
    """Shingles of the article body: sorted unique 64-bit hashes of SHINGLE_WORDS consecutive folded words.

    The body leaves out the blocks cue phrases point at (a related-links tail holds whole other
    articles) and lines of at most SHORT_LINE_WORDS words (chrome, headings, captions). Each word is
    hashed once (CRC-32); a shingle's hash combines its words' with numpy, so a document costs one
    hash call per word rather than per shingle.
    """
    lines = split_lines(text) if lines is None else lines
    blocks = cue_blocks(text, lines) if blocks is None else blocks
    cut = {index for block in blocks for index in block.lines}
    words: list[str] = []
    for index, line in enumerate(lines):
        if index not in cut and line.word_count > SHORT_LINE_WORDS:
            words += line.words or line.folded.split()
    if not words:
        return _NO_SHINGLES
    hashes = np.fromiter((zlib.crc32(word.encode("utf-8")) for word in words), dtype=np.uint64, count=len(words))
    width = min(SHINGLE_WORDS, len(hashes))
    combined = np.zeros(len(hashes) - width + 1, dtype=np.uint64)
    for offset in range(width):  # a polynomial in the word hashes, mod 2^64
        combined = combined * _BASE + hashes[offset:offset + len(combined)]
    return np.unique(combined)


_NO_SHINGLES = np.zeros(0, dtype=np.uint64)
_BASE = np.uint64(0x100000001B3)  # the FNV-1 prime


def signature(shingles: np.ndarray) -> np.ndarray:
    """MinHash: for each of PERMUTATIONS hash functions, the smallest hash of any shingle."""
    if not len(shingles):
        return np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64)
    return ((np.multiply.outer(_A, shingles) + _B[:, None]) >> _SHIFT).min(axis=1)


def band_buckets(signature_: np.ndarray) -> list[int]:
    """One bucket id per band (a signed 64-bit hash of the band's rows)."""
    rows = PERMUTATIONS // BANDS
    buckets = []
    for band in range(BANDS):
        chunk = signature_[band * rows:(band + 1) * rows].tobytes()
        value = (zlib.crc32(chunk) << 32) | zlib.adler32(chunk)
        buckets.append(value - (1 << 64) if value >= 1 << 63 else value)
    return buckets


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets (sorted unique arrays)."""
    if not len(a) or not len(b):
        return 0.0
    shared = len(np.intersect1d(a, b, assume_unique=True))
    return shared / (len(a) + len(b) - shared)


# ---- the index -------------------------------------------------------------------------------------
WATERMARK = "duplicates_indexed_through"
BATCH = 500


def pending_documents(project) -> int:
    through = int(project.info(WATERMARK, "0"))
    with project.engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM documents WHERE id > ?", (through,)).scalar()


def update_index(project, progress=lambda done, total: None, cancelled=lambda: False) -> int:
    """Compare the documents added since the last run with every document before them (and each
    other); returns how many were read. One transaction per BATCH; cancelling keeps those."""
    through = int(project.info(WATERMARK, "0"))
    with project.engine.connect() as connection:
        ids = [row[0] for row in connection.exec_driver_sql(
            "SELECT id FROM documents WHERE id > ? ORDER BY id", (through,))]
    done = 0
    with project.derived_data_connection() as connection:
        for chunk in range(0, len(ids), BATCH):
            if cancelled():
                break
            with connection.begin():
                _index_batch(connection.connection.driver_connection, ids[chunk:chunk + BATCH])
            done += len(ids[chunk:chunk + BATCH])
            progress(done, len(ids))
    return done


def _index_batch(db, ids: list[int]) -> None:
    marks = ",".join("?" * len(ids))
    bodies = {document_id: body_shingles(text) for document_id, text in db.execute(
        f"SELECT id, text FROM documents WHERE id IN ({marks}) ORDER BY id", ids)}
    signatures = {document_id: signature(shingles).astype(np.uint32) for document_id, shingles in bodies.items()}
    for document_id in sorted(bodies):
        shingles, mine = bodies[document_id], signatures[document_id]
        buckets = band_buckets(mine) if len(shingles) else []
        others = _sharing_a_bucket(db, buckets)
        _load_signatures(db, [other for other in others if other not in signatures], signatures)
        scores = {}
        for other in others:
            # The signatures estimate the Jaccard (±0.05 at 0.5); only a plausible pair is read again.
            if float(np.mean(mine == signatures[other])) < STORED_SCORE - ESTIMATE_MARGIN:
                continue
            score = jaccard(shingles, bodies[other] if other in bodies else _stored_shingles(db, other))
            if score >= STORED_SCORE:
                scores[other] = score
        db.execute("INSERT INTO duplicate_signatures (document_id, signature) VALUES (?, ?)",
                   (document_id, mine.tobytes()))
        db.executemany("INSERT INTO duplicate_bands (band, bucket, document_id) VALUES (?, ?, ?)",
                       [(band, bucket, document_id) for band, bucket in enumerate(buckets)])
        db.executemany("INSERT INTO duplicate_pairs (document_id, other_id, score) VALUES (?, ?, ?)",
                       [pair for other, score in scores.items()
                        for pair in ((document_id, other, score), (other, document_id, score))])
        _join_clusters(db, document_id, [other for other, score in scores.items() if score >= CLUSTER_SCORE])
    db.execute("INSERT INTO project_info (key, value) VALUES (?, ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (WATERMARK, str(ids[-1])))


def _load_signatures(db, ids: list[int], into: dict) -> None:
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ",".join("?" * len(part))
        for document_id, blob in db.execute(
                f"SELECT document_id, signature FROM duplicate_signatures WHERE document_id IN ({marks})", part):
            into[document_id] = np.frombuffer(blob, dtype=np.uint32)


def _sharing_a_bucket(db, buckets: list[int]) -> list[int]:
    if not buckets:
        return []
    # One statement for all bands: SQLite answers an OR of primary-key lookups with one index probe each.
    where = " OR ".join(["(band = ? AND bucket = ?)"] * len(buckets))
    values = [value for pair in enumerate(buckets) for value in pair]
    return sorted({row[0] for row in db.execute(f"SELECT document_id FROM duplicate_bands WHERE {where}", values)})


def _stored_shingles(db, document_id: int) -> np.ndarray:
    (text,) = db.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
    return body_shingles(text)  # a few per new document at most: the estimate filtered the rest


def _join_clusters(db, document_id: int, alike: list[int]) -> None:
    """The new document joins the clusters of the documents it is a near-duplicate of (merging them)."""
    clusters = {row[0] for other in alike for row in db.execute(
        "SELECT cluster_id FROM document_clusters WHERE document_id = ?", (other,))}
    target = min(clusters | {document_id})
    for cluster in clusters - {target}:
        db.execute("UPDATE document_clusters SET cluster_id = ? WHERE cluster_id = ?", (target, cluster))
    db.execute("INSERT INTO document_clusters (document_id, cluster_id) VALUES (?, ?)", (document_id, target))


# ---- reading it ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Similar:
    document_id: int
    score: float


def similar_documents(project, document_id: int, threshold: float = STORED_SCORE) -> list[Similar]:
    """The documents whose article body is alike this one's, most alike first."""
    with project.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT other_id, score FROM duplicate_pairs WHERE document_id = ? AND score >= ? "
            "ORDER BY score DESC, other_id", (document_id, threshold)).all()
    return [Similar(other, score) for other, score in rows]


def clusters(project, threshold: float = CLUSTER_SCORE) -> list[tuple[list[int], list[tuple[int, int, float]]]]:
    """Groups of documents linked by pairs scoring at least `threshold` (connected components), each with
    its pairs (a < b); largest groups first."""
    if threshold < STORED_SCORE:
        raise ValueError(f"pairs below {STORED_SCORE} are not kept; the threshold must be at least that")
    with project.engine.connect() as connection:
        pairs = connection.exec_driver_sql(
            "SELECT document_id, other_id, score FROM duplicate_pairs WHERE document_id < other_id AND score >= ? "
            "ORDER BY document_id, other_id", (threshold,)).all()
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b, _ in pairs:
        parent[root(a)] = root(b)
    members: dict[int, list[int]] = {}
    for node in parent:
        members.setdefault(root(node), []).append(node)
    linked: dict[int, list[tuple[int, int, float]]] = {}
    for a, b, score in pairs:
        linked.setdefault(root(a), []).append((a, b, score))
    groups = [(sorted(nodes), linked.get(key, [])) for key, nodes in members.items()]
    return sorted(groups, key=lambda group: (-len(group[0]), group[0][0]))


# ---- sentences shared with other documents -------------------------------------------------------------
SHARED_MIN_WORDS = 6
SHARED_MAX_DOCUMENTS = 20  # enough to say a sentence is widely quoted; reading on would cost time
_SENTENCE_END = re.compile(r"[.!?؟…]+[\"'»”)]*(?=\s|$)|\n+")


@dataclass(frozen=True)
class SharedSentence:
    start: int
    end: int
    documents: tuple[int, ...]  # other documents holding the same sentence (at most SHARED_MAX_DOCUMENTS)


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: cut after . ! ? ؟ … (with closing quotes) and at line breaks; spaces trimmed."""
    found, start = [], 0
    for end_mark in _SENTENCE_END.finditer(text):
        end = end_mark.end() if end_mark.group()[0] != "\n" else end_mark.start()
        found.append((start, end))
        start = end_mark.end()
    found.append((start, len(text)))
    trimmed = []
    for start, end in found:
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            trimmed.append((start + lead, start + len(piece.rstrip())))
    return trimmed


_QUOTATION = re.compile(r'["“«„]([^"”»“«\n]+)["”»]')


def quotations(text: str) -> list[tuple[int, int]]:
    """What stands between quotation marks ("…", «…», “…”): a quote outlets carry inside sentences of
    their own."""
    return [(found.start(1), found.end(1)) for found in _QUOTATION.finditer(text) if found.group(1).strip()]


def shared_sentences(project, document_id: int, cancelled=lambda: False) -> list[SharedSentence]:
    """The sentences and quotations of a document (of at least SHARED_MIN_WORDS words) that other
    documents carry too, found with the corpus search (its index and matching engine, so spelling
    differences such as كثيرًا / كثيرا do not hide a reuse)."""
    from app.search import search_documents  # search imports the project layer; keep this module light

    text = project.document_text(document_id)
    shared = []
    for start, end in sorted(set(sentences(text)) | set(quotations(text))):
        if cancelled():
            break
        sentence = text[start:end]
        if len(_WORDS.findall(fold(sentence))) < SHARED_MIN_WORDS:
            continue
        others = []
        for other, _name, _text, _hits in search_documents(project, sentence):
            if other != document_id:
                others.append(other)
                if len(others) >= SHARED_MAX_DOCUMENTS:
                    break
        if others:
            shared.append(SharedSentence(start, end, tuple(others)))
    return shared
