"""What no word pattern names: whether a draft lands badly, and whether it reads like danger.

- the tone classifier (lexicon/tone_model.npz, evals/train_tone_model.py): MiniLM fine-tuned
  to tell a draft that lands badly (sarcasm, a dig after thanks, a guilt trip, an ultimatum)
  from a fine one; it decides for a draft with no word finding (tone_part).
- the tone vote (lexicon/detector.npz, evals/train_detector.py): the nearest labelled
  sentences in MiniLM space. It scores how warm a draft with a finding reads
  (findings.affectionate) and is the tone reading of the model engine's disagreement rule
  (lands_badly), the measures those bars were set on; as the decider it found fewer
  (held-out drafts left unchanged 41/115 and 31/78 with the vote, 30/115 and 26/78 with the
  classifier, 2026-12-04).
- the safety vote (lexicon/safety_vote.npz): whether an input the safety patterns missed
  reads like the threats, self-harm, violence and control of the labelled cases, and which.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
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


@cache  # two files; unbounded, so benchmarks/run.py keeps them loaded
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
    """The tone vote's reading, which the model engine's disagreement rule (docs/contract.md)
    weighs against a word finding. Not the tone classifier: it reads many plain "you never
    help..." complaints as fine, and the rule would then hand them back unchanged."""
    return tone_finding(text) is not None


@lru_cache(maxsize=512)
def safety_vote(text: str) -> str | None:
    """The safety category the labelled cases nearest `text` point to, or None."""
    vote = load("safety_vote.npz")
    vector = _embedder().embed([text])
    if float(vote.scores(vector)[0]) < vote.threshold:
        return None
    return vote.nearest_category(vector[0])


# --- the tone classifier (evals/train_tone_model.py) ---------------------------------------

TONE_MODEL = "tone_model.npz"
# Out-of-fold scores of the 702 dev drafts of both authors (five models, each trained without
# the drafts it scored; 2026-12-04) set this. A sentence read alone must score this much
# above the trained bar (0.90): with no margin, hostile drafts found 306/393 and kind ones
# flagged 59/309; with 0.08, 302 and 46.
TONE_SENTENCE_MARGIN = 0.08
# The classifier does not overrule a word finding: it scores many plain "you always/never"
# complaints of the tests as fine ("You're always late picking me up from work and I'm stuck
# waiting in the cold": under 0.2), which the words name rightly.


def scored_parts(model, text: str) -> list[tuple[str, float]]:
    """Each part of `text` the classifier `model` reads (the whole, then each sentence of
    MIN_SENTENCE_WORDS or more) with its score: the probability that it lands badly."""
    parts = model.parts(text)
    scores = 1.0 - model.probabilities(text)[:, 0]
    return [
        (part.strip(), float(score))
        for i, (part, score) in enumerate(zip(parts, scores, strict=True))
        if i == 0 or len(part.split()) >= MIN_SENTENCE_WORDS
    ]


def tone_part(text: str, model=None) -> str | None:
    """The part of `text` the tone classifier reads as landing badly, or None: its sentence
    that scores highest when one reaches the bar (the finding then points at it), else the
    whole draft when it does. `model` is the shipped classifier unless one being trained is
    given."""
    if model is None:
        model, scored = _shipped(), _shipped_scores(text)
    else:
        scored = scored_parts(model, text)
    sentence = max(scored[1:], key=lambda p: p[1], default=None)
    whole = scored[0][1] >= model.threshold
    if sentence and sentence[1] >= min(model.threshold + TONE_SENTENCE_MARGIN, 0.999):
        return sentence[0]
    if not whole:
        return None
    # The whole draft lands badly: point at its sentence that reads worst, if it reads so
    # alone ("Oh good, another 'quick drink'..." after a plain sentence), else at all of it.
    return sentence[0] if sentence and sentence[1] >= model.threshold else scored[0][0]


# Below this, whole and every sentence, a draft reads as clearly fine (rewriting: a word
# finding aimed at no one is then not acted on).
FINE_BELOW = 0.2


def tone_reads_fine(text: str, below: float = FINE_BELOW) -> bool:
    return max(score for _, score in _shipped_scores(text)) < below


def _shipped():
    from helper.offline.safety_model import load as load_model

    return load_model(TONE_MODEL)


@lru_cache(maxsize=512)
def _shipped_scores(text: str) -> tuple[tuple[str, float], ...]:
    """The shipped classifier's scored_parts, once per text: a draft is read for its finding
    and for whether it reads as clearly fine."""
    return tuple(scored_parts(_shipped(), text))
