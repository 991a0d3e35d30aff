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


def test_the_questions_an_article_answers_are_indexed_and_searched(small_corpus, tmp_path):
    asked = small_corpus / "talk.questions.jsonl"
    asked.write_text(
        '{"question": "my bf is always on his phone when i talk", '
        '"answer": "Put the phone down and listen when your partner speaks."}\n'
        '{"question": "when is a good time for a serious chat?", '
        '"answer": "Pick a calm moment to talk."}\n'
        '{"question": "broken", "answer": "words no article has anywhere"}\n',
        encoding="utf-8",
    )
    report = make_index(small_corpus, tmp_path / "data").build()
    assert report.questions == 2
    assert any("talk.questions.jsonl" in e and "line 3" in e for e in report.errors)

    ix = make_index(small_corpus, tmp_path / "data")
    retrieval = ix.retrieve("he scrolls his phone while I'm talking to him")
    nearest, cosine = ix.questions(retrieval, 2)[0]
    assert nearest.question.startswith("my bf is always on his phone")
    home = next(c for c in ix.chunks if c.id == nearest.chunk)
    assert "Put the phone down" in home.text and cosine > 0.3

    # The questions file is part of the corpus: editing it alone rebuilds what it feeds.
    assert not ix._corpus_changed()
    asked.write_text(asked.read_text().splitlines()[1] + "\n", encoding="utf-8")
    assert make_index(small_corpus, tmp_path / "data")._corpus_changed()
    assert make_index(small_corpus, tmp_path / "data").build().questions == 1


def test_the_ranker_reads_which_chunk_the_nearest_stored_questions_are_answered_in(
    small_corpus, tmp_path
):
    from helper.offline.ranking import FEATURES, chunk_features, search_all

    (small_corpus / "money.questions.jsonl").write_text(
        '{"question": "how do we stop fighting over what we spend?", '
        '"answer": "Agree on a budget together each month."}\n',
        encoding="utf-8",
    )
    ix = make_index(small_corpus, tmp_path / "data")
    ix.build()
    scored = chunk_features(ix, search_all(ix, "we argue about spending all the time"))
    vote = FEATURES.index("asked_vote")
    best = max(scored, key=lambda s: s.features[vote])
    assert "budget" in next(c for c in ix.chunks if c.id == best.chunk_id).text
    assert best.features[vote] == 1.0  # the only stored question: all the weight
    assert sorted(s.features[vote] for s in scored)[:-1] == [0.0] * (len(scored) - 1)
