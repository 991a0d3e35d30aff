"""A question's misspelt and texting words read as the guidance's words before the search
(helper/text/spelling.py)."""

from __future__ import annotations

from collections import Counter

from helper.offline.answering import answer_offline, spelled
from helper.text.spelling import Speller, vocabulary

GUIDANCE = vocabulary(
    [
        "Getting the spark back in the bedroom takes work.",
        "Express appreciation often, and tell them what you appreciate.",
        "It has to be a joint effort, and a joint effort takes two.",
        "Choose a calm moment to talk about the relationship.",
    ]
)
SPELLER = Speller(GUIDANCE, {"shud": "should", "u": "you", "abt": "about"})


def test_a_word_that_is_no_word_becomes_the_guidances_word_one_or_two_edits_away():
    assert SPELLER.correct("how do i get the sparc back in the bedrom") == (
        "how do i get the spark back in the bedroom"
    )
    assert SPELLER.correct("how ofen shud i say i apreciate him") == (
        "how often should i say i appreciate him"
    )
    assert SPELLER.correct("if he wont put in any efort") == "if he wont put in any effort"


def test_real_words_names_and_short_words_are_left_as_typed():
    # "loose" is a word (the wrong one, but a word); "Priya" and "xq" are not the guidance's.
    for text in ["is it normal to loose interest", "Priya and I", "xq", "the talk went fine"]:
        assert SPELLER.correct(text) == text
    # a capital inside the text is a name, even one letter from a word of the guidance
    assert SPELLER.correct("can Jwint and I talk") == "can Jwint and I talk"
    assert SPELLER.correct("can jwint and I talk") == "can joint and I talk"


def test_shorthand_is_read_out_and_w_slash_o_is_without():
    assert SPELLER.correct("can u talk abt it w/o fighting") == (
        "can you talk about it without fighting"
    )


def test_of_two_corrections_the_commoner_in_the_guidance_wins():
    counts = Counter({"talk": 5, "tall": 1})
    assert Speller(counts, {}).word("talq") == "talk"  # both one letter off


def test_the_index_speller_reads_the_guidance_and_the_answer_keeps_the_typed_question(index):
    assert "spark" in spelled(index, "how do i get the sparc back").split()
    typed = "how ofen shud i tell him i apreciate him"
    result = answer_offline(typed, index)
    assert result.question == typed and not result.refused
    assert any("appreciat" in c.quote.lower() for c in result.citations)
