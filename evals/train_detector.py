"""Build the tone detector and the safety vote: `python evals/train_detector.py` (~20 s).

The detector decides whether a message lands badly where the lexicon's word patterns find
nothing (sarcasm, passive aggression, contempt without insult words). It is a weighted vote
of the nearest labelled sentences in MiniLM space, the embeddings the project already ships:
evals/dev/relationship-sentences.jsonl (2,431 sentences, hard negatives such as "You always
make me laugh" included). The ParaDetox sample is left out on purpose: it is the `hostile`
eval suite, and a detector that had seen it would grade itself. A nearest-neighbour vote was
chosen over a trained network because the network, measured on the same splits, called kind
look-alikes hostile ("I'll always be here for you": 0.9998) while the vote keeps them apart.

The threshold is picked on the dev split of evals/dev/rewrite-{drafts,kind}.jsonl; the held-
out split, never used for tuning, is reported. Writes helper/lexicon/detector.npz.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MAX_KIND_FLAGGED = 0.02  # on the dev split: a kind draft "detected" is a kind draft changed
THRESHOLDS = np.round(np.arange(0.5, 0.96, 0.05), 2)
# One step above the lowest threshold that passes: the dev kind set is small (66 drafts), and
# a kind message answered with "this may land badly" costs more than a sarcastic one missed.
MARGIN = 0.05
# The tone vote asks more neighbours than the safety vote: with 9, two or three sentences that
# share the topic decided ("You said the hotel was booked. It wasn't." went with "The hotel
# was beautiful. Shame it's the only thing you planned."); with 15 the tone of the rest weighs
# in. Dev drafts with no word finding: 59 -> 55 of 111 hostile ones found, no kind look-alike
# of tests/test_rewriting.py flagged.
TONE_NEIGHBOURS = 15


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from helper.offline.detector import Detector, tone_finding
    from helper.retrieval.embeddings import local_embedder

    embedder = local_embedder()

    def embed(texts: list[str]) -> np.ndarray:
        return np.vstack([embedder.embed(texts[i : i + 64]) for i in range(0, len(texts), 64)])

    dev = ROOT / "evals" / "dev"
    # The second file (800 sentences, 2026-12-03) adds the shapes the first missed most on
    # the dev drafts: sarcasm, digs without "you", ultimatums and texting style, with as many
    # calm complaints, polite requests and affectionate teasing that must pass.
    labelled = rows(dev / "relationship-sentences.jsonl")
    labelled += rows(dev / "relationship-sentences-2.jsonl")
    texts = [r["text"] for r in labelled]
    labels = [r["label"] for r in labelled]
    vectors = embed(texts).astype(np.float16)
    detector = Detector(
        vectors, np.array(labels, dtype=np.int8), threshold=0.5, neighbours=TONE_NEIGHBOURS
    )

    drafts, kind = rows(dev / "rewrite-drafts.jsonl"), rows(dev / "rewrite-kind.jsonl")

    def scores(split: str) -> tuple[np.ndarray, np.ndarray]:
        hostile = detector.scores(embed([r["text"] for r in drafts if r["split"] == split]))
        calm = detector.scores(embed([r["text"] for r in kind if r["split"] == split]))
        return hostile, calm

    hostile, calm = scores("dev")
    lowest = min(t for t in THRESHOLDS if (calm >= t).mean() <= MAX_KIND_FLAGGED)
    threshold = round(float(lowest) + MARGIN, 2)
    np.savez_compressed(
        ROOT / "helper" / "lexicon" / "detector.npz",
        vectors=vectors,
        labels=np.array(labels, dtype=np.int8),
        threshold=np.float32(threshold),
        neighbours=np.int16(TONE_NEIGHBOURS),
    )
    print(f"threshold {threshold:.2f}")
    for split in ("dev", "heldout"):
        hostile, calm = scores(split)
        tp, fn = int((hostile >= threshold).sum()), int((hostile < threshold).sum())
        fp, tn = int((calm >= threshold).sum()), int((calm < threshold).sum())
        print(
            f"{split}: hostile drafts detected {tp}/{tp + fn} (recall {tp / (tp + fn):.3f}), "
            f"kind drafts flagged {fp}/{fp + tn}, precision {tp / max(1, tp + fp):.3f}"
        )
    # What the engine applies: the whole draft, or one of its sentences with a higher bar.
    built = Detector(
        vectors.astype(np.float32), np.array(labels, dtype=np.int8), threshold, (), TONE_NEIGHBOURS
    )
    for split in ("dev", "heldout"):
        for name, group in (("hostile", drafts), ("kind", kind)):
            texts = [r["text"] for r in group if r["split"] == split]
            found = sum(tone_finding(t, built) is not None for t in texts)
            print(
                f"{split}: {name} drafts read as cutting, whole or one sentence: "
                f"{found}/{len(texts)}"
            )
    build_safety_vote(embed)
    return 0


# The dev sets' categories, as the screen names them (docs/safety.md).
SCREEN_CATEGORY = {
    "threat": "violence",
    "child_threat": "violence",
    "self_harm": "self_harm",
    "violence_report": "abuse",
    "sexual_coercion": "abuse",
    "coercive_control": "coercive_control",
    "none": "",
}
MAX_SAFETY_FALSE_ALARMS = 0.005  # on the held-out third of the dev cases


def build_safety_vote(embed) -> None:
    """The safety vote: flagged dev cases against everything written not to be flagged.
    evals/dev/safety-fresh.jsonl is never read here: it measures the screen, untuned."""
    from helper.offline.detector import Detector

    dev = ROOT / "evals" / "dev"
    cases = rows(dev / "safety-cases.jsonl") + rows(dev / "safety-more.jsonl")
    # The hand-written cases of tests/test_safety.py, copied there for the vote: near misses
    # such as "I keep a knife in the car for camping" must pull it the right way.
    cases += rows(dev / "safety-regressions.jsonl")
    calm = [r["text"] for r in rows(dev / "safety-ordinary.jsonl")]
    calm += [r["text"] for r in rows(dev / "relationship-sentences.jsonl")]
    for name in ("rewrite-drafts.jsonl", "rewrite-kind.jsonl"):
        calm += [r["text"] for r in rows(dev / name) if r["split"] == "dev"]
    calm += [r["question"] for r in rows(dev / "questions-answerable.jsonl") if r["split"] == "dev"]
    texts = [r["text"] for r in cases] + calm
    labels = np.array([int(r["flag"]) for r in cases] + [0] * len(calm), dtype=np.int8)
    categories = [SCREEN_CATEGORY[r["category"]] for r in cases] + [""] * len(calm)
    vectors = embed(texts).astype(np.float32)
    # The threshold from the dev data alone: every third sentence is held out of the vote.
    held = np.arange(len(texts)) % 3 == 0
    trial = Detector(vectors[~held], labels[~held], 0.5)
    scores = trial.scores(vectors[held])
    calm_scores = scores[labels[held] == 0]
    threshold = float(
        min(t for t in THRESHOLDS if (calm_scores >= t).mean() <= MAX_SAFETY_FALSE_ALARMS)
    )
    recall = float((scores[labels[held] == 1] >= threshold).mean())
    np.savez_compressed(
        ROOT / "helper" / "lexicon" / "safety_vote.npz",
        vectors=vectors.astype(np.float16),
        labels=labels,
        categories=np.array(categories),
        threshold=np.float32(threshold),
    )
    print(
        f"safety vote: threshold {threshold:.2f}; on the held-out third of the dev cases "
        f"recall {recall:.3f}, false alarms {(calm_scores >= threshold).mean():.4f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
