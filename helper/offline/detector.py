"""The tone detector: a vote of the nearest labelled sentences in MiniLM space.

Built by evals/train_detector.py (which says why a vote and not a trained network) into
lexicon/detector.npz: whether a draft with no finding still reads as cutting, sarcastic or
contemptuous. It is not a gate on what the engine shows: it scores many plain, fair
statements of a complaint as hostile. (The safety screen's classifier is safety_model.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

NEIGHBOURS = 9
SHARPNESS = 4  # similarities are raised to this power: the closest sentences weigh most


@dataclass(frozen=True)
class Detector:
    vectors: np.ndarray  # unit MiniLM vectors of the labelled sentences
    labels: np.ndarray  # 1: lands badly, 0: fine
    threshold: float

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """The similarity-weighted share of flagged sentences among each query's neighbours."""
        sims = queries.astype(np.float32) @ self.vectors.T
        nearest = np.argsort(-sims, axis=1)[:, :NEIGHBOURS]
        weights = np.maximum(np.take_along_axis(sims, nearest, 1), 0) ** SHARPNESS
        votes = (weights * self.labels[nearest]).sum(1)
        return votes / np.maximum(weights.sum(1), 1e-9)


@lru_cache(maxsize=1)
def load(name: str) -> Detector:
    with resources.files("helper.lexicon").joinpath(name).open("rb") as fh:
        data = np.load(fh)
        return Detector(
            data["vectors"].astype(np.float32), data["labels"], float(data["threshold"])
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


def lands_badly(text: str) -> bool:
    return tone_score(text) >= detector().threshold
