"""The shapes of drafts that land badly through tone alone (helper/offline/tone_shapes.py).

The drafts here are written for these tests, in other words and on other topics than the
dev drafts the shapes were read from."""

from __future__ import annotations

import pytest

from helper.lexicon import load
from helper.offline.findings import analyze
from helper.offline.rewriting import normalize, rewrite_offline
from helper.offline.tone_shapes import tone_rewrite
from helper.text.sentences import sentences

# draft -> (shape, words of the draft the rewrite must keep, words it must not keep)
SHAPED = {
    "If you don't call your brother back by Sunday, I'm ringing him myself.": (
        "ultimatum_unless",
        ["call your brother back by Sunday"],
        ["ringing him myself"],
    ),
    "Pay the gas bill or I'm moving out": ("ultimatum_or", ["pay the gas bill"], ["moving"]),
    "if u go to the casino again dont bother coming home": (  # texting: no comma, "u"
        "ultimatum_if",
        ["went to the casino"],
        ["bother"],
    ),
    "If you're not back by midnight I'm locking the door": (
        "ultimatum_state",
        ["be back by midnight"],
        ["locking"],
    ),
    "Honestly if you sell my bike, we're done.": (
        "ultimatum_if",
        ["sold my bike"],
        ["done"],
    ),
    "You've got until Easter to clear the garage or it's all going to the tip": (
        "ultimatum_deadline",
        ["clear the garage by Easter"],
        ["tip"],
    ),
    "Book that cruise without me again and see what happens.": (
        "dare",
        ["booked that cruise without me"],
        ["see what happens", "again"],  # "again" keeps score
    ),
    "One more weekend on the golf course and I'm going to my sister's": (
        "one_more",
        ["Another weekend on the golf course"],
        ["sister"],
    ),
    "How hard is it to hang your towel up?": ("how_hard", ["Could you hang your towel up?"], []),
    "Is it really that hard to text back, seriously?": ("how_hard", ["text back"], ["seriously"]),
    "Why is it always me that books the vet?": ("always_me", ["books the vet"], []),
    "When was the last time you cooked for us? I'll wait.": (
        "last_time",
        ["cooked for us"],
        ["wait"],
    ),
    "Take the recycling out. Tonight.": ("bare_command", ["take the recycling out tonight"], []),
    "Feed the cat, she's been crying since six.": (
        "bare_command",
        ["feed the cat?", "She's been crying since six."],
        [],
    ),
    "Either the PlayStation goes or I do.": ("either_or", ["that the PlayStation goes"], []),
    "Are you actually incapable of putting the seat down?": (
        "incapable",
        ["Could you put the seat down?"],
        ["incapable"],
    ),
    "Any chance you'll empty the dishwasher, or is that too much to ask?": (
        "too_much_to_ask",
        ["Could you empty the dishwasher?"],
        ["too much"],
    ),
    "Do you have any idea how lonely it was sitting at that party by myself?": (
        "how_it_felt",
        ["I found it really lonely sitting at that party by myself."],
        ["any idea"],
    ),
    "Don't call me tonight.": ("keep_away", ["space"], []),
    "Don't book anything for Saturday. Seriously.": (
        "dont_command",
        ["Please don't book anything for Saturday."],
        ["seriously"],
    ),
    "Jo's boyfriend actually walks her home after the late shift.": (
        "other_couple",
        ["if you walked me home after the late shift"],
        ["Jo", "actually", "her"],
    ),
    "Even my brother's wife remembers to feed the fish. Just saying.": (
        "other_couple",
        ["if you remembered to feed the fish"],
        ["brother", "saying"],
    ),
    "Other people's girlfriends manage to reply before midnight.": (
        "other_couple",
        ["if you replied before midnight"],
        ["other people", "manage"],
    ),
    "Ben's husband puts his bonus into savings.": (  # his own bonus: "your"
        "other_couple",
        ["if you put your bonus into savings"],
        ["Ben"],
    ),
    "my ex at least asked about my day": ("other_couple", ["if you asked about my day"], ["ex"]),
    "My cousin's husband actually listens when she talks.": (
        "other_couple",
        ["if you listened when I talked"],
        ["she"],
    ),
    "Why am I the only one in this flat who descales the kettle?": (
        "only_one",
        ["I'm the only one who descales the kettle"],
        ["why"],
    ),
    "good to know im the only person who can find the car keys": (
        "only_one",
        ["I'm the only one who can find the car keys"],
        ["good to know"],
    ),
    "How generous of you to use my last teabag.": (
        "kind_of_you",
        ["I felt hurt when you used my last teabag"],
        ["generous"],
    ),
    "Can you name one time you've booked the babysitter?": (
        "name_one_time",
        ["if you booked the babysitter more often"],
        ["name one"],
    ),
    "Remind me, when was the last time you walked the dog?": (
        "last_time",
        ["I miss the times you walked the dog"],
        ["remind"],
    ),
    "Is it too much to ask for a quiet Sunday morning?": (
        "too_much_to_ask_for",
        ["Could we have a quiet Sunday morning?"],
        ["too much"],
    ),
    "how many times do i have to ask u to shut the freezer": (
        "how_many_times_to",
        ["Could you shut the freezer?", "unheard"],
        ["how many"],
    ),
    "How many times do I have to tell you not to read my texts out loud?": (
        "how_many_times_not",
        ["Please don't read my texts out loud."],
        ["how many"],
    ),
    "How many times do I have to remind you about the car tax?": (
        "how_many_times_about",
        ["I've brought up the car tax a few times now"],
        ["remind you"],
    ),
    "If you actually cared you'd come to my sister's engagement party.": (
        "if_you_loved_me",
        ["It would mean a lot to me if you came to my sister's engagement party"],
        ["cared"],
    ),
    "Why do I have to be the one who rings the landlord?": (
        "why_do_i_have_to",
        ["I feel worn out when I have to be the one who rings the landlord"],
        ["why"],
    ),
    "Did it not cross your mind to ask before lending him the car?": (
        "did_it_not_occur",
        ["I'd have really liked you to ask before lending him the car"],
        ["cross your mind"],
    ),
    "Suit yourself.": ("dismissal", [], ["suit"]),
    "Can't be bothered with this.": ("dismissal", [], ["bothered"]),
    "Not now.": ("dismissal", [], []),
}

