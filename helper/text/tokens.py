"""The one tokenizer: words for the engine's logic, stemmed terms for lexical search.

Two token shapes elsewhere are deliberate and documented where they live: the safety
screen keeps punctuation as tokens (phrase boundaries), and the profanity finder keeps
symbols inside words ("f*ck").
"""

from __future__ import annotations

import re
from functools import lru_cache

from helper.text.normalize import fold

_WORD = re.compile(r"[a-z']+")
_ALNUM = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lower-case words with their apostrophes ("don't"), quotes straightened."""
    return _WORD.findall(fold(text))


def search_terms(text: str) -> list[str]:
    """The terms BM25 indexes and searches: stemmed, stopwords out, plus a six-letter
    prefix that joins word families the stemmer keeps apart ("complaining", "complaints")."""
    from bm25s.stopwords import STOPWORDS_EN

    found = _ALNUM.findall(fold(text))
    stems = _stemmer().stemWords([w for w in found if w not in STOPWORDS_EN and len(w) > 1])
    return stems + [f"{s[:6]}~" for s in stems if len(s) > 6]


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")
