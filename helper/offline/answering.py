"""Grounded answers: retrieve, pick the sentences of the guidance that answer, cite each.

The offline answer is extractive on purpose: every sentence of it is a sentence of the
guidance, so it can never say what the guidance does not.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from helper.config import MAX_QUESTION_CHARS
from helper.lexicon import load as load_lexicon
from helper.offline.safety import screen
from helper.results import AskResult, Citation, Passage
from helper.retrieval.citations import cite
from helper.retrieval.index import Index, Retrieval, Sentence
from helper.text.inputs import check_text
from helper.text.tokens import search_terms, words

# Scope: a question this close to some passage is about the guidance whatever its words;
# one that is only somewhat close must also use a relationship word to be answered.
CLEARLY_IN_SCOPE = 0.42
POSSIBLY_IN_SCOPE = 0.25
# Ranking sentences: embedding similarity, plus shared content words, plus the passage's
# own standing. Weights chosen on the development questions (see tests/test_qa.py).
LEXICAL_WEIGHT = 0.5
PASSAGE_WEIGHT = 0.3
RANK_WEIGHT = 0.1
MAX_SENTENCES = 4
QUESTION_PENALTY = 0.15  # the guidance's rhetorical questions rarely answer anything
LABEL_ITEMS = 3  # list items that stand in for a list's label
TOP_PASSAGES = 5
MIN_SENTENCES = 2
KEEP_RATIO = 0.8  # a further sentence must score at least this share of the best one


@lru_cache(maxsize=1)
def _scope() -> dict:
    data = load_lexicon("scope.yaml")
    return {k: frozenset(v) for k, v in data.items()}


def in_scope(question: str, retrieval: Retrieval) -> bool:
    best = retrieval.best_similarity
    if best >= CLEARLY_IN_SCOPE:
        return True
    if best < POSSIBLY_IN_SCOPE:
        return False
    return any(w in _scope()["relationship_words"] for w in words(question))


def content_tokens(text: str) -> set[str]:
    stop = _scope()["stopwords"]
    return {t for t in search_terms(" ".join(w for w in words(text) if w not in stop))}


def overlap(query: set[str], tokens: set[str], idf: dict[str, float]) -> float:
    """Share of the query's content words found in `tokens`, rare words weighing more
    ("dopamine" says more than "love" in this corpus); shared 5-letter prefixes count,
    so "complaining" meets "complaints" where the stemmer keeps them apart."""
    if not query:
        return 0.0
    default = max(idf.values(), default=1.0)
    total = sum(idf.get(q, default) for q in query)
    hits = sum(
        idf.get(q, default)
        for q in query
        if q in tokens or (len(q) >= 5 and any(t[:5] == q[:5] for t in tokens))
    )
    return hits / total


def sentence_tokens(index: Index) -> dict[str, set[str]]:
    """Content words of every corpus sentence, by sentence id: worked out once per index,
    not again for each candidate of each question."""
    return index.memo(
        "sentence_tokens", lambda ix: {s.id: content_tokens(s.text) for s in ix.all_sentences}
    )


def idf(index: Index) -> dict[str, float]:
    """Inverse document frequency of content words over the corpus's sentences."""
    return index.memo("idf", _idf)


def _idf(index: Index) -> dict[str, float]:
    token_sets = sentence_tokens(index).values()
    df: dict[str, int] = {}
    for tokens in token_sets:
        for t in tokens:
            df[t] = df.get(t, 0) + 1
    n = len(token_sets) or 1
    return {t: math.log(1 + n / c) for t, c in df.items()}


def _is_label(s: Sentence) -> bool:
    return s.text.rstrip().endswith(":")


def rank_sentences(index: Index, retrieval: Retrieval) -> list[tuple[Sentence, float]]:
    """Candidate sentences, best first: the nearest in the whole corpus, and every sentence
    of the retrieved passages."""
    rank = {p.id: i for i, p in enumerate(retrieval.passages)}
    # The passages found carry the topic; the nearest sentences anywhere may join them.
    found = {s.id: (s, c) for s, c in index.sentences(retrieval, 40)}
    top = [p.id for p in retrieval.passages[:TOP_PASSAGES]]
    found.update({s.id: (s, c) for s, c in index.sentences(retrieval, 120, top)})
    query = content_tokens(retrieval.query)
    weights = idf(index)
    tokens = sentence_tokens(index)
    scored = []
    for s, cosine in found.values():
        score = (
            cosine
            + LEXICAL_WEIGHT * overlap(query, tokens[s.id], weights)
            + RANK_WEIGHT / (1 + rank.get(s.chunk, 9))
            + PASSAGE_WEIGHT * retrieval.similarity.get(s.chunk, 0.0)
        )
        if s.text.rstrip().endswith("?"):
            score -= QUESTION_PENALTY
        scored.append((s, score))
    scored.sort(key=lambda item: -item[1])
    return scored


