"""`helper eval --judge`: the configured chat model as a blind reader of what is shown.

Each held-out hostile draft is rewritten by both engines; the judge sees a draft and one
message at a time, in a shuffled order, never which engine wrote it, and rates it on the
rubric of prompts/judge.md: sendable 1-5, grammatical, faithful, blame-free. A draft left
unchanged is rated as shown: the draft itself. The figures sit beside the mechanical
metrics in the report; they are a reader's view, not a gate.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from pydantic import BaseModel, Field

from helper.errors import HelperError, ModelFault

EVALS_DIR = Path(__file__).resolve().parent
DRAFTS = EVALS_DIR / "dev" / "rewrite-drafts.jsonl"


class JudgeReply(BaseModel):
    """A blind reader's rating of one message."""

    sendable: int = Field(ge=1, le=5, description="1 (worse than not sending) to 5 (as is).")
    grammatical: bool = Field(description="Fluent, correct language.")
    faithful: bool = Field(description="Keeps the specific complaint and the need.")
    blame_free: bool = Field(description="No insults, contempt, sarcasm, accusations, threats.")
    why: str = Field(default="", description="One short sentence: the main reason.")


def heldout_drafts(limit: int) -> list[str]:
    rows = [json.loads(line) for line in DRAFTS.read_text(encoding="utf-8").splitlines()]
    return [r["text"] for r in rows if r.get("split") == "heldout"][:limit]


def shown_message(result) -> str:
    """What the person would send: the rewrite, or the draft when it came back unchanged."""
    return result.rewrite if result.changed and result.rewrite.strip() else result.input


def judge(engines: dict, judge_engine, drafts: list[str], seed: int = 0) -> dict:
    """Ratings per engine. `judge_engine` is an LLMEngine whose model is the judge."""
    from helper.llm.engine import _fence, render_prompt

    items = []
    for draft in drafts:
        for name, engine in engines.items():
            try:
                result = engine.rewrite(draft)
            except HelperError:
                continue
            if result.safety.flagged and not result.rewrite.strip():
                continue  # a safety response is not a message to rate
            items.append((name, draft, shown_message(result)))
    random.Random(seed).shuffle(items)  # no engine's outputs in a run of their own
    ratings: dict[str, list[JudgeReply]] = {name: [] for name in engines}
    failures: dict[str, int] = {name: 0 for name in engines}
    for name, draft, message in items:
        messages = render_prompt(
            "judge", {"draft": _fence(draft, "draft"), "message": _fence(message, "message")}
        )
        try:
            ratings[name].append(judge_engine._call(JudgeReply, messages))
        except ModelFault:
            failures[name] += 1
    return {name: _figures(ratings[name], failures[name]) for name in engines}


def _figures(rated: list[JudgeReply], failed: int) -> dict:
    n = len(rated)

    def share(test) -> float | None:
        return round(sum(1 for r in rated if test(r)) / n, 3) if n else None

    return {
        "rated": n,
        "judge_failed": failed,
        "sendable_mean": round(sum(r.sendable for r in rated) / n, 2) if n else None,
        "sendable_4_or_more": share(lambda r: r.sendable >= 4),
        "grammatical": share(lambda r: r.grammatical),
        "faithful": share(lambda r: r.faithful),
        "blame_free": share(lambda r: r.blame_free),
    }


def format_judge(figures: dict) -> str:
    keys = [
        "rated",
        "sendable_mean",
        "sendable_4_or_more",
        "grammatical",
        "faithful",
        "blame_free",
        "judge_failed",
    ]
    lines = ["| engine | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for name, f in figures.items():
        cells = ["-" if f[k] is None else str(f[k]) for k in keys]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
