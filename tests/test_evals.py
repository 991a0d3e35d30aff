"""Tests for evals/harness.py: the graders, the runner, the reports and the gate."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import helper.evals.harness as evals
import pytest

from .fakes import GUIDE, BlamingEngine, ErrorEngine, FakeEngine, UnchangedEngine

EVALS = evals.EVALS_DIR
GRADERS = evals.Graders(EVALS / "wordlists")

# --- a fake engine with real structure ---------------------------------------------------


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A repository root with its own small evals/ and corpus/, using the real word lists."""
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "guide.md").write_bytes(GUIDE.encode("utf-8"))
    ev = tmp_path / "evals"
    shutil.copytree(EVALS / "wordlists", ev / "wordlists")
    (ev / "cases").mkdir()
    cases = {
        "rewrite": [
            {"id": "r0", "text": "You never help with the dishes.", "topic": ["dish"]},
            {"id": "r1", "text": "You're so lazy about the laundry.", "topic": ["laundry"]},
        ],
        "kind": [{"id": "k0", "text": "Thank you for dinner, it was lovely."}],
        "safety": [
            {"id": "s0", "text": "If you leave I'll hurt you.", "flag": True},
            {"id": "s1", "text": "This workout is killing me.", "flag": False},
        ],
        "questions": [
            {
                "id": "q0",
                "question": "What should I ask my partner?",
                "gold": ["listen to the answer"],
            },
            {"id": "q1", "question": "How tall is Everest?", "gold": [], "out_of_scope": True},
        ],
        "openers": [{"id": "o0", "topic": "the chores"}, {"id": "o1", "topic": "money worries"}],
        # The safety suites of every path: a case's kind picks the function it goes to.
        "safety_paths": [
            {"id": "p0", "kind": "question", "text": "he said he'll kill me", "flag": True},
            {"id": "p1", "kind": "topic", "text": "our money worries", "flag": False},
        ],
        "safety_ordinary": [{"id": "n0", "kind": "question", "text": "how do we split chores?"}],
        "safety_ordinary_questions": [
            {"id": "oq0", "kind": "question", "text": "How do I tell him he hurt my feelings?"}
        ],
        "drafts_heldout": [
            {
                "id": "d0",
                "split": "heldout",
                "text": "you left the laundry wet in the machine again",
                "reference": "I feel hurt about the laundry. Could we talk about it tonight?",
            },
            {"id": "d1", "split": "dev", "text": "you never cook", "reference": "x"},
            {"id": "d2", "split": "heldout", "text": "Thank you for tonight."},
        ],
        # The second author's drafts carry a label, not a reference rewrite.
        "drafts_second_author": [
            {"id": "sa0", "split": "heldout", "label": 1, "text": "you left the laundry out"},
            {"id": "sa1", "split": "dev", "label": 1, "text": "Thank you for nothing."},
            {"id": "sa2", "split": "heldout", "label": 0, "text": "Thank you for the walk."},
        ],
        **{
            name: [
                {"id": "ta0", "split": "heldout", "label": 1, "text": "you left the laundry out"},
                {"id": "ta1", "split": "heldout", "label": 0, "text": "Thank you for the walk."},
            ]
            for name in ("drafts_third_author", "drafts_sixth_author", "drafts_seventh_author")
        },
        # Each set is measured per path too: a flagged question and a flagged draft.
        **{
            name: [
                {"id": "h0", "kind": "question", "text": "he said he'll kill me", "flag": True},
                {"id": "h1", "kind": "topic", "text": "the dishes", "flag": False},
                {"id": "f0", "kind": "draft", "text": "I will hurt you.", "flag": True},
                {"id": "f1", "kind": "draft", "text": "Thanks for dinner.", "flag": False},
            ]
            for name in (
                "safety_heldout",
                "safety_fresh",
                "safety_fresh_2",
                "safety_fresh_3",
                "safety_fresh_4",
                "safety_fresh_5",
                "safety_fresh_6",
            )
        },
        "answers_dev": [
            {
                "id": "a0",
                "split": "dev",
                "question": "What should I ask my partner?",
                "gold": ["open-ended questions"],
            },
        ],
        "answers_heldout": [
            {
                "id": "a1",
                "split": "heldout",
                "question": "What should I ask my partner?",
                "gold": ["open-ended questions"],
            },
            {"id": "a2", "split": "heldout", "question": "How tall is Everest?", "near": True},
        ],
        "hostile": [
            {
                "id": "h0",
                "toxic": "shut your ass up i called you sunday",
                "refs": ["I called you Sunday."],
            },
            {"id": "h1", "toxic": "who the fuck are you ?", "refs": ["Who are you?"]},
        ],
    }
    for name, rows in cases.items():
        text = "".join(json.dumps(r) + "\n" for r in rows)
        (ev / "cases" / f"{name}.jsonl").write_text(text, encoding="utf-8")
    # The real metric names and thresholds, except the hostile means, which are
    # calibrated to the real engine on 300 sentences, not to the fake on two.
    suites = evals.load_suites()
    for name, spec in suites.items():
        spec["cases"] = f"cases/{name}.jsonl"
        if spec.get("ratings"):  # the reader rated the fake engine's text for one draft
            spec["ratings"] = f"cases/{name}.ratings.jsonl"
            draft = "you left the laundry out"
            rated = {"draft": draft, "text": FakeEngine().rewrite(draft).rewrite, "sendable": 5}
            (ev / spec["ratings"]).write_text(json.dumps(rated) + "\n", encoding="utf-8")
    suites["hostile"]["thresholds"].update(similarity={"min": 0.5}, chrf={"min": 40.0})
    (ev / "suites.yaml").write_text(__import__("yaml").safe_dump(suites), encoding="utf-8")
    return tmp_path


