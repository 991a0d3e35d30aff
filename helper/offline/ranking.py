"""Which passage of the guidance answers a question: every chunk scored by a small linear
ranker over signals of meaning and words.

The weights are learned (evals/train_answer_ranker.py, from the development questions of
evals/dev/questions-answerable.jsonl: which chunk holds the gold phrase) and kept with their
feature names in helper/lexicon/answer_ranker.yaml. Every chunk is scored, not only the
fused search's top few: the corpus is small, and a fifth of the development questions had
their answer outside the search's top ten. Two signals come from the questions the articles
say they answer (corpus/<article>.questions.jsonl, the index's third grain).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from helper.lexicon import load as load_lexicon
from helper.retrieval.index import Index, Retrieval, Sentence
from helper.text.tokens import words

MIN_SENTENCE_WORDS = 4  # shorter sentences ("Here's why.") match everything a little
_NUMBERED = re.compile(r"^\s*\d+[.)]\s*")

# The signals, in the order of the weights file. Each is worked out for every chunk; the
# "_gap" ones are the chunk's value minus the best chunk's, so a question that is close to
# the whole guidance and one that is close to little are ranked alike.
FEATURES = (
    "sentence",  # cosine of the chunk's best sentence to the question
    "sentence_2",  # cosine of its second best
    "sentence_gap",
    "chunk",  # cosine of the whole chunk (heading and text)
    "chunk_gap",
    "heading",  # cosine of the section heading alone ("Trying to change your partner")
    "words",  # share of the question's content words in the chunk, rare ones weighing more
    "sentence_words",  # the same share for the chunk's best-sharing sentence
    "bm25",  # BM25 score over the best chunk's
    "question",  # the best sentence is itself a question (the guidance's rhetorical ones)
    "asked",  # cosine of the nearest question the article says this chunk answers (0: none)
    "asked_vote",  # the share of the nearest stored questions, weighted by nearness, it answers
)

# Questions the articles say they answer (corpus/<article>.questions.jsonl): people ask in
# their own words, and their question is nearer to another question than to the passage
# that answers it. The nearest ASKED_NEIGHBOURS are read. (Raising, within a chunk, the
# sentences those questions' answers cover moved the dev questions' figures by two of 119
# and lost one of the 12 questions of evals/cases/: not kept.)
ASKED_NEIGHBOURS = 20
ASKED_TEMPERATURE = 0.05  # cosine points: a question 0.05 further off counts e times less
# (temperature 0.02 and 0.1 quoted the gold phrase for 0.689 of the dev questions, 0.05 for
# 0.697, 2026-12-05)


@dataclass
class Scored:
    chunk_id: str
    score: float
    best: Sentence  # the sentence the quote is built around
    features: np.ndarray


def _weights() -> np.ndarray:
    data = load_lexicon("answer_ranker.yaml")
    if tuple(data["features"]) != FEATURES:
        raise ValueError("answer_ranker.yaml was trained on other features: retrain it")
    return np.array(data["weights"], dtype=float)


def _heading_vectors(index: Index) -> dict[str, np.ndarray]:
    def build(ix: Index) -> dict[str, np.ndarray]:
        sections = sorted({c.section for c in ix.chunks})
        if not sections:
            return {}
        vectors = ix.embedder.embed([_NUMBERED.sub("", s) or s for s in sections])
        return dict(zip(sections, vectors, strict=True))

    return index.memo("heading_vectors", build)


def search_all(index: Index, question: str) -> Retrieval:
    """The search the ranker reads: every chunk, not only the fused top few."""
    everything = len(index.chunks)
    return index.retrieve(question, k=everything, pool=everything)


def chunk_features(index: Index, retrieval: Retrieval) -> list[Scored]:
    """Every chunk with its signals (score left at 0), in the index's chunk order;
    `retrieval` is a search of every chunk (search_all)."""
    from helper.offline.answering import (  # the word-sharing helpers live with the answers
        _chunk_sentences,
        content_tokens,
        idf,
        overlap,
        sentence_tokens,
    )

    chunks = index.chunks
    cosine_by_id = {s.id: c for s, c in index.sentences(retrieval, len(index.all_sentences))}
    query = content_tokens(retrieval.query)
    tokens, weights = sentence_tokens(index), idf(index)
    by_chunk = _chunk_sentences(index)
    headings = _heading_vectors(index)
    asked_chunk, asked_vote = _asked(index, retrieval)
    top_bm25 = max(retrieval.lexical.values(), default=0.0) or 1.0
    rows: list[tuple[str, Sentence, list[float]]] = []
    for chunk in chunks:
        sentences = [
            s for s in by_chunk.get(chunk.id, []) if len(words(s.text)) >= MIN_SENTENCE_WORDS
        ]
        if not sentences:
            continue
        scored = sorted(
            (
                (cosine_by_id.get(s.id, 0.0), overlap(query, tokens[s.id], weights), s)
                for s in sentences
            ),
            key=lambda t: -(t[0] + 0.5 * t[1]),
        )
        cos_sorted = sorted((t[0] for t in scored), reverse=True)
        best = scored[0][2]
        chunk_words = set().union(*(tokens[s.id] for s in by_chunk[chunk.id]))
        heading = headings.get(chunk.section)
        rows.append(
            (
                chunk.id,
                best,
                [
                    cos_sorted[0],
                    cos_sorted[1] if len(cos_sorted) > 1 else cos_sorted[0],
                    0.0,
                    retrieval.similarity.get(chunk.id, 0.0),
                    0.0,
                    float(heading @ retrieval.vector) if heading is not None else 0.0,
                    overlap(query, chunk_words, weights),
                    max(t[1] for t in scored),
                    retrieval.lexical.get(chunk.id, 0.0) / top_bm25,
                    1.0 if best.text.rstrip().endswith("?") else 0.0,
                    asked_chunk.get(chunk.id, 0.0),
                    asked_vote.get(chunk.id, 0.0),
                ],
            )
        )
    if not rows:
        return []
    matrix = np.array([r[2] for r in rows], dtype=float)
    matrix[:, 2] = matrix[:, 0] - matrix[:, 0].max()
    matrix[:, 4] = matrix[:, 3] - matrix[:, 3].max()
    return [Scored(cid, 0.0, best, matrix[i]) for i, (cid, best, _) in enumerate(rows)]


def _asked(index: Index, retrieval: Retrieval) -> tuple[dict[str, float], dict[str, float]]:
    """By chunk id: the cosine of the nearest stored question whose answer is in that chunk,
    and the nearness-weighted share of the nearest questions it answers."""
    nearest: dict[str, float] = {}
    vote: dict[str, float] = {}
    asked = index.questions(retrieval, ASKED_NEIGHBOURS)
    top = max((cosine for _, cosine in asked), default=0.0)
    weights = [np.exp((cosine - top) / ASKED_TEMPERATURE) for _, cosine in asked]
    total = sum(weights) or 1.0
    for (question, cosine), weight in zip(asked, weights, strict=True):
        nearest[question.chunk] = max(nearest.get(question.chunk, 0.0), cosine)
        vote[question.chunk] = vote.get(question.chunk, 0.0) + weight / total
    return nearest, vote


def rank(index: Index, retrieval: Retrieval) -> list[Scored]:
    """Every chunk, best answer first; `retrieval` is a search of every chunk (search_all)."""
    w = _weights()
    scored = chunk_features(index, retrieval)
    for s in scored:
        s.score = float(s.features @ w)
    return sorted(scored, key=lambda s: -s.score)
