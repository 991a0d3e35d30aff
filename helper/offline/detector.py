"""Votes of the nearest labelled sentences in MiniLM space, for what no word pattern names.

Two are built by evals/train_detector.py (which says why a vote and not a trained network):
- the tone detector (lexicon/detector.npz): whether a draft with no finding still reads as
  cutting, sarcastic or contemptuous. It is not a gate on what the engine shows: it scores
  many plain, fair statements of a complaint as hostile.
- the safety vote (lexicon/safety_vote.npz): whether an input the safety patterns missed
  reads like the threats, self-harm, violence and control of the labelled cases, and which.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from helper.text.sentences import sentences

NEIGHBOURS = 9  # in a vote, unless its file says otherwise
SHARPNESS = 4  # similarities are raised to this power: the closest sentences weigh most
# A sentence is voted on alone from this many words: shorter fragments ("I mean it.", "Go.")
# land near the curt hostile examples whatever surrounds them.
MIN_SENTENCE_WORDS = 4
# How much higher a sentence read alone must score than a whole draft. Measured on the dev
# drafts with the examples of 2026-12-03: hostile drafts found 47 -> 59 of the 130 with no
# word finding, kind drafts flagged 1 of 66 either way.
SENTENCE_MARGIN = 0.10


@dataclass(frozen=True)
class Detector:
    vectors: np.ndarray  # unit MiniLM vectors of the labelled sentences
    labels: np.ndarray  # 1: flagged (lands badly, or a safety case), 0: fine
    threshold: float
    categories: tuple[str, ...] = ()  # for a safety vote: each sentence's category
    neighbours: int = NEIGHBOURS

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """The similarity-weighted share of flagged sentences among each query's neighbours."""
        sims = queries.astype(np.float32) @ self.vectors.T
        nearest = np.argsort(-sims, axis=1)[:, : self.neighbours]
        weights = np.maximum(np.take_along_axis(sims, nearest, 1), 0) ** SHARPNESS
        votes = (weights * self.labels[nearest]).sum(1)
        return votes / np.maximum(weights.sum(1), 1e-9)

    def nearest_category(self, query: np.ndarray) -> str:
        """The category of the closest flagged sentence."""
        sims = self.vectors @ query.astype(np.float32)
        sims[self.labels == 0] = -1.0
        return self.categories[int(np.argmax(sims))]


@lru_cache(maxsize=2)
def load(name: str) -> Detector:
    with resources.files("helper.lexicon").joinpath(name).open("rb") as fh:
        data = np.load(fh)
        categories = tuple(str(c) for c in data["categories"]) if "categories" in data else ()
        return Detector(
            data["vectors"].astype(np.float32),
            data["labels"],
            float(data["threshold"]),
            categories,
            int(data["neighbours"]) if "neighbours" in data else NEIGHBOURS,
        )


def detector() -> Detector:
    return load("detector.npz")


def _embedder():
    # The votes were built on MiniLM vectors, whatever embeds the index.
    from helper.retrieval.embeddings import local_embedder

    return local_embedder()


@lru_cache(maxsize=512)
def tone_score(text: str) -> float:
    """0..1: how likely `text` is to land badly with a partner."""
    return float(detector().scores(_embedder().embed([text]))[0])


def tone_finding(text: str, built: Detector | None = None) -> str | None:
    """The part of `text` that reads as cutting, or None: the whole text, else its sentence
    that scores highest. One cutting sentence beside plain ones ("The kids had a great time
    at the zoo with you. Shame they came home burnt to a crisp.") is averaged away in the
    vector of the whole draft, and the labelled examples are single sentences, so a
    sentence is also compared alone; alone it has less context, so its bar is higher.
    `built` is the shipped detector unless one being trained is given."""
    built = built or detector()
    parts = [text] + [
        s.strip() for s in sentences(text) if len(s.split()) >= MIN_SENTENCE_WORDS and s != text
    ]
    scores = built.scores(_embedder().embed(parts))
    if scores[0] >= built.threshold:
        return text
    best = int(np.argmax(scores))
    return parts[best] if scores[best] >= built.threshold + SENTENCE_MARGIN else None


def lands_badly(text: str) -> bool:
    return tone_finding(text) is not None


@lru_cache(maxsize=512)
def safety_vote(text: str) -> str | None:
    """The safety category the labelled cases nearest `text` point to, or None."""
    vote = load("safety_vote.npz")
    vector = _embedder().embed([text])
    if float(vote.scores(vector)[0]) < vote.threshold:
        return None
    return vote.nearest_category(vector[0])
