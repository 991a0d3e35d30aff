"""Safety screen: threats, self-harm, abuse and coercive-control cues in a draft.

The cues, the idiom allow-list, the messages and the spelling tables are data
(lexicon/safety.yaml, and safety_languages.yaml for other languages). This module
normalizes the text, so that one plain pattern covers casing, curly apostrophes and
contractions, and then matches. What no pattern names, the safety classifier
(safety_model.py) decides, with a higher bar for drafts, where the nearest-case vote
(detector.py) may also flag: see screen().
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from helper.lexicon import load as load_lexicon
from helper.offline.detector import safety_vote
from helper.results import Safety
from helper.text.normalize import QUOTES, clean, one_line
from helper.text.patterns import expand_macros

# Pauses and emphasis marks ("I'll... hurt you", "*hurt*") are not sentence ends.
_PAUSES = re.compile(r"\.{2,}|…|[-‐–—*_~\"“”()\[\]]")
# Tokenized text writes contractions apart ("you 're", "do n't").
_SPACED_CONTRACTION = re.compile(r"(?<=[a-z])\s+(?=n't\b|'(?:ll|re|ve|m|d|s)\b)")
# "my self" typed apart is still "myself" ("I want to kill my self").
_SPLIT_SELF = re.compile(r"\bmy self\b")
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)*|[.!?,;:]")
# Irregular "n't" stems; the rest are "<verb>n't" -> "<verb> not".
_NOT = {"wo": "will", "ca": "can", "sha": "shall", "ai": "is"}
_SUFFIXES = {"ll": "will", "re": "are", "ve": "have", "m": "am", "d": "would"}


@dataclass(frozen=True)
class _Category:
    name: str
    noticed: str
    response: str  # "only": the safety response and nothing else; "first": then may continue
    help: tuple[str, ...]  # line names of resources.yaml
    patterns: tuple[re.Pattern[str], ...]
    # Cues in other languages (safety_languages.yaml), searched in the lower-cased text with
    # its accents: the normalizer reads English, and the classifier learned from English
    # mostly (it missed 4 of the 6 questions and topics it missed in safety-fresh-2.jsonl,
    # all short ones in other languages).
    other_languages: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class _Lexicon:
    is_after: frozenset[str]
    bare: dict[str, str]
    ambiguous: dict[str, tuple[str, frozenset[str], frozenset[str]]]
    allow: tuple[re.Pattern[str], ...]
    ordinary: tuple[re.Pattern[str], ...]
    filler: frozenset[str]
    unsure_draft: str
    categories: tuple[_Category, ...]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    data = load_lexicon("safety.yaml")
    languages = load_lexicon("safety_languages.yaml")
    spelling = data["spelling"]
    macros = {name: one_line(value) for name, value in data["macros"].items()}

    def compile_all(patterns: list[str]) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(expand_macros(p, macros, where="safety.yaml")) for p in patterns)

    return _Lexicon(
        is_after=frozenset(spelling["is_after"]),
        bare=dict(spelling["bare"]),
        ambiguous={
            word: (spec["means"], frozenset(spec["unless_after"]), frozenset(spec["unless_before"]))
            for word, spec in spelling["ambiguous"].items()
        },
        allow=compile_all(data["allow"]),
        ordinary=compile_all(data["ordinary_alone"]["complaints"]),
        filler=frozenset(data["ordinary_alone"]["filler"].split()),
        unsure_draft=one_line(data["unsure_draft"]),
        categories=tuple(
            _Category(
                name,
                one_line(spec["noticed"]),
                spec["response"],
                tuple(spec["help"]),
                compile_all(spec["patterns"]),
                tuple(re.compile(p) for found in languages[name].values() for p in found),
            )
            for name, spec in data["categories"].items()
        ),
    )


def _expand(word: str, lex: _Lexicon) -> str:
    if "'" not in word:
        return lex.bare.get(word, word)
    stem, _, suffix = word.partition("'")
    if suffix == "t" and stem.endswith("n"):
        base = stem[:-1]
        return f"{_NOT.get(base, base)} not"
    if suffix in _SUFFIXES:
        return f"{stem} {_SUFFIXES[suffix]}"
    if suffix == "s" and stem == "let":
        return "let us"
    if suffix == "s" and stem in lex.is_after:
        return f"{stem} is"
    return word


def normalize(text: str) -> str:
    """Lower case, straight apostrophes, contractions expanded, one space between words."""
    lex = _lexicon()
    text = clean(text).translate(QUOTES).lower()
    text = _SPACED_CONTRACTION.sub("", _PAUSES.sub(" ", text))
    text = _SPLIT_SELF.sub("myself", text)
    out = [_expand(token, lex) for token in _TOKEN.findall(text)]
    for i, token in enumerate(out):
        if token not in lex.ambiguous:
            continue
        means, unless_after, unless_before = lex.ambiguous[token]
        before = out[i - 1] if i else ""
        after = out[i + 1] if i + 1 < len(out) else ""
        if before not in unless_after and after not in unless_before and after[:1].isalpha():
            out[i] = means
    return re.sub(r" (?=[.!?,;:])", "", " ".join(out))


def matches(text: str) -> list[str]:
    """Names of every category whose cues appear in `text`, most urgent first."""
    lex = _lexicon()
    plain = normalize(text)
    for idiom in lex.allow:
        # A placeholder, not nothing, so the words around an idiom do not join up.
        plain = idiom.sub("~", plain)
    lowered = " ".join(clean(text).translate(QUOTES).lower().split())
    return [
        c.name
        for c in lex.categories
        if any(p.search(plain) for p in c.patterns)
        or any(p.search(lowered) for p in c.other_languages)
    ]


def ordinary_alone(text: str) -> bool:
    """Whether `text` is only an ordinary complaint about replies ("he keeps ignoring my
    texts", "my boyfriend leaves me on read, what do I do?"), which the classifier is not
    asked about (safety.yaml, `ordinary_alone`)."""
    lex = _lexicon()
    plain, found = normalize(text), False
    for complaint in lex.ordinary:
        plain, n = complaint.subn(" ", plain)
        found = found or n > 0
    rest = re.findall(r"[a-z]+", plain)
    return found and all(word in lex.filler for word in rest)


def help_line(name: str, region: str) -> str:
    """One help line of resources.yaml for `region`, or its general wording."""
    data = load_lexicon("resources.yaml")
    lines = data["regions"].get(region, {})
    return one_line(lines.get(name) or data["general"][name])


def may_continue(category: str | None) -> bool:
    """Whether a person may go on to a rewrite after the safety response (docs/safety.md)."""
    return any(c.name == category and c.response == "first" for c in _lexicon().categories)


# A draft to the partner is flagged by the classifier as its category says only when it is
# this sure. At the trained threshold (0.86) it flagged 8 of 326 ordinary drafts it never saw
# (the held-out rewrite drafts and the test lists: "You let the dog sleep on our bed even
# though I asked you not to"), reading "you did X" to the partner as a report of being hurt;
# at 0.993, 0 of 326 (docs/safety.md).
DRAFT_THRESHOLD = 0.993
# Between this and DRAFT_THRESHOLD a draft is flagged too, and the person may go on to the
# rewrite (Safety.may_continue). Of the held-out fifth of the training drafts (2026-12-07,
# the model retrained with three authors' ordinary drafts), patterns and classifier caught
# 134 of 204 dangerous drafts at 0.993 ("Don't bother coming home tonight. If I see you I'm
# not responsible for what I do with this knife." passed at 0.993), 162 at 0.90; ordinary
# drafts flagged: 2 of 280 angry and kind ones at either, 8 and 17 of 239 near misses
# written to look like danger.
UNSURE_DRAFT_THRESHOLD = 0.90


@lru_cache(maxsize=512)
def classified(text: str, *, draft: bool = False) -> tuple[str, bool] | None:
    """The safety classifier's category for `text` and whether it is sure of it, or None
    (helper/offline/safety_model.py). A question or topic is flagged at the trained bar."""
    from helper.offline.safety_model import load

    model = load()
    score, category = model.danger(text)
    if not draft:
        return (category, True) if score >= model.threshold else None
    if score >= DRAFT_THRESHOLD:
        return category, True
    return (category, False) if score >= UNSURE_DRAFT_THRESHOLD else None


def screen(
    text: str, region: str | None = None, *, draft: bool = False, classify: bool = True
) -> Safety:
    """Flag safety cues; the message says what was noticed and where to get help.

    What the patterns miss, the classifier decides. For a draft to the partner (`draft`) it
    must be surer (DRAFT_THRESHOLD) for its category's response, and the nearest-case vote
    may also flag: an angry complaint is where most text comes, and "you did X" reads like
    a report of harm. A draft it is less sure of (UNSURE_DRAFT_THRESHOLD) is flagged, and
    the person may go on to the rewrite. `classify=False` skips the classifier, for text
    built from words it already passed."""
    found, sure = matches(text), True
    if not found and not ordinary_alone(text):
        plain = clean(text)
        learned = classified(plain, draft=draft) if classify else None
        if draft and not (learned and learned[1]):
            vote = safety_vote(plain)  # flags on its own, as before; it makes an unsure one sure
            learned = (vote, True) if vote else learned
        if learned:
            found, sure = [learned[0]], learned[1]
    if not found:
        return Safety(False, None, "")
    if region is None:
        from helper.config import settings

        region = settings().region
    lex = _lexicon()
    chosen = [c for c in lex.categories if c.name in found]
    # What was noticed, then each help line once, in the order the categories name them.
    lines = dict.fromkeys(name for c in chosen for name in c.help)
    parts = [c.noticed for c in chosen]
    if not sure:
        parts.append(lex.unsure_draft)
    parts += [help_line(name, region) for name in lines]
    # Only a draft goes on: a flagged question or topic is never answered from the guidance.
    going_on = draft and (may_continue(found[0]) or not sure)
    return Safety(True, found[0], " ".join(parts), going_on)
