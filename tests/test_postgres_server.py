"""The PostgreSQL server the team-mode tests run against (issue 18): a real server, started by the tests
themselves, on which the project's tables are created and rows round-trip through the ORM."""

from __future__ import annotations

from sqlalchemy import BigInteger, create_engine, select, text
from sqlalchemy.orm import Session

from app.models import Annotation, Annotator, Base, Document


def test_the_project_tables_are_created_on_a_real_server_and_rows_round_trip(postgres_url):
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SHOW lc_collate")).scalar() == "C"  # byte order, as SQLite sorts
            assert connection.execute(text("SHOW server_encoding")).scalar() == "UTF8"
        Base.metadata.create_all(engine)
        with Session(engine) as session, session.begin():
            document = Document(name="٠٠١.txt", path=None, text="قال 😀 سامي حداد", sha256="a" * 64,
                                meta={"site": "example.com", "شيء": [1, 2]}, imported_at="2026-12-07T00:00:00Z")
            annotator = Annotator(name="أمل", created_at="2026-12-07T00:00:00Z")
            session.add_all([document, annotator])
            session.flush()
            session.add(Annotation(document_id=document.id, annotator_id=annotator.id, layer="entity",
                                   label="PERS", start=6, end=15, uid="u1", attrs={"note": "ملاحظة"},
                                   created_at="", updated_at=""))
        with Session(engine) as session:
            stored = session.scalars(select(Document)).one()
            assert stored.text == "قال 😀 سامي حداد" and stored.meta == {"site": "example.com", "شيء": [1, 2]}
            span = session.scalars(select(Annotation)).one()
            assert stored.text[span.start:span.end] == "سامي حداد"  # code points, as stored
            assert span.attrs == {"note": "ملاحظة"}
    finally:
        engine.dispose()


def test_64_bit_fingerprints_and_buckets_fit_on_postgresql_as_on_sqlite(postgres_url, project_path):
    """The boilerplate and near-duplicate indexes store signed 64-bit hashes."""
    from sqlalchemy import inspect

    from app.models import BoilerplateCount, BoilerplateSite, DuplicateBand
    from app.project import Project

    engine = create_engine(postgres_url)
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as session, session.begin():
            site = BoilerplateSite(name="example.com", documents=1)
            session.add(site)
            session.flush()
            session.add(BoilerplateCount(fingerprint=-(2 ** 63), site_id=site.id, documents=3))
            session.add(BoilerplateCount(fingerprint=2 ** 63 - 1, site_id=site.id, documents=4))
        with Session(engine) as session:
            assert sorted(session.scalars(select(BoilerplateCount.fingerprint))) == [-(2 ** 63), 2 ** 63 - 1]
        types = {column["name"]: str(column["type"]) for column in inspect(engine).get_columns("duplicate_bands")}
        assert types["bucket"] == "BIGINT"
    finally:
        engine.dispose()
    Project.create(project_path).close()  # and on SQLite, the column is the INTEGER it always was
    import sqlite3

    columns = {row[1]: row[2] for row in sqlite3.connect(project_path).execute("PRAGMA table_info(duplicate_bands)")}
    assert columns["bucket"] == "INTEGER"
    assert isinstance(DuplicateBand.__table__.c.bucket.type.dialect_impl(engine.dialect), BigInteger)
