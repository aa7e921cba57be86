"""Near-duplicate articles: MinHash/LSH candidates, an exact Jaccard check, clusters; incremental."""

import json

import pytest

from app import duplicates
from app.cli import main as cli
from app.duplicates import body_shingles, clusters, jaccard, similar_documents, update_index
from app.project import Project
from tests.conftest import SEEDS, SEED_ARTICLES, add_document

STORY = (SEEDS / "000_cfe630f0c522799c.txt").read_text(encoding="utf-8").split("\n")[5:24]
BODY = "\n".join(line for line in STORY if line.strip())
OTHER = (SEEDS / "003_c253fc45fefa7e87.txt").read_text(encoding="utf-8")


def republished(outlet: str, change: str = "") -> str:
    """The same story under another outlet's chrome, maybe with a sentence of its own."""
    return f"{outlet} | الرئيسية\n\n{BODY}\n{change}\nشارك القصة\nجميع الحقوق محفوظة لموقع {outlet}"


def test_a_republished_story_is_a_near_duplicate_and_unrelated_articles_are_not(project):
    first = add_document(project, republished("الجديد"), "a.txt")
    second = add_document(project, republished("العربية", "وأضاف مصدر أن اللقاء استمر ساعتين."), "b.txt")
    unrelated = add_document(project, OTHER, "c.txt")
    assert update_index(project) == 3
    [pair] = similar_documents(project, first)
    assert pair.document_id == second and pair.score >= duplicates.CLUSTER_SCORE
    assert similar_documents(project, unrelated) == []
    [(members, pairs)] = clusters(project)
    assert members == [first, second] and pairs[0][:2] == (first, second)


def test_chrome_does_not_make_articles_alike(project):
    # Same site chrome and cue blocks, different stories: the body leaves them out.
    texts = [f"الرئيسية\n{body}\nشارك القصة\nاقرأ أيضا\n{BODY}" for body in
             (OTHER, (SEEDS / "002_0a3a32f9f9bdd6f2.txt").read_text(encoding="utf-8"))]
    assert jaccard(body_shingles(texts[0]), body_shingles(texts[1])) < 0.1


def test_documents_imported_later_are_compared_with_the_earlier_ones(project):
    first = add_document(project, republished("الجديد"), "a.txt")
    update_index(project)
    assert similar_documents(project, first) == []
    second = add_document(project, republished("العربية"), "b.txt")
    assert duplicates.pending_documents(project) == 1 and update_index(project) == 1
    assert [s.document_id for s in similar_documents(project, first)] == [second]
    third = add_document(project, republished("الميادين"), "c.txt")
    update_index(project)
    [(members, pairs)] = clusters(project)
    assert members == [first, second, third] and len(pairs) == 3


def test_a_threshold_below_what_is_stored_is_refused(project):
    with pytest.raises(ValueError, match="at least"):
        clusters(project, threshold=0.2)


def test_headless_duplicates_lists_clusters_with_their_scores(tmp_path, capsys):
    path = tmp_path / "p.hashiya"
    project = Project.create(path)
    add_document(project, republished("الجديد"), "a.txt")
    add_document(project, republished("العربية", "وأضاف مصدر أن اللقاء استمر ساعتين في القصر الرئاسي."), "b.txt")
    add_document(project, OTHER, "c.txt")
    project.close()
    assert cli(["duplicates", str(path), "--json"]) == 0
    [cluster] = json.loads(capsys.readouterr().out)
    assert cluster["documents"] == ["a.txt", "b.txt"]
    [pair] = cluster["pairs"]
    assert (pair["a"], pair["b"]) == ("a.txt", "b.txt") and 0.8 <= pair["score"] < 0.99
    assert cli(["duplicates", str(path), "--threshold", "0.99"]) == 0
    assert "0 cluster(s) at a threshold of 0.99" in capsys.readouterr().err


