"""Findings in a draft: each hostile part, with its span in the text and why it lands badly.

The vocabulary and the shapes live in helper/lexicon/ (patterns.yaml, insults.yaml,
profanity.yaml, behaviors.yaml); this module only compiles and applies them, so extending
what is found needs no code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from lemminflect import getAllInflections, getAllLemmas

from helper.lexicon import load as load_lexicon
from helper.results import Finding
from helper.text.normalize import fold
from helper.text.patterns import expand_macros
from helper.text.templates import render

# A word as a person types it, disguises kept inside: f**k, sh!t, a$$ (same as the evals).
_TOKEN = re.compile(r"[a-z0-9]+(?:[*$@!#_\-]+[a-z0-9]+)*[*$]*")
_NEVERISH = re.compile(r"\b(?:never|hardly|rarely|not)\b|n'?t\b")


lexicon = load_lexicon  # one data file of helper/lexicon, validated and parsed once


def expand(pattern: str) -> str:
    """A lexicon pattern with its @macros written out."""
    return expand_macros(pattern, lexicon("patterns.yaml")["macros"], where="patterns.yaml")


def _words_rx(words) -> str:
    """One alternation of words and phrases, longest first; spaces and hyphens are loose."""
    forms = sorted({w.lower() for w in words}, key=len, reverse=True)
    parts = [re.escape(f).replace(r"\ ", r"\s+").replace(r"\-", r"[\s-]?") for f in forms]
    return "|".join(parts)


def _plural(word: str) -> set[str]:
    forms = {word, word + "s", word + "es"}
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        forms.add(word[:-1] + "ies")
    return forms


@dataclass(frozen=True)
class _Rule:
    kind: str
    why: str
    rx: re.Pattern
    polarity: bool
    addressed: bool  # counts only in a draft with a "you" word, or on its own


def aimed_at_them(text: str, found: list[Finding]) -> bool:
    """Whether some finding sits in a sentence that speaks to the partner ("you", "your"): a
    word that lands in "a lazy night in" or "my boss booked a 5pm meeting 🙃" does not."""
    rx = _addressed()
    low = fold(text)
    for f in found:
        start = max(low.rfind(end, 0, f.start) for end in (". ", "! ", "? ", "\n")) + 1
        stops = [i for i in (low.find(end, f.end) for end in (". ", "! ", "? ", "\n")) if i >= 0]
        if rx.search(low[start : min(stops, default=len(low))]):
            return True
    return False


@cache
def _addressed() -> re.Pattern:
    """A draft that speaks to the partner: "Ugh, you left the door open" (not "Ugh. Didn't get
    the promotion.")."""
    return re.compile(expand(r"\b(?:@you|@your|@youre|yours|yourself)\b"))


@dataclass(frozen=True)
class Insult:
    """An insult in a text: the word, its group in insults.yaml, and how it is aimed."""

    start: int  # where the finding starts: the "you're so" before the word, if any
    end: int
    word_start: int
    word: str
    group: str
    kind: str  # criticism (a trait pinned on them) or contempt (name-calling)
    framed: str  # "trait" ("you're so lazy"), "name" ("you idiot"), or "" (not aimed)


@cache
def _rules() -> list[_Rule]:
    data = lexicon("patterns.yaml")
    return [
        _Rule(
            item["kind"],
            item["why"],
            re.compile(expand(p)),
            bool(item.get("polarity")),
            bool(item.get("addressed")),
        )
        for item in data["findings"]
        for p in item["patterns"]
    ]


@cache
def _polarity() -> tuple[re.Pattern, re.Pattern, re.Pattern]:
    data = lexicon("patterns.yaml")["polarity"]
    return (
        re.compile(data["positive"]),
        re.compile(data["negative"]),
        re.compile(data["never_praise"]),
    )


def is_praise(pred: str, adv: str = "") -> bool:
    """Whether "you <adv> <pred>" is praise: "always make me laugh", "never let me down".

    A predicate with no cue either way counts as a complaint, since drafts here mostly are.
    """
    pos, neg, never_praise = _polarity()
    if _NEVERISH.search(adv):
        return bool(never_praise.match(pred.strip()))
    return bool(pos.search(pred)) and not neg.search(pred)


@cache
def _insults() -> tuple[re.Pattern, dict, re.Pattern, re.Pattern]:
    data = lexicon("insults.yaml")
    index: dict[str, tuple[str, str, bool]] = {}
    for group, g in data["groups"].items():
        for field, kind in (("words", "word"), ("names", "name"), ("about_you", "name")):
            for word in g.get(field) or []:
                forms = _plural(word.lower()) if kind == "name" else {word.lower()}
                for form in forms:
                    index.setdefault(form, (group, kind, field == "about_you"))
    words = re.compile(r"(?<![\w'])(?:" + _words_rx(index) + r")(?![\w'])")
    fill = r"(?:(?:" + _words_rx(data["fillers"]) + r"|,)\s+){0,4}"
    trait = expand(
        r"(?:@youre|@you\s+(?:were|was|look|looked|sound|sounded|act|acted|seem|seemed|are\s+being"
        r"|were\s+being|became|become|get|gets|got|getting)|@you\s?'?\s?ve\s+been|@you\s+have\s+been|(?:stop|quit)\s+"
        r"being|@dont\s+be|@you\s+(?:people|guys|lot|two|all)\s+(?:are|were))"
    )
    name = expand(
        r"(?:such\s+an?|what\s+an?|call(?:ed|ing)?\s+(?:you|me)\s+an?|(?:^|(?<=[,.!?;:\-\"])\s*|\b(?:and"
        r"|oh|hey|listen|look|up|thanks|bye|off|shut\s+up)\s+)@you(?:\s+(?:people|guys|lot|two|all))?)"
    )
    trait_rx = re.compile(r"(?P<head>" + trait + r")\s+" + fill + r"$")
    name_rx = re.compile(r"(?P<head>" + name + r")\s+" + fill + r"$")
    # "give it a rest you psychopath": a "you" anywhere names them when the insult ends the clause
    vocative_rx = re.compile(r"(?P<head>\b" + expand("@you") + r")\s+" + fill + r"$")
    return words, index, trait_rx, name_rx, vocative_rx


def insults(text: str) -> list[Insult]:
    """The insults in `text`, each with its group and how it is aimed."""
    return list(_insults_in(text))


@lru_cache(maxsize=4096)
def _insults_in(text: str) -> tuple[Insult, ...]:
    low = fold(text)
    words, index, trait_rx, name_rx, vocative_rx = _insults()
    found = []
    for m in words.finditer(low):
        key = re.sub(r"[\s-]+", " ", m.group()).strip()
        group, kind, about_you = index.get(m.group()) or index.get(key) or _lookup(index, key)
        before = low[max(0, m.start() - 80) : m.start()]
        framed, start = "", m.start()
        at_end = bool(re.match(r"\s*(?:[,.!?;:)\-\"]|$)", low[m.end() :]))
        frames = [("trait", trait_rx), ("name", name_rx)] + (
            [("name", vocative_rx)] if at_end else []
        )
        for frame, rx in frames:
            f = rx.search(before)
            if f:
                framed, start = frame, m.start() - len(before) + f.start("head")
                break
        # A word with an innocent sense counts only when pinned on them, and an adjective
        # only after "you're": "you mean?" and "are you cold?" are not name-calling.
        if about_you and (
            not framed
            or (
                framed == "name"
                and (_is_question_after(low, m.end()) or "ADJ" in getAllLemmas(m.group()))
            )
        ):
            continue
        finding_kind = "criticism" if framed == "trait" and kind == "word" else "contempt"
        found.append(
            Insult(
                start, m.end(), m.start(), text[m.start() : m.end()], group, finding_kind, framed
            )
        )
    return tuple(found)


def _lookup(index: dict, key: str) -> tuple[str, str, bool]:
    for form, value in index.items():
        if re.sub(r"[\s-]+", " ", form) == key:
            return value
    return ("mean", "name", False)


def _is_question_after(low: str, end: int) -> bool:
    return bool(re.match(r"\s*\?", low[end:]))


@cache
def _profanity() -> tuple[re.Pattern, re.Pattern]:
    data = lexicon("profanity.yaml")
    word = re.compile("(?:" + "|".join(data["words"]) + ")")
    phrase = re.compile("|".join(f"(?:{p})" for p in data["phrases"]))
    return word, phrase


@lru_cache(maxsize=4096)
def profanity(text: str) -> list[tuple[int, int]]:
    """Spans of swearing in `text`."""
    low = fold(text)
    word, phrase = _profanity()
    spans = [(m.start(), m.end()) for m in _TOKEN.finditer(low) if word.fullmatch(m.group())]
    spans += [m.span() for m in phrase.finditer(low)]
    return _merge(spans)


@cache
def blame_verbs() -> dict[str, dict]:
    """Every form of the blame verbs in behaviors.yaml, mapped to the verb's entry."""
    forms: dict[str, dict] = {}
    for entry in lexicon("behaviors.yaml")["blame"]:
        for lemma in entry["verbs"]:
            inflected = getAllInflections(lemma, upos="VERB") or {}
            for form in {lemma, *(f for fs in inflected.values() for f in fs)}:
                forms[form] = {"lemma": lemma, **entry}
    return forms


@cache
def _blame_rx() -> re.Pattern:
    verbs = _words_rx(blame_verbs())
    return re.compile(
        expand(
            r"\b@you\s+(?:[^.!?;,]*?\s+and\s+(?:then\s+)?)?(?:(?:just|totally|completely|always|really"
            r"|basically|even|kind\s+of|then|straight\s+up)\s+)?(?P<w>" + verbs + r")\b"
            r"(?!\s+(?:to\s+\w+\s+)?(?:me|us|you)?\s*\?)"
        )
    )


def analyze(text: str) -> list[Finding]:
    """The hostile parts of `text`: kind, exact span, and one sentence on why it lands badly."""
    # The rewrite checks many small texts more than once; the findings of a text never change.
    return [Finding(**vars(f)) for f in _analyze(text)]


@cache
def _absolutes() -> re.Pattern:
    return re.compile(lexicon("patterns.yaml")["absolutes"]["pattern"])


@cache
def _you_only() -> re.Pattern:
    return re.compile(lexicon("patterns.yaml")["absolutes"]["you_only"])


@lru_cache(maxsize=4096)
def _analyze(text: str) -> tuple[Finding, ...]:
    low = fold(text)
    found: list[Finding] = []

    def add(kind: str, start: int, end: int, why: str) -> None:
        while end > start and low[end - 1] in " ,;:":  # trim what the pattern ran over
            end -= 1
        while start < end and low[start] in " ,;:":
            start += 1
        if end > start:
            found.append(Finding(kind, text[start:end], start, end, why))

    addressed = bool(_addressed().search(low))
    for rule in _rules():
        for m in rule.rx.finditer(low):
            # a sigh alone is a curt reply to them ("Ugh."); beside news with no "you" it is
            # about the news
            if (
                rule.addressed
                and not addressed
                and re.search(r"\w", low[: m.start()] + low[m.end() :])
            ):
                continue
            groups = m.groupdict()
            if _rule_praises(rule, m):
                continue
            start, end = m.span("span") if groups.get("span") is not None else m.span()
            add(rule.kind, start, end, rule.why)

    data = lexicon("patterns.yaml")
    for hit in insults(text):
        why = render(data["insult_why"][hit.kind], {"word": hit.word})
        add(hit.kind, hit.start, hit.end, why)
    for start, end in profanity(text):
        add("contempt", start, end, render(data["profanity_why"], {"word": text[start:end]}))
    for m in _blame_rx().finditer(low):
        add("criticism", m.start(), m.end("w"), render(data["blame_why"], {"word": m.group("w")}))

    found = _dedupe(found)
    absolutes = _absolutes()
    for m in absolutes.finditer(low):
        if any(f.start <= m.start() and m.end() <= f.end for f in found):
            continue
        if _absolute_praises(low, m):
            continue
        # "again", "anymore", "the whole X" overstate only when pinned on them ("you're late
        # again"); "I don't feel close anymore" and "it was forgotten again" are the sender's
        # own story.
        before = low[max(low.rfind(c, 0, m.start()) for c in ".!?\n") + 1 : m.start()]
        if _you_only().fullmatch(m.group()) and not re.search(r"\b(?:you|u|ur)\b", before):
            continue
        # other absolutes in the sentence are not evidence either ("never again")
        negative = _polarity()[1].search(
            absolutes.sub(" ", _sentence_around(low, m.start(), m.end()))
        )
        if found or negative:
            add("absolute", m.start(), m.end(), data["absolutes"]["why"])
    found = _dedupe(found)
    shout = _shouting(text, low)
    if shout:
        add("contempt", *shout, data["shouting"]["why"])
    alone, closing = _context_sarcasm()
    for m in [*alone.finditer(low), *closing.finditer(low)]:
        start, end = m.span("span")
        if any(f.start < end and start < f.end for f in found):
            continue
        if found or _complaint_beside(low, start, end):
            why = render(data["context_sarcasm"]["why"], {"word": text[start:end].strip(" ,")})
            add("contempt", start, end, why)
    return tuple(_dedupe(found))


def _rule_praises(rule: _Rule, m: re.Match) -> bool:
    """Whether a polarity rule's match is praise ("you always make me laugh")."""
    pred = m.groupdict().get("pred")
    return rule.polarity and pred is not None and is_praise(pred, m.groupdict().get("adv") or "")


def _absolute_praises(low: str, m: re.Match) -> bool:
    """Whether an absolute reads as praise in its sentence ("you never fail to...")."""
    return is_praise(_sentence_after(low, m.end()), m.group())


def has_absolute(text: str) -> bool:
    """Whether `text` says "always", "never", "every time" or another absolute."""
    return bool(_absolutes().search(fold(text)))


def has_complaint_cue(text: str) -> bool:
    """Whether `text` carries a word of complaint anywhere (polarity.negative: "late",
    "forgot", "phone", "not", ...)."""
    return bool(_polarity()[1].search(fold(text)))


# The highest whole-draft tone score at which a draft with a declaration of love or thanks
# and a word finding reads as teasing. Dev drafts of that kind: kind ones scored at most 0.19,
# hostile ones at least 0.44 ("Love you, but if you buy one more plant we're going to be
# broke"); the bar sits between, nearer the kind side.
AFFECTION_MAX_TONE = 0.35


def affectionate(text: str, tone: float, found: list[Finding]) -> bool:
    """Whether a draft with findings (`found`) is affectionate teasing ("Never change, you
    weirdo ❤️"): its tone score (`tone`) is low, and it declares love or thanks outside every
    finding ("Thanks for nothing" is itself one)."""
    if tone >= AFFECTION_MAX_TONE:
        return False
    rx = re.compile(lexicon("patterns.yaml")["polarity"]["affection"], re.IGNORECASE)
    return any(
        all(m.end() <= f.start or m.start() >= f.end for f in found) for m in rx.finditer(text)
    )


def sarcasm_alone(text: str) -> Finding | None:
    """The finding for a clause that is only a word of context sarcasm ("Great job.",
    "Unbelievable", a closing "thanks"), which analyze() flags only beside a complaint."""
    low = fold(text).strip()
    alone, closing = _context_sarcasm()
    m = alone.match(low)
    if not m:
        m = closing.match(", " + low)
        if m:
            start, end = m.start("span") - 2, m.end("span") - 2
            why = render(
                lexicon("patterns.yaml")["context_sarcasm"]["why"], {"word": text[start:end]}
            )
            return Finding("contempt", text[start:end], start, end, why)
    if not m or low[m.end() :].strip(" .!?,…"):
        return None
    start, end = m.span("span")
    why = render(lexicon("patterns.yaml")["context_sarcasm"]["why"], {"word": text[start:end]})
    return Finding("contempt", text[start:end], start, end, why)


@cache
def _context_sarcasm() -> tuple[re.Pattern, re.Pattern]:
    """The sarcasm said as a sentence of its own, and as a closing word after a comma."""
    data = lexicon("patterns.yaml")["context_sarcasm"]
    return re.compile(data["pattern"]), re.compile(data["closing"])


def _shouting(text: str, low: str) -> tuple[int, int] | None:
    """The span of a complaint typed in capitals ("YOU ARE SO LOUD AT 2AM I CANT SLEEP"):
    a sentence of several words, nearly all in capitals, about "you", with a negative cue."""
    least = lexicon("patterns.yaml")["shouting"]["min_words"]
    for m in re.finditer(r"[^.!?\n]+", text):
        letters = [c for c in m.group() if c.isalpha()]
        words = re.findall(r"[A-Za-z']+", m.group())
        if len(words) < least or sum(c.isupper() for c in letters) < 0.8 * len(letters):
            continue
        sentence = low[m.start() : m.end()]
        if re.search(r"\b(?:you|u|ur|your)\b", sentence) and _polarity()[1].search(sentence):
            start = m.start() + len(m.group()) - len(m.group().lstrip())
            return start, m.end() - (len(m.group()) - len(m.group().rstrip()))
    return None


def _complaint_beside(low: str, start: int, end: int) -> bool:
    """Whether the sentence before or after low[start:end] complains about "you": "You left
    the car with no gas. Unbelievable." (the cue words are polarity.negative)."""
    negative = _polarity()[1]
    left = low[:start].rstrip(" .!?,\n")
    before = left[max(left.rfind(c) for c in ".!?\n") + 1 :]
    after = re.match(r"[.!?,\s]*([^.!?\n]*)", low[end:]).group(1)
    return any(
        re.search(r"\b(?:you|u|ur|your|you're|youre)\b", s) and negative.search(s)
        for s in (before, after)
    )


def _sentence_after(low: str, end: int) -> str:
    m = re.match(r"[^.!?\n]*", low[end:])
    return m.group() if m else ""


def _sentence_around(low: str, start: int, end: int) -> str:
    left = max(low.rfind(c, 0, start) for c in ".!?\n") + 1
    # the absolute itself is not evidence either way
    return low[left:start] + " " + _sentence_after(low, end)


def _dedupe(found: list[Finding]) -> list[Finding]:
    """Sorted, each hostile part named once: a finding inside another of the same kind goes,
    and so do an absolute or an accusation inside a wider one ("why do you always...?"), but
    an insult inside a command stays: it is a hostile part of its own."""
    found = sorted(found, key=lambda f: (f.start, -f.end))
    kept: list[Finding] = []
    for f in found:
        if any(
            k.start <= f.start
            and f.end <= k.end
            and (
                k.kind == f.kind
                or f.kind == "absolute"
                or (f.kind == "criticism" and k.kind == "loaded_question")
            )
            for k in kept
        ):
            continue
        kept.append(f)
    return kept


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
