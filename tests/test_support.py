"""The answer-support check, measured on labelled pairs it was not fitted on."""

from __future__ import annotations

import json

import pytest

from helper.config import REPO_ROOT
from helper.offline.support import quote_with_lead, support

PAIRS = REPO_ROOT / "evals" / "dev" / "support-pairs.jsonl"


@pytest.fixture(scope="module")
def heldout() -> list[tuple[dict, bool]]:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["split"] == "heldout"]
    texts = {r["doc"]: (REPO_ROOT / r["doc"]).read_text(encoding="utf-8") for r in rows}
    return [(r, support(r["sentence"], r["quote"], texts[r["doc"]]).supported) for r in rows]


def test_every_quote_in_the_pairs_is_verbatim():
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert row["quote"] in (REPO_ROOT / row["doc"]).read_text(encoding="utf-8"), row


def test_on_held_out_pairs_most_unsupported_sentences_are_caught(heldout):
    # Measured when fitted (evals/fit_support.py): 38/44 caught, 28/44 passed.
    bad = [ok for r, ok in heldout if r["label"] == "unsupported"]
    assert sum(not ok for ok in bad) / len(bad) >= 0.80


def test_on_held_out_pairs_most_supported_sentences_pass(heldout):
    good = [ok for r, ok in heldout if r["label"] == "supported"]
    assert sum(good) / len(good) >= 0.55


PASSAGE = (
    "Pick a calm moment. Don't think you should apologize for your partner's anger. "
    "Use I statements to describe how you feel instead of criticizing."
)


@pytest.mark.parametrize(
    "sentence, quote, supported",
    [
        (
            "Use I statements to say how you feel.",
            "Use I statements to describe how you feel",
            True,
        ),
        ("Pick a calm moment to talk.", "Pick a calm moment", True),
        ("The capital of France is Paris.", "Pick a calm moment", False),
        ("Always pick a calm moment, it is guaranteed to work.", "Pick a calm moment", False),
        ("Pick a calm moment within 24 hours.", "Pick a calm moment", False),
        (
            "You should apologize for your partner's anger.",
            "you should apologize for your partner's anger",
            False,
        ),
    ],
)
def test_cases_of_each_kind(sentence, quote, supported):
    assert support(sentence, quote, PASSAGE).supported is supported


def test_a_negation_just_before_the_quote_reaches_it():
    assert quote_with_lead("you should apologize", PASSAGE).startswith("Don't think")
