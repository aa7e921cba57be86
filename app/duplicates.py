"""Near-duplicate articles: the same story republished by several outlets, or scraped twice.

Each document's article body (its lines minus the cue-phrase boilerplate and the short chrome lines)
is cut into shingles of SHINGLE_WORDS folded words. A MinHash signature of PERMUTATIONS values (one
permutation hashed into PERMUTATIONS bins, densified: app.minhash), split into BANDS bands (LSH), puts
alike documents in a shared bucket; only those pairs are compared, by the exact Jaccard similarity of
their shingle sets. Pairs scoring at least STORED_SCORE are kept, and documents scoring at least
CLUSTER_SCORE with one another form a cluster (the boilerplate index counts a repeated line once per
cluster, so a story carried by five outlets is not taken for chrome).

Indexing is incremental: `update_index` compares the documents added since its last run with the
buckets already stored. The comparing half (shingles, MinHash, buckets, Jaccard; plain Python) is
app.minhash, imported only then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.normalize import WORDS, fold
from app.store import driver_of


SHINGLE_WORDS = 5
PERMUTATIONS = 128
BANDS = 32  # 4 rows a band: pairs above a Jaccard of ~0.4 share a bucket with high probability
STORED_SCORE = 0.5
CLUSTER_SCORE = 0.8
# How far below STORED_SCORE a signature estimate may fall and still get the exact check (about three
# standard deviations of a 128-hash estimate).
ESTIMATE_MARGIN = 0.15
# ---- the index -------------------------------------------------------------------------------------
WATERMARK = "duplicates_indexed_through"
BATCH = 500


def pending_documents(project) -> int:
    through = int(project.info(WATERMARK, "0"))
    with project.engine.connect() as connection:
        return driver_of(connection).execute("SELECT count(*) FROM documents WHERE id > ?", (through,)).fetchone()[0]


def update_index(project, progress=lambda done, total: None, cancelled=lambda: False) -> int:
    """Compare the documents added since the last run with every document before them (and each
    other); returns how many were read. One transaction per BATCH; cancelling keeps those."""
    through = int(project.info(WATERMARK, "0"))
    with project.engine.connect() as connection:
        ids = [row[0] for row in driver_of(connection).execute(
            "SELECT id FROM documents WHERE id > ? ORDER BY id", (through,))]
    done = 0
    if not ids:
        return 0
    from app import minhash  # only when there is something to compare
    with project.derived_data_connection() as connection:
        for chunk in range(0, len(ids), BATCH):
            if cancelled():
                break
            with connection.begin():
                minhash.index_batch(driver_of(connection), ids[chunk:chunk + BATCH])
            done += len(ids[chunk:chunk + BATCH])
            progress(done, len(ids))
    return done


# ---- reading it ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Similar:
    document_id: int
    score: float


def similar_documents(project, document_id: int, threshold: float = STORED_SCORE) -> list[Similar]:
    """The documents whose article body is alike this one's, most alike first."""
    with project.engine.connect() as connection:
        rows = driver_of(connection).execute(
            "SELECT other_id, score FROM duplicate_pairs WHERE document_id = ? AND score >= ? "
            "ORDER BY score DESC, other_id", (document_id, threshold)).fetchall()
    return [Similar(other, score) for other, score in rows]


def clusters(project, threshold: float = CLUSTER_SCORE) -> list[tuple[list[int], list[tuple[int, int, float]]]]:
    """Groups of documents linked by pairs scoring at least `threshold` (connected components), each with
    its pairs (a < b); largest groups first."""
    if threshold < STORED_SCORE:
        raise ValueError(f"pairs below {STORED_SCORE} are not kept; the threshold must be at least that")
    with project.engine.connect() as connection:
        pairs = driver_of(connection).execute(
            "SELECT document_id, other_id, score FROM duplicate_pairs WHERE document_id < other_id AND score >= ? "
            "ORDER BY document_id, other_id", (threshold,)).fetchall()
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
        if len(WORDS.findall(fold(sentence))) < SHARED_MIN_WORDS:
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


_MINHASH_NAMES = {"body_shingles", "signature", "band_buckets", "jaccard"}


def __getattr__(name: str):
    """body_shingles, signature, band_buckets, jaccard: from app.minhash, imported on first use."""
    if name in _MINHASH_NAMES:
        from app import minhash
        return getattr(minhash, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
