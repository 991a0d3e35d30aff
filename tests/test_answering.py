"""Grounded answers on the development questions: cited near the gold phrase, verbatim,
off-topic questions declined."""

import re
from pathlib import Path

import pytest

from helper.errors import InputError
from helper.offline.answering import answer_offline
from helper.results import Citation, Passage
from helper.retrieval.citations import cite, is_verbatim, read_doc

from .conftest import read_jsonl

REPO = Path(__file__).resolve().parent.parent
CASES = read_jsonl(REPO / "evals" / "cases" / "questions.jsonl")
IN_SCOPE = [c for c in CASES if not c.get("out_of_scope")]
OUT_OF_SCOPE = [c for c in CASES if c.get("out_of_scope")]
NEAR = 300  # characters between a citation and a gold phrase that still count as near


def _norm(text: str) -> str:
    return text.lower().replace("’", "'")


def near_gold(c: Citation, gold: list[str]) -> bool:
    text = _norm(read_doc(c.doc))
    return any(
        m.start() < c.end + NEAR and m.end() > c.start - NEAR
        for g in gold
        for m in re.finditer(re.escape(_norm(g)), text)
    )


@pytest.fixture(scope="module")
def answers(index):
    return {c["id"]: answer_offline(c["question"], index) for c in CASES}


def test_in_scope_questions_are_answered_with_a_citation_near_the_gold(answers):
    # Passage-first composition with the stricter scope rule: 10/12 of these (the sentence
    # picker tuned on them had 12/12, and a blind reader found it helpful half as often on
    # held-out questions: 18% against 34%).
    hits = [
        c["id"]
        for c in IN_SCOPE
        if not answers[c["id"]].refused
        and any(near_gold(x, c["gold"]) for x in answers[c["id"]].citations)
    ]
    assert len(hits) >= 10, sorted({c["id"] for c in IN_SCOPE} - set(hits))


@pytest.mark.parametrize("case", OUT_OF_SCOPE, ids=[c["id"] for c in OUT_OF_SCOPE])
def test_out_of_scope_question_is_declined(case, answers):
    result = answers[case["id"]]
    assert result.refused and not result.citations
    assert "doesn't cover" in result.answer


@pytest.mark.parametrize(
    "question",
    [
        "how do we stop being roommates?",
        "How do we start talking again after drifting apart?",
        "my husband and I fight about chores all the time, what can we do",
        "is it normal that the butterflies faded after two years?",
    ],
)
def test_questions_in_a_persons_own_words_are_answered(question, index):
    result = answer_offline(question, index)
    assert not result.refused
    # Passage first: one or two passages, each quoted as one span in reading order.
    passages = re.findall(r"[^[]+\[\d+\]", result.answer)
    assert 1 <= len(passages) <= 2
    assert [c.n for c in result.citations] == list(range(1, len(result.citations) + 1))
    assert sum(len(c.quote) for c in result.citations) <= 600
    for c in result.citations:
        assert f"[{c.n}]" in result.answer and is_verbatim(c)


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "How do I change a flat bike tyre?",
        "Best laptop for programming?",
        "¿Cuál es la receta de paella?",
    ],
)
def test_other_off_topic_questions_are_declined(question, index):
    assert answer_offline(question, index).refused


def test_every_citation_is_verbatim(answers):
    for result in answers.values():
        for c in result.citations:
            assert is_verbatim(c), c


def test_a_forged_quote_is_rejected():
    text = "Pick a calm moment when you’re both relaxed."
    passage = Passage("p1", text, "corpus/x.md", "T", "S", 100, 100 + len(text))
    assert cite(1, passage, "Pick a calm moment") == Citation(
        1, "corpus/x.md", "T", "S", "Pick a calm moment", 100, 118
    )
    assert cite(1, passage, "Always pick a fight") is None
    assert cite(1, passage, "") is None


def test_a_citation_with_shifted_offsets_is_not_verbatim(answers):
    c = next(c for r in answers.values() for c in r.citations)
    forged = Citation(c.n, c.doc, c.title, c.section, c.quote, c.start + 1, c.end + 1)
    assert not is_verbatim(forged)


@pytest.mark.parametrize("question", ["", "   \n", "x" * 5000])
def test_bad_questions_get_a_clear_error(question, index):
    with pytest.raises(InputError):
        answer_offline(question, index)


# --- safety before the guidance (docs/safety.md) -------------------------------------------

DANGER = [
    "My husband hits me when he's drunk, what should I do?",
    "my boyfriend pushed me down the stairs, should I forgive him?",
    "I don't want to live anymore since she left me",
    "he gets physical when he drinks, how do i get him to stop",
    "he says if i leave he'll take the kids and i'll never see them",
    "she checks my location every hour and goes through my phone",
]


@pytest.mark.parametrize("question", DANGER, ids=[q[:30] for q in DANGER])
def test_a_question_about_danger_gets_the_safety_response_and_no_quote(question, index):
    result = answer_offline(question, index)
    assert result.safety.flagged and result.safety.message
    assert result.refused and result.answer == "" and result.citations == []
    assert "apologi" not in result.note and "forgive" not in result.note


ORDINARY = [
    "this workout is killing me, how do I ask him to come to the gym with me?",
    "my partner's jokes kill me, how do I tell him I love that about him?",
    "we fight about money all the time, how do we stop?",
    "how do we get past an affair?",
]


