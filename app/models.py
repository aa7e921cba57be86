"""The project file's tables (SQLAlchemy 2 typed models).

Offsets (`start`, `end`) are Python code-point offsets, end-exclusive, into
`documents.text`, which never changes after import.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


# Fingerprints and LSH buckets are signed 64-bit hashes: SQLite's INTEGER holds them, PostgreSQL needs BIGINT
# (its INTEGER is 32-bit). The SQLite schema stays as it was.
Hash64 = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON}


class ProjectInfo(Base):
    """Key/value facts about the project (creator version, guidelines, …)."""

    __tablename__ = "project_info"
    key: Mapped[str] = mapped_column(primary_key=True)
    value: Mapped[str]


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(index=True)
    path: Mapped[str | None]
    text: Mapped[str]
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    imported_at: Mapped[str]


class Annotator(Base):
    __tablename__ = "annotators"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[str]


class Label(Base):
    """One entry of the label schema: an entity type, later stance targets etc."""

    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("layer", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    layer: Mapped[str]
    name: Mapped[str]
    color: Mapped[str]
    shortcut: Mapped[str | None]
    description: Mapped[str] = mapped_column(default="")
    position: Mapped[int] = mapped_column(default=0)


class Annotation(Base):
    __tablename__ = "annotations"
    __table_args__ = (
        # Document-level annotations (a later layer) carry no offsets.
        CheckConstraint(
            '("start" IS NULL AND "end" IS NULL) OR ("start" >= 0 AND "end" > "start")',
            name="valid_span",
        ),
        Index("ix_annotations_doc_annotator_layer", "document_id", "annotator_id", "layer"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable across copies of the project, so merging a file twice updates instead of duplicating.
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="RESTRICT"))
    layer: Mapped[str]
    label: Mapped[str]
    start: Mapped[int | None]
    end: Mapped[int | None]
    attrs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    provenance: Mapped[str] = mapped_column(default="manual")
    created_at: Mapped[str]
    updated_at: Mapped[str]


class DocumentStatus(Base):
    """Each analyst's progress on a document: new, in_progress or done."""

    __tablename__ = "document_status"
    __table_args__ = (CheckConstraint("status IN ('new', 'in_progress', 'done')", name="known_status"),)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[str]
    updated_at: Mapped[str]


class Rejection(Base):
    """A proposal the analyst turned down, so it is not proposed again.

    With a document and offsets: that one occurrence. Without: the (form, label)
    pair everywhere ("reject all"). `form` is the folded form of the proposed text.
    """

    __tablename__ = "rejections"
    __table_args__ = (Index("ix_rejections_form_label", "form", "label", "layer"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"))
    layer: Mapped[str]
    label: Mapped[str]
    form: Mapped[str]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    start: Mapped[int | None]
    end: Mapped[int | None]
    created_at: Mapped[str]


# ---- boilerplate index (app/boilerplate_index.py) ---------------------------------------------
class BoilerplateSite(Base):
    """A source site, from a document's metadata ("" when unknown): lines repeat within a site."""

    __tablename__ = "boilerplate_sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    documents: Mapped[int] = mapped_column(default=0)  # its documents indexed so far


class BoilerplateLine(Base):
    """One non-blank line of a document: where it is and the fingerprint of its folded words."""

    __tablename__ = "boilerplate_lines"
    # Keyed by place, so an index run appends; the lookup by fingerprint is an index of its own, which a
    # first run over many documents builds at the end (app.boilerplate_index.update_index).
    __table_args__ = (Index("ix_boilerplate_lines_fingerprint", "fingerprint", "site_id"), {"sqlite_with_rowid": False})
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    start: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    end: Mapped[int]
    fingerprint: Mapped[int] = mapped_column(Hash64)
    site_id: Mapped[int] = mapped_column(ForeignKey("boilerplate_sites.id"))


class BoilerplateCount(Base):
    """In how many documents of a site a line fingerprint occurs (kept up to date by the indexer)."""

    __tablename__ = "boilerplate_counts"
    __table_args__ = ({"sqlite_with_rowid": False},)
    fingerprint: Mapped[int] = mapped_column(Hash64, primary_key=True, autoincrement=False)
    site_id: Mapped[int] = mapped_column(ForeignKey("boilerplate_sites.id"), primary_key=True)
    documents: Mapped[int]


class BoilerplateCue(Base):
    """A block a document's own cue phrases point at (app.boilerplate.cue_blocks)."""

    __tablename__ = "boilerplate_cues"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    category: Mapped[str]
    reason: Mapped[str]
    fingerprint: Mapped[int] = mapped_column(Hash64)  # of the block's folded words: equal blocks are copies
    # "cue": the cue phrases say so; "page": the page alone does (app.page_chrome), which gives way to
    # repetition where both find the same lines (repetition's reason says more).
    source: Mapped[str] = mapped_column(server_default="cue")


# ---- near-duplicate articles (app/duplicates.py) ------------------------------------------------
class DuplicateBand(Base):
    """LSH: one band of a document's MinHash signature; documents sharing a bucket are compared."""

    __tablename__ = "duplicate_bands"
    __table_args__ = ({"sqlite_with_rowid": False},)
    band: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    bucket: Mapped[int] = mapped_column(Hash64, primary_key=True, autoincrement=False)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)


class DuplicateSignature(Base):
    """A document's MinHash signature (PERMUTATIONS 32-bit values): estimates the Jaccard of a pair before
    the exact check, which has to read the other document again."""

    __tablename__ = "duplicate_signatures"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    signature: Mapped[bytes]


class DuplicatePair(Base):
    """Two documents whose article bodies are alike: the exact Jaccard similarity of their word shingles.
    Stored both ways round."""

    __tablename__ = "duplicate_pairs"
    __table_args__ = ({"sqlite_with_rowid": False},)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[float]


class DocumentCluster(Base):
    """The cluster of near-duplicate articles a document belongs to (the smallest document id in it)."""

    __tablename__ = "document_clusters"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(index=True)


class LearnedModel(Base):
    """A model learnt from the project's own annotations (app.assistant), with what it learnt from and how
    it scored held out (`about`)."""

    __tablename__ = "learned_models"
    name: Mapped[str] = mapped_column(primary_key=True)
    data: Mapped[bytes]
    about: Mapped[dict[str, Any]] = mapped_column(default=dict)
    trained_at: Mapped[str]


class Assignment(Base):
    """A document given to an analyst to annotate (by an admin: by hand, or N analysts per document, round
    robin): their queue. Who assigned it and when are kept for the team's record."""

    __tablename__ = "assignments"
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    assigned_by: Mapped[str]
    assigned_at: Mapped[str]