def test_a_story_scraped_three_times_from_one_site_is_not_boilerplate(project):
    from app import boilerplate_index
    from app.models import Document

    chrome = "قائمة الأقسام في موقع المثال"
    seed_002 = (SEEDS / "002_0a3a32f9f9bdd6f2.txt").read_text(encoding="utf-8")
    texts = [f"{chrome}\n{BODY}", f"{chrome}\n{BODY}\nتحديث: أضيفت تفاصيل.", f"{chrome}\n{BODY}\nتصحيح.",
             f"{chrome}\n{OTHER}"]

    def add_on_site(text, name):
        document_id = add_document(project, text, name)
        with project.session.begin() as session:  # all from one site
            session.get(Document, document_id).meta = {"url": f"https://example.com/{name}"}
        update_index(project)  # near-duplicates first: the boilerplate count needs the clusters
        boilerplate_index.update_index(project)

    def suggested():
        return {project.document_text(s.document_id)[s.start:s.end] for s in boilerplate_index.all_suggestions(project)}

    for number, text in enumerate(texts):
        add_on_site(text, f"{number}.txt")
    article_lines = {line for line in BODY.split("\n") if line.strip()}
    # Three copies of the story's lines but one story; the chrome in four documents but two stories.
    assert not suggested() & article_lines and chrome not in suggested()
    add_on_site(f"{chrome}\n{seed_002}", "4.txt")  # a third story carries the chrome
    assert chrome in suggested() and not suggested() & article_lines


def test_the_quote_two_outlets_carry_is_found_in_both_despite_the_tanween(project):
    from app.duplicates import shared_sentences
    from app.importer import import_paths

    import_paths(project, SEED_ARTICLES, "amal")
    ids = {project.document_name(i)[:3]: i for i in project.document_ids()}
    for here, there in (("000", "004"), ("004", "000")):
        text = project.document_text(ids[here])
        found = [(text[s.start:s.end], s.documents) for s in shared_sentences(project, ids[here])]
        assert [(quote.startswith("نثمن كثير"), documents) for quote, documents in found] == [(True, (ids[there],))]
        assert found[0][0].endswith("بما يشمل الملف الأوكراني")


def test_sentences_and_quotations_are_cut_where_a_reader_would():
    from app.duplicates import quotations, sentences

    text = 'قال: "نحن هنا". وأضاف؟ نعم…\nسطر جديد بلا نقطة'
    assert [text[a:b] for a, b in sentences(text)] == ['قال: "نحن هنا".', "وأضاف؟", "نعم…", "سطر جديد بلا نقطة"]
    assert [('قال «نص أول» ثم "نص ثان"')[a:b] for a, b in quotations('قال «نص أول» ثم "نص ثان"')] == ["نص أول", "نص ثان"]


def test_upgrading_a_version_6_project_indexes_its_near_duplicates_again(tmp_path):
    # Version 6 stored signatures and buckets of 128 numpy hash functions; the one-permutation MinHash
    # means something else by them, so step 7 empties the index and it fills itself again.
    import sqlite3

    path = tmp_path / "six.hashiya"
    project = Project.create(path)
    first = add_document(project, republished("الجديد"), "a.txt")
    second = add_document(project, republished("العربية", "وأضاف مصدر أن اللقاء استمر ساعتين."), "b.txt")
    add_document(project, OTHER, "c.txt")
    update_index(project)
    before = clusters(project)
    project.close()
    connection = sqlite3.connect(path)
    connection.executescript("""
        UPDATE duplicate_signatures SET signature = zeroblob(512);
        UPDATE duplicate_bands SET bucket = bucket + 1;
        ALTER TABLE boilerplate_cues DROP COLUMN source;
        DROP TABLE learned_models;
        DROP TABLE assignments;
        PRAGMA user_version = 6;""")
    connection.close()
    project = Project.open(path)
    try:
        assert project.upgraded_from == 6
        assert duplicates.pending_documents(project) == 3
        assert similar_documents(project, first) == [] and clusters(project) == []
        assert update_index(project) == 3
        assert clusters(project) == before and [s.document_id for s in similar_documents(project, first)] == [second]
        fourth = add_document(project, republished("الميادين"), "d.txt")  # compared with the rebuilt buckets
        assert update_index(project) == 1
        assert sorted(s.document_id for s in similar_documents(project, fourth)) == [first, second]
    finally:
        project.close()


def test_a_signature_agrees_with_another_as_often_as_their_jaccard():
    # One permutation with densification estimates the Jaccard without bias, short documents included.
    from app.minhash import signature

    import random

    for size, kept in ((400, 0.5), (40, 0.6), (12, 0.5)):
        agreements, exact = [], []
        for seed in range(40):
            draw = random.Random(seed)
            shingles = [draw.getrandbits(64) for _ in range(size)]
            a = set(shingles)
            b = set(shingles[:int(size * kept)]) | {draw.getrandbits(64) for _ in range(size - int(size * kept))}
            exact.append(jaccard(a, b))
            agreements.append(sum(x == y for x, y in zip(signature(a), signature(b))) / duplicates.PERMUTATIONS)
        assert abs(sum(agreements) / len(agreements) - sum(exact) / len(exact)) < 0.05, size
