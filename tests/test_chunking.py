from pathlib import Path

import pytest

from helper.retrieval.chunking import MAX_CHUNK_TOKENS, chunk_document, count_tokens, sentence_spans
from helper.retrieval.corpus import load_corpus, load_document

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def docs():
    docs, errors = load_corpus(REPO / "corpus")
    assert not errors
    return docs


def test_every_chunk_is_an_exact_span_of_its_file(docs):
    for doc in docs:
        chunks = chunk_document(doc)
        assert chunks
        for c in chunks:
            assert doc.text[c.start : c.end] == c.text
            assert c.doc == doc.doc and c.title == doc.title


def test_chunks_are_token_bounded_and_stay_inside_one_section(docs):
    for doc in docs:
        bounds = [(s.start, s.end, s.heading or doc.title) for s in doc.sections]
        for c in chunk_document(doc):
            assert count_tokens(c.text) <= MAX_CHUNK_TOKENS
            assert any(a <= c.start and c.end <= b and h == c.section for a, b, h in bounds)


def test_chunk_ids_are_content_hashes(docs):
    first = [c.id for d in docs for c in chunk_document(d)]
    again = [c.id for d in docs for c in chunk_document(d)]
    assert first == again
    assert len(set(first)) == len(first)


def test_a_long_paragraph_is_split_at_sentences(tmp_path):
    sentence = "We talked about the dishes and the laundry for a long while. "
    path = tmp_path / "long.md"
    path.write_text("# Long\n\n" + sentence * 40 + "\n", encoding="utf-8")
    doc = load_document(path)
    chunks = chunk_document(doc)
    assert len(chunks) > 1
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        assert c.text.endswith(".")


def test_sentence_spans_leave_out_list_markers():
    text = "Intro line.\n- Pick a calm moment.\n- Start with appreciation: “I value us.”\n"
    got = [text[a:b] for a, b in sentence_spans(text, 0, len(text))]
    assert got == ["Intro line.", "Pick a calm moment.", "Start with appreciation: “I value us.”"]


def test_crlf_offsets_stay_exact(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes(
        b"# Title\r\n\r\n## Part\r\n\r\nFirst paragraph.\r\nStill first.\r\n\r\nSecond.\r\n"
    )
    doc = load_document(path)
    for c in chunk_document(doc):
        assert doc.text[c.start : c.end] == c.text