@pytest.mark.parametrize("question", ORDINARY, ids=[q[:30] for q in ORDINARY])
def test_ordinary_conflict_and_idioms_are_not_screened_out(question, index):
    result = answer_offline(question, index)
    assert not result.safety.flagged


def test_a_refusal_names_a_few_articles_and_the_count():
    from helper.offline.answering import refusal

    result = refusal("what is the weather", [f"Article {i}" for i in range(3000)])
    assert "Article 0" in result.answer and "2,997 more" in result.answer
    assert len(result.answer) < 600


# --- the chunk ranker and lists of sections ------------------------------------------------


def test_ranker_weights_match_its_features():
    from helper.lexicon import load
    from helper.offline.ranking import FEATURES

    data = load("answer_ranker.yaml")
    assert tuple(data["features"]) == FEATURES
    assert len(data["weights"]) == len(FEATURES)


@pytest.mark.parametrize(
    "question, sections",
    [
        (
            "should we see a couples therapist",
            {"When To Consider Professional Help", "7. Go to couples counseling."},
        ),
        (
            "how do I forgive my partner and let go of old hurts",
            {"10. Practice Forgiveness And Let Things Go"},
        ),
        (
            "how can we make time for each other with a busy schedule",
            # both answer it: carving out regular time, or small rituals "before the day
            # gets crazy" (the ranker fitted with both articles' questions prefers these)
            {"11. Spend some quality time together.", "7. Create Meaningful Rituals Together"},
        ),
    ],
)
def test_ranker_scores_every_chunk_and_puts_the_answering_section_first(index, question, sections):
    from helper.offline.ranking import rank, search_all

    ranked = rank(index, search_all(index, question))
    assert len(ranked) == len({c.id for c in index.chunks})
    assert [s.score for s in ranked] == sorted((s.score for s in ranked), reverse=True)
    top = next(c for c in index.chunks if c.id == ranked[0].chunk_id)
    assert top.section in sections


def test_a_question_for_the_reasons_is_answered_with_the_list_of_sections(index):
    result = answer_offline("what are the usual reasons couples stop being in love", index)
    assert not result.refused
    quotes = [c.quote for c in result.citations]
    assert quotes[0] == "Why do couples fall out of love?"
    assert {"Boredom.", "Indifference.", "General incompatibility."} <= set(quotes)
    assert all(is_verbatim(c) for c in result.citations)
    # Each section is cited where it stands, and the answer reads the list in file order.
    assert [c.start for c in result.citations] == sorted(c.start for c in result.citations)
    assert result.answer.startswith("Why do couples fall out of love: [1] Indifference. [2]")


def test_a_question_about_one_item_of_a_list_gets_its_passage(index):
    # Singular: the person asks about boredom, not for the list.
    result = answer_offline("is boredom why we don't feel in love anymore", index)
    assert not result.refused
    assert all(c.quote != "Why do couples fall out of love?" for c in result.citations)
    assert result.citations and all(len(c.quote) > 40 for c in result.citations)


def test_a_list_word_far_from_every_list_heading_gets_a_passage(index):
    result = answer_offline("what are some ways to show my partner appreciation", index)
    assert not result.refused
    assert not any(c.quote.startswith("12 Ways") for c in result.citations)


# --- scope: the learned decision -------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "we fight about money all the time and it is wrecking how close we feel, how do we talk",
        "my husband barely touches me anymore, how do we get that closeness back",
        "shud we try therapy or is that giving up",
    ],
)
def test_covered_questions_in_own_words_are_answered(index, question):
    result = answer_offline(question, index)
    assert not result.refused and result.citations


@pytest.mark.parametrize(
    "question",
    [
        "should my girlfriend and I open a joint savings account or keep money separate",
        "how many weeks does a fiance visa take to process",
        "what dose of melatonin is safe for my wife",
        "best dating app for finding a serious partner in my 30s",
        "how to replace a bike chain",
    ],
)
def test_near_topic_and_far_questions_are_declined(index, question):
    result = answer_offline(question, index)
    assert result.refused and not result.citations
    assert "doesn't cover" in result.answer


def test_scope_model_file_matches_the_shipped_embeddings():
    from helper.offline.answering import _scope_model

    weights, _, threshold = _scope_model()
    assert weights.shape == (384,) and 0.0 < threshold < 1.0


def test_no_quote_starts_with_a_short_answer_to_the_sentence_before_it(index):
    # "Brutal." answers "The first few days?" in the article: a quote starting with it
    # reads as a non sequitur.
    result = answer_offline(
        "my wife and I barely talk anymore except about logistics, how do we reconnect?", index
    )
    for citation in result.citations:
        first = re.split(r"(?<=[.!?])\s+", citation.quote.strip())[0]
        assert len(first.split()) > 2, citation.quote


def test_a_passage_with_little_room_still_quotes_its_best_sentence(index):
    # The second passage has what the first left (80 characters or more): the sentence
    # before the best one is context, and alone it filled that room without the answer.
    from helper.offline.answering import window

    for sentence in index.all_sentences[::7]:
        budget = len(sentence.text.strip()) + 1
        quoted = window(index, sentence, budget)
        assert sentence.id in {s.id for s in quoted}, sentence.text
