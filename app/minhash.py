"""MinHash over the article body, LSH buckets and the exact Jaccard check: the numpy half of
app.duplicates, imported only when documents are compared (numpy costs start-up time and memory the
window does not otherwise need)."""

from __future__ import annotations

import zlib

import numpy as np

from app.boilerplate import SHORT_LINE_WORDS, Line, cue_blocks, split_lines
from app.duplicates import (BANDS, CLUSTER_SCORE, ESTIMATE_MARGIN, PERMUTATIONS, SHINGLE_WORDS, STORED_SCORE,
                            WATERMARK)
from app.project import ids_past_watermark

# Multiply-shift hashing: (a·x + b) mod 2^64, top 32 bits; odd a. Fixed seed: stored buckets must
# keep their meaning from one run to the next.
_RANDOM = np.random.default_rng(20241122)
_A = _RANDOM.integers(1, 1 << 63, PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _RANDOM.integers(0, 1 << 63, PERMUTATIONS, dtype=np.uint64)
_SHIFT = np.uint64(32)


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


def index_batch(db, ids: list[int]) -> None:
    ids = ids_past_watermark(db, WATERMARK, ids)  # another window may have indexed them meanwhile
    if not ids:
        return
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
