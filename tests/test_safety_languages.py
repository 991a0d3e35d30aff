"""The safety cues in other languages (helper/lexicon/safety_languages.yaml), through the
whole pattern step: each danger sentence gets its category, and ordinary conflict and idioms
("me muero de risa", "das bringt mich um") get nothing, in any category or language.

The sentences (tests/fixtures/safety-languages.jsonl) were written with the patterns, by the
same helper session, so they hold the patterns to what they were written for; recall on
wording written apart is measured by the safety-fresh suites."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helper.lexicon import load
from helper.offline.safety import matches, screen

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "fixtures" / "safety-languages.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line
]
DANGER = [c for c in CASES if c["category"]]
ORDINARY = [c for c in CASES if not c["category"]]


def test_every_language_has_cues_and_cases_for_every_category():
    data = load("safety_languages.yaml")
    languages = {c["language"] for c in DANGER}
    assert languages == {"es", "fr", "de", "pt", "it", "pl"}
    for category, by_language in data.items():
        assert set(by_language) == languages, category
        assert all(by_language.values()), category
        assert {c["language"] for c in DANGER if c["category"] == category} == languages


@pytest.mark.parametrize("case", DANGER, ids=[f"{c['language']}-{c['text'][:40]}" for c in DANGER])
def test_danger_in_other_languages_gets_its_category(case):
    assert case["category"] in matches(case["text"])


@pytest.mark.parametrize(
    "case", ORDINARY, ids=[f"{c['language']}-{c['text'][:40]}" for c in ORDINARY]
)
def test_ordinary_conflict_and_idioms_in_other_languages_pass(case):
    assert matches(case["text"]) == []


def test_a_question_in_another_language_gets_the_safety_response():
    result = screen("¿Qué hago? Mi marido me pega cuando bebe.")
    assert result.flagged and result.category == "abuse"
    assert "help" in result.message.lower() or "emergency" in result.message.lower()
