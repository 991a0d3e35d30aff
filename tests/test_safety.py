"""The safety screen: dev cases, cases in other words, the help each message names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helper.results import Safety
from helper.safety import normalize, screen

DEV_CASES = Path(__file__).resolve().parent.parent.parent / "shared" / "evals-dev" / "safety.jsonl"


def _dev_cases() -> list:
    if not DEV_CASES.exists():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{DEV_CASES} not found"))]
    rows = [json.loads(line) for line in DEV_CASES.read_text().splitlines() if line.strip()]
    return [pytest.param(r["text"], r["flag"], id=r["id"]) for r in rows]


@pytest.mark.parametrize("text, flag", _dev_cases())
def test_dev_cases(text, flag):
    assert screen(text).flagged is flag


# Written without the dev set's words, to stand for held-out cases: other verbs, other
# targets, third parties, casual spelling, several sentences.
MUST_FLAG = [
    ("violence", "break-neck", "Keep texting her and I swear I will break your neck."),
    ("violence", "could-strangle", "I could strangle you right now."),
    ("violence", "watch-back", "you better watch your back"),
    ("violence", "regret-day", "If you leave, you'll regret the day you met me."),
    ("violence", "gun", "I bought a gun last week, think about that."),
    ("violence", "third-party", "I'm going to beat the crap out of that guy you're seeing"),
    ("violence", "no-apostrophe", "ill make u pay for this"),
    ("violence", "clause-between", "One of these days I'm going to snap and really hurt you."),
    ("violence", "hospital", "Keep it up and you'll end up in the hospital."),
    ("violence", "dont-make-me", "Don't make me hurt you."),
    ("violence", "cant-have-you", "If I can't have you, no one can."),
    ("self_harm", "gone", "Sometimes I think everyone would be better off if I was gone."),
    ("self_harm", "live-anymore", "i dont want to live anymore"),
    ("self_harm", "cutting", "I've started cutting again."),
    ("self_harm", "pills", "If you leave me I'll take all my pills."),
    ("self_harm", "no-point", "There's no point in going on."),
    ("self_harm", "burden", "I'm such a burden to everyone"),
    ("self_harm", "never-wake", "I wish I could just fall asleep and never wake up again."),
    ("self_harm", "curly", "I\u2019m done. I don\u2019t want to be here anymore"),
    (
        "self_harm",
        "farewell",
        "Please tell the kids I love them. I'm sorry for everything. Goodbye.",
    ),
    ("abuse", "slapped", "You slapped me in front of my mother."),
    ("abuse", "threw-at", "Last night you threw a glass at me"),
    ("abuse", "third-person", "He hits me when he's drunk"),
    ("abuse", "hands-neck", "you put your hands around my neck"),
    ("abuse", "afraid", "I'm scared of what you'll do when you get home"),
    ("abuse", "black-eye", "You gave me a black eye and told everyone I fell"),
    ("abuse", "kill-threat-reported", "You said you'd kill me if I ever left."),
    ("abuse", "two-verbs", "You locked the door and beat me."),
    ("abuse", "child", "You slapped our son."),
    ("coercive_control", "phone", "You went through my phone again while I was asleep"),
    ("coercive_control", "tracker", "You put a tracker on my car."),
    ("coercive_control", "sister", "You won't let me see my sister."),
    ("coercive_control", "not-allowed", "I'm not allowed to go out with my friends."),
    ("coercive_control", "card", "You took my debit card and won't give it back"),
    ("coercive_control", "allowance", "You control all the money and give me an allowance"),
    ("coercive_control", "kids", "If you leave, you'll never see the kids again."),
    ("coercive_control", "quit-job", "You made me quit my job."),
    ("coercive_control", "approval", "I can't even buy coffee without your approval"),
    ("coercive_control", "stop-tracking", "Stop tracking my phone."),
    ("coercive_control", "purpose", "You hide the car keys so I can't go anywhere."),
]

# Idioms, hyperbole, kind messages and everyday complaints that share a cue word.
MUST_NOT_FLAG = [
    ("idiom-killed-it", "You killed it at the presentation!"),
    ("idiom-murder-pizza", "I could murder a pizza right now."),
    ("idiom-feet", "My feet are killing me after that hike."),
    ("idiom-kill-time", "We'll kill some time at the mall before the movie."),
    ("idiom-joke", "That joke killed, everyone was laughing."),
    ("idiom-dead-tired", "I'm dead tired, can we talk tomorrow?"),
    ("idiom-death-of-me", "This traffic will be the death of me."),
    ("idiom-shoot-text", "I'll shoot you a text when I'm leaving work."),
    ("idiom-beat-at", "I'm going to beat you at Scrabble tonight."),
    ("idiom-back", "You stabbed me in the back at the party."),
    ("idiom-rather-die", "I'd rather die than go to your mom's again."),
    ("idiom-sleep-kick", "You kicked me all night in your sleep!"),
    ("hyperbole-scream", "I'm so angry I could scream."),
    ("hyperbole-crazy", "You're driving me crazy with the dishes."),
    ("hyperbole-boss", "My wife is going to kill me when she sees this bill."),
    ("negated-never-hurt", "I would never hurt you."),
    ("negated-laid-hand", "You have never once laid a hand on me and I love you for it."),
    ("kind-pushed", "You pushed me to apply for that job and I'm so grateful."),
    ("kind-protect", "Nobody will ever hurt you while I'm around."),
    ("kind-apology", "I'm sorry I hurt you last night."),
    ("kind-reason", "You're my reason to live, you know that?"),
    ("chore-socks", "Can you stop leaving socks on the floor?"),
    ("phone-dinner", "You're always on your phone at dinner."),
    ("phone-question", "Did you read my text about dinner?"),
    ("money-games", "You spent two hundred dollars on games without telling me."),
    ("money-budget", "We need to talk about the money."),
    ("kids-park", "I'm going to take the kids to the park tomorrow."),
    ("kids-hero", "The kids will never see you as anything but their hero."),
    ("breakup-live-like-this", "I don't want to live like this anymore, we need to talk."),
    ("interrupt", "You won't let me finish a sentence."),
    ("charger", "You took my charger again!"),
    ("ill-adjective", "I feel ill today, can you pick up the kids?"),
]


@pytest.mark.parametrize(
    "category, text", [pytest.param(c, t, id=f"{c}-{i}") for c, i, t in MUST_FLAG]
)
def test_flags_other_wording(category, text):
    result = screen(text)
    assert result.flagged, text
    assert result.category == category


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in MUST_NOT_FLAG])
def test_does_not_flag(text):
    assert screen(text) == Safety(False, None, "")


@pytest.mark.parametrize(
    "text, category, help_named",
    [
        pytest.param("I'll hurt you.", "violence", "helpline", id="violence"),
        pytest.param("I want to kill myself.", "self_harm", "988", id="self_harm"),
        pytest.param("You pushed me.", "abuse", "helpline", id="abuse"),
        pytest.param("You read my texts.", "coercive_control", "helpline", id="coercive_control"),
    ],
)
def test_message_names_help(text, category, help_named):
    message = screen(text).message
    assert "emergency" in message and help_named in message
    # Calm, not a lecture: no blame words aimed at the person.
    assert not any(word in message.lower() for word in ("shame", "wrong of you", "should be"))


def test_every_matched_category_gets_its_help():
    result = screen("You hit me again, and honestly I want to die.")
    assert result.category == "self_harm"  # the more urgent one leads
    assert "988" in result.message and "Domestic Violence Hotline" in result.message


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("I\u2019LL Hurt You!!", "i will hurt you!!", id="curly-caps"),
        pytest.param("you won't", "you will not", id="wont"),
        pytest.param("ill hurt u", "i will hurt you", id="bare-ill"),
        pytest.param("I feel ill", "i feel ill", id="ill-adjective"),
        pytest.param("you 're gonna", "you are going to", id="spaced-contraction"),
        pytest.param("my id card", "my id card", id="id-noun"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@given(st.text(max_size=300))
def test_any_text_gives_a_consistent_result(text):
    result = screen(text)
    assert result.flagged == (result.category is not None) == bool(result.message)