# Not a shape, though they look like one: no rewrite is made from them.
NOT_SHAPED = [
    "If you finish early, I'll make dinner.",  # an offer, not a threat
    "If you get the chance, I'd love a call.",
    "If you don't mind, I'll pick up the kids.",
    "Call me and I'll explain.",  # two thoughts
    "Have a lovely time tonight!",
    "Take care x",
    "Thanks for the flowers.",
    "If you loved me you wouldn't look at other people.",  # the request would be a double no
    "How many times do I have to say I'm sorry?",  # no "you": nothing asked of them
    "Mark earns less than you and still takes his wife away every year.",  # a comparison
    "My ex never missed a school play.",  # a negation: the wish is its opposite
    "Sam's wife earns more than Sam.",  # the comparison is inside what they do
    "Tia's husband works nights and he still cooks.",  # what he does is said after "and he"
    "Someone left the gate open.",  # a sentence's capital is not a name
    "Dog hair on the sofa is such a good look.",  # a noun then its verb, not a command
    "Sweet of you to fold the towels, even if they went in the wrong cupboard.",  # a real thanks
    "Lovely of you to finally ring back.",  # the waiting is the complaint
    "Interesting choice.",  # a short reply that names something is about that thing
    "Don't worry about it, I've got it.",
    "You're not going out in that.",  # about the partner, not a pause
    "C'est pas grave, j'ai l'habitude.",
    "Boeit me niet.",  # another language
    "I took a whole day off for this and you cancelled by text. Cheers.",
]


@pytest.mark.parametrize("draft", list(SHAPED))
def test_shape_says_what_the_sender_wants(draft):
    shape, kept, dropped = SHAPED[draft]
    found = tone_rewrite(normalize(draft))
    assert found is not None and found.shape == shape, found
    for words in kept:
        assert words.lower() in found.text.lower(), (draft, found.text)
    for words in dropped:
        assert words.lower() not in found.text.lower(), (draft, found.text)
    assert found.text[0].isupper() and found.text.rstrip()[-1] in ".?"
    assert not analyze(found.text), found.text


@pytest.mark.parametrize("draft", NOT_SHAPED)
def test_lookalikes_are_not_shaped(draft):
    assert tone_rewrite(normalize(draft)) is None


