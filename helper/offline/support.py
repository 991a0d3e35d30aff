"""Whether a sentence a model wrote is supported by the quote it cites.

No entailment model ships in a registry package, so this is an entailment-style decision
from four signals, fitted and measured on labelled pairs (evals/dev/support-pairs.jsonl,
`python evals/fit_support.py`):

- meaning: the MiniLM cosine between the sentence and its quote (paraphrase scores high, a
  claim about something else low);
- words: the share of the sentence's content words that the quote's sentence uses;
- polarity: a sentence that negates what its quote does not (or the reverse) says the
  opposite, however similar its words;
- reach: absolutes ("always", "guaranteed") and numbers the passage does not have are claims
  the quote cannot carry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from helper.lexicon import load
from helper.text.normalize import fold
from helper.text.tokens import search_terms, words

Embed = Callable[[list[str]], np.ndarray]

_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Support:
    supported: bool
    reason: str  # why not, in words for a note; "" when supported
    cosine: float
    coverage: float


@lru_cache(maxsize=1)
def _rules() -> dict:
    return load("support.yaml")


def quote_context(quote: str, passage: str) -> str:
    """The whole sentence(s) of `passage` that hold `quote`: a clause quoted alone still
    means what its sentence says."""
    at = passage.find(quote)
    if at < 0:
        return quote
    start = max(passage.rfind(end, 0, at) for end in (". ", "! ", "? ", "\n"))
    start = 0 if start < 0 else start + 1
    stop = len(passage)
    for end in (". ", "! ", "? ", "\n"):
        found = passage.find(end, at + len(quote))
        if found != -1:
            stop = min(stop, found + 1)
    return passage[start:stop].strip()


def _negated_terms(text: str) -> set[str]:
    """The content words inside a negation's reach: from the negating word to the end of
    its clause ("don't interrupt when they talk" -> interrupt, talk)."""
    negations = set(_rules()["negations"])
    reach: list[str] = []
    for clause in re.split(r"[,;:.!?]|\bbut\b", fold(text)):
        tokens = words(clause)
        for i, word in enumerate(tokens):
            if word in negations or word.endswith("n't"):
                reach.extend(tokens[i + 1 :])
                break
    return _content(" ".join(reach)) if reach else set()


def _negated(text: str) -> bool:
    negations = set(_rules()["negations"])
    return any(w in negations or w.endswith("n't") for w in words(text))


def _opposite(sentence: str, near: str) -> bool:
    """Whether one of the two negates what the other says: a negation in one whose reach
    shares words with the other, while the other has no negation."""
    if _negated(sentence) == _negated(near):
        return False
    negated, plain = (sentence, near) if _negated(sentence) else (near, sentence)
    return bool(_negated_terms(negated) & _content(plain))


def quote_with_lead(quote: str, passage: str, lead: int = 4) -> str:
    """The quote with the few words before it in its sentence: a "don't" just before a
    quoted clause turns it around, one after it does not reach it."""
    at = passage.find(quote)
    if at < 0:
        return quote
    before = re.split(r"[.!?\n]", passage[:at])[-1].split()
    return " ".join([*before[-lead:], quote])


def _content(text: str) -> set[str]:
    ignore = set(_rules()["ignore"])
    kept = " ".join(w for w in words(text) if w not in ignore)
    return {t for t in search_terms(kept) if not t.endswith("~")}


def coverage(sentence: str, passage: str) -> float:
    """The share of the sentence's content words (stemmed) that the passage uses too."""
    mine = _content(sentence)
    if not mine:
        return 0.0
    theirs = _content(passage)
    prefixes = {t[:5] for t in theirs}
    return sum(1 for t in mine if t in theirs or t[:5] in prefixes) / len(mine)


def _reach(sentence: str, passage: str) -> str:
    """A claim the passage cannot carry: an absolute or a number it does not have."""
    absolutes = set(_rules()["absolutes"])
    theirs = set(words(passage))
    for word in words(sentence):
        if word in absolutes and word not in theirs:
            return f'it claims "{word}", which its quote does not'
    numbers = set(_NUMBER.findall(fold(passage)))
    for number in _NUMBER.findall(fold(sentence)):
        if number not in numbers:
            return f"it gives a number ({number}) that its quote does not"
    return ""


def features(sentence: str, quote: str, passage: str, embed: Embed | None = None) -> dict:
    """The signals the decision weighs (see support.yaml), and the rule that fired, if any."""
    if embed is None:
        from helper.retrieval.embeddings import local_embedder

        embed = local_embedder().embed
    context = quote_context(quote, passage)
    vectors = embed([sentence, quote, context])
    opposite = _opposite(sentence, quote_with_lead(quote, passage))
    reach = _reach(sentence, context)
    return {
        "cosine": float(max(np.dot(vectors[0], vectors[1]), np.dot(vectors[0], vectors[2]))),
        "coverage": coverage(sentence, context),
        "opposite": float(opposite),
        "reach": float(bool(reach)),
        "why": "it says the opposite of its quote" if opposite else reach,
    }


def decide(signals: dict, weights: dict) -> bool:
    score = weights["bias"] + sum(weights[k] * signals[k] for k in weights if k != "bias")
    return score >= 0


def cut_from_its_negation(sentence: str, quote: str, passage: str) -> bool:
    """A quote lifted out of the negation just before it ("Don't think [you should
    apologize]") by a sentence that does not negate: it says the opposite of its source,
    however closely it copies the words. Not left to the weights: never allowed."""
    lead = quote_with_lead(quote, passage)[: -len(quote)] if quote in passage else ""
    return _negated(lead) and not _negated(quote) and not _negated(sentence)


def support(sentence: str, quote: str, passage: str, embed: Embed | None = None) -> Support:
    """Whether `sentence` is supported by `quote`, a verbatim span of `passage`.

    The weights were fitted with the shipped MiniLM (the default `embed`), whichever
    embedder the index uses."""
    if cut_from_its_negation(sentence, quote, passage):
        return Support(False, "it leaves out the negation before its quote", 0.0, 0.0)
    signals = features(sentence, quote, passage, embed)
    supported = decide(signals, _rules()["weights"])
    why = "" if supported else (signals["why"] or "its quote does not say what it says")
    return Support(supported, why, signals["cosine"], signals["coverage"])
