"""Shingles of the article body, a one-permutation MinHash, LSH buckets and the exact Jaccard check:
the comparing half of app.duplicates, in plain Python (no numpy), imported only when documents are
compared.

The signature is one-permutation hashing with optimal densification (Shrivastava & Li 2014,
"Densifying one permutation hashing"; Shrivastava 2017, "Optimal densification for fast and accurate
minwise hashing"): each shingle is hashed once; the top bits of its hash pick one of PERMUTATIONS bins,
and a bin keeps the smallest hash that falls in it, so a document costs a sort of its shingles instead
of PERMUTATIONS hash functions over each. A bin no shingle fell into borrows the value of the first
filled bin on a probe sequence of its own (the same in every document), so two documents with a Jaccard
similarity J agree on a bin with probability J, as with separate hash functions. A value keeps the bits
naming its bin, so a borrowed value never matches a value found in the bin itself.

Stored signatures and buckets mean what this scheme makes of them: a project indexed with the earlier
one (128 numpy hash functions) is emptied by schema step 7 (app.migrations) and indexed again.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from operator import eq

from app.boilerplate import SHORT_LINE_WORDS, Line, cue_blocks, split_lines
from app.duplicates import (BANDS, CLUSTER_SCORE, ESTIMATE_MARGIN, PERMUTATIONS, SHINGLE_WORDS, STORED_SCORE,
                            WATERMARK)
from app.project import ids_past_watermark

_MASK = 0xFFFFFFFFFFFFFFFF
# A shingle's hash: a polynomial in its words' CRC-32s mod 2^64 (base the FNV-1 prime; the shingles
# numpy made before, so the same Jaccard scores), then the splitmix64 finalizer, a bijection whose
# top bits (the bin) and order depend on every bit of the polynomial: the polynomial alone is linear
# in the word hashes, and shingles of two articles built on one template would share bins too often.
# Fixed constants: stored buckets must keep their meaning from one run to the next.
_BASE = 0x100000001B3
_MIX = ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, None))  # shift, then multiplier
_SLOT = 128  # bits per shingle in the packed integers below: 5 products of 32 and 64 bits fit in one
# All shingles of a document come from a few operations on big integers holding one value per _SLOT
# bits: the word hashes times a kernel (the polynomial's coefficients) leave in slot j the polynomial
# of the SHINGLE_WORDS words ending at word j, and the finalizer runs on every slot at once (a mask
# keeps each slot's low 64 bits: the arithmetic mod 2^64).
_KERNELS = [sum(pow(_BASE, width - 1 - k, 1 << 64) << (_SLOT * (width - 1 - k)) for k in range(width))
            for width in range(SHINGLE_WORDS + 1)]
_BIN_BITS = (PERMUTATIONS - 1).bit_length()
_TOP_BYTE = 7 if sys.byteorder == "little" else 0  # of a 64-bit value in an array's bytes
_BIN_OF_TOP_BYTE = bytes(top >> (8 - _BIN_BITS) for top in range(256))
_NO_VALUE = 0xFFFFFFFF  # every value of the signature of a document without shingles
assert PERMUTATIONS == 1 << _BIN_BITS and _BIN_BITS <= 8 and array("I").itemsize == 4 and array("Q").itemsize == 8


def body_shingles(text: str, lines: list[Line] | None = None, blocks: list | None = None) -> set[int]:
    """Shingles of the article body: the set of 64-bit hashes of SHINGLE_WORDS consecutive folded words.

    The body leaves out the blocks cue phrases point at (a related-links tail holds whole other
    articles) and lines of at most SHORT_LINE_WORDS words (chrome, headings, captions).
    """
    return set(_shingle_hashes(_body_words(text, lines, blocks), {}))


def _body_words(text: str, lines: list[Line] | None, blocks: list | None) -> list[str]:
    lines = split_lines(text) if lines is None else lines
    blocks = cue_blocks(text, lines) if blocks is None else blocks
    cut = {index for block in blocks for index in block.lines}
    words: list[str] = []
    for index, line in enumerate(lines):
        if index not in cut and line.word_count > SHORT_LINE_WORDS:
            words += line.words or line.folded.split()
    return words


def _shingle_hashes(words: list[str], known: dict[str, bytes]) -> array:
    """The hashes of a document's shingles, largest first (repeated shingles repeated). Each distinct
    word is hashed once (CRC-32, as one _SLOT of little-endian bytes) and kept in `known` (one per index
    batch: news articles share most of their words); the shingles are then made without a Python step
    per shingle."""
    count = len(words)
    if not count:
        return array("Q")
    new = set(words).difference(known)
    if new:
        known.update({word: zlib.crc32(word.encode("utf-8")).to_bytes(_SLOT // 8, "little") for word in new})
    width = min(SHINGLE_WORDS, count)
    low = _low_halves(count + width)
    value = int.from_bytes(b"".join(map(known.__getitem__, words)), "little") * _KERNELS[width] & low
    for shift, multiplier in _MIX:
        value ^= (value >> shift) & low
        if multiplier:
            value = value * multiplier & low
    slots = array("Q", value.to_bytes(_SLOT // 8 * (count + width), "little"))
    if sys.byteorder != "little":
        slots.byteswap()
    return array("Q", sorted(slots[2 * (width - 1):2 * count:2], reverse=True))


_low_mask = (0, 0)  # the mask, and how many slots it covers; replaced whole, so threads never see half of it
_KEPT_SLOTS = 1 << 16


def _low_halves(slots: int) -> int:
    """The low 64 bits of each of at least `slots` slots (kept up to a megabyte, grown by doubling)."""
    if slots > _KEPT_SLOTS:
        return int.from_bytes((b"\xff" * 8 + b"\x00" * 8) * slots, "little")
    global _low_mask
    mask, covered = _low_mask
    if covered < slots:
        covered = max(slots, 2 * covered)
        mask = int.from_bytes((b"\xff" * 8 + b"\x00" * 8) * covered, "little")
        _low_mask = (mask, covered)
    return mask


def _signature_of(descending: array) -> array:
    """The signature of shingle hashes sorted largest first: for each bin, the top 32 bits of its smallest
    hash (the bin number among them); an empty bin takes the value of the first filled bin on its probe
    sequence."""
    if not descending:
        return array("I", [_NO_VALUE] * PERMUTATIONS)
    # The last value a bin gets is its smallest.
    smallest = dict(zip(descending.tobytes()[_TOP_BYTE::8].translate(_BIN_OF_TOP_BYTE), descending))
    empty = _BINS.difference(smallest)
    if empty:  # borrowed from bins filled by the document's own shingles
        filled = smallest.copy()
        for bin_ in empty:
            smallest[bin_] = filled[next(other for other in _PROBES[bin_] if other in filled)]
    return array("I", map(_TOP_32_BITS, map(smallest.__getitem__, range(PERMUTATIONS))))


def _probe_sequences() -> list[tuple[int, ...]]:
    """For each bin, every other bin in an order of its own (fixed: a splitmix64 of bin and position)."""
    def mixed(value: int) -> int:
        value = (value + 0x9E3779B97F4A7C15) & _MASK
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK
        return value ^ (value >> 31)

    return [tuple(sorted((other for other in range(PERMUTATIONS) if other != bin_),
                         key=lambda other: mixed(bin_ * PERMUTATIONS + other)))
            for bin_ in range(PERMUTATIONS)]


_PROBES = _probe_sequences()
_BINS = frozenset(range(PERMUTATIONS))
_TOP_32_BITS = (32).__rrshift__  # value >> 32


def signature(shingles) -> array:
    """One-permutation MinHash of shingle hashes (body_shingles': their top bits must be well mixed):
    PERMUTATIONS 32-bit values (an array of "I"), densified."""
    return _signature_of(array("Q", sorted(shingles, reverse=True)))


def band_buckets(signature_) -> list[int]:
    """One bucket id per band (a signed 64-bit hash of the band's rows)."""
    packed = array("I", signature_).tobytes()
    width = len(packed) // BANDS
    chunks = [packed[start:start + width] for start in range(0, len(packed), width)]
    # CRC-32 above Adler-32, as a signed 64-bit integer (minus 2^64 when the CRC's top bit is set).
    return [((crc << 32) | adler) - ((crc >> 31) << 64)
            for crc, adler in zip(map(zlib.crc32, chunks), map(zlib.adler32, chunks))]


def jaccard(a, b) -> float:
    """Exact Jaccard similarity of two sets of shingle hashes (sets, or sequences with repeats)."""
    a, b = (value if isinstance(value, (set, frozenset)) else set(value) for value in (a, b))
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _agreement(a, b) -> float:
    """The share of signature values two documents agree on: an estimate of their Jaccard."""
    return sum(map(eq, a, b)) / PERMUTATIONS


def index_batch(db, ids: list[int]) -> None:
    ids = ids_past_watermark(db, WATERMARK, ids)  # another window may have indexed them meanwhile
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    known: dict[str, bytes] = {}
    bodies = {document_id: _shingle_hashes(_body_words(text, None, None), known) for document_id, text in db.execute(
        f"SELECT id, text FROM documents WHERE id IN ({marks}) ORDER BY id", ids)}
    signatures = {document_id: _signature_of(shingles) for document_id, shingles in bodies.items()}
    signature_rows, pair_rows = [], []  # written at the end, in one go each (nothing below reads them)
    for document_id in sorted(bodies):
        shingles, mine = bodies[document_id], signatures[document_id]
        buckets = band_buckets(mine) if shingles else []
        others = _sharing_a_bucket(db, buckets)
        _load_signatures(db, [other for other in others if other not in signatures], signatures)
        scores = {}
        for other in others:
            # The signatures estimate the Jaccard (±0.05 at 0.5); only a plausible pair is read again.
            if _agreement(mine, signatures[other]) < STORED_SCORE - ESTIMATE_MARGIN:
                continue
            score = jaccard(shingles, bodies[other] if other in bodies else _stored_shingles(db, other))
            if score >= STORED_SCORE:
                scores[other] = score
        signature_rows.append((document_id, mine.tobytes()))
        db.executemany("INSERT INTO duplicate_bands (band, bucket, document_id) VALUES (?, ?, ?)",
                       [(band, bucket, document_id) for band, bucket in enumerate(buckets)])
        pair_rows += [pair for other, score in scores.items()
                      for pair in ((document_id, other, score), (other, document_id, score))]
        _join_clusters(db, document_id, [other for other, score in scores.items() if score >= CLUSTER_SCORE])
    db.executemany("INSERT INTO duplicate_signatures (document_id, signature) VALUES (?, ?)", signature_rows)
    db.executemany("INSERT INTO duplicate_pairs (document_id, other_id, score) VALUES (?, ?, ?)", pair_rows)
    db.execute("INSERT INTO project_info (key, value) VALUES (?, ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (WATERMARK, str(ids[-1])))


def _load_signatures(db, ids: list[int], into: dict) -> None:
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ",".join("?" * len(part))
        for document_id, blob in db.execute(
                f"SELECT document_id, signature FROM duplicate_signatures WHERE document_id IN ({marks})", part):
            stored = array("I")
            stored.frombytes(blob)
            into[document_id] = stored


def _sharing_a_bucket(db, buckets: list[int]) -> list[int]:
    if not buckets:
        return []
    # One statement for all bands: SQLite answers an OR of primary-key lookups with one index probe each.
    where = " OR ".join(["(band = ? AND bucket = ?)"] * len(buckets))
    values = [value for pair in enumerate(buckets) for value in pair]
    return sorted({document_id for (document_id,) in db.execute(
        f"SELECT document_id FROM duplicate_bands WHERE {where}", values)})


def _stored_shingles(db, document_id: int) -> set[int]:
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
