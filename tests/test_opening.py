"""Openers: three to five first sentences for a hard conversation, each first person, free of
findings, in the topic's words and citing the guidance verbatim; plus tips; safety first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helper.offline.opening as openers
from helper.config import REPO_ROOT, from_env
from helper.errors import InputError
from helper.offline.findings import analyze
from helper.offline.safety import screen
from helper.results import OpenersResult, Safety
from helper.retrieval.index import Index

from .conftest import SHARED, read_jsonl

openers_offline = openers.openers_offline

DEV_FILE = SHARED / "evals-dev" / "openers.jsonl"
DEV = read_jsonl(DEV_FILE if DEV_FILE.exists() else REPO_ROOT / "evals/cases/openers.jsonl")
DEV_TOPICS = [c["topic"] for c in DEV]
# Held-out style: the same shapes in other words and about other subjects.
HELD_OUT = [
    "we always fight about his mother",
    "how we divide the housework",
    "we don't talk anymore",
    "I feel taken for granted",
    "my wife is always on her phone",
    "we haven't had sex in weeks",
    "I want to say sorry for yelling at her yesterday",
    "we've grown apart since we moved",
    "my husband doesn't help with the kids",
    "I'm overwhelmed with the housework",
    "we're like roommates",
    "I wish we spent more time together",
    "we can't agree on where to live",
    "my boyfriend plays video games all night",
    "I want more affection",
    "she's been so stressed since she started her new job",
    "I think he's cheating on me",
    "my partner forgot our anniversary",
    "how to bring up that I want to have kids",
    "there's no romance anymore",
    "our sex life",
]
TOPICS = DEV_TOPICS + HELD_OUT

FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|we|we're|we've|us|our)\b")
# Words that say nothing about the subject; any other word of the topic should be kept.
FUNCTION_WORDS = set(
    """a about after again all also am an and any anymore are as at be been being but by can
    can't could did didn't do does doesn't don't every feel feeling felt for from get got had
    has have haven't having he he's her him his how i i'd i'm i've if in into is it it's just
    keep keeps lately like me more most much my night no not now of on or our out over partner
    really she she's since so some that the their them then there these they this to too up
    very want was we we're we've were what when where which who why will wish with would you
    your husband wife boyfriend girlfriend bring always never""".split()
)


def content_stems(topic: str) -> list[str]:
    words = re.findall(r"[a-z][a-z']+", topic.lower().replace("’", "'"))
    return sorted({w[:4] for w in words if w not in FUNCTION_WORDS and len(w) > 2})


def uses_topic_word(text: str, topic: str) -> bool:
    stems = content_stems(topic)
    low = text.lower().replace("’", "'")
    return not stems or any(re.search(r"(?<![a-z])" + re.escape(s), low) for s in stems)


def read_exact(doc: str) -> str:
    path = Path(doc) if Path(doc).is_absolute() else REPO_ROOT / doc
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def assert_verbatim(citation) -> None:
    assert read_exact(citation.doc)[citation.start : citation.end] == citation.quote


@pytest.fixture(scope="module")
def results(index) -> dict[str, OpenersResult]:
    return {t: openers_offline(t, index) for t in TOPICS}


# --- every topic ------------------------------------------------------------------------------


@pytest.mark.parametrize("topic", TOPICS, ids=[f"{i:02d}-{t[:40]}" for i, t in enumerate(TOPICS)])
def test_each_topic_gets_three_to_five_good_openers(topic, results):
    result = results[topic]
    assert result.engine == "offline"
    assert 3 <= len(result.openers) <= 5, result.note
    for opener in result.openers:
        text = opener.text
        assert FIRST_PERSON.search(text.lower().replace("’", "'")), text
        assert analyze(text) == [], text
        assert not screen(text).flagged, text
        assert uses_topic_word(text, topic), text
        assert text[0].isupper() and text[-1] in ".?!", text
        assert "{" not in text and "  " not in text, text
        assert opener.citations, text
        for citation in opener.citations:
            assert_verbatim(citation)
            assert citation.doc.startswith("corpus/")


@pytest.mark.parametrize("topic", TOPICS, ids=[f"{i:02d}-{t[:40]}" for i, t in enumerate(TOPICS)])
def test_each_topic_gets_one_to_three_cited_tips(topic, results):
    tips = results[topic].tips
    assert 1 <= len(tips) <= 3
    for tip in tips:
        assert tip.citations
        for citation in tip.citations:
            assert_verbatim(citation)


def test_openers_are_distinct_across_topics(results):
    texts = [o.text for t in TOPICS for o in results[t].openers]
    canon = [re.sub(r"[^a-z0-9]+", " ", t.lower().replace("’", "'")).strip() for t in texts]
    assert len(set(canon)) / len(canon) >= 0.9


def test_dev_topics_alone_are_distinct_and_all_answered(results):
    texts = [o.text for t in DEV_TOPICS for o in results[t].openers]
    assert all(len(results[t].openers) >= 3 for t in DEV_TOPICS)
    assert len(set(texts)) / len(texts) >= 0.9


def test_a_citation_numbers_one_span_the_same_way_throughout(results):
    for result in results.values():
        seen: dict[tuple[str, int], int] = {}
        for item in result.openers + result.tips:
            for c in item.citations:
                assert seen.setdefault((c.doc, c.start), c.n) == c.n


def test_the_same_topic_twice_gives_the_same_result(index, results):
    for topic in DEV_TOPICS[:3] + HELD_OUT[:2]:
        assert openers_offline(topic, index).to_dict() == results[topic].to_dict()


def test_curly_and_straight_apostrophes_read_the_same(index):
    curly = openers_offline("we’ve been distant since the baby was born", index)
    straight = openers_offline("we've been distant since the baby was born", index)
    assert [o.text for o in curly.openers] == [o.text for o in straight.openers]


def test_result_serializes_to_the_contract(results):
    d = results[DEV_TOPICS[0]].to_dict()
    assert set(d) >= {"topic", "openers", "engine", "note", "safety"}
    assert set(d["openers"][0]) == {"text", "citations"}
    assert set(d["openers"][0]["citations"][0]) == {
        "n",
        "doc",
        "title",
        "section",
        "quote",
        "start",
        "end",
    }


# --- what the openers say ---------------------------------------------------------------------


def texts(result: OpenersResult) -> str:
    return " | ".join(o.text for o in result.openers)


def test_techniques_the_guidance_teaches_are_used(results):
    all_quotes = " ".join(c.quote for r in results.values() for o in r.openers for c in o.citations)
    for technique in ("calm moment", "Start with appreciation", "“I” statements", "open-ended"):
        assert technique in all_quotes


def test_an_apology_topic_apologizes_and_listens(results):
    got = texts(results["I want to apologize for a fight we had"])
    assert "I'm sorry about the fight we had" in got
    assert "listen" in got


def test_a_partners_habit_is_said_to_them_without_blame(results):
    got = texts(results["my partner works late every night"])
    assert "you've been working late" in got
    assert "every night" not in got and "my partner" not in got


def test_a_feeling_topic_is_an_i_statement(results):
    got = texts(results["I want to bring up that I've been feeling lonely"])
    assert "I've been feeling lonely" in got


def test_an_intimacy_topic_gets_the_physical_connection_advice(results):
    result = results["we haven't been intimate in months"]
    assert "since we were intimate" in texts(result)
    quotes = [c.quote for o in result.openers for c in o.citations]
    assert any("read your mind" in q for q in quotes)


def test_taken_for_granted_gets_the_appreciation_advice(results):
    quotes = [c.quote for o in results["I feel taken for granted"].openers for c in o.citations]
    assert any("Thank you" in q or "appreciat" in q for q in quotes)


@pytest.mark.parametrize(
    "topic, phrase",
    [
        ("we keep arguing about money", "how we handle money"),
        ("I want to talk about how we split the chores", "how we split the chores"),
        ("we never have date nights anymore", "date nights"),
        ("I want to bring up that I've been feeling lonely", "feeling lonely"),
        ("my partner works late every night", "how much you've been working late"),
        ("we haven't been intimate in months", "how long it's been since we were intimate"),
        ("I want to apologize for a fight we had", "the fight we had"),
        ("we've been distant since the baby was born", "how distant we've been since the baby"),
        ("we always fight about his mother", "things with your mother"),
        ("my wife is always on her phone", "how much you've been on your phone"),
        ("I want to say sorry for yelling at her yesterday", "yelling at you yesterday"),
        ("we've grown apart since we moved", "how we've grown apart since we moved"),
        ("my husband doesn't help with the kids", "sharing the load with the kids"),
        ("I feel like my partner doesn't listen to me", "listening to each other"),
        ("how do I tell my husband that I feel taken for granted", "feeling taken for granted"),
        ("should we move in together", "whether we should move in together"),
        ("his drinking", "your drinking"),
        # a gerund clause is already a noun phrase: no "the fact that" in front of it
        ("my dad living with us", "my dad living with us"),
        ("money", "money"),
    ],
)
def test_the_topic_becomes_a_phrase_one_can_say(topic, phrase):
    about = openers.frame(topic).slots["about"]
    assert phrase in about and "the fact that" not in about


def test_a_topic_that_charges_the_partner_is_opened_as_what_they_share(index):
    # "you ignoring our budget" reads as a charge in every template; what it is about can
    # still be opened.
    result = openers_offline("him ignoring our budget", index)
    assert len(result.openers) >= 3
    assert all("our budget" in o.text and "ignoring" not in o.text for o in result.openers)
    assert "Only" not in result.note


def test_a_topic_with_a_blame_verb_is_opened_as_what_happened_even_when_openers_pass(index):
    # "How have you been feeling about your forgetting my birthday lately?" passed the checks
    # and still put the charge to them as a question.
    result = openers_offline("my wife ignoring my calls", index)
    assert len(result.openers) >= 3
    assert all("what happened with my calls" in o.text for o in result.openers)
    assert not any("ignoring" in o.text for o in result.openers)


def test_a_topic_with_a_neutral_doing_keeps_its_own_words(index):
    result = openers_offline("her working the night shift", index)
    assert result.openers
    assert all("what happened with" not in o.text for o in result.openers)


def test_when_no_opener_passes_the_note_says_why_and_what_to_try(index, monkeypatch):
    monkeypatch.setattr(openers, "check_opener", lambda *a, **k: "has a finding")
    result = openers_offline("we keep arguing about money", index)
    assert result.openers == [] and result.tips
    assert result.note == openers.NO_OPENER_PASSED and "0" not in result.note


def test_only_the_first_clause_of_a_long_topic_is_used(index):
    topic = (
        "we keep arguing about whether his parents should stay with us over the holidays, "
        "and honestly I'm exhausted by all of it"
    )
    result = openers_offline(topic, index)
    assert len(result.openers) >= 3
    assert all("exhausted" not in o.text and len(o.text) < 220 for o in result.openers)


def test_a_missing_template_slot_fails_loudly():
    with pytest.raises(KeyError, match="nonsense"):
        openers._say("I'd like to talk about {nonsense}.", {"about": "money"})


WORDS = [
    "we",
    "I",
    "my",
    "partner",
    "husband",
    "she",
    "he",
    "keep",
    "never",
    "always",
    "arguing",
    "about",
    "money",
    "feel",
    "feeling",
    "lonely",
    "want",
    "to",
    "talk",
    "how",
    "split",
    "the",
    "chores",
    "haven't",
    "been",
    "intimate",
    "in",
    "months",
    "works",
    "late",
    "every",
    "night",
    "apologize",
    "for",
    "a",
    "fight",
    "had",
    "anymore",
    "date",
    "nights",
    "his",
    "her",
    "phone",
    "doesn't",
    "help",
    "with",
    "kids",
    "is",
    "so",
    "stressed",
    "since",
    "job",
    "I'm",
    "sorry",
    "wish",
    "more",
    "time",
    "together",
    "like",
    "roommates",
    "you",
    "me",
    "’",
    ",",
    ".",
    "?",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    topic=st.one_of(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=14).map(" ".join),
        st.text(min_size=1, max_size=120),
    )
)
def test_any_topic_gives_checked_cited_openers_or_a_clear_error(index, topic):
    try:
        result = openers_offline(topic, index)
    except InputError:
        return
    assert len(result.openers) <= 5 and len(result.tips) <= 3
    for opener in result.openers:
        assert analyze(opener.text) == [], opener.text
        assert ("{" not in opener.text or "{" in topic) and "\x00" not in opener.text
        assert opener.citations
        for citation in opener.citations:
            assert_verbatim(citation)


# --- safety and bad input ---------------------------------------------------------------------


def test_a_topic_about_violence_gets_no_openers(index):
    result = openers_offline("he hits me when he's drunk", index)
    assert result.openers == [] and result.tips == []
    assert result.note


def test_whatever_the_screen_flags_gets_the_safety_message_not_openers(index, monkeypatch):
    flagged = Safety(flagged=True, category="violence", message="Please reach out for help.")
    monkeypatch.setattr(openers, "screen", lambda text: flagged)
    result = openers_offline("we keep arguing about money", index)
    assert result.openers == [] and result.safety == flagged
    assert result.note == openers.SAFETY_NOTE and "Please reach out" not in result.note


@pytest.mark.parametrize(
    "topic", ["", "   \n\t", None, "x" * 501], ids=["empty", "blank", "none", "too-long"]
)
def test_a_topic_that_cannot_be_read_raises_input_error(index, topic):
    with pytest.raises(InputError):
        openers_offline(topic, index)


# --- the guidance, not hard-coded offsets -----------------------------------------------------

SMALL_GUIDE = """---
title: "A Small Guide To Hard Talks"
---

