"""The search index narrows corpus search and proposals without ever losing a hit."""

import sqlite3
from itertools import groupby

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import searchindex
from app.matching import _close_cores, find_all
from app.normalize import COMMON_CHARACTERS, fold
from app.project import Project
from app.propagation import propose
from app.search import candidate_documents, search_project
from app.words import is_word_char
from tests.conftest import SEED_ARTICLES, add_document
from tests.test_project_file import make_v1_project

WORDS = ["روسيا", "لروسيا", "وروسيا", "بالروسية", "روسيات", "كوريا", "کوریا", "الشمالية", "الشمالیة",
         "للفيروس", "الفيروس", "فيروس", "بيونغ", "بيونج", "يانغ", "يانج", "جونغ", "أون", "إيران", "ايران",
         "كثيرًا", "كثيرا", "COVID-19", "covid", "19", "١٩", "لا", "ﻻ", "ب", "و", "ال", "ذهب", "ٱلله"]
SEPARATORS = [" ", " ", "\n", "\n\n", "، ", "؛", ".", "-", "_", "«", "»", "\u00a0", "😀", "🫠", "\u061d",
              "\ufbc2", "\u200c", "\u200f", "\u0640", "\u0307", "#", "'", '"']
texts = st.lists(st.sampled_from(WORDS + SEPARATORS), max_size=40).map("".join)
queries = st.lists(st.sampled_from(WORDS + [" ", "-", "،", "_"]), min_size=1, max_size=4).map("".join)


@settings(max_examples=500)
@given(st.one_of(st.text(alphabet=st.sampled_from(COMMON_CHARACTERS + "".join(map(chr, range(128)))),
                         max_size=50),
                 st.text(max_size=30), texts))
def test_the_byte_level_fast_path_gives_the_general_index_form(text):
    assert searchindex.index_form(text) == searchindex._general_index_form(text)


@pytest.fixture(scope="module")
def memory_index():
    connection = sqlite3.connect(":memory:")
    connection.execute(searchindex.CREATE_TABLE)
    yield connection
    connection.close()


def candidates_in(connection, documents: list[str], query: str, similar: bool) -> set[int] | None:
    connection.execute(f"DROP TABLE IF EXISTS {searchindex.TABLE}")
    connection.execute("DROP TABLE IF EXISTS temp.search_index_terms")
    connection.execute(searchindex.CREATE_TABLE)
    searchindex.add_documents(connection, enumerate(documents, start=1))
    vocabulary = searchindex.vocabulary(connection) if similar else ""
    expression = searchindex.match_expression(query, similar=similar, vocabulary=vocabulary)
    return None if expression is None else set(searchindex.candidate_ids(connection, expression))


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=1, max_size=6), queries, st.booleans())
def test_every_document_the_engine_finds_something_in_is_a_candidate(memory_index, documents, query, similar):
    candidates = candidates_in(memory_index, documents, query, similar)
    for number, text in enumerate(documents, start=1):
        if find_all(text, query, similar=similar):
            assert candidates is None or number in candidates, (text, query)


def test_the_index_rules_documents_out(memory_index):
    documents = ["قال بوتين لروسيا", "زار كوريا الشمالية", "ذهب إلى إيران"]
    assert candidates_in(memory_index, documents, "روسيا", False) == {1}
    assert candidates_in(memory_index, documents, "كوريا الشمالية", False) == {2}
    assert candidates_in(memory_index, documents, "ايران", False) == {3}
    assert candidates_in(memory_index, documents, "الصين", False) == set()
    # No word character: the index cannot tell, every document is read.
    assert candidates_in(memory_index, documents, "،", False) is None


def test_similar_spellings_come_from_the_index_vocabulary(memory_index):
    documents = ["زار بيونج يانج", "زار بيونغ يانغ", "زار طهران"]
    assert candidates_in(memory_index, documents, "بيونغ يانغ", False) == {2}
    assert candidates_in(memory_index, documents, "بيونغ يانغ", True) == {1, 2}


def test_tokens_split_exactly_where_the_engine_sees_a_word_boundary(memory_index):
    # FTS5's own Unicode tables (unicode61) disagree with Python's on newer characters;
    # the index splits the text itself, so its tokens follow app.words for every character.
    points = [cp for cp in range(0x80, 0x10000) if not 0xD800 <= cp <= 0xDFFF]
    points += [0x1F600, 0x1FAE0, 0x1D400, 0x20000, 0x10FFFD, 0xE0001]
    connection = sqlite3.connect(":memory:")
    connection.execute(searchindex.CREATE_TABLE.replace("detail = none", "detail = full"))
    connection.executemany(f"INSERT INTO {searchindex.TABLE} (rowid, text) VALUES (?, ?)",
                           [(cp, searchindex.index_form(f"x{chr(cp)}y")) for cp in points])
    connection.execute(f"CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, {searchindex.TABLE}, instance)")
    pieces: dict[int, int] = {}
    for document_id, in connection.execute("SELECT doc FROM temp.terms"):
        pieces[document_id] = pieces.get(document_id, 0) + 1
    wrong = [hex(cp) for cp in points if pieces.get(cp, 0) != word_runs(fold(f"x{chr(cp)}y"))]
    assert wrong == []


