"""Fit the scope decision of Ask: `python evals/train_scope.py` (~30 s).

Whether the guidance covers a question is learned, not read from word lists: a logistic
regression over the question's MiniLM vector (the model the project ships), trained on
evals/dev/scope-questions.jsonl (300 covered questions, 220 near the topic but about law,
medicine, money, weddings, apps..., 80 far off) and the dev split of
evals/dev/questions-{answerable,out-of-scope}.jsonl. The penalty and the threshold are chosen
by 5-fold cross-validation on that data alone: the threshold that declines the most
near-topic questions while answering at least MIN_ANSWERED of
the dev questions people asked. The held-out
split of questions-* is reported, never fitted. Writes helper/lexicon/scope_model.npz.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PENALTIES = (0.03, 0.1, 0.3, 1.0, 3.0)
THRESHOLDS = np.round(np.arange(0.2, 0.71, 0.05), 2)
MIN_ANSWERED = 0.96  # the issue asks 0.95 on held-out questions: a margin for the unseen
STEPS = 1500


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def fit(x: np.ndarray, y: np.ndarray, penalty: float) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent; the classes weighted to count alike."""
    w, b = np.zeros(x.shape[1]), 0.0
    weight = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        err = weight * (p - y)
        w -= 5.0 * (x.T @ err / len(y) + penalty * w / len(y))
        b -= 5.0 * err.mean()
    return w, b


def probability(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return 1 / (1 + np.exp(-(x @ w + b)))


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from helper.retrieval.embeddings import local_embedder

    embedder = local_embedder()

    def embed(texts: list[str]) -> np.ndarray:
        return np.vstack([embedder.embed(texts[i : i + 64]) for i in range(0, len(texts), 64)])

    dev = ROOT / "evals" / "dev"
    answerable = rows(dev / "questions-answerable.jsonl")
    declined = rows(dev / "questions-out-of-scope.jsonl")
    extra = rows(dev / "scope-questions.jsonl")
    train = (
        [(r["question"], 1, "asked") for r in answerable if r["split"] == "dev"]
        + [
            (r["question"], 0, "near" if r["near"] else "far")
            for r in declined
            if r["split"] == "dev"
        ]
        + [(r["question"], int(r["label"] == "in"), r["kind"]) for r in extra]
    )
    x = embed([t for t, _, _ in train])
    y = np.array([label for _, label, _ in train], dtype=float)
    kinds = np.array([k for _, _, k in train])

    folds = np.arange(len(y)) % 5
    best = None
    for penalty in PENALTIES:
        held = np.zeros(len(y))
        for f in range(5):
            w, b = fit(x[folds != f], y[folds != f], penalty)
            held[folds == f] = probability(x[folds == f], w, b)
        for t in THRESHOLDS:
            # Answered is counted on the questions people asked (the dev split of
            # questions-answerable.jsonl): the written-for-training ones are easier to place.
            answered = (held[kinds == "asked"] >= t).mean()
            near = (held[kinds == "near"] < t).mean()
            print(
                f"  penalty {penalty:<4} threshold {t:.2f}: "
                f"answered {answered:.3f}, near declined {near:.3f}"
            )
            if answered >= MIN_ANSWERED and (best is None or near > best[0]):
                best = (near, penalty, float(t), answered)
    assert best is not None, "no threshold answers enough covered questions"
    near, penalty, threshold, answered = best
    print(
        f"chosen: penalty {penalty}, threshold {threshold:.2f} (cross-validated: answered "
        f"{answered:.3f}, near declined {near:.3f})"
    )
    w, b = fit(x, y, penalty)
    np.savez_compressed(
        ROOT / "helper" / "lexicon" / "scope_model.npz",
        weights=w.astype(np.float32),
        bias=np.float32(b),
        threshold=np.float32(threshold),
    )
    answered_h = embed([r["question"] for r in answerable if r["split"] == "heldout"])
    near_h = embed([r["question"] for r in declined if r["split"] == "heldout" and r["near"]])
    answered_share = (probability(answered_h, w, b) >= threshold).mean()
    near_share = (probability(near_h, w, b) < threshold).mean()
    print(
        f"held-out (never fitted, the model alone): answered {answered_share:.3f} of "
        f"{len(answered_h)}, near-topic declined {near_share:.3f} of {len(near_h)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
