"""Grounded answers: retrieve, pick the sentences of the guidance that answer, cite each.

The offline answer is extractive on purpose: every sentence of it is a sentence of the
guidance, so it can never say what the guidance does not.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from helper.config import MAX_QUESTION_CHARS
from helper.lexicon import load as load_lexicon
from helper.offline.ranking import rank, search_all
from helper.offline.safety import screen
from helper.results import AskResult, Citation, Passage
from helper.retrieval.citations import cite, doc_path, read_doc
from helper.retrieval.corpus import load_document
from helper.retrieval.index import Index, Retrieval, Sentence
from helper.text.inputs import check_text
from helper.text.spelling import Speller, vocabulary
from helper.text.tokens import search_terms, words

# Scope. A question far from every passage (cosine under POSSIBLY_IN_SCOPE) is declined
# outright; the rest go to a logistic regression over the question's MiniLM vector that
# tells covered questions from those near the topic but about law, medicine, money,
# weddings, apps... (evals/train_scope.py; lexicon/scope_model.npz holds its weights and
# threshold). Word rules could not do it: "we fight about money, how do we talk about it" is
# covered and "should we open a joint account" is not, with the same words. Measured on the
# held-out questions (helper eval answers_heldout): answered 0.917 (55/60), near-topic
# declined 0.846 (11/13); the rule before it, cosine plus relationship words: 0.733, 0.308.
POSSIBLY_IN_SCOPE = (
    0.15  # on the dev questions 0.25 declined two covered ones with typos; 0.2 and below, none
)


@lru_cache(maxsize=1)
def _scope_model() -> tuple[np.ndarray, float, float]:
    with resources.files("helper.lexicon").joinpath("scope_model.npz").open("rb") as fh:
        data = np.load(fh)
        return data["weights"].astype(np.float32), float(data["bias"]), float(data["threshold"])


def covered_probability(question: str) -> float:
    """How likely the guidance covers the question, by the scope model."""
    from helper.retrieval.embeddings import local_embedder  # the model was fitted on MiniLM

    weights, bias, _ = _scope_model()
    vector = local_embedder().embed([question])[0]
    return float(1 / (1 + np.exp(-(vector @ weights + bias))))


@lru_cache(maxsize=1)
def _scope() -> dict:
    data = load_lexicon("scope.yaml")
    return {k: frozenset(v) for k, v in data.items() if k != "list_questions"}


@lru_cache(maxsize=1)
def _list_questions() -> list[re.Pattern]:
    return [re.compile(p, re.IGNORECASE) for p in load_lexicon("scope.yaml")["list_questions"]]


def in_scope(question: str, retrieval: Retrieval) -> bool:
    """Whether the guidance covers the question: near some passage, and read as covered by
    the scope model."""
    if retrieval.best_similarity < POSSIBLY_IN_SCOPE:
        return False
    return covered_probability(question) >= _scope_model()[2]


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


# Passage-first composition (issue: answers that answer the question). The chunks are ranked
# by helper/offline/ranking.py; the answer quotes the best chunk's passage in reading order
# from the sentence before its best one (or from its list's label), then, if room is left,
# the next chunk's.
LABEL_REACH = 7  # how many list items back a list's label is looked for
MAX_QUOTED_CHARS = 560  # both windows together; the markers between list items come on top
MIN_SECOND_WINDOW = 80
MAX_WINDOWS = 2


def _chunk_sentences(index: Index) -> dict[str, list[Sentence]]:
    def build(ix: Index) -> dict[str, list[Sentence]]:
        out: dict[str, list[Sentence]] = {}
        for sentence in ix.all_sentences:
            out.setdefault(sentence.chunk, []).append(sentence)
        return out

    return index.memo("chunk_sentences", build)


# A sentence that points at text the person does not see ("the reasons listed below", "as
# we saw earlier", "now that we understand why, let's talk solutions") is left out of a
# quote; one that leans on the sentence before it ("They...", "This is why...") takes that
# sentence with it.
_POINTER = re.compile(
    r"\b(?:below|above|later in (?:this|the) (?:article|post|guide)|from earlier|"
    r"as (?:we|I) (?:said|saw|mentioned)|let'?s (?:talk|dive|look|get)|now that we)\b",
    re.IGNORECASE,
)
_LEANS_BACK = re.compile(
    r"^(?:this|that|these|those|they|it|and|but|so|also|alternatively|as a result|second|"
    r"third|finally|until|which|then|plus|instead|otherwise)\b",
    re.IGNORECASE,
)


def _leans_back(text: str) -> bool:
    """Whether a sentence needs the one before it: it starts with a word pointing back, or it
    is a one- or two-word answer to it ("The first few days? Brutal."), which a quote must not
    start with."""
    return bool(_LEANS_BACK.match(text)) or len(text.split()) <= 2


def window(index: Index, best: Sentence, budget: int) -> list[Sentence]:
    """The passage around `best` in reading order, within `budget` characters: from its
    list's label when it is a list item, else from the sentence before it (and the one
    before that, while the first leans back on it); no sentence pointing elsewhere in the
    article, and no list label left at the end without its items."""
    sentences = _chunk_sentences(index)[best.chunk]
    i = next(k for k, s in enumerate(sentences) if s.id == best.id)
    start = i
    if best.item:
        j = i
        while (
            j > 0 and i - j < LABEL_REACH and (sentences[j - 1].item or _is_label(sentences[j - 1]))
        ):
            j -= 1
            if _is_label(sentences[j]):
                break
        start = j
    elif i > 0 and not sentences[i - 1].text.rstrip().endswith("?"):
        start = i - 1
    while start > 0 and start > i - 3 and _leans_back(sentences[start].text.strip()):
        start -= 1
    # The sentences before `best` are context; `best` is the answer. When they would fill
    # the budget on their own (a second passage has little room), the quote starts nearer.
    while start < i and sum(len(s.text.strip()) + 1 for s in sentences[start : i + 1]) > budget:
        start += 1
    out: list[Sentence] = []
    used = 0
    for s in sentences[start:]:
        if _POINTER.search(s.text) and s is not best:
            if out:
                break  # a quote is one span of the file: it ends before the pointer
            continue
        length = len(s.text.strip()) + 1
        if out and used + length > budget:
            break
        out.append(s)
        used += length
    while len(out) > 1 and _is_label(out[-1]):
        out.pop()
    return out


def compose(index: Index, retrieval: Retrieval) -> list[list[Sentence]]:
    """The answer's passages, each a run of consecutive sentences of one chunk: the best
    chunk's first, then the next ones' while room is left (the best chunk holds the answer
    for about two questions in three; one of the best three, for four in five)."""
    ranked = rank(index, retrieval)
    if not ranked:
        return []
    windows = [window(index, ranked[0].best, MAX_QUOTED_CHARS)]
    used = {s.id for s in windows[0]}
    left = MAX_QUOTED_CHARS - sum(len(s.text.strip()) + 1 for s in windows[0])
    for candidate in ranked[1:]:
        if len(windows) >= MAX_WINDOWS or left < MIN_SECOND_WINDOW:
            break
        more = window(index, candidate.best, left)
        if not more or {s.id for s in more} & used:
            continue
        windows.append(more)
        used |= {s.id for s in more}
        left -= sum(len(s.text.strip()) + 1 for s in more)
    return windows


# Lists of sections: a heading whose subsections are the items ("Why do couples fall out of
# love?" and its nine reasons, "12 Ways To Fall Back In Love..." and its twelve steps). The
# reasons and steps are headings, not sentences, so the passage search cannot quote them.
MIN_LIST_SECTIONS = 3
# How close the question must be to the list's heading. On the dev questions, those that ask
# for a list of the guidance's sections scored 0.64 to 0.98; "why does love fade" (0.55), whose
# gold is a sentence, and questions about one item ("is boredom a reason...", 0.67 but singular)
# are left to the passage answer by this bar and by the list wording of scope.yaml.
LIST_SIMILARITY = 0.6


@dataclass
class SectionList:
    doc: str
    title: str
    heading: tuple[str, int, int]  # text, start, end in the file
    items: list[tuple[str, int, int]]


def _heading_span(text: str, heading: str, body_start: int) -> tuple[str, int, int] | None:
    at = text.rfind(heading, 0, body_start)
    return (heading, at, at + len(heading)) if at >= 0 else None


def section_lists(index: Index) -> list[SectionList]:
    """The guidance's sections whose subsections make a list, with the embedding of each
    heading, found once per index generation."""

    def build(ix: Index) -> list[SectionList]:
        found = []
        for doc in sorted({c.doc for c in ix.chunks}):
            document = load_document(doc_path(doc))
            sections = document.sections
            for i, parent in enumerate(sections):
                if not parent.heading or parent.level == 0:
                    continue
                items = []
                for child in sections[i + 1 :]:
                    if child.level <= parent.level:
                        break
                    if child.level == parent.level + 1:
                        items.append(_heading_span(document.text, child.heading, child.start))
                head = _heading_span(document.text, parent.heading, parent.start)
                if head and len(items) >= MIN_LIST_SECTIONS and all(items):
                    found.append(SectionList(doc, document.title, head, items))
        return found

    return index.memo("section_lists", build)


def _section_list_vectors(index: Index):
    def build(ix: Index):
        lists = section_lists(ix)
        return ix.embedder.embed([lst.heading[0] for lst in lists]) if lists else None

    return index.memo("section_list_vectors", build)


def list_answer(index: Index, question: str, vector) -> SectionList | None:
    """The list of sections the question asks for, if it asks for one the guidance has."""
    if not any(p.search(question) for p in _list_questions()):
        return None
    lists, vectors = section_lists(index), _section_list_vectors(index)
    if not lists:
        return None
    similarity = vectors @ vector
    best = int(similarity.argmax())
    return lists[best] if similarity[best] >= LIST_SIMILARITY else None


def _answer_list(question: str, found: SectionList) -> AskResult:
    text = read_doc(found.doc)
    citations, parts = [], []
    for n, (heading, start, end) in enumerate([found.heading, *found.items], start=1):
        span = Passage(
            f"{found.doc}:{start}", text[start:end], found.doc, found.title, heading, start, end
        )
        citation = cite(n, span, span.text)
        assert citation is not None  # a span always quotes itself
        citations.append(citation)
        sentence = as_sentence(heading)
        if n == 1:
            sentence = sentence.rstrip(".?!") + ":"
        parts.append(f"{sentence} [{n}]")
    return AskResult(
        question=question,
        answer=" ".join(parts),
        refused=False,
        citations=citations,
        note=f"The guidance's list “{found.heading[0]}”: its {len(found.items)} sections, "
        "each cited; ask about one of them for its passage.",
    )


def as_sentence(quote: str) -> str:
    """A quote as a sentence of the answer: capitalised, ending in punctuation."""
    text = quote.strip()
    text = text[0].upper() + text[1:]
    if not re.search(r"[.!?…:][\"”’)]*$", text):  # a list's label keeps its colon
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


def spelled(index: Index, question: str) -> str:
    """The question as it is searched: misspelt and texting words read as the guidance's
    words (helper/text/spelling.py). The answer still shows the question as it was typed."""

    def build(ix: Index) -> Speller:
        texts = [s.text for s in ix.all_sentences] + [q.question for q in ix.stored_questions]
        return Speller(vocabulary(texts), load_lexicon("phrasings.yaml")["typos"])

    return index.memo("speller", build).correct(question)


def answer_offline(question: str, index: Index) -> AskResult:
    question = check_text(question, what="question", limit=MAX_QUESTION_CHARS)
    safety = screen(question)
    if safety.flagged:
        # Never answered from the guidance: advice for ordinary conflict ("apologize", "keep
        # trying") must not be quoted at someone describing danger.
        return AskResult(question, "", True, [], "offline", SAFETY_NOTE, safety)
    # One search of every chunk serves the scope decision and the ranker, which scores all.
    searched = spelled(index, question)
    retrieval = search_all(index, searched)
    titles = sorted({c.title for c in index.chunks})
    # The scope model was fitted on questions as people type them, typos and all.
    if not retrieval.passages or not in_scope(question, retrieval):
        return refusal(question, titles)
    found = list_answer(index, searched, retrieval.vector)
    if found is not None:
        return _answer_list(question, found)
    windows = compose(index, retrieval)
    if not windows:
        return refusal(question, titles)
    citations: list[Citation] = []
    parts = []
    for n, run in enumerate(windows, start=1):
        # One citation per passage: the span from its first sentence to its last, verbatim.
        text = read_doc(run[0].doc)
        start, end = run[0].start, run[-1].end
        span = Passage(
            run[0].id, text[start:end], run[0].doc, run[0].title, run[0].section, start, end
        )
        citation = cite(n, span, span.text)
        assert citation is not None  # a span always quotes itself
        citations.append(citation)
        parts.append(" ".join(as_sentence(s.text) for s in run) + f" [{n}]")
    return AskResult(
        question=question,
        answer=" ".join(parts),
        refused=False,
        citations=citations,
        note=f"Quoted from {len(citations)} passage(s) of the guidance, in reading order.",
    )