def test_with_a_hostile_word_only_ultimatums_apply():
    marked = {s["name"] for s in load("tone_shapes.yaml")["shapes"] if s.get("with_findings")}
    assert "bare_command" not in marked and "ultimatum_or" in marked and "how_hard" in marked
    assert tone_rewrite("Take the recycling out. Tonight.", with_findings=True) is None
    assert tone_rewrite("Suit yourself.", with_findings=True) is None
    found = tone_rewrite("Pay the gas bill or I'm moving out", with_findings=True)
    assert found is not None and found.shape == "ultimatum_or"


def test_a_long_sentence_beside_the_shape_means_no_shape():
    # Dropping a sentence that says something would lose it.
    draft = "Take the bins out. I have been asking you about this since the start of the month."
    assert tone_rewrite(draft) is None


def test_ultimatum_with_a_hostile_word_is_rewritten_to_what_it_asks():
    draft = "Clear your crap out of the spare room by Friday or I'm binning it"
    result = rewrite_offline(draft)
    assert result.changed
    assert "clear" in result.rewrite.lower() and "spare room by friday" in result.rewrite.lower()
    assert "crap" not in result.rewrite.lower() and "binning" not in result.rewrite.lower()
    assert result.findings  # the hostile word is still named in the draft


def test_a_draft_that_lands_badly_by_tone_and_has_a_shape_is_rewritten():
    draft = "If you skip my sister's wedding for a stag do, don't bother coming home."
    result = rewrite_offline(draft)
    assert result.changed and result.guide is None
    assert "skipped my sister's wedding for a stag do" in result.rewrite
    assert "bother" not in result.rewrite
    # The brief alternative: one sentence with the feeling and the request.
    assert [a.style for a in result.alternatives] == ["brief"]
    brief = result.alternatives[0].text
    assert len(sentences(brief)) == 1 and "hurt" in brief and brief.endswith("?")
    assert not analyze(brief)
    assert result.note and "no one word is hostile" in result.note or result.findings


def test_a_reproach_put_as_a_question_with_a_hostile_word_is_asked_plainly():
    # "for once" is a word finding; the question's shape says what is wanted.
    result = rewrite_offline("How hard is it to rinse the blender for once?")
    assert result.changed
    assert result.rewrite.startswith("Could you rinse the blender?")
    assert "for once" not in result.rewrite and "hard" not in result.rewrite


def test_a_command_with_a_consequence_after_and_is_not_asked_for():
    # "Skip X and you can ..." is a dare: asking them to skip it asks for what is not wanted
    shaped = tone_rewrite(normalize("Miss the school play and you can explain it to Sam yourself."))
    assert shaped is None or "Could you miss" not in shaped.text


def test_insisting_on_a_time_is_not_a_pause():
    shaped = tone_rewrite(normalize("laundry. basket. today."))
    assert shaped is None or shaped.shape != "dismissal"
    assert tone_rewrite(normalize("Whatever.")).shape == "dismissal"


def test_dont_bother_contacting_me_asks_for_space_even_with_a_hostile_word():
    for draft in ["dont bother ringing me tomorrow", "Don't bother coming round this weekend."]:
        shaped = tone_rewrite(normalize(draft), with_findings=True)
        assert shaped is not None and shaped.shape == "dont_bother", draft
        assert "space" in shaped.text and "tonight" not in shaped.text


def test_a_comparison_with_another_couple_is_told_as_a_wish_with_absolutes_softened():
    result = rewrite_offline("Nina's girlfriend makes her coffee every morning. Imagine that.")
    assert result.changed and result.guide is None, result.note
    assert "if you made me coffee most mornings" in result.rewrite, result.rewrite
    assert "Nina" not in result.rewrite and not analyze(result.rewrite)


@pytest.mark.parametrize(
    "draft",
    [
        "Would it have killed you to ring the school?",
        "how many times do i have to ask u to lift the seat",
    ],
)
def test_a_shape_that_is_always_a_reproach_is_rewritten_whatever_the_classifier_reads(draft):
    result = rewrite_offline(draft)
    assert result.changed and result.guide is None, result.note
    assert "Nothing in this draft" not in result.note
    assert result.findings and not analyze(result.rewrite)


def test_a_comparison_that_contrasts_how_i_am_treated_is_not_a_wish():
    # "if you got a birthday card" asked for the opposite of what the sender wants
    found = tone_rewrite(normalize("Funny how your mum gets flowers and I get a text"))
    assert found is None or (found.shape != "other_couple" and "if you got" not in found.text)
