"""Building, incremental updates and hybrid search on a real Chroma store on disk."""

import shutil
from pathlib import Path

import pytest

from helper.config import from_env
from helper.retrieval.index import Index

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def small_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "talk.md").write_text(
        "---\ntitle: Talking\n---\n# Talking\n\n## Timing\n\nPick a calm moment to talk.\n\n"
        "## Listening\n\nPut the phone down and listen when your partner speaks.\n",
        encoding="utf-8",
    )
    (corpus / "money.md").write_text(
        "---\ntitle: Money\n---\n# Money\n\n## Budgets\n\nAgree on a budget together each month.\n",
        encoding="utf-8",
    )
    return corpus


def make_index(corpus: Path, data: Path) -> Index:
    return Index(from_env({"HELPER_CORPUS_DIR": str(corpus), "HELPER_DATA_DIR": str(data)}))


def test_second_build_embeds_nothing_and_a_changed_file_only_its_chunks(small_corpus, tmp_path):
    ix = make_index(small_corpus, tmp_path / "data")
    first = ix.build()
    assert first.files == 2 and first.embedded_chunks == first.chunks == 3
    again = make_index(small_corpus, tmp_path / "data").build()
    assert (again.embedded_chunks, again.embedded_sentences, again.deleted_chunks) == (0, 0, 0)

    money = small_corpus / "money.md"
    money.write_text(money.read_text().replace("each month", "every month"), encoding="utf-8")
    changed = make_index(small_corpus, tmp_path / "data").build()
    assert (changed.embedded_chunks, changed.deleted_chunks) == (1, 1)


def test_a_deleted_file_loses_its_chunks_and_rebuild_starts_fresh(small_corpus, tmp_path):
    ix = make_index(small_corpus, tmp_path / "data")
    ix.build()
    (small_corpus / "money.md").unlink()
    report = make_index(small_corpus, tmp_path / "data").build()
    assert report.deleted_chunks == 1 and report.chunks == 2
    assert all(
        p.doc.endswith("talk.md")
        for p in make_index(small_corpus, tmp_path / "data").search("budget")
    )
    fresh = make_index(small_corpus, tmp_path / "data").build(rebuild=True)
    assert fresh.embedded_chunks == 2 and fresh.rebuilt_because


def test_a_malformed_file_is_named_and_the_rest_still_index(small_corpus, tmp_path):
    (small_corpus / "broken.md").write_bytes(b"---\ntitle: [unclosed\n---\nText\n")
    (small_corpus / "binary.txt").write_bytes(b"\x00\xff\xfe" * 50)
    report = make_index(small_corpus, tmp_path / "data").build()
    assert report.files == 2
    assert any("broken.md" in e for e in report.errors)
    assert any("binary.txt" in e for e in report.errors)


def test_a_damaged_manifest_is_detected_and_rebuilt(small_corpus, tmp_path):
    ix = make_index(small_corpus, tmp_path / "data")
    ix.build()
    (tmp_path / "data" / "manifest.json").write_text("{half", encoding="utf-8")
    report = make_index(small_corpus, tmp_path / "data").build()
    assert report.rebuilt_because and report.embedded_chunks == 3


def test_a_corrupted_store_folder_is_rebuilt(small_corpus, tmp_path):
    ix = make_index(small_corpus, tmp_path / "data")
    ix.build()
    store = tmp_path / "data" / "chroma"
    for f in store.rglob("*"):
        if f.is_file():
            f.write_bytes(b"garbage")
    report = make_index(small_corpus, tmp_path / "data").build()
    assert report.rebuilt_because
    assert make_index(small_corpus, tmp_path / "data").search("calm moment")[0].section == "Timing"


def test_hybrid_search_finds_the_passage_and_its_offsets(index):
    passages = index.search("set the mood with candles and soft music", k=3)
    top = passages[0]
    assert "candles" in top.text
    text = (REPO / top.doc).read_text(encoding="utf-8")
    assert text[top.start : top.end] == top.text


def test_search_fuses_lexical_and_dense_signals(index):
    r = index.retrieve("dopamine oxytocin", k=5)
    assert any("dopamine" in p.text for p in r.passages[:2])
    assert r.lexical and r.similarity


def test_missing_corpus_folder_is_an_error_not_a_crash(tmp_path):
    report = make_index(tmp_path / "nowhere", tmp_path / "data").build()
    assert report.files == 0 and report.errors


def test_a_process_that_starts_after_an_article_changed_indexes_the_change(tmp_path):
    from helper.offline import OfflineEngine
    from helper.retrieval.citations import is_verbatim

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    env = {"HELPER_CORPUS_DIR": str(corpus), "HELPER_DATA_DIR": str(tmp_path / "data")}
    Index(from_env(env)).build()
    article = corpus / "spark-back-in-a-broken-relationship.md"
    edited = article.read_text(encoding="utf-8").replace("---\n", "---\nnote: x\n", 1)
    article.write_text(edited, encoding="utf-8")  # every offset after it moves
    engine = OfflineEngine(Index(from_env(env)))  # a new process: it has not built anything
    result = engine.ask("How can we set the mood for more intimacy?")
    assert result.citations and all(is_verbatim(c) for c in result.citations)
