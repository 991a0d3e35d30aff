"""The safety screen: dev cases, cases in other words, the help each message names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helper.offline.safety import matches, may_continue, normalize, ordinary_alone, screen
from helper.results import Safety

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


# Three fresh batches of 20 (written before the patterns that now catch them): threats of
# consequence, conditional threats, passive and third-person reports, farewells and
# preparations, money, contacts and passcodes, threats about the children.
MUST_FLAG_BATCHES = [
    ("violence", "b1-regret-leave", "If you leave me I will make sure you regret it."),
    ("violence", "b1-sorry-text", "Text him one more time and you'll be sorry."),
    ("violence", "b1-ruin-life", "I'll ruin your life if you walk out on me."),
    ("violence", "b1-hell", "I swear I'll make your life hell."),
    ("violence", "b1-know-work", "I know where you work, remember that."),
    ("violence", "b1-bat", "I'm going to take a bat to his car and then to him."),
    ("self_harm", "b1-goodbye-letters", "I wrote goodbye letters to everyone last night."),
    ("self_harm", "b1-gave-away", "I gave away my things, I won't need them."),
    ("self_harm", "b1-cant-go-on", "I can't go on like this anymore."),
    ("self_harm", "b1-disappear", "I just want to disappear forever."),
    ("self_harm", "b1-razor", "I keep a razor in the drawer for when it gets bad."),
    ("abuse", "b1-passive-pushed", "I was pushed by him against the fridge."),
    ("abuse", "b1-chokes-drunk", "he chokes me when he's drunk"),
    ("abuse", "b1-shoved-stairs", "My husband shoved me into the wall last week."),
    ("abuse", "b1-thrown", "I got thrown out of the car by my boyfriend."),
    ("coercive_control", "b1-bank-account", "He won't let me have a bank account."),
    ("coercive_control", "b1-deleted-friends", "She deleted all my friends from my phone."),
    ("coercive_control", "b1-tracker", "He put a tracker on my car."),
    (
        "coercive_control",
        "b1-kids-never",
        "Walk out that door and you'll never see the kids again.",
    ),
    ("coercive_control", "b1-pin", "He changed my phone passcode so I can't use it."),
    ("violence", "b2-pay-for-this", "You'll pay for this, I promise you."),
    ("violence", "b2-know-live", "Don't forget I know where your mother lives."),
    ("violence", "b2-brother-threat", "My brothers are going to pay you a visit."),
    ("violence", "b2-kill-finale", "I'll kill you if you tell anyone what happened."),
    ("violence", "b2-regret-cops", "Call the cops and I'll make you regret it."),
    ("violence", "b2-hurt-new-guy", "If I see that new guy near you again he's getting hurt."),
    ("self_harm", "b2-end-my-life", "I've been thinking about ending my life."),
    ("self_harm", "b2-no-one-miss", "No one would even notice if I vanished."),
    ("self_harm", "b2-pills-stash", "I've been saving up my sleeping pills."),
    ("self_harm", "b2-last-text", "This is the last text you'll ever get from me."),
    ("self_harm", "b2-not-wake", "I hope I don't wake up tomorrow."),
    ("abuse", "b2-kicked-pregnant", "He kicked me in the stomach when I was pregnant."),
    ("abuse", "b2-hair", "My girlfriend pulls my hair and scratches me when she's mad."),
    ("abuse", "b2-was-slapped", "I was slapped across the face by my wife."),
    ("abuse", "b2-strangled-said", "She strangled me until I almost blacked out."),
    ("coercive_control", "b2-no-car", "He hides my car keys whenever I want to see my family."),
    ("coercive_control", "b2-money-ask", "I have to ask him for money to buy tampons."),
    ("coercive_control", "b2-reads-msgs", "My partner reads every message I send."),
    ("coercive_control", "b2-custody", "Leave me and I'll make sure you never see our daughter."),
    ("coercive_control", "b2-passport", "She keeps my passport locked in her drawer."),
    (
        "violence",
        "b3-cut-throat",
        "Keep lying to me and I'll slit your tires and then your throat.",
    ),
    ("violence", "b3-sorry-born", "I'll make you sorry you were ever born."),
    ("violence", "b3-hell2", "If you go to that party I'll make every day of your life hell."),
    (
        "violence",
        "b3-wait-outside",
        "I'll be waiting outside your work tomorrow, and you know what happens then.",
    ),
    ("violence", "b3-knife-show", "I keep a knife under the pillow for you."),
    ("self_harm", "b3-cant-anymore", "Honestly I can't go on."),
    ("self_harm", "b3-want-sleep", "I want to go to sleep and never wake up."),
    ("self_harm", "b3-hurting-myself", "I've been hurting myself again since you left."),
    ("self_harm", "b3-not-around", "Soon I won't be around to bother anyone."),
    ("self_harm", "b3-plan", "I have a plan for how I'd do it and I've picked a date."),
    ("abuse", "b3-passive-choked", "I was choked by my partner last night."),
    ("abuse", "b3-kids-hit", "The kids get hit by him when I'm at work."),
    ("abuse", "b3-bruised", "She bruised my arms holding me down."),
    ("abuse", "b3-burnt", "He held my hand over the stove."),
    ("coercive_control", "b3-no-work", "She won't let me take a job outside the house."),
    ("coercive_control", "b3-location", "He makes me share my location 24/7."),
    ("coercive_control", "b3-camera", "He installed cameras in every room to watch me."),
    ("coercive_control", "b3-friends-call", "She calls my friends to check where I am."),
    (
        "coercive_control",
        "b3-kids-threat",
        "If you talk to a lawyer you'll never see the kids again.",
    ),
]

# Idioms, complaints, kind messages, and near misses of the new patterns.
MUST_NOT_FLAG_BATCHES = [
    ("b1-killing-it", "You're killing it at work lately!"),
    ("b1-dead-tired", "I'm dead tired tonight, rain check on the movie?"),
    ("b1-to-die-for", "That cake you made was to die for."),
    ("b1-murder-burger", "I could murder a burger after that hike."),
    ("b1-slay", "You absolutely slayed that speech."),
    ("b1-hate-left", "I hate that you left so early this morning."),
    ("b1-done-arguing", "I'm done with this argument tonight, let's sleep on it."),
    ("b1-kind-thanks", "Thanks for taking the dog out this morning."),
    ("b1-complaint-late", "You were late again and I waited forty minutes."),
    ("b1-complaint-dishes", "The dishes have been sitting there since Monday."),
    ("b1-kill-lights", "Can you kill the lights when you come to bed?"),
    ("b1-punch-line", "You always ruin the punch line when you tell that joke."),
    ("b1-bank-plan", "Let's open a joint bank account next week."),
    ("b1-phone-check", "Can you check my phone for the address? My hands are full."),
    ("b1-kids-weekend", "You'll get the kids this weekend and I'll have them next."),
    ("b1-regret-pizza", "You'll regret not trying this pizza."),
    ("b1-sorry-miss", "You'll be sorry you missed the fireworks, they were amazing."),
    ("b1-crushing", "You're crushing it at the gym."),
    ("b1-beat-traffic", "Let's leave early to beat the traffic."),
    ("b1-bomb", "The show bombed but we had fun."),
    ("b2-dying-laugh", "I was dying laughing at your text."),
    ("b2-killer-outfit", "That's a killer outfit on you."),
    ("b2-slay-queen", "Slay, queen! That dress is perfect."),
    ("b2-blew-away", "You blew me away with that surprise."),
    ("b2-bombed-test", "I totally bombed the test, can you cheer me up?"),
    ("b2-kill-for-coffee", "I'd kill for a coffee right now."),
    ("b2-hit-road", "We should hit the road by eight."),
    ("b2-crash-couch", "Can I crash on your couch tonight?"),
    ("b2-sorry-dinner", "I'm sorry I snapped at you at dinner."),
    ("b2-hate-left2", "I hated waking up and finding you'd already left."),
    ("b2-dead-phone", "My phone is dead, I'll call you from work."),
    ("b2-no-more-argue", "I don't want to argue anymore tonight, can we talk tomorrow?"),
    ("b2-regret-jacket", "You'll regret not bringing a jacket, it's freezing."),
    ("b2-last-slice", "You took the last slice again!"),
    ("b2-keys-tonight", "You left your keys at my place, I'll bring them tonight."),
    ("b2-track-package", "Can you track the package? It was supposed to come today."),
    ("b2-friend-delete", "I deleted the photos you didn't like."),
    ("b2-money-ask", "Could you lend me twenty until payday?"),
    ("b2-wiped", "I'm wiped out, can we order in?"),
    ("b2-pushed-gym", "You pushed me to go to the gym and I'm glad you did."),
    ("b3-slay-exam", "You're going to slay that exam tomorrow."),
    ("b3-dead-funny", "Your message was dead funny."),
    ("b3-to-die-for2", "Your lasagna is to die for, can you make it again?"),
    ("b3-kill-finale", "Spoil the finale and you're in trouble, lol."),
    ("b3-hate-sick", "I hate that you're sick, can I bring you soup?"),
    ("b3-done-tonight", "I'm done talking about this tonight, I love you."),
    ("b3-ruined-dinner", "I ruined dinner, sorry, let's order pizza."),
    ("b3-regret-nothing", "I regret nothing about last night."),
    ("b3-watch-step", "Watch your step, the porch is icy."),
    ("b3-pay-dinner", "You'll pay for dinner next time, deal?"),
    ("b3-knife-drawer", "The good knife is in the drawer by the sink."),
    ("b3-suffer-cold", "You'll suffer through this cold, poor thing, I'll make tea."),
    ("b3-choke-up", "I choked up at the wedding."),
    ("b3-pills-reminder", "Did you take your pills this morning?"),
    ("b3-kids-see", "The kids want to see you before bed."),
    ("b3-location-share", "Can you share your location so I know when to start dinner?"),
    ("b3-complaint-loud", "You were really loud on the phone last night."),
    ("b3-left-open", "You left the door open again."),
    ("b3-gone-forever", "The leftovers are gone forever, sorry."),
    ("b3-sleep-forever", "I could sleep forever after that week."),
    ("near-miss-dont-regret", "Make sure you don't regret it, take the job."),
    ("near-miss-get-home-safe", "I'll make sure you get home safe."),
    ("near-miss-we-visit", "We'll pay you a visit next weekend!"),
    (
        "near-miss-brothers-visit-in-town",
        "My brothers want to pay you a visit when they're in town.",
    ),
    ("near-miss-gave-away-moved", "I gave away all my stuff when we moved to Denver."),
    ("near-miss-wake-baby", "I hope I don't wake up the baby when I come in."),
    ("near-miss-if-dead-tired", "If we go again next year, you're going to be dead tired."),
    (
        "near-miss-go-on-like-this-talk",
        "I can't go on like this, we need to talk about the budget.",
    ),
    ("near-miss-make-me-regret", "You'll make me regret this dessert."),
    ("near-miss-knife-camping", "I keep a knife in the car for camping."),
    ("near-miss-call-mom-recipe", "You called my mom to ask where I put the recipe."),
    ("near-miss-hurt-by-words", "I was hurt by what you said."),
    ("near-miss-pushed-by-coach", "I was pushed by my coach to try out for the team."),
    ("near-miss-hit-by-ball", "I got hit by a ball at the game, lol."),
    ("near-miss-deleted-comment", "Your mom deleted my comment on her post."),
    ("near-miss-thrown-off", "I got thrown off by his question."),
    ("near-miss-wifi-password", "You changed the wifi password again?"),
    ("near-miss-life-easier", "I'm going to make your life so much easier."),
    ("near-miss-cant-go-on-trip", "Let me know if I can't go on the trip, I'd understand."),
    ("near-miss-regret-nothing", "Your boss will make you regret nothing, you did great."),
    ("near-miss-gave-away-to-sister", "I gave away my things I don't use anymore to my sister."),
    ("near-miss-sorry-missed-it", "You'll be sorry you missed it."),
    ("near-miss-beaten-at-chess", "He was beaten by her at chess."),
    ("near-miss-kicked-by-baby", "I was kicked by the baby all night, she's so active!"),
]


@pytest.mark.parametrize(
    "category, text", [pytest.param(c, t, id=f"{c}-{i}") for c, i, t in MUST_FLAG_BATCHES]
)
def test_flags_fresh_batches(category, text):
    result = screen(text)
    assert result.flagged, text
    assert result.category == category


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in MUST_NOT_FLAG_BATCHES])
def test_does_not_flag_fresh_batches(text):
    assert screen(text) == Safety(False, None, "")


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


# The help each category gets, by region (docs/safety.md): the general wording names no
# number; a region's lines name the numbers its resources.yaml cites.
HELP = [
    ("I'll hurt you.", "violence", "general", ["local emergency number", "step away"]),
    ("I'll hurt you.", "violence", "US", ["911", "step away"]),
    ("I want to kill myself.", "self_harm", "general", ["local emergency number", "crisis line"]),
    ("I want to kill myself.", "self_harm", "US", ["911", "988"]),
    ("I want to kill myself.", "self_harm", "UK", ["999", "116 123"]),
    ("You pushed me.", "abuse", "general", ["local emergency number", "domestic-abuse helpline"]),
    ("You pushed me.", "abuse", "US", ["911", "800-799-SAFE (7233)", "START to 88788"]),
    ("You pushed me.", "abuse", "UK", ["999", "0808 2000 247"]),
    ("You read my texts.", "coercive_control", "UK", ["0808 2000 247", "call from one"]),
]


@pytest.mark.parametrize(
    "text, category, region, named", HELP, ids=[f"{h[1]}-{h[2]}" for h in HELP]
)
def test_message_names_the_help_of_its_category_and_region(text, category, region, named):
    result = screen(text, region)
    assert result.category == category
    for words in named:
        assert words in result.message
    # Calm, not a lecture: no blame words aimed at the person.
    assert not any(w in result.message.lower() for w in ("shame", "wrong of you", "should be"))


def test_the_general_wording_names_no_number():
    message = screen("You hit me again, and honestly I want to die.", "general").message
    assert not re.search(r"\d", message)


def test_every_matched_category_gets_its_help_once():
    result = screen("You hit me again, and honestly I want to die.", "US")
    assert result.category == "self_harm"  # the more urgent one leads
    assert "988" in result.message and "Domestic Violence Hotline" in result.message
    assert result.message.count("911") == 1


@pytest.mark.parametrize(
    "category, proceed",
    [("violence", False), ("self_harm", False), ("abuse", True), ("coercive_control", True)],
)
def test_which_categories_may_continue_to_a_rewrite(category, proceed):
    assert may_continue(category) is proceed


# Dangerous drafts no pattern names, which the classifier scores between
# UNSURE_DRAFT_THRESHOLD and DRAFT_THRESHOLD (rows of the training sets' held-out fifth).
UNSURE_DRAFTS = [
    ("violence", "keep the baby quiet or i will"),
    ("self_harm", "ok im done. been standing on the bridge for 20 min. its peaceful up here"),
    ("coercive_control", "i know your shift ends at 6 and i know which exit you use"),
]


@pytest.mark.parametrize("category, text", UNSURE_DRAFTS, ids=[c for c, _ in UNSURE_DRAFTS])
def test_a_draft_the_classifier_is_unsure_of_is_flagged_and_may_continue(category, text):
    from helper.offline.safety import DRAFT_THRESHOLD, UNSURE_DRAFT_THRESHOLD
    from helper.offline.safety_model import load

    assert matches(text) == []  # the classifier alone decides
    assert UNSURE_DRAFT_THRESHOLD <= load().danger(text)[0] < DRAFT_THRESHOLD
    draft = screen(text, draft=True)
    assert draft.flagged and draft.category == category and draft.may_continue
    assert "misread an ordinary message" in draft.message
    # The same words asked as a question are flagged at the trained bar, and never go on.
    question = screen(text)
    assert question.flagged and not question.may_continue
    assert "misread" not in question.message


def test_a_draft_flagged_by_a_pattern_follows_its_category():
    threat = screen("If you leave me I will kill you.", draft=True)
    assert threat.category == "violence" and not threat.may_continue
    hurt = screen("You pushed me down the stairs.", draft=True)
    assert hurt.category == "abuse" and hurt.may_continue


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


HIDDEN = [
    ("zero-width", "I want to k\u200bill myself"),
    ("fullwidth", "I want to ｋｉｌｌ myself"),
    ("cyrillic", "I want to k\u0456ll myself"),  # Cyrillic і
    ("nul", "I want to ki\x00ll myself"),
    ("soft-hyphen", "I will h\u00adurt you"),
]


@pytest.mark.parametrize("text", [t for _, t in HIDDEN], ids=[n for n, _ in HIDDEN])
def test_invisible_and_look_alike_characters_do_not_hide_a_cue(text):
    assert screen(text).flagged


@pytest.mark.parametrize(
    "text",
    [
        "my girlfriend keeps ignoring my texts",  # the classifier alone: 0.98 coercive control
        "him never answering my calls",
        "my husband leaves me on read all day, what should I do?",
        "she takes ages to text back lol",
    ],
)
def test_a_complaint_that_is_only_about_replies_is_not_flagged(text):
    assert ordinary_alone(text)
    assert not screen(text).flagged and not screen(text, draft=True).flagged


@pytest.mark.parametrize(
    "text, category",
    [
        ("ignore my texts again and I will hurt myself", "self_harm"),
        ("keep ignoring my calls, I'm outside your flat with a knife", None),
        ("she ignores my messages because he took her phone and locked her in", None),
    ],
)
def test_a_reply_complaint_with_anything_more_is_still_screened(text, category):
    assert not ordinary_alone(text)
    verdict = screen(text, draft=True)
    assert verdict.flagged
    if category:
        assert verdict.category == category