# A Small Guide To Hard Talks

## Words that help

Some couples wait for the perfect words. There are none, but some help more than others.

Ask open-ended questions, such as "What has this been like for you?"

Use "I" statements instead of "you" accusations, so your partner hears your feelings.

Start with appreciation for what you share before you raise a worry.

## Before you begin

Pick a calm moment when you're both relaxed and nobody is rushing out the door.

When your partner opens up, resist the urge to get defensive or interrupt.
"""


def test_citations_come_from_whatever_guidance_the_index_holds(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "small-guide.md").write_text(SMALL_GUIDE, encoding="utf-8")
    ix = Index(
        from_env({"HELPER_DATA_DIR": str(tmp_path / "data"), "HELPER_CORPUS_DIR": str(corpus)})
    )
    ix.build()
    result = openers_offline("we keep arguing about money", ix)
    assert len(result.openers) >= 3
    for item in result.openers + result.tips:
        for c in item.citations:
            assert c.doc.endswith("small-guide.md")
            assert_verbatim(c)


def test_tips_are_said_in_the_helpers_words_and_cite_the_guidance(index):
    for topic in ("we keep arguing about money", "feeling distant lately", "the dishes"):
        result = openers_offline(topic, index)
        assert result.tips
        for tip in result.tips:
            (citation,) = tip.citations
            assert tip.text != citation.quote and citation.quote not in tip.text


def test_different_topics_get_different_tips(index):
    chosen = {
        topic: tuple(t.text for t in openers_offline(topic, index).tips)
        for topic in (
            "we keep arguing about money",
            "feeling distant lately",
            "the dishes",
            "I want more time together on weekends",
        )
    }
    assert len(set(chosen.values())) >= 3, chosen


@pytest.mark.parametrize("topic", ["the weather", "football scores", "the stock market"])
def test_a_topic_that_is_not_about_the_two_of_them_gets_a_plain_note(index, topic):
    result = openers_offline(topic, index)
    assert result.openers == [] and result.tips == []
    assert "doesn't sound like something between you and your partner" in result.note
    assert "your side of" not in result.note