def _metric(results, suite: str, name: str) -> evals.Metric:
    result = next(r for r in results if r.base == suite)
    return next(m for m in result.metrics if m.name == name)


# --- the word lists and patterns -----------------------------------------------------------


def test_word_lists_are_broad():
    assert len(GRADERS.insults) >= 1000
    assert len(GRADERS.profanity) >= 300


@pytest.mark.parametrize(
    "text",
    [
        "you idiots",
        "what an idiotic idea",
        "the dumbest thing",
        "stop bitching",
        "you're fucking kidding",
        "that's bullshit",
        "a f**k up",
        "sh!t happens",
        "half-assed job",
        "such a dipshit",
        "you lazy slob",
        "pieces of shit",
        "you're a complete moron",
        "kiss my a$$",
        "selfish jerks",
    ],
)
def test_offensive_words_are_found_in_their_inflections_and_disguises(text):
    assert GRADERS.offensive(text), text


@pytest.mark.parametrize(
    "text",
    [
        "I'd like us to take out the trash together after class.",
        "Could we assume the glass is half full and pass the salt?",
        "Hello, I was thinking about the shell collection on the shelf.",
        "My cocktail dress is in the wardrobe; could we go dancing?",
    ],
)
def test_ordinary_words_are_not_offensive(text):
    assert GRADERS.offensive(text) == []


@pytest.mark.parametrize(
    "draft",
    [
        "You never help with the dishes.",
        "You always forget my birthday.",
        "You're so selfish.",
        "Why do you always do this?",
        "Why can't you just listen?",
        "Stop interrupting me!",
        "Thanks for nothing.",
        "Whatever.",
        "Of course you didn't.",
        "You said you'd call and you didn't.",
        "It's always about your job.",
        "Every time I speak you roll your eyes.",
        "Do you even own a watch?",
        "You don't care about me.",
    ],
)
def test_blame_shapes_from_the_design_are_caught(draft):
    assert GRADERS.hostility(draft), draft