def word_runs(text: str) -> int:
    return sum(1 for is_word, _ in groupby(text, key=is_word_char) if is_word)


def test_search_reads_only_the_candidate_documents(project):
    for number in range(30):
        add_document(project, f"خبر رقم {number} عن الطقس", f"{number}.txt")
    target = add_document(project, "قال بوتين إن لروسيا مصالح", "russia.txt")
    read = []
    hits = list(search_project(project, "روسيا", progress=lambda done, total: read.append(total)))
    assert [(hit.document_id, hit.text) for hit in hits] == [(target, "روسيا")]
    assert read == [1]


def test_proposals_read_only_the_candidate_documents(project):
    for number in range(30):
        add_document(project, f"خبر رقم {number} عن الطقس", f"{number}.txt")
    first = add_document(project, "قال بوتين إن لروسيا مصالح", "a.txt")
    second = add_document(project, "وروسيا دولة كبيرة", "b.txt")
    read = []
    found = propose(project, "روسيا", "GPE", "amal", progress=lambda done, total: read.append(total))
    assert sorted((p.document_id, p.text) for p in found) == [(first, "روسيا"), (second, "روسيا")]
    assert read and set(read) == {2}


def test_every_imported_document_is_indexed_in_the_import_transaction(project):
    ids = [add_document(project, text, f"{n}.txt") for n, text in enumerate(["كوريا", "كوريا الشمالية", "روسيا"])]
    assert candidate_documents(project, ["كوريا"]) == ids[:2]
    assert candidate_documents(project, ["كوريا"], within=[ids[1], ids[2]]) == [ids[1]]


def test_an_older_project_is_indexed_when_upgraded(tmp_path):
    old = tmp_path / "old.hashiya"
    make_v1_project(old)  # holds one document, "قال بوتين"
    project = Project.open(old)
    try:
        assert candidate_documents(project, ["بوتين"]) == [1]
        assert [hit.text for hit in search_project(project, "بوتين")] == ["بوتين"]
    finally:
        project.close()


def test_similar_spellings_see_documents_imported_after_an_earlier_search(project):
    add_document(project, "زار بيونغ يانغ", "a.txt")
    assert [hit.text for hit in search_project(project, "بيونغ يانغ", similar=True)] == ["بيونغ يانغ"]
    add_document(project, "زار بيونج يانج", "b.txt")  # a new spelling: the cached vocabulary is stale
    assert [hit.text for hit in search_project(project, "بيونغ يانغ", similar=True)] == ["بيونغ يانغ", "بيونج يانج"]


def test_neighbour_pattern_finds_every_spelling_the_engine_accepts():
    vocabulary = "\n".join(["بيونج", "وبيونغ", "بيوغ", "بيونغات", "يونغ", "جونج", "بيانغ", "روسيا", "ب"])
    found = searchindex.similar_terms(vocabulary, "بيونغ", strip_clitic=True)
    assert found == {term for term in vocabulary.split("\n") if _close_cores(term, "بيونغ", True)}
    assert {"بيونج", "وبيونغ"} <= found and "روسيا" not in found


@pytest.mark.parametrize("query", ["بيونغ يانغ", "كوريا الشمالية", "جونغ أون", "الشيباني", "لافروف", "روسيا"])
def test_corpus_similar_search_finds_what_each_document_alone_finds(project, query):
    from app.importer import import_paths

    import_paths(project, SEED_ARTICLES, "amal")
    add_document(project, "زار بيونج يانج ثم وبيونغ يانغ، وقابل كيم يونج أون والشيبانى", "extra.txt")
    add_document(project, "التقى لافروفف بنظيره في كوريا الشماليه", "typo.txt")
    per_document = []
    for document_id in project.document_ids():
        text = project.document_text(document_id)
        per_document += [(document_id, m.start, m.end, m.kind) for m in find_all(text, query, similar=True)]
    corpus = [(hit.document_id, hit.start, hit.end, hit.kind) for hit in search_project(project, query, similar=True)]
    assert corpus == per_document and corpus
