"""Fit and measure the answer-support check (helper/offline/support.py).

    .venv/bin/python evals/fit_support.py [--write]

Reads evals/dev/support-pairs.jsonl (a quote, a model-style sentence citing it, supported or
not, and the kind of pair), fits the logistic-regression weights of support.yaml on the dev
split, and reports both splits by kind; the held-out split is never fitted on. --write
stores the weights in helper/lexicon/support.yaml.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np

from helper.offline import support as sp
from helper.retrieval.embeddings import local_embedder

REPO = Path(__file__).resolve().parent.parent
PAIRS = REPO / "evals" / "dev" / "support-pairs.jsonl"
LEXICON = REPO / "helper" / "lexicon" / "support.yaml"
NAMES = ("cosine", "coverage", "opposite", "reach")
# An unsupported sentence shown costs more than a good one set aside (the rest of the answer,
# or the offline answer, stands in for it): the fit weighs a miss this many times.
MISS_COST = 2.0


def load() -> list[dict]:
    return [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines() if line]


def with_signals(rows: list[dict]) -> list[dict]:
    embed = local_embedder().embed
    texts = {}
    for row in rows:
        if row["doc"] not in texts:
            texts[row["doc"]] = (REPO / row["doc"]).read_text(encoding="utf-8")
        row["signals"] = sp.features(row["sentence"], row["quote"], texts[row["doc"]], embed)
        row["cut"] = sp.cut_from_its_negation(row["sentence"], row["quote"], texts[row["doc"]])
    return rows


def supported(row: dict, weights: dict) -> bool:
    """The decision support() makes: the hard rule first, then the weights."""
    return not row["cut"] and sp.decide(row["signals"], weights)


def fit(rows: list[dict], steps: int = 20000, rate: float = 2.0, l2: float = 1e-3) -> dict:
    x = np.array([[r["signals"][k] for k in NAMES] for r in rows] + [[0.0] * len(NAMES)])[:-1]
    x = np.c_[x, np.ones(len(x))]
    y = np.array([r["label"] == "supported" for r in rows], dtype=float)
    cost = np.where(y == 1, 1.0, MISS_COST)
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        w -= rate * (x.T @ ((p - y) * cost) / len(y) + l2 * w)
    return {
        **dict(zip(NAMES, (round(float(v), 3) for v in w[:-1]), strict=True)),
        "bias": round(float(w[-1]), 3),
    }


def report(name: str, rows: list[dict], weights: dict) -> None:
    good = [r for r in rows if r["label"] == "supported"]
    bad = [r for r in rows if r["label"] != "supported"]
    passed = sum(supported(r, weights) for r in good)
    caught = sum(not supported(r, weights) for r in bad)
    wrong = Counter(r["kind"] for r in rows if supported(r, weights) != (r["label"] == "supported"))
    print(
        f"{name:8s} supported passed {passed}/{len(good)} ({passed / len(good):.2f})  "
        f"unsupported caught {caught}/{len(bad)} ({caught / len(bad):.2f})"
    )
    print(f"         wrong, by kind: {dict(sorted(wrong.items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rows = with_signals(load())
    dev = [r for r in rows if r["split"] == "dev"]
    held = [r for r in rows if r["split"] == "heldout"]
    weights = fit(dev)
    print("fitted weights:", weights)
    report("dev", dev, weights)
    report("heldout", held, weights)
    if args.write:
        text = LEXICON.read_text(encoding="utf-8")
        line = "weights: {" + ", ".join(f"{k}: {v}" for k, v in weights.items()) + "}"
        LEXICON.write_text(re.sub(r"^weights: \{.*\}$", line, text, flags=re.M), "utf-8")
        print(f"wrote {LEXICON.relative_to(REPO)}")


if __name__ == "__main__":
    main()