def _expand_labels(
    index: Index, ranked: list[tuple[Sentence, float]]
) -> list[tuple[Sentence, float]]:
    """A list's label ("Ways to show appreciation:") says nothing alone: the list's first
    items stand in for it, with its score. The list may continue in the next chunk."""
    out = []
    for s, score in ranked:
        if not _is_label(s):
            out.append((s, score))
            continue
        following = index.sentences_after(s, LABEL_ITEMS)
        items = [x for x in following if x.item and x.section == s.section]
        out.extend((x, score - 0.001 * i) for i, x in enumerate(items))
    return out


def _similar(ta: set[str], tb: set[str]) -> bool:
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) > 0.6


def select(index: Index, retrieval: Retrieval) -> list[Sentence]:
    ranked = _expand_labels(index, rank_sentences(index, retrieval))
    tokens = sentence_tokens(index)
    chosen: list[Sentence] = []
    best = ranked[0][1] if ranked else 0.0
    for s, score in ranked:
        if len(chosen) >= MAX_SENTENCES:
            break
        if len(chosen) >= MIN_SENTENCES and score < KEEP_RATIO * best:
            break
        if len(words(s.text)) < 4 or any(
            c.id == s.id or _similar(tokens[c.id], tokens[s.id]) for c in chosen
        ):
            continue
        chosen.append(s)
    return chosen


def as_sentence(quote: str) -> str:
    """A quote as a sentence of the answer: capitalised, ending in punctuation."""
    text = quote.strip()
    text = text[0].upper() + text[1:]
    if not re.search(r"[.!?…][\"”’)]*$", text):
        text += "."
    return text


LISTED_TITLES = 3  # a refusal names a few articles and the count, not a library's worth


def refusal(question: str, titles: list[str]) -> AskResult:
    listed = "; ".join(f"“{t}”" for t in titles[:LISTED_TITLES]) or "none yet"
    if len(titles) > LISTED_TITLES:
        listed += f" and {len(titles) - LISTED_TITLES:,} more"
    return AskResult(
        question=question,
        answer=(
            "The guidance I can quote doesn't cover that question. "
            f"It is about keeping a relationship close: talking and listening, appreciation, "
            f"compromise, intimacy, rituals, forgiveness and getting help (articles: {listed})."
        ),
        refused=True,
        citations=[],
        note="Declined: no passage of the guidance is close enough to the question.",
    )


SAFETY_NOTE = (
    "This sounds like it is about safety rather than communication, so the guidance is not "
    "quoted here: it is written for ordinary disagreements."
)


def answer_offline(question: str, index: Index) -> AskResult:
    question = check_text(question, what="question", limit=MAX_QUESTION_CHARS)
    safety = screen(question)
    if safety.flagged:
        # Never answered from the guidance: advice for ordinary conflict ("apologize", "keep
        # trying") must not be quoted at someone describing danger.
        return AskResult(question, "", True, [], "offline", SAFETY_NOTE, safety)
    retrieval = index.retrieve(question, k=5)
    titles = sorted({c.title for c in index.chunks})
    if not retrieval.passages or not in_scope(question, retrieval):
        return refusal(question, titles)
    sentences = select(index, retrieval)
    if not sentences:
        return refusal(question, titles)
    citations: list[Citation] = []
    parts = []
    for n, s in enumerate(sentences, start=1):
        passage = Passage(s.id, s.text, s.doc, s.title, s.section, s.start, s.end)
        citation = cite(n, passage, s.text)
        assert citation is not None  # a sentence always quotes itself
        citations.append(citation)
        parts.append(f"{as_sentence(s.text)} [{n}]")
    return AskResult(
        question=question,
        answer=" ".join(parts),
        refused=False,
        citations=citations,
        note=f"Quoted from {len(citations)} passage(s) of the guidance.",
    )