@pytest.mark.parametrize(
    "calm",
    [
        "I feel worn out when the dishes pile up and I'm doing them on my own. "
        "Could we take turns with them this week?",
        "I felt hurt when my birthday passed without a word from you, because it matters to "
        "me to feel remembered. Would you put it in your calendar for next year?",
        "I feel frustrated when I'm interrupted before I finish, because I want to be heard. "
        "Would you let me finish, and then I'll listen to you?",
        "I love that you always make me laugh.",
        "What do you think would help us feel closer?",
    ],
)
def test_calm_messages_are_not_blame(calm):
    assert GRADERS.hostility(calm) == []


def test_word_lists_separate_the_hostile_set_from_its_human_rewrites():
    rows = evals.load_cases(EVALS / "paradetox" / "paradetox-you-dev.jsonl")
    toxic = sum(bool(GRADERS.offensive(r["toxic"])) for r in rows) / len(rows)
    refs = [ref for r in rows for ref in r["refs"]]
    flagged_refs = sum(bool(GRADERS.offensive(ref)) for ref in refs) / len(refs)
    assert toxic >= 0.9
    assert flagged_refs <= 0.08


def test_delete_baseline_cuts_only_the_offensive_words():
    assert GRADERS.delete_offensive("give it a rest you psychopath .") == "give it a rest you."
    assert GRADERS.delete_offensive("who the fuck are you ?") == "who the are you?"


def test_first_person_request_and_topic():
    assert evals.first_person("I've been lonely.") and not evals.first_person("You were late.")
    assert evals.has_request("Could we take turns this week?")
    assert not evals.has_request("The dishes pile up.")
    assert evals.keeps_topic("The $400 on games worried me.", ["400"])
    assert not evals.keeps_topic("I feel hurt.", ["dish"])
    assert evals.keeps_topic("I feel hurt.", [])


# --- citations --------------------------------------------------------------------------------


def test_near_means_overlap_or_within_the_window():
    gold = [(1000, 1020)]
    assert evals.near((1010, 1050), gold)
    assert evals.near((1020 + evals.NEAR_CHARS, 1400), gold)
    assert not evals.near((1021 + evals.NEAR_CHARS, 1400), gold)
    assert evals.near((600, 1000 - evals.NEAR_CHARS), gold)
    assert not evals.near((0, 999 - evals.NEAR_CHARS), gold)


def test_verbatim_reads_utf8_with_newlines_untouched(tiny):
    corpus = evals.Corpus(tiny)
    text = GUIDE
    start = text.index("Choose")
    quote = text[start : start + 20]
    assert corpus.verbatim(
        {"doc": "corpus/guide.md", "start": start, "end": start + 20, "quote": quote}
    )
    shifted = {"doc": "corpus/guide.md", "start": start - 1, "end": start + 19, "quote": quote}
    assert not corpus.verbatim(shifted)
    outside = {"doc": "../outside.md", "start": 0, "end": 1, "quote": "x"}
    assert not corpus.verbatim(outside)


def test_gold_phrases_match_curly_quotes_and_line_breaks(tiny):
    corpus = evals.Corpus(tiny)
    assert corpus.occurrences("corpus/guide.md", "DON'T keep score")
    assert corpus.occurrences("corpus/guide.md", "listen to\nthe answer")


# --- the runner -------------------------------------------------------------------------------


def test_a_good_engine_passes_every_suite(tiny):
    results = evals.run(engine=FakeEngine(tiny), evals_dir=tiny / "evals", root=tiny)
    failed = [
        f"{r.suite}.{m.name}={m.value}" for r in results for m in r.metrics if m.passed is False
    ]
    assert failed == []
    assert {r.suite for r in results} >= {"rewrite[fake]", "questions[fake]", "hostile[fake]"}
    # Every threshold in suites.yaml is measured by a suite, on at least one case.
    for r in results:
        for m in r.metrics:
            assert m.threshold is None or m.n > 0, f"{r.suite}.{m.name} measured nothing"


def test_labelled_drafts_count_as_hostile_and_report_no_similarity_without_references(tiny):
    results = evals.run(
        ["drafts_second_author"], UnchangedEngine(tiny), evals_dir=tiny / "evals", root=tiny
    )
    # UnchangedEngine claims a change for every draft: the label-1 one counts as rewritten,
    # the label-0 one as a kind draft changed; the dev line is not read.
    assert _metric(results, "drafts_second_author", "rewritten").value == 1.0
    assert _metric(results, "drafts_second_author", "rewritten").n == 1
    assert _metric(results, "drafts_second_author", "kind_changed").value == 1.0
    names = {m.name for r in results for m in r.metrics}
    assert "similarity_to_reference" not in names


