"""helper.offline.findings: exact spans, the right kinds, and nothing in kind messages."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helper.offline.findings import analyze, insults, is_praise, profanity
from helper.offline.rewriting import rewrite_offline


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in analyze(text)]


# (draft, kind, the exact text the finding must cover)
SPANS = [
    ("You never help with the dishes.", "criticism", "You never help with the dishes"),
    ("You're always on your phone.", "criticism", "You're always on your phone"),
    ("You're so selfish.", "criticism", "You're so selfish"),
    ("You're such a slob.", "contempt", "You're such a slob"),
    ("Stop interrupting me!", "demand", "Stop interrupting me"),
    ("Let it go already!", "demand", "Let it go already!"),
    ("Thanks for nothing.", "contempt", "Thanks for nothing"),
    ("Whatever, I guess I'm not a priority.", "contempt", "Whatever"),
    ("You promised and of course you didn't.", "contempt", "of course you didn't"),
    ("Fine. Do whatever you want.", "stonewalling", "Do whatever you want"),
    ("I'm done talking.", "stonewalling", "I'm done talking"),
    ("It's not my fault you're late.", "defensiveness", "It's not my fault"),
    (
        "Why do you always forget my birthday?",
        "loaded_question",
        "Why do you always forget my birthday",
    ),
    ("Do you even own a watch?", "loaded_question", "Do you even own a watch"),
    ("Are you even alive?", "loaded_question", "Are you even alive"),
    (
        "Can you for once clean up after yourself?",
        "loaded_question",
        "Can you for once clean up after yourself",
    ),
    ("I'm sick of doing everything myself.", "absolute", "everything"),
    ("You lied to me about Friday.", "criticism", "You lied"),
    (
        "You said you'd fix the sink and you didn't.",
        "criticism",
        "You said you'd fix the sink and you didn't",
    ),
    ("It's always about your work.", "criticism", "It's always about your work"),
    (
        "Every time I try to talk about money you walk away.",
        "criticism",
        "Every time I try to talk about money you walk away",
    ),
    ("You keep bringing up last year.", "criticism", "You keep bringing up last year"),
    (
        "You don't listen to a single word I say.",
        "criticism",
        "You don't listen to a single word I say",
    ),
    ("You care more about your job than me.", "criticism", "You care more about your job than me"),
    # held-out-style wording: other insults, other topics, inflections, typing
    ("ur so inconsiderate", "criticism", "ur so inconsiderate"),
    ("YOU ARE SO LAZY", "criticism", "YOU ARE SO LAZY"),
    ("What an idiot.", "contempt", "What an idiot"),
    ("Get out of my way, you fat cow.", "contempt", "you fat cow"),
    ("Only idiots leave the oven on.", "contempt", "idiots"),
    ("Your laziness is unbelievable.", "contempt", "laziness"),
    ("Stop being such a crybaby.", "contempt", "Stop being such a crybaby"),
    ("You're acting like a child.", "contempt", "You're acting like a child"),
    ("This is f**king ridiculous.", "contempt", "f**king"),
    ("What a sh!tshow.", "contempt", "sh!tshow"),
    ("Shut up and let me finish.", "demand", "Shut up and let me finish"),
    (
        "How many times do I have to ask you to close the fridge?",
        "loaded_question",
        "How many times do I have to ask you to close the fridge",
    ),
    ("You ghosted me at the party.", "criticism", "You ghosted"),
    (
        "you spend every weekend gaming and ignore me",
        "criticism",
        "you spend every weekend gaming and ignore",
    ),
    ("You made us late for church.", "criticism", "You made us late"),
    ("Leave me alone.", "stonewalling", "Leave me alone"),
    # comparisons that read their mind: what they put before you
    (
        "Whatever. You obviously care more about your gym than about me",
        "criticism",
        "You obviously care more about your gym than about me",
    ),
    (
        "Your mother matters more to you than I do.",
        "criticism",
        "Your mother matters more to you than I do",
    ),
    (
        "You'd rather play video games than spend time with me.",
        "criticism",
        "You'd rather play video games than spend time with me",
    ),
    ("You love your phone more than me.", "criticism", "You love your phone more than me"),
    ("You put your friends before me every time.", "criticism", "You put your friends before me"),
    ("Your job always comes first.", "criticism", "Your job always comes first"),
    (
        "ur phone is more important than me obviously",
        "criticism",
        "ur phone is more important than me",
    ),
    (
        "You spend more time with your friends than with me.",
        "criticism",
        "You spend more time with your friends than with me",
    ),
    # sarcasm said in one word beside a complaint, and other sneers
    ("You left the car with no gas AGAIN. Unbelievable.", "contempt", "Unbelievable"),
    ("You forgot the milk. Great job.", "contempt", "Great job"),
    ("You didn't call. Classic.", "contempt", "Classic"),
    ("You said you'd be home by six. Figures.", "contempt", "Figures"),
    (
        "you invited people over without telling me and the house is a mess, thanks",
        "contempt",
        "thanks",
    ),
    ("Thanks for cancelling on my birthday dinner.", "contempt", "Thanks for cancelling"),
    ("Nice of you to finally show up.", "contempt", "Nice of you to finally show up"),
    (
        "You left dishes in the sink, do you think I'm your maid?",
        "contempt",
        "do you think I'm your maid",
    ),
    ("You snore like a freight train.", "contempt", "You snore like a freight train"),
    ("You forgot the milk, are you stupid??", "loaded_question", "are you stupid"),
    ("Could you BE any more selfish??", "loaded_question", "Could you BE any more selfish"),
    (
        "why is it so hard for u to put ur phone down",
        "loaded_question",
        "why is it so hard for u to put ur phone down",
    ),
    # keeping score, "too busy", "I can't believe you", counting how often you asked
    (
        "you spent all weekend on the couch while I cleaned the whole house",
        "criticism",
        "you spent all weekend on the couch while I cleaned the whole house",
    ),
    (
        "the dog hasn't been walked because you were too busy playing xbox",
        "criticism",
        "because you were too busy playing xbox",
    ),
    (
        "I cant believe you told your friends about our fight",
        "criticism",
        "I cant believe you told your friends about our fight",
    ),
    (
        "I HAVE ASKED YOU THREE TIMES TO CALL THE PLUMBER",
        "criticism",
        "I HAVE ASKED YOU THREE TIMES TO CALL THE PLUMBER",
    ),
    (
        "You were 2 hours late and didn't even call.",
        "criticism",
        "You were 2 hours late and didn't even call",
    ),
    (
        "You let the dog on the bed even though I asked you not to",
        "criticism",
        "even though I asked you not to",
    ),
    # absolutes pinned on them, and shouting
    ("You spent the whole vacation on your laptop.", "absolute", "the whole vacation"),
    (
        "You cancelled date night for the third time this month.",
        "absolute",
        "for the third time this month",
    ),
    (
        "YOU ARE SO LOUD ON YOUR GAMES AT 2AM I CANT SLEEP",
        "contempt",
        "YOU ARE SO LOUD ON YOUR GAMES AT 2AM I CANT SLEEP",
    ),
    (
        "ur always texting ur ex and u think i dont notice",
        "criticism",
        "ur always texting ur ex and u think i dont notice",
    ),
]


@pytest.mark.parametrize(("text", "kind", "span"), SPANS, ids=[s[0][:40] for s in SPANS])
def test_finding_kind_and_exact_span(text, kind, span):
    found = analyze(text)
    assert (kind, span) in [(f.kind, f.text) for f in found], kinds_and_texts(text)
    for f in found:
        assert text[f.start : f.end] == f.text


KIND = [
    "Thank you for making dinner tonight, it was lovely.",
    "I've been feeling a bit lonely lately. Could we spend Saturday together?",
    "You always know how to cheer me up.",
    "Can we talk tonight about the holiday plans?",
    "I really appreciated you picking up the kids today.",
    "You always make me laugh",
    "You never fail to make me smile.",
    "You never let me down.",
    "I'll never forget our trip to Lisbon.",
    "You're always so thoughtful with gifts.",
    "Thanks for dinner, it was lovely",
    "I'm done with work at six, want to grab dinner?",
    "We had such a crazy week, let's rest on Sunday.",
    "The kids made a messy cake and it was delicious.",
    "Are you cold? I can grab you a blanket.",
    "I love you more every day.",
    "What do you mean by that? I want to understand.",
    "Could you pick up milk on the way home?",
    # look like the new shapes, but are kind or neutral
    "Unbelievable! We got the house!",
    "Perfect, see you at six.",
    "Wow. Thank you for the flowers!",
    "Great job on the presentation today!",
    "I got the job! Unbelievable!",
    "Thanks so much for dinner, it was lovely.",
    "Could you take the bins out? Thanks.",
    "Perfect, thanks!",
    "You love me more than anything.",
    "I love you more than words.",
    "I slept the whole flight.",
    "You looked beautiful the whole evening.",
    "I LOVE YOU SO MUCH",
    "CALL ME WHEN YOU LAND",
    "I feel lonely when your gym seems to come before me.",
    "Please don't leave your dishes lying around.",
]


@pytest.mark.parametrize("text", KIND, ids=[k[:40] for k in KIND])
def test_kind_or_neutral_message_has_no_findings(text):
    assert analyze(text) == []


WHY_SENTENCE_START = re.compile(r"[.!?][\"”)]?\s+[A-Z]")


@pytest.mark.parametrize("text", [s[0] for s in SPANS], ids=[s[0][:40] for s in SPANS])
def test_each_why_is_one_sentence(text):
    for f in analyze(text):
        assert f.why.strip().endswith("."), f.why
        assert not WHY_SENTENCE_START.search(f.why.strip()[:-1]), f.why


@pytest.mark.parametrize(
    ("pred", "adv", "praise"),
    [
        ("make me laugh", "always", True),
        ("know how to cheer me up", "always", True),
        ("leave your socks on the floor", "always", False),
        ("forget my birthday", "always", False),
        ("help with the dishes", "never", False),
        ("let me down", "never", True),
        ("fail to make me smile", "never", True),
        ("plan anything for us", "never", False),
    ],
)
def test_polarity_of_always_and_never(pred, adv, praise):
    assert is_praise(pred, adv) is praise


@pytest.mark.parametrize(
    ("text", "aimed"),
    [
        ("you're so messy", True),
        ("it was a messy week", False),
        ("you pig!", True),
        ("we went to a pig roast", False),
        ("stop being so dramatic", True),
        ("what a dramatic sunset", False),
    ],
)
def test_words_with_innocent_senses_count_only_when_aimed(text, aimed):
    assert bool(insults(text)) is aimed


@pytest.mark.parametrize("word", ["f**k", "sh!t", "a$$", "fuckin", "bullshit", "dumbass", "wtf"])
def test_disguised_profanity_is_found(word):
    text = f"this is {word} honestly"
    spans = profanity(text)
    assert any(text[s:e] == word for s, e in spans), spans


def test_findings_are_sorted_and_name_each_part_once():
    text = "Why do you always forget my birthday? It's like you don't even care."
    found = analyze(text)
    assert [f.start for f in found] == sorted(f.start for f in found)
    for a in found:
        for b in found:
            if a is not b:
                assert not (a.start <= b.start and b.end <= a.end and a.kind == b.kind)


WORDS = [
    "you",
    "never",
    "always",
    "so",
    "lazy",
    "idiot",
    "fuck",
    "the",
    "dishes",
    "why",
    "do",
    "stop",
    "yelling",
    "I",
    "love",
    "whatever",
    "'re",
    "n't",
    ",",
    ".",
    "!",
    "?",
    " ",
    "é",
    "İ",
    "\u2019",
    "😡",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=25).map(" ".join))
def test_spans_are_exact_for_any_text(text):
    for f in analyze(text):
        assert text[f.start : f.end] == f.text
        assert f.kind in {
            "criticism",
            "contempt",
            "defensiveness",
            "stonewalling",
            "absolute",
            "demand",
            "loaded_question",
        }


# Kind and neutral messages in other words (reassurance with never/always, praise,
# thanks, plans, polite requests, apologies, logistics): the whole offline rewrite must
# leave them alone, with no findings and no safety flag.
KIND_OTHER_WORDING = [
    ("reassure-apologize-rest", "You never have to apologize for needing rest."),
    ("reassure-never-alone", "You never have to go through this alone."),
    ("reassure-never-earn", "You never have to earn my love."),
    ("reassure-never-pretend", "You never need to pretend with me."),
    ("reassure-never-sorry-crying", "You never have to say sorry for crying."),
    ("always-know", "You always know what to say when I'm down."),
    ("always-have-me", "You'll always have me."),
    ("always-make-feel-home", "You always make me feel at home."),
    ("always-welcome", "You're always welcome to join us on Sunday."),
    ("always-worth-it", "You're always worth the wait."),
    ("praise-speech", "Your speech at the wedding was beautiful."),
    ("praise-garden", "The garden looks incredible, you worked so hard on it."),
    ("praise-patience", "I admire how patient you were with my dad today."),
    ("praise-cooked", "Wow, you cooked dinner!"),
    ("praise-fixed", "You fixed the sink, my hero!"),
    ("thanks-laundry", "Thank you for folding all the laundry."),
    ("thanks-listening", "Thanks for listening to me vent last night."),
    ("thanks-airport", "Thank you so much for driving me to the airport at 5am."),
    ("thanks-card", "Thanks for the sweet card, it made my day."),
    ("plan-saturday", "Want to go for a hike on Saturday morning?"),
    ("plan-dinner", "Let's try the new Italian place on Friday."),
    ("plan-movie", "I booked tickets for the 7pm showing."),
    ("plan-visit", "My parents are coming over Sunday for lunch, is that okay?"),
    ("request-milk", "Could you grab some milk on your way home, please?"),
    ("request-call", "When you have a minute, could you call the plumber?"),
    ("request-talk", "Would you be up for talking about our budget this weekend?"),
    ("request-feedback", "Can you let me know what you think of the paint colours?"),
    ("apology-late", "I'm sorry I was late tonight, I should have texted."),
    ("apology-snappy", "I'm sorry for being short with you this morning."),
    ("apology-forgot", "I forgot to pay the electric bill, I'm so sorry, I'll do it now."),
    ("neutral-keys", "You left your keys at my place, I'll bring them tonight."),
    ("neutral-running-late", "Running about ten minutes late, see you soon."),
    ("neutral-home", "I'm home, the dog's been fed."),
    ("neutral-package", "Your package came, I put it on the kitchen table."),
    ("love-miss", "I miss you, can't wait to see you tonight."),
    ("love-lucky", "I'm so lucky to have you."),
    ("love-proud", "I'm so proud of you for finishing the course."),
    ("never-let-down", "You have never let me down."),
    ("never-fail-laugh", "You never fail to make me laugh."),
    ("always-here", "I'll always be here for you, no matter what."),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in KIND_OTHER_WORDING])
def test_kind_message_in_other_words_comes_back_unchanged(text):
    result = rewrite_offline(text)
    assert analyze(text) == []
    assert result.changed is False and result.findings == [], result
    assert result.safety.flagged is False


# Reassurance-shaped wording that is still blame: the fix for "you never have to ..." must
# not swallow these.
STILL_BLAME = [
    ("never-have-to-do", "You never have to do the dishes."),
    ("never-have-to-lift", "You never have to lift a finger around here."),
    ("never-have-to-because", "You never have to worry about money because I pay for everything."),
    ("always-unfair", "You're always unfair to me."),
    ("always-incredibly-late", "You're always incredibly late."),
    ("always-feel-like", "You always make me feel like an idiot."),
    ("never-apologize", "You never apologize."),
    ("do-it-now", "Do it now!"),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in STILL_BLAME])
def test_reassurance_shapes_do_not_hide_blame(text):
    assert analyze(text) != []


# Shapes that read as blame word by word and are not (dev drafts of a second author): a sigh
# about news with no "you", reassurance that it is "not your fault", "no good" before a noun.
NOT_AT_THEM = [
    ("sigh-at-news", "Ugh. Didn't get the promotion. They gave it to someone newer."),
    ("sigh-at-work", "ugh the printer jammed six times today"),
    ("not-your-fault", "The sink is leaking again. Not your fault at all, I'll call someone."),
    ("isnt-your-fault", "It isn't your fault, babe."),
    ("no-good-excuse", "I'm sorry I missed it. There's no good excuse."),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in NOT_AT_THEM])
def test_sighs_reassurance_and_no_good_before_a_noun_are_not_findings(text):
    assert analyze(text) == []


# The same words aimed at them still are.
AT_THEM = [
    ("sigh-with-you", "Ugh, you left the door open again."),
    ("sigh-alone", "Ugh."),
    ("smh-alone", "smh"),
    ("your-fault", "This is your fault."),
    ("no-good-aimed", "You're no good at this."),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in AT_THEM])
def test_the_same_words_aimed_at_them_are_findings(text):
    assert analyze(text) != []