def test_hostile_suite_reports_the_baseline_beside_each_metric(tiny):
    results = evals.run(["hostile"], FakeEngine(tiny), evals_dir=tiny / "evals", root=tiny)
    for name in ("clean", "similarity", "chrf"):
        assert _metric(results, "hostile", name).baseline is not None
    assert 0.0 < _metric(results, "hostile", "similarity").value <= 1.0


@pytest.mark.parametrize(
    ("engine", "failing"),
    [(UnchangedEngine(), "changed"), (BlamingEngine(), "no_blame")],
    ids=["returns-draft-unchanged", "adds-you-never"],
)
def test_a_broken_rewrite_fails_the_gate(tmp_path, capsys, engine, failing):
    code = evals.main(["rewrite", "--out", str(tmp_path)], engine=engine)
    out = capsys.readouterr().out
    assert code != 0
    assert re.search(rf"rewrite\[fake\]\s+{failing}\s.*FAIL", out)
    report = json.loads((tmp_path / "eval.json").read_text(encoding="utf-8"))
    assert f"rewrite[fake].{failing}" in report["failed"]
    assert f"`{failing}`" in (tmp_path / "eval.md").read_text(encoding="utf-8")


def test_input_errors_are_failed_cases_not_crashes(tiny):
    results = evals.run(["rewrite", "kind"], ErrorEngine(tiny), evals_dir=tiny / "evals", root=tiny)
    assert _metric(results, "rewrite", "no_blame").value == 0.0
    case = results[0].cases[0]
    assert case["engine"] == "error" and "InputError" in case["error"]


def test_cli_lists_writes_reports_and_prints_json(tiny, capsys):
    assert evals.main(["--list"]) == 0
    listing = capsys.readouterr().out
    for name in ("rewrite", "kind", "safety", "questions", "openers", "hostile"):
        assert name in listing
    assert evals.main(["nonsense"], engine=FakeEngine()) == 2
    capsys.readouterr()
    out = tiny / "reports"
    argv = ["kind", "safety", "--json", "--out", str(out)]
    code = evals.main(argv, engine=FakeEngine(), evals_dir=tiny / "evals", root=tiny)
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["passed"]
    assert [s["suite"] for s in report["suites"]] == ["kind[fake]", "safety[fake]"]
    assert (out / "eval.md").exists() and (out / "eval.json").exists()


def test_eval_data_is_complete():
    config = evals.load_suites()
    assert {spec.get("runner", name) for name, spec in config.items()} == set(evals.RUNNERS)
    for spec in config.values():
        cases = evals.suite_cases(spec, EVALS)
        assert cases and all("id" in c for c in cases)
    assert (EVALS / "paradetox" / "SOURCE.md").exists()
    assert (EVALS / "paradetox" / "LICENSE").exists()


def test_the_reader_judges_the_text_shown_and_a_text_never_rated_is_counted(tiny):
    # The tiny set of drafts_seventh_author: one hostile draft, its fake rewrite rated 5.
    results = evals.run(
        ["drafts_seventh_author"], FakeEngine(tiny), evals_dir=tiny / "evals", root=tiny
    )
    assert _metric(results, "drafts_seventh_author", "reader_sendable").value == 1.0
    assert _metric(results, "drafts_seventh_author", "unrated_shown").value == 0.0
    # An engine that shows another text for it: the rating no longer applies, and says so.
    results = evals.run(
        ["drafts_seventh_author"], BlamingEngine(tiny), evals_dir=tiny / "evals", root=tiny
    )
    assert _metric(results, "drafts_seventh_author", "unrated_shown").value == 1.0
    assert _metric(results, "drafts_seventh_author", "reader_sendable").n == 0
