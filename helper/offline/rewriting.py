"""The offline rewrite: a draft written in anger, said again as a calm I-statement with a request.

The draft is split into clauses, and each clause is matched to a shape of complaint ("you
never X", "stop X-ing", "you said you'd X and didn't", ...). The clearest complaint gives
the situation ("when I'm doing the dishes on my own"); the feeling and need come from the
sender's own words, the insult they used, or what the complaint is about; the request comes
from the same data (helper/lexicon/behaviors.yaml, insults.yaml, phrasings.yaml). Every
text returned is checked with the analysis first, and replaced by a plainer one if it fails.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache

from lemminflect import getAllLemmas

from helper.config import MAX_DRAFT_CHARS
from helper.lexicon import load as load_lexicon
from helper.offline import safety
from helper.offline.detector import tone_part, tone_reads_fine, tone_score
from helper.offline.findings import (
    affectionate,
    aimed_at_them,
    analyze,
    blame_verbs,
    has_absolute,
    has_complaint_cue,
    insults,
    is_praise,
    lexicon,
    profanity,
    sarcasm_alone,
)
from helper.offline.tone_shapes import note as tone_note
from helper.offline.tone_shapes import reproach, tone_rewrite
from helper.results import Alternative, Finding, Guide, RewriteResult
from helper.text.inflection import inflect, is_base_verb, is_past, verb_lemma
from helper.text.inputs import check_text
from helper.text.normalize import clean_with_positions, fold, one_line, straight_quotes
from helper.text.sentences import first_sentence, sentences
from helper.text.templates import render
from helper.text.tokens import words

_PRONOUN_SUBJECT = {"me": "I", "us": "we", "him": "he", "her": "she", "them": "they", "it": "it"}
# Words said before a complaint that add nothing to it ("and", "honestly", "it's like").
_LEAD = (
    r"^(?:(?:and|but|so|plus|also|oh|well|honestly|seriously|and\s+then|then|it's\s+like|it\s+feels"
    r"\s+like|i\s+feel\s+like|i\s+guess|apparently|clearly|obviously|seems\s+like|like|look|listen"
    r"|god|ugh|jeez|man|dude|babe|honey|now|yeah|wow|omg|lol|lmao|ok|okay|again|of\s+course|no|yes|hey"
    r"|bro|girl|sis|mate|oh\s+my\s+god|christ|jesus|fine|look|just\s+once|i\s+(?:can't|cant|cannot)"
    r"\s+believe)\s*,?\s+)*"
)
_REQUEST = re.compile(
    r"\b(?:could|would|can|will|shall)\s+(?:we|you)\b[^.?!]*\?|\blet'?s\b|\bplease\b|\bhow about\b"
    r"|\bwhat if we\b|\bwould it help\b|\bi(?:'d| would) (?:really )?(?:like|love|appreciate)\b"
)
_FIRST_PERSON = re.compile(r"\bi(?:'m|'ve|'d|'ll)?\b")


def _data() -> dict:
    return lexicon("phrasings.yaml")


# --- templates ----------------------------------------------------------------------------


def fill(template: str, **slots) -> str:
    """A lexicon phrasing with its slots filled (the syntax of helper.text.templates)."""
    return render(template, slots, where="phrasing")


# --- reading the draft --------------------------------------------------------------------


def _keep_char(ch: str) -> bool:
    # Emoji and symbols go; letters, digits, punctuation and a few signs stay.
    # Currency signs stay ("pay back the £400").
    return unicodedata.category(ch)[0] in "LNPZ" or unicodedata.category(ch) == "Sc" or ch in "%&+"


@lru_cache(maxsize=1024)
def normalize(text: str) -> str:
    """The draft as plain sentences: no markup or emoji, no shouting, common typos read."""
    t = straight_quotes(text)
    # Markup is only text to us: code inside <script>/<style> is not part of the message,
    # and tags are formatting.
    t = re.sub(r"(?is)<(script|style)\b.*?(?:</\1\s*>|$)", " ", t)
    t = re.sub(r"<[^>]*>", " ", t)
    # An emoji between two words ends a sentence, as texting uses it ("thanks for loading the
    # dishwasher babe 🙄 only took u 3 days": two sentences, not one run-on).
    t = re.sub(
        r"(?<=[A-Za-z0-9])[ \t]*([^\s\w.,!?;:'\"()-]+)[ \t]+"
        r"(?=[A-Za-z])(?!(?:on|in|at|for|with|of|to|from|about|by|over)\b)",
        _emoji_break,
        t,
    )
    t = "".join(ch if _keep_char(ch) else " " for ch in t)
    letters = [c for c in t if c.isalpha()]
    if len(letters) >= 4 and sum(c.isupper() for c in letters) > 0.6 * len(letters):
        t = t.lower()
    # "don 't", "you 're" as tokenizers leave them; not "a 'deadline'", a quote that opens
    t = re.sub(r"(\w)\s+'\s?(t|re|s|ll|ve|d|m)\b", r"\1'\2", t)
    t = re.sub(r"\s+([,.!?;:])", r"\1", t)
    t = re.sub(r"[!?]*\?[!?]*", "?", t)
    t = re.sub(r"([!.,])\1+", r"\1", t)
    t = re.sub(r"([a-zA-Z])\1{2,}", r"\1", t)  # "soooo" -> "so"
    t = _fix_typos(_drop_scare_quotes(t))  # "since ur 'tired'" reads "since you're tired"
    t = re.sub(r"\b[A-Z]{4,}\b", _unshout, t)
    t = _VOCATIVE.sub("", t)
    t = re.sub(r"\bi\b", "I", t)
    return re.sub(r"\s+", " ", t).strip()


# A pet name said to them at the end of a clause ("thanks for the laundry babe.", "ok hun,")
# is not part of what happened: "when you did the laundry babe" was left. Not "my mate", not
# "a baby" (a noun with its determiner).
_VOCATIVE = re.compile(
    r"(?<!\bmy)(?<!\byour)(?<!\bour)(?<!\bthe)(?<!\ba)(?<!\bhis)(?<!\bher),?\s+"
    r"(?:babe|hun|hon|honey|sweetie|sweetheart|darling|mate|bro|dude|bestie)(?=\s*(?:[.!?,;]|$))",
    re.IGNORECASE,
)


def _emoji_break(m: re.Match) -> str:
    return ". " if not any(_keep_char(ch) for ch in m.group(1)) else m.group(0)


def _unshout(m: re.Match) -> str:
    # "You ate my leftovers AGAIN": a shouted word is lowered; an acronym (NASA) is not a word
    return m.group().lower() if getAllLemmas(m.group().lower()) else m.group()


def _fix_typos(t: str) -> str:
    d = _data()
    typos, youre, its = d["typos"], set(d["youre_before"]), set(d["its_before"])
    words = list(re.finditer(r"[A-Za-z']+", t))
    out, last = [], 0
    for i, m in enumerate(words):
        word, low = m.group(), m.group().lower()
        after = words[i + 1].group().lower() if i + 1 < len(words) else ""
        new = None
        if low in ("ur", "your", "youre") and after in youre:
            new = "you're"
        elif low == "ur" and _doing(
            after, words[i + 2].group().lower() if i + 2 < len(words) else ""
        ):
            new = "you're"  # "ur starting to act like them"; not "ur cooking is amazing"
        elif low == "its" and after in its:
            new = "it's"
        elif low in typos and low != "your":
            new = typos[low]
        if new is not None:
            if word[0].isupper() and not new.startswith("I'"):
                new = new[0].upper() + new[1:]
            out.append(t[last : m.start()] + new)
            last = m.end()
    out.append(t[last:])
    return "".join(out)


def _doing(word: str, next_word: str) -> bool:
    """Whether "ur" before `word` is "you're": a verb's -ing form that is not also a noun
    ("ur starting", not "ur wedding"), with no verb after it ("ur cooking is amazing")."""
    lemmas = getAllLemmas(word)
    return (
        word.endswith("ing")
        and "VERB" in lemmas
        and "NOUN" not in lemmas
        and next_word not in {"is", "was", "has", "isn't", "wasn't", "makes", "made", "looks"}
    )


_SPLIT_BEFORE = re.compile(
    r"(?<=\w)\s+(?=(?:you|i)(?:'re|'m)?\s+(?:never|always|just|don't|didn't|can't|won't|keep|only"
    r"|never|are|were|am|so|really|don't)\b)"
)
_JOINERS = set(
    """when if because that than and but so since while as until where why how what do does did
    can could would will are were have has tell told think thought know knew guess feel felt like
    love hate said say says mean wish hope cause cos cuz or maybe then thank thanks with to for of
    at about from after before is was whenever unless though although even course should must might
    may shall can't won't don't didn't couldn't wouldn't doesn't isn't aren't wasn't weren't
    shouldn't haven't hasn't cant wont dont didnt also plus oh well honestly seriously anyway
    besides now yeah ok okay yet""".split()
)
# Words that only join a clause to the one before ("Also", "And", "Plus"): never a sentence.
_CONNECTIVES = set(
    """also and plus but so then oh well anyway besides or yet because cause cos cuz like
    too now again""".split()
)
_SUBJECT = re.compile(
    r"(?:you|i|it's|its|it|we|that's|this|your|whatever|fine|thanks|seriously|honestly|and you"
    r"|but you|so you|(?:are|were|r)\s+(?:you|u)|don't|do\s+not|dont)\b"
)
# A question tagged onto a complaint, with no comma: "you forgot the milk are you kidding me"
_TAG = re.compile(
    r"\s+(?=(?:are|r|were)\s+(?:you|u)\s+(?:serious|kidding|joking|crazy|insane|deaf|blind|stupid"
    r"|dumb|dense|thick|for\s+real|out\s+of\s+your\s+mind|even\s+listening|listening|high|drunk"
    r"|an?\s+\w+)\b(?:\s+\w+){0,3}\s*$)"
)
# "you forgot to pay the rent and of course you didn't tell me": two complaints in one
_AND_YOU = re.compile(
    r"[\s,]+(?=(?:and|but)\s+(?:(?:then|also|of\s+course|obviously|as\s+usual|now|still|on\s+top"
    r"\s+of\s+that|to\s+top\s+it\s+off)\s+)*(?:(?:you|u)\s+(?!(?:and|or|too|both|guys)\b)[a-z']"
    r"|(?:it's|its|it\s+is|that's|thats|now\s+(?:she|he|it|they|the|my|our|i)\b|when\s+(?:i|we)\s)))"
)
# "u never put the seat down its disgusting": a verdict run on at the end
_VERDICT = re.compile(
    r"\s+(?=(?:it's|its|that's|thats|this\s+is)\s+(?:so\s+|really\s+|just\s+|absolutely\s+"
    r"|totally\s+|fucking\s+|freaking\s+)*[a-z]+\s*$)"
)


def _clauses(text: str) -> list[tuple[str, str]]:
    """The draft's clauses, each with the punctuation that ended it."""
    out: list[tuple[str, str]] = []
    for sentence in sentences(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        end = sentence[-1] if sentence[-1] in ".!?" else "."
        body = sentence.rstrip(".!? ")
        parts = [p for p in re.split(r"\s*;\s*", body) if p]
        for part in parts:
            pieces = _split_commas(part)
            for i, piece in enumerate(pieces):
                for run in _split_run_on(piece):
                    out.append((run.strip(" ,"), end if i == len(pieces) - 1 else ","))
    out = [(c, e) for c, e in out if re.search(r"\w", c)]
    # "Also, you never ...": a connective alone joins the clause after it
    merged: list[tuple[str, str]] = []
    for c, e in out:
        if merged and _only_connectives(merged[-1][0]) and merged[-1][1] == ",":
            merged[-1] = (merged[-1][0] + " " + c, e)
        else:
            merged.append((c, e))
    return merged


def _only_connectives(text: str) -> bool:
    found = words(text)
    return bool(found) and set(found) <= _CONNECTIVES


def _split_commas(part: str) -> list[str]:
    # "When I talk, you walk away" stays whole: the comma closes the first half; "you slob,
    # the kitchen is a mess" splits after the name-calling, whatever follows it.
    if re.match(
        r"(?i)(?:when|whenever|every\s+time|each\s+time|if|because|since|after|before"
        r"|while|although|though)\b",
        part,
    ):
        return [part]
    pieces, last = [], 0
    for m in re.finditer(r",\s*", part):
        left = part[last : m.start()]
        aimed = re.match(r"(?i)(?:you|ur|u)\b", left) and any(h.framed for h in insults(left))
        rest = part[m.end() :]
        if aimed or _SUBJECT.match(rest.lower()) or _sneer(left) or _hostile_aside(rest):
            pieces.append(part[last : m.start()])
            last = m.end()
    pieces.append(part[last:])
    return [p for p in pieces if p.strip()]


def _hostile_aside(rest: str) -> bool:
    """ "..., are you stupid", "..., what is wrong with you", "..., nice job": the rest of the
    sentence is a jab of its own, found from its first word."""
    found = analyze(rest)
    return _sneer(rest) or any(
        f.start <= 1
        and (f.kind in ("loaded_question", "demand") or (f.kind == "contempt" and " " in f.text))
        and not insults(f.text)
        for f in found
    )


def _sneer(text: str) -> bool:
    """ "Nice going", "Great", "Oh wonderful": an opening that only mocks."""
    if sarcasm_alone(text):
        return True
    if insults(text):
        return False  # name-calling is split off by the insult rules
    found = [f for f in analyze(text) if f.kind == "contempt"]
    covered = sum(f.end - f.start for f in found)
    return bool(found) and covered >= len(text.strip(" ,")) - 1


def _split_run_on(piece: str) -> list[str]:
    """ "you never help you just sit there" -> two clauses."""
    cuts = [0]
    for m in _SPLIT_BEFORE.finditer(piece.lower()):
        before = piece[: m.start()].split()
        if before and before[-1].lower() not in _JOINERS:
            cuts.append(m.end())
    # "you're a selfish pig and you drank all the wine": the name-calling stands alone
    m = re.match(
        r"(?i)(you(?:'re|\s+are)\s+(?:so|such|a|an|really|being|the)\b.*?)[\s,]+(?:and|but)\s+"
        r"(?=you\b)",
        piece,
    )
    if m and len(cuts) == 1 and insults(m.group(1)):
        return [m.group(1), piece[m.end() :]]
    tag = _TAG.search(piece.lower())
    if tag and tag.start() > 0:
        cuts.append(tag.end())
    low = piece.lower()
    verdict = _VERDICT.search(low)
    if verdict and low[: verdict.start()].split()[-1] not in _JOINERS:
        cuts.append(verdict.end())
    if re.match(_LEAD + r"(?:you|u|i|we)\b", low) and not re.match(
        _LEAD + r"(?:you|u)\s+(?:said|promised|told\s+me|swore|agreed)\b", low
    ):
        for m in _AND_YOU.finditer(low):
            second = re.sub(_LEAD, "", low[m.end() :])
            # "... and you never do": nothing new in the second half, it stays with the first
            if m.start() > 0 and _content(Clause(second, vp=re.sub(r"^(?:you|u)\s+", "", second))):
                cuts.append(m.end())
                break
    cuts = sorted(set(cuts))
    return [piece[a:b] for a, b in zip(cuts, cuts[1:] + [len(piece)], strict=True)]


# --- verbs ----------------------------------------------------------------------------------


def _head(vp: str) -> tuple[str, str]:
    """The verb of a verb phrase and what follows it."""
    first, _, rest = vp.partition(" ")
    return first, rest


def _base(vp: str) -> str:
    """ "helps with the dishes" / "bringing up the past" / "'re late" -> base form."""
    verb, rest = _head(vp.strip())
    return (verb_lemma(verb) + " " + rest).strip()


def _with_form(vp: str, tag: str) -> str:
    verb, rest = _head(vp)
    return (inflect(verb_lemma(verb), tag, verb) + " " + rest).strip()


def _you(vp: str, tense: str = "present") -> str:
    """ "you" + a base-form verb phrase: "you're on your phone", "you were late"."""
    verb, rest = _head(vp)
    if verb == "be":
        return ("you were " if tense == "past" else "you're ") + rest
    if tense == "past":
        return "you " + _with_form(vp, "VBD")
    return "you " + vp


def _parts(vp: str) -> tuple[str, str, str, str]:
    """A base-form verb phrase as (verb with particle, preposition, object, rest)."""
    d = _data()
    words = vp.split()
    if not words:
        return "", "", "", ""
    verb, i = words[0], 1
    if len(words) > 2 and words[1] in d["particles"] and words[2] not in d["object_preps"]:
        verb, i = f"{verb} {words[1]}", 2
    prep = ""
    if i < len(words) and words[i] in d["object_preps"]:
        prep, i = words[i], i + 1
    obj: list[str] = []
    if i < len(words) and words[i] in ("what", "where", "how", "who", "why", "whatever"):
        obj, i = words[i:], len(words)
    elif i < len(words) and words[i] in _PRONOUN_SUBJECT:
        obj, i = [words[i]], i + 1
    else:
        while i < len(words) and (not obj or words[i] not in d["phrase_breaks"]):
            if words[i] in d["phrase_breaks"] and not obj:
                break
            obj.append(words[i])
            i += 1
    return verb, prep, " ".join(obj), " ".join(words[i:])


def _passive(vp: str, tense: str) -> str:
    """ "ignore my texts all day" -> "my texts were ignored all day"."""
    verb, prep, obj, rest = _parts(vp)
    lemma, _, particle = verb.partition(" ")
    subject = _PRONOUN_SUBJECT.get(obj, obj) or "I"
    plural = subject in ("we", "they") or (subject.endswith("s") and not subject.endswith("ss"))
    # "gets" for the present: "when my birthday gets forgotten" is a habit, not a state
    if subject == "I":
        be = "was" if tense == "past" else "get"
    elif tense == "past":
        be = "were" if plural else "was"
    else:
        be = "get" if plural else "gets"
    done = inflect(verb_lemma(lemma), "VBN")
    rest = re.sub(r"^when\b", "while", rest)  # "interrupted while I'm telling a story"
    words = [subject, be, done, particle, prep, rest]
    text = " ".join(w for w in words if w)
    return text


def _gerund(vp: str) -> str:
    return _with_form(vp, "VBG")


# --- shapes of complaint --------------------------------------------------------------------


@dataclass
class Clause:
    """One clause of the draft and what kind of complaint it is."""

    text: str
    end: str = "."
    shape: str = ""  # a shape in phrasings.yaml, or insult, imperative, drop, self
    vp: str = ""  # the complaint as a base-form verb phrase for "you"
    tense: str = "present"
    slots: dict = field(default_factory=dict)
    group: str = ""  # the insult group, for an insult
    topic: str = ""  # what an insult was about: "irresponsible with money" -> money
    blame: dict | None = None
    findings: list = field(default_factory=list)
    adv: str = ""


_FAILED = (
    r"(?:didn't|did\s+not|never|forgot|don't|haven't|didnt|bailed|flaked|cancell?ed|backed\s+out"
    r"|blew\s+it\s+off|changed\s+your\s+mind|(?:it|that|nothing)\s+(?:didn't|never|still\s+didn't)"
    r"\s+happen|(?:it|that)\s+(?:still\s+)?(?:isn't|hasn't\s+been|wasn't)\s+done|nothing\s+(?:happened"
    r"|got\s+done)|you're\s+still|still\s+(?:didn't|don't|haven't)|slept|stayed\s+(?:in\s+bed|out"
    r"|at\s+work|on\s+the\s+couch)|went\s+out|did\s+(?:it|the\s+opposite)\s+anyway|rolled\s+in"
    r"|showed\s+up\s+at|(?:came|got)\s+home\s+at|turned\s+up\s+at|walked\s+in\s+at|it's\s+still"
    r"|it\s+is\s+still)"
)
# What they put something before: "than me", "than our anniversary", "than your family".
_THAN = (
    r"(?:me|us|i|we|(?:our|my)\s+\w+|(?:your|the)\s+(?:family|kids|children|son|daughter"
    r"|relationship|marriage))"
)
# What they "obviously" think: words of mind-reading between "you" and the verb.
_MIND = r"(?:(?:obviously|clearly|apparently|evidently|really|just|still|always|honestly)\s+)*"
# Each shape of complaint, matched against a whole clause (lower case) after _LEAD. The
# order matters: the first that fits wins, so narrower shapes come first.
_SHAPES = [
    (
        "asked_times",
        r"i(?:'ve|\s+have)\s+(?:already\s+|now\s+)?(?:asked|told|reminded|begged)\s+you\s+(?:like\s+"
        r"|at\s+least\s+)?(?:\w+\s+times|twice|(?:so\s+)?many\s+times|a\s+(?:hundred|million|thousand"
        r"|dozen)\s+times|over\s+and\s+over|again\s+and\s+again)\s+(?:now\s+)?(?:to\s+)?(?P<vp>.+)",
    ),
    (
        "fed_up",
        r"why\s+(?:do|must|should)\s+i\s+(?:always\s+)?(?:have\s+to\s+|need\s+to\s+)?(?:be\s+the\s+(?:one|only"
        r"\s+one)\s+(?:who|that|to)\s+)?(?P<vp>.+)",
    ),
    (
        "finally",
        r"(?:nice|good|kind|sweet|decent|thoughtful|great)\s+of\s+you\s+to\s+(?:finally\s+|actually\s+)?"
        r"(?:bother\s+to\s+)?(?P<vp>.+)",
    ),
    (
        "how_adj",
        r"(?:do|did)\s+you\s+(?:even\s+)?have\s+(?:any|the\s+(?:slightest|faintest))\s+idea\s+how\s+"
        r"(?P<adj>\w+)\s+(?:that|it|this)\s+(?:was|is|felt)(?P<rest>.*)",
    ),
    (
        "said_not",
        r"you\s+(?:said|promised|swore|agreed\s+to)\s+(?:there'd\s+be\s+|there\s+would\s+be\s+)?no\s+more\s+"
        r"(?P<np>.+?)\s*,?\s+(?:and|but)\s+.*",
    ),
    (
        "for_once",
        r"(?:just\s+once,?\s+)?i(?:'d|\s+would)\s+(?:like|love)\s+(?:it\s+if\s+)?you\s+to\s+(?P<vp>.+)",
    ),
    (
        "asked_times",
        r"i(?:'ve|\s+have)?\s+(?:already\s+)?(?:asked|told|reminded|begged)\s+you\s+(?:to\s+)?"
        r"(?P<vp>(?:not\s+to\s+)?.+?)\s+(?:(?:two|three|four|five|six|ten|\d+|so\s+many|many|a\s+(?:hundred"
        r"|million|thousand|dozen))\s+times|twice|over\s+and\s+over|again\s+and\s+again)\b.*",
    ),
    (
        "thanks_for",
        r"(?:thanks|thank\s+you)\s+(?:so\s+much\s+|a\s+lot\s+|a\s+bunch\s+)?for\s+(?P<ving>\w+ing)"
        r"\b(?P<rest>.*)",
    ),
    (
        "while_i",
        r"you\s+(?P<vp>.+?)\s+while\s+i\s+(?:was\s+|am\s+|'m\s+|had\s+to\s+|have\s+to\s+)?"
        r"(?P<ivp>\w+.*)",
    ),
    (
        "while_you",
        r"i\s+(?P<ivp>.+?)\s+while\s+you\s+(?:just\s+)?(?:relax|sit|sat|watch|play|sleep|slept|nap|lie|lay"
        r"|lounge|chill|scroll|do\s+nothing|did\s+nothing|put\s+your\s+feet\s+up)\w*\b.*",
    ),
    (
        "fed_up",
        r"i(?:'ll|\s+will|'m\s+going\s+to|\s+guess\s+i'll)\s+(?:just\s+)?(?P<vp>.+?)\s+(?:like|as)\s+"
        r"(?:always|usual|ever)\b.*",
    ),
    (
        "said",
        r"you\s+(?:said|promised|told\s+me|swore|agreed)\s+(?:that\s+)?(?:you'd|you\s+would"
        r"|you\s+were\s+going\s+to|you\s+will|you'll|we'd|we\s+would|we\s+were\s+going\s+to|to)\s+"
        r"(?P<vp>.+?)\s*,?\s+(?:and|but)\s+(?:then\s+)?(?:of\s+course\s+|obviously\s+|as\s+usual\s+)?"
        r"(?:you\s+)?" + _FAILED + r"\b.*",
    ),
    (
        "every_time",
        r"(?:every\s+(?:single\s+)?time|each\s+time|whenever|when)\s+(?P<subj>i|we)\s+(?P<ivp>.+?)"
        r",?\s+you\s+(?:always\s+|just\s+|immediately\s+|then\s+)*(?P<vp>.+)",
    ),
    (
        "about_your",
        r"it's\s+(?:always|all|only(?:\s+ever)?)\s+about\s+(?:you\s+and\s+)?your\s+(?P<np>.+)",
    ),
    ("only", r"it's\s+(?:always|all|only(?:\s+ever)?)\s+about\s+(?:you|yourself)\b.*"),
    # "you care more about X than me", "X matters more to you than I do", "you'd rather X
    # than Y", "you put X before me", "your X always comes first": X is what comes first
    (
        "care_more",
        r"you\s+"
        + _MIND
        + r"(?:care\s+(?:more\s+about\s+(?P<np>.+?)\s+than\s+(?:about\s+)?"
        + _THAN
        + r"|about\s+(?P<np2>.+?)\s+more\s+than\s+(?:about\s+)?"
        + _THAN
        + r")|(?:love|like|value|want|prefer|need|enjoy|trust|respect|listen\s+to)\s+"
        r"(?P<np3>.+?)\s+more\s+than\s+(?:you\s+\w+\s+)?"
        + _THAN
        + r"|(?:always\s+)?(?:put|choose|chose"
        r"|pick|picked)s?\s+(?P<np4>.+?)\s+(?:before|over|ahead\s+of)\s+(?:me|us)|(?:pay|paid)\s+"
        r"(?:way\s+)?more\s+attention\s+to\s+(?P<np5>.+?)\s+than\s+(?:to\s+)?(?:me|us))\b.*",
    ),
    (
        "care_more",
        r"(?P<np>(?!you\b).+?)\s+(?:matters?|mattered|means?|meant|is|are|was|were|seems?)\s+"
        r"(?:obviously\s+|clearly\s+)?(?:so\s+|much\s+|way\s+|a\s+lot\s+)?more(?:\s+important)?\s+"
        r"(?:to\s+you\s+than\s+.*|than\s+(?:me|us|i|we)\b.*)",
    ),
    ("care_more", r"you(?:'d|\s+would)\s+" + _MIND + r"rather\s+(?P<rvp>.+?)\s+than\s+.*"),
    (
        "care_more",
        r"you\s+(?:spend|spent|spends)\s+(?:way\s+|so\s+much\s+)?more\s+time\s+(?:with|on|at)\s+"
        r"(?P<np>.+?)\s+than\s+(?:with\s+|on\s+)?(?:me|us)\b.*",
    ),
    (
        "care_more",
        r"(?P<np>your\s+.+?)\s+(?:always\s+|still\s+)?(?:comes?|came)\s+(?:first"
        r"|before\s+(?:me|us))\b.*",
    ),
    ("only", r"you\s+(?:only|just)\s+(?:ever\s+)?(?:care|think|worry)\s+about\s+.*"),
    ("stop", r"(?:just\s+|please\s+just\s+|now\s+)?(?:stop|quit)\s+(?P<ving>\w+ing)\b(?P<rest>.*)"),
    (
        "stop",
        r"(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:just\s+)?(?:stop|quit)\s+(?P<ving>\w+ing)\b"
        r"(?P<rest>.*)",
    ),
    (
        "why",
        r"(?:why|how\s+come)\s+(?:the\s+hell\s+|on\s+earth\s+)?(?:do|does)\s+you\s+"
        r"(?P<adv>(?:always\s+|constantly\s+|keep\s+(?:on\s+)?|have\s+to\s+|insist\s+on\s+|never\s+"
        r"|ever\s+|just\s+)*)(?P<vp>.+)",
    ),
    (
        "why_not",
        r"(?:why|how\s+come)\s+(?P<aux>can't|won't|don't|couldn't|wouldn't|didn't|cant|wont"
        r"|dont|didnt)\s+you\s+(?:ever\s+|just\s+|even\s+|for\s+once\s+)*(?P<vp>.+)",
    ),
    ("why_did", r"(?:why|how)\s+(?:did|would|could|can)\s+you\s+(?:ever\s+|even\s+)?(?P<vp>.+)"),
    ("why_be", r"why\s+are\s+you\s+(?:always\s+|so\s+|constantly\s+)*(?P<vp>.+)"),
    (
        "for_once",
        r"(?:can't|can|could|would|will)\s+you\s+(?:please\s+)?(?:for\s+once|ever|just\s+once|even"
        r"|at\s+least\s+once)\s+(?:just\s+)?(?P<vp>.+)",
    ),
    (
        "for_once",
        r"how\s+many\s+times\s+do\s+i\s+have\s+to\s+(?:ask|tell|remind|beg)\s+you\s+(?:to\s+)?"
        r"(?P<vp>.+)",
    ),
    (
        "for_once",
        r"(?:(?:why\s+)?is\s+it\s+(?:really\s+)?(?:so|that|too)\s+(?:hard|difficult|much)(?:\s+to\s+ask)?"
        r"|would\s+it\s+kill\s+you)\s+(?:for\s+you\s+)?to\s+(?P<vp>.+)",
    ),
    ("mock", r"(?:do|are|did|can|have|were|is)\s+you\s+even\s+(?P<vp>.+)"),
    (
        "never",
        r"you\s+(?:just\s+|really\s+|literally\s+|still\s+)?(?P<adv>never(?:\s+ever)?|hardly"
        r"\s+ever|rarely|(?:don't|do\s+not|can't|won't|doesn't|wouldn't|would\s+not|couldn't)"
        r"(?:\s+(?:ever|even|really|actually))?)"
        r"\s+(?P<vp>.+)",
    ),
    ("didnt", r"you\s+(?:didn't|did\s+not)\s+(?:even\s+|ever\s+)?(?P<vp>.+)"),
    (
        "always",
        r"you(?P<be>'re|\s+are)?\s+(?:just\s+|still\s+|really\s+)?(?P<adv>always|constantly"
        r"|forever|continually|keep(?:\s+on)?)\s+(?P<vp>.+)",
    ),
    (
        "you",
        r"you(?P<be>'re|\s+are|\s+were)?\s+(?:just\s+|totally\s+|completely\s+|then\s+"
        r"|basically\s+|really\s+|actually\s+)?(?P<vp>.+)",
    ),
    (
        "imperative",
        r"(?:(?:shut\s+up|grow\s+up|come\s+on|seriously|just|now|please|god)\s*,?\s+"
        r"(?:and\s+)?)*(?P<vp>[a-z]+\b.*)",
    ),
]
_SHAPE_RX = [(name, re.compile(_LEAD + "(?:" + rx + r")$")) for name, rx in _SHAPES]
# Verbs that say what they feel rather than what they do ("do you even care?").
_CARING = {
    "care",
    "listen",
    "help",
    "think",
    "notice",
    "appreciate",
    "support",
    "try",
    "bother",
    "respect",
    "love",
    "understand",
    "remember",
    "want",
    "like",
    "miss",
}

# What someone is thanked for doing that is help, not harm: thanked with sarcasm, the
# complaint is about something else (how long it took, how it was done).
_HELPFUL = set(
    """do load unload empty clean tidy help cook wash fold hoover vacuum make fix sort walk feed
    book plan organise organize pick mow iron hang put change""".split()
)

_BEHAVIOUR = {
    "never",
    "always",
    "stop",
    "past",
    "didnt",
    "blame",
    "said",
    "every_time",
    "while_i",
    "finally",
    "how_adj",
    "said_not",
    "fed_up",
    "about_your",
    "care_more",
    "why",
}


def _parse(text: str, end: str) -> Clause:
    c = Clause(text=text, end=end, findings=analyze(text + end))
    low = fold(text)
    clean = _unswear(text)  # so "why the fuck do you" reads as "why do you"
    lead = re.match(_LEAD, low).end()
    aimed = [h for h in insults(text) if h.framed and h.start <= lead + 1]
    if aimed and re.match(
        r"\s*(?:,|$|with\b|about\b|at\b|when\b|around\b|in\b|for\b)",
        low[max(h.end for h in aimed) :],
    ):
        return _insult_clause(c, aimed)
    # "your laziness is unbelievable", "I'm tired of your selfishness": the trait, named
    traits = [
        h
        for h in insults(text)
        if re.search(r"\b(?:your|ur)\s+$", fold(text[: h.word_start]))
        and re.search(r"(?:ity|ness|ance|ence|cy|ism|ery)$", fold(h.word))
    ]
    if traits:
        c.shape, c.group, c.slots["trait"] = "insult", traits[0].group, True
        return c
    it_insult = re.match(
        r"(?:(?:it|that|this)(?:'s|\s+is|\s+was)|(?:could|can)\s+you\s+(?:be|get)\s+any\s+(?:more|less))\s+(?:so\s+|just\s+|really\s+|absolutely"
        r"\s+|totally\s+|fucking\s+)*(?P<w>[\w-]+)$",
        low[lead:],
    )
    if it_insult:
        words = [h for h in insults(text) if fold(h.word) == it_insult.group("w")]
        if words:
            c.shape, c.group, c.slots["about_it"] = "insult", words[0].group, True
            return c
    if c.findings and re.match(
        r"(?:just\s+)?go\s+(?:(?:and|ahead\s+and|on\s+and)\s+)?(?:watch|play|enjoy|have\s+fun\s+with"
        r"|hang\s+out\s+with|be\s+with|see|text|call)\b",
        low[lead:],
    ):
        c.shape, c.slots["sarcasm"] = "drop", True  # "go watch your stupid game" waves them off
        return c
    fed_up = re.match(
        r"(?:i'm|i\s+am)\s+(?:so\s+)?(?:sick|tired|fed\s+up)\s+(?:and\s+tired\s+)?"
        r"(?:of|with)\s+(?P<ving>\w+ing)\b(?P<rest>.*)$",
        low[lead:],
    )
    if fed_up:
        rest = text[lead + fed_up.start("rest") : lead + fed_up.end("rest")]
        c.shape, c.vp = "fed_up", _soften(verb_lemma(fed_up.group("ving")) + rest)
        return c
    for name, rx in _SHAPE_RX:
        m = rx.match(fold(clean))
        if m:
            g = {k: clean[m.start(k) : m.end(k)] for k, v in m.groupdict().items() if v is not None}
            if _shape_clause(c, name, g):
                return c
    if c.findings:
        c.shape = "drop" if _droppable(c) else "other"
    elif re.match(r"your\s+\w+", low[lead:]) and not is_praise(low):
        c.shape = "other"  # "your shoes are everywhere": a complaint about their things
    elif re.search(
        r"\b(?:because|since|after|cause|cuz|and)\s+(?:you|u)(?:'re|\s+are|\s+were)?\s+\w+", low
    ) and not is_praise(low):
        c.shape = "other"  # "the dog got out because you left the gate open"
    elif re.search(
        r"\b(?:has|have|had|was|were|is|are)(?:n't|\s+not)\s+(?:even\s+|still\s+)?been\s+\w+(?:ed|en)\b"
        r"|\bstill\s+(?:hasn't|haven't|isn't|aren't)\b",
        low,
    ):
        c.shape = "other"  # "the cat litter hasn't been changed in a week": left undone
    elif _past_event(low[lead:]) and _content(c) and not is_praise(low):
        c.shape, c.tense = "event", "past"  # "I had to walk home in the rain"
    else:
        c.shape = "self"
    if c.shape == "other" and _told_in_past(low):
        c.tense = "past"
    return c


def _told_in_past(low: str) -> bool:
    """ "the dog got out because you left the gate open": a clause about what happened."""
    if re.search(
        r"\b(?:is|are|am|'re|'m|do|does|don't|doesn't|has|have|hasn't|haven't|keep|keeps|always"
        r"|never)\b",
        low,
    ):
        return False
    return any(is_past(w) for w in words(low)[:6])


def _read(draft: str) -> list[Clause]:
    """The clauses of a draft that has findings, each with its shape."""
    clauses = [_parse(t, e) for t, e in _clauses(normalize(draft))]
    for c in clauses:
        # "Great job." on its own is sarcasm only beside the complaint the draft makes
        hit = None if c.findings else sarcasm_alone(c.text + c.end.replace(",", "."))
        if hit:
            c.findings, c.shape, c.slots["sarcasm"] = [hit], "drop", True
    # "Not once.", "Again.": an absolute on its own adds only the overstatement
    absolute = re.compile(lexicon("patterns.yaml")["absolutes"]["pattern"])
    for c in clauses if len(clauses) > 1 else []:
        words = re.sub(r"^(?:and|but|so|or)\s+", "", fold(c.text).strip(" .!?,"))
        if absolute.fullmatch(re.sub(r"^(?:not\s+)?(?:even\s+)?", "", words)) or re.fullmatch(
            r"not\s+(?:even\s+)?(?:once|(?:a|one)\s+single\s+time)", words
        ):
            c.shape, c.slots["sarcasm"] = "drop", True
    # "Our anniversary. You forgot." - what was forgotten is the fragment before it
    for before, c in zip(clauses, clauses[1:], strict=False):
        if (
            c.blame
            and c.vp in ("forget", "miss")
            and re.fullmatch(r"(?:my|our|your|the)(?:\s+[a-z']+){1,3}", fold(before.text))
        ):
            c.vp = f"{c.vp} {_common_lower(before.text)}"
            before.shape, before.slots["sarcasm"] = "drop", True
    return clauses


def _insult_clause(c: Clause, aimed: list) -> Clause:
    # "a selfish pig": the trait says more about the hurt than the name-calling does
    plain = [h for h in aimed if h.group not in ("vulgar", "slur")] or aimed
    c.shape, c.group = "insult", plain[0].group
    m = re.match(
        r"\s*(?:with|about|at|when\s+it\s+comes\s+to|around|in|for)\s+(.+)$",
        c.text[max(h.end for h in aimed) :],
    )
    if m:
        c.topic = _soften(re.sub(r"\banything\b", "things", m.group(1).strip(" ,.")))
    return c


def _past_event(low: str) -> bool:
    """Whether a clause tells what happened to the sender: "I had to walk home", "I waited"."""
    m = re.match(r"i\s+(\w+)(?:\s+(\w+))?", low)
    return bool(m) and any(w and is_past(w) for w in m.groups())


def _droppable(c: Clause) -> bool:
    """Sarcasm, shutting down, mockery or a bare command: nothing in it to keep."""
    kinds = {f.kind for f in c.findings}
    covered = sum(f.end - f.start for f in c.findings)
    low = fold(c.text)
    if re.match(r"(?:are|r|were)\s+(?:you|u)\b", low) and covered >= 0.6 * len(c.text.strip()):
        return True  # "are you stupid?" tagged on: a question that only mocks
    if insults(c.text):
        return False  # "the kitchen is disgusting" names something; it is softened instead
    return kinds <= {"contempt", "stonewalling", "demand", "loaded_question", "absolute"} and (
        covered >= 0.5 * len(c.text.strip()) or len(c.text.split()) <= 4
    )


def _shape_clause(c: Clause, name: str, g: dict) -> bool:
    vp = _clean_vp(g.get("vp", ""))
    if name == "mock":
        if verb_lemma(_head(vp)[0]) not in _CARING:
            c.shape = "drop"  # "do you even own a watch?" is mockery, not a complaint
            return True
        name = "never"
    if name == "asked_times":
        name = "for_once"  # "I've asked you three times to call the plumber"
        vp = re.sub(r"^not\s+to\s+", "not ", vp)
    if name == "thanks_for":
        if not c.findings or "VERB" not in getAllLemmas(fold(g["ving"])):
            return False  # "thanks for cooking" is thanks; "thanks for nothing" names no act
        if verb_lemma(fold(g["ving"])) in _HELPFUL:
            # "thanks sooo much for doing the laundry. only took u a week": the thanks is
            # sarcasm about something else, and "when you did the laundry" misreads it
            return False
        # "thanks for cancelling on me" -> "you cancelled on me"
        c.vp, c.tense, c.shape = (
            _clean_vp(verb_lemma(g["ving"]) + g.get("rest", "")),
            "past",
            "past",
        )
    if name == "finally":
        c.shape, c.vp, c.tense = "finally", _clean_vp(vp), "past"
        return bool(c.vp)
    if name == "how_adj":
        adj = fold(g["adj"])
        c.shape, c.tense = "how_adj", "past"
        c.slots.update(adj=adj, rest=g.get("rest", "").rstrip(" ?.!"))
        if re.match(r"embarrass|humiliat|awkward", adj):
            c.slots["adj_feeling"] = "embarrassed"
        elif re.match(r"scar|frighten|terrif", adj):
            c.slots["adj_feeling"] = "scared"
        elif re.match(r"hurt|pain|upsett", adj):
            c.slots["adj_feeling"] = "hurt"
        return True
    if name == "said_not":
        c.shape, c.tense, c.slots["np"] = "said_not", "past", _clean_vp(g["np"])
        return True
    if name == "while_you":  # "I work all day and do everything while you relax"
        name, g = "while_i", {"ivp": g["ivp"]}
    if name == "while_i":
        ivp = _clean_vp(g["ivp"])
        c.shape, c.slots["ivp"] = "while_i", ivp
        c.tense = "past" if is_past(_head(ivp)[0]) else "present"
        return True
    if name == "fed_up":
        c.shape, c.vp = "fed_up", _base(_clean_vp(vp))
        return bool(c.vp)
    if name == "care_more":
        c.slots["before"] = _before(c.text)
    if name == "care_more" and g.get("rvp"):
        # "you'd rather play games than ..." -> "playing games" comes first
        c.shape, c.slots["np"], c.slots["comes"] = name, _gerund(_clean_vp(g["rvp"])), "comes"
        return True
    if name in ("about_your", "care_more"):
        np = next((v for k, v in sorted(g.items()) if k.startswith("np") and v), "")
        c.shape, c.slots["np"] = name, _common_lower(_clean_vp(np))
        return True
    if name == "only":
        c.shape = "only"
        return True
    if name == "said":
        c.shape, c.vp, c.tense = "said", _base(vp), "past"
        return True
    if name == "every_time":
        c.shape, c.vp = "every_time", _base(vp)
        ivp = _clean_vp(g["ivp"])
        c.slots["ivp"] = ivp
        c.slots["subj"] = "we" if fold(g.get("subj", "")) == "we" else "I"
        req = re.sub(r"^(?:try|want|ask\s+you|attempt|need)\s+to\s+", "", ivp)
        c.slots["ivp_req"] = re.sub(r"^(?:bring\s+up|mention|raise)\b", "talk about", req)
        return bool(vp)
    if name == "imperative":
        return _imperative(c, vp)
    if name == "stop":
        # "Stop talking and just fix the car": what comes after "and" is a second command,
        # the thing they should do, not more of what should stop
        rest = re.split(r"\s+and\s+(?:just\s+|then\s+)?(?=[a-z]+\b)", g.get("rest", ""), maxsplit=1)
        if len(rest) == 2 and is_base_verb(rest[1].split()[0]):
            g = {**g, "rest": rest[0]}
        c.shape, c.vp = "stop", _clean_vp(verb_lemma(g["ving"]) + g.get("rest", ""))
    elif name == "why":
        adv = g.get("adv", "").strip()
        c.shape = "never" if adv.startswith("never") else "why"
        c.adv, c.vp = adv, _base(vp)
    elif name in ("why_not", "for_once") and re.match(r"not\s+", vp):
        c.shape, c.vp = "always", _progressive(_base(vp[4:]))  # "can you for once not be late"
    elif name == "why_not" and fold(g.get("aux", "")).startswith("didn"):
        c.shape, c.vp, c.tense = "didnt", _base(vp), "past"
    elif name in ("why_not", "for_once"):
        c.shape, c.vp, c.adv = "never", _base(vp), "for_once"
    elif name == "why_did":
        c.shape, c.vp = "why", _base(vp)
    elif name == "why_be":
        c.shape, c.vp, c.adv = "why", _progressive("be " + vp), "always"
    elif name == "never":
        past = is_past(_head(vp)[0]) and "n't" not in g.get("adv", "")
        c.shape, c.vp = ("didnt" if past else "never"), _base(vp)
        c.tense = "past" if past else "present"
    elif name == "didnt":
        c.shape, c.vp, c.tense = "didnt", _base(vp), "past"
    elif name == "always":
        c.shape, c.adv = "always", g.get("adv", "")
        c.vp = _progressive("be " + vp) if g.get("be") else _base(vp)
    elif name == "you":
        verb = _head(vp)[0]
        if g.get("be"):
            c.vp = _progressive("be " + vp)
            c.tense = "past" if "were" in g["be"] else "present"
        elif not _verb_like(verb):
            return False  # "you people ...": not a verb phrase
        else:
            c.vp, c.tense = _base(vp), ("past" if is_past(verb) else "present")
        if is_praise(c.vp):
            c.shape = "self"
            return True
        c.shape = "past" if c.tense == "past" else "always"
    if not c.vp:
        return False
    entry = blame_verbs().get(_head(c.vp)[0])
    if entry and c.shape in ("past", "always", "stop", "why"):
        c.blame = entry
        if c.shape != "stop":
            c.shape = "blame"
        if is_past(_original_verb(c.text, _head(c.vp)[0])):
            c.tense = "past"
    return True


def _before(text: str) -> str:
    """What they put X before: "than about our anniversary" -> "our anniversary"; "than home
    with your family" -> "us"; otherwise "me"."""
    low = fold(text)
    m = re.search(
        r"\bthan\s+(?:about\s+|to\s+)?((?:our|my)\s+[a-z]+|(?:your|the)\s+(?:family|kids|children"
        r"|son|daughter|relationship|marriage))\b",
        low,
    )
    if m:
        return text[m.start(1) : m.end(1)]
    after = low.split(" than ", 1)[1] if " than " in low else ""
    return "us" if re.search(r"\b(?:us|our|family|kids|children)\b", after) else "me"


def _common_lower(text: str) -> str:
    """ "Your mother", "Work" (from the start of a sentence) for the middle of one; a name
    ("Jake") keeps its capital."""
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and not first.isupper() and getAllLemmas(first.lower()):
        return first.lower() + text[len(first) :]
    return text


def _verb_like(word: str) -> bool:
    lemmas = getAllLemmas(word.lower())
    # words the dictionary lacks ("maxed", "ghosted") count when they look like verbs
    return "VERB" in lemmas or (not lemmas and word.lower().endswith(("ed", "s")))


def _imperative(c: Clause, vp: str) -> bool:
    """ "Shut up and let me finish": the command, kept as what they'd like instead."""
    verb = _head(vp)[0].lower()
    if not c.findings or verb in ("let's", "please", "thank", "thanks", "have", "enjoy", "see"):
        return False
    if {f.kind for f in c.findings} <= {"stonewalling", "contempt", "absolute"}:
        return False  # "Fine." shuts the talk down; it asks for nothing
    if (
        "VERB" not in getAllLemmas(verb)
        or verb_lemma(verb) != verb
        or not _content(Clause(vp, vp=vp))
    ):
        return False
    if re.match(
        r"(?:get\s+over|deal\s+with|calm\s+down|chill|relax|back\s+off|get\s+(?:out|lost|a\s+grip)"
        r"|go\s+away|shut|grow\s+up|man\s+up|do\s+whatever|leave\s+me\s+alone|forget\s+it"
        r"|drop\s+it|let\s+it\s+go|leave\s+it|give\s+it\s+a\s+rest|never\s*mind)\b",
        fold(vp),
    ):
        return False
    c.shape, c.vp = "imperative", re.sub(r"\s+(?:already|now|right\s+now)$", "", vp)
    return True


def _progressive(vp: str) -> str:
    """ "be criticizing the way I drive" -> "criticize the way I drive"."""
    m = re.match(r"be\s+(\w+ing)\b(.*)$", vp)
    if m and "VERB" in getAllLemmas(m.group(1)):
        return verb_lemma(m.group(1)) + m.group(2)
    return vp


def _original_verb(text: str, lemma: str) -> str:
    for word in text.split():
        if verb_lemma(word.strip(",.!?")) == lemma:
            return word.strip(",.!?")
    return lemma


def _clean_vp(vp: str) -> str:
    vp = vp.strip(" ,.!?")
    vp = re.sub(r"\b(?:for\s+once|ever|even|just|already|right\s+now|actually)\s+", "", vp)
    vp = re.sub(r"^(?:have|has|had|got)\s+to\s+", "", vp)
    vp = re.sub(r"\s+(?:already|anyway|or\s+what)$", "", vp)
    return _soften(vp)


@lru_cache(maxsize=4096)
def _soften(text: str, absolutes: bool = True) -> str:
    """Loaded phrases, and unless told otherwise absolutes, said more softly."""
    for pattern, repl in (
        _soften_rules("soften_similes")
        + _soften_rules("soften_phrases")
        + (_soften_rules("soften_absolutes") if absolutes else [])
    ):
        text = pattern.sub(repl, text)
    return re.sub(r"\s+", " ", text).strip()


@cache
def _soften_rules(name: str) -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p, re.I), r) for p, r in _data()[name]]


# --- what the complaint means ---------------------------------------------------------------


@cache
def _topics() -> list[tuple[re.Pattern, dict]]:
    return [(re.compile(t["match"]), t) for t in lexicon("behaviors.yaml")["topics"]]


# A slot captured to the end of the clause can run into the next one ("forgot Emma's recital
# and she cried the whole way home"): a request about that object stops where it ends.
# "and now ..." and "and Maya ..." start one too ("you forgot the permission slip AGAIN and now
# Maya can't go on the trip"), not "and Jack's game" (a second object).
_CLAUSE_AFTER = re.compile(
    r"(?:,\s*|\s+)(?i:and|but|so|because|then)\s+"
    r"(?:(?i:i|you|he|she|they|we|it|now|then)\b|[A-Z][a-z]+\b(?!'))"
    r".*$|,.*$",
    re.S,
)


def _topic_entry(text: str) -> tuple[dict, dict]:
    """The topic entry that matches earliest in `text` (the verb and its object come first)."""
    low = fold(text)
    best, best_rx = None, None
    for rx, entry in _topics():
        m = rx.search(low)
        if m and (best is None or m.start() < best[0].start()):
            best, best_rx = (m, entry), rx
    if best is None:
        return {}, {}
    m, entry = best
    found: dict[str, str] = {}
    for each in [m, *best_rx.finditer(low)]:  # later matches fill what the first left out
        for k, v in each.groupdict().items():
            if v and k not in found:
                found[k] = _CLAUSE_AFTER.sub("", text[each.start(k) : each.end(k)])
    return entry, {**found, **{k + "_ing": _gerund(v) for k, v in found.items()}}


def _cue(text: str) -> dict:
    low = fold(text)
    for cue in _data()["cues"]:
        if re.search(cue["match"], low):
            return cue
    return {}


def _has_time(text: str) -> bool:
    return bool(re.search(_data()["time_words"], fold(text)))


def _plural(np: str) -> bool:
    last = np.split()[-1].lower() if np.split() else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is"))


def _slots(c: Clause) -> dict:
    """The template slots of a complaint clause."""
    vp = c.vp
    verb, prep, obj, rest = _parts(vp)
    req = _request_vp(vp)
    sub = re.search(r"\b(?:when|while|whenever)\s+(.+)$", vp)
    s = {
        "vp": vp,
        "vp_req": req,
        "vp_soft": _soften(re.sub(r"\banything\b", "something", vp)),
        "you_vp": _soften(_you(vp, c.tense)) if vp else "",
        "vp_past": _with_form(vp, "VBD") if vp else "",
        "vp_ing": _gerund(vp) if vp else "",
        "obj": obj,
        "obj_cap": _upper_first(obj),
        "it": "them" if _plural(obj) else "it",
        "rest": (" " + rest) if rest else "",
        "sub": sub.group(1) if sub else "",
        "when": _when(vp),
        "soon": "" if _has_time(vp) else "this week",
        "more": "more" if len(req.split()) == 1 else "more often",
        "hurts": "hurt" if c.tense == "past" else "hurts",
        "gets": "was" if c.tense == "past" else "gets",
        "clause": _lower_first(_soften_words(_soften(c.text))),
        "np": _noun_phrase(c.text),
        **c.slots,
    }
    s.setdefault("comes", "come" if _plural(s.get("np", "")) else "comes")
    s["seems"] = "seem" if s["comes"] == "come" else "seems"
    s["clause_cap"] = _upper_first(s["clause"])
    return s


def _noun_phrase(text: str) -> str:
    """The first "the/my/your + noun" of a clause: what it is about, for a request."""
    low = fold(text)
    for m in re.finditer(r"\b(the|my|your|our)\s+([a-z]+)\b(?=(?:\s+([a-z]+)\b)?)", low):
        word, after = m.group(2), m.group(3) or ""
        if word in _LIGHT:
            continue
        lemmas = getAllLemmas(word)
        if "ADJ" in lemmas and "NOUN" in getAllLemmas(after) and after not in _LIGHT:
            # "the whole party" -> "the party", not "the whole"; "your stupid phone" -> "your
            # phone": the adjective is the draft's tone, the noun what it is about
            return _common_lower(f"{text[m.start(1) : m.end(1)]} {text[m.start(3) : m.end(3)]}")
        if "NOUN" in lemmas:
            return _common_lower(text[m.start() : m.end()])
    return ""


def _request_vp(vp: str) -> str:
    vp = re.sub(r"\s+(?:anymore|any\s+more|at\s+all|again|all\s+the\s+time|these\s+days)\b", "", vp)
    vp = re.sub(r"^want\s+to\s+", "", vp)
    vp = re.sub(r"\banything\b", "something", vp)
    vp = re.sub(
        r"\b(?:all\s+(?:day|weekend|week|night)|last\s+(?:night|week|weekend|time|month|year|minute"
        r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|yesterday)\b",
        "",
        vp,
    )
    return re.sub(r"\s+", " ", vp).strip()


def _when(vp: str) -> str:
    """Where or when it happened: "at the party", "in front of my friends last night"."""
    m = re.search(
        r"\b(?:in\s+front\s+of|at|in|on|during|over|last(?=\s+(?:night|week|weekend|time|month|year"
        r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday))|yesterday)\b.*$",
        vp,
    )
    if not m:
        return ""
    return re.split(r"\s+(?:for|because|while|when|without|and|but|so)\s+", m.group())[0]


def _situation(c: Clause, slots: dict, topic: dict) -> str:
    """The "when ..." part: what happened, told without "you + blame"."""
    shapes = _data()["shapes"]
    if c.blame:
        for pattern, template in c.blame.get("situations", []):
            m = re.match(pattern, c.vp)
            if m:
                found = {k: v for k, v in m.groupdict().items() if v}
                found.update({k + "_ing": _gerund(v) for k, v in found.items()})
                return fill(template, **{**slots, **found})
        if c.blame.get("situation"):
            return fill(c.blame["situation"], **slots)
        return _passive(c.vp, c.tense)
    if topic.get("situation") and c.shape in ("never", "always", "didnt", "why"):
        return fill(topic["situation"], **slots)
    vp = c.vp
    if c.shape in ("always", "stop", "why", "past"):
        main, sub = vp, ""
        split = re.split(r"\s(?:when|while|whenever)\s", vp, maxsplit=1)
        if len(split) == 2 and not re.search(r"\s(?:and|but)\s", split[0]):
            main, sub = split
        # "play video games and ignore me" -> "... and I get ignored"
        parts = re.split(r"\s+and\s+(?:then\s+)?(?=\S)", main, maxsplit=1)
        told = _you(parts[0], c.tense)
        if len(parts) == 2 and re.match(
            r"(?:didn't|don't|never|can't|won't|wouldn't|couldn't|I\b|I'm|we\b|it\b|it's|the\b|my\b|our\b)",
            parts[1],
        ):
            told += " and " + parts[1]  # "you were late and didn't call"
        elif len(parts) == 2:
            second = _base(parts[1])
            told += " and " + (
                _passive(second, c.tense)
                if blame_verbs().get(_head(second)[0])
                else _you(second, c.tense).removeprefix("you ")
            )
        # "be on your phone when I'm talking to you" -> "I'm talking to you and you're on ..."
        return f"{sub} and {told}" if sub else told
    if c.shape in shapes:
        return fill(shapes[c.shape]["situation"], **slots)
    return ""


# --- composing ------------------------------------------------------------------------------


@dataclass
class Plan:
    feeling: str
    need: str
    situation: str
    request: str
    tense: str
    topic: str = ""
    absolutes: set = field(default_factory=set)
    shutdown: bool = False
    judged: bool = False  # what happened is a verdict on the person: no I-statement fits


def _main(clauses: list[Clause]) -> Clause | None:
    """The clearest complaint: a shaped one with a finding, then any hostile clause, then the
    rest ("you left me alone at the party" after "Thanks a lot.")."""
    shaped = [c for c in clauses if c.shape in _BEHAVIOUR and _content(c)]
    other = [c for c in clauses if c.shape == "other" and _content(c)]
    charged = [c for c in shaped if any(f.kind != "absolute" for f in c.findings)]
    ranked = (
        charged
        + [c for c in shaped if c.findings and c not in charged]
        + [c for c in other if c.findings]
        + [c for c in shaped if not c.findings]
        + [c for c in other if not c.findings]
        + [c for c in clauses if c.shape == "imperative"]
        + [c for c in clauses if c.shape == "event"]
    )
    main = ranked[0] if ranked else None
    if main and main.shape in ("didnt", "never") and _asks_only(main.vp):
        # "You ate my fries. And you didn't even ask.": the fries are the complaint
        i = clauses.index(main)
        before = [
            c for c in clauses[:i] if c.shape in _BEHAVIOUR | {"past", "other"} and _content(c)
        ]
        if before:
            before[-1].slots["without"] = _asks_only(main.vp)
            return before[-1]
    return main


def _asks_only(vp: str) -> str:
    """ "ask", "ask me", "tell me", "check with me": a complaint that only adds that it was not
    asked about; what to say instead ("without asking me"), or ""."""
    m = re.fullmatch(r"(ask|tell|check\s+with|warn)(?:\s+(?:me|us|first))*", vp.strip())
    if not m:
        return ""
    verb = m.group(1).split()[0]
    return {
        "ask": "without asking me",
        "tell": "without telling me",
        "warn": "without warning me",
    }.get(verb, "without checking with me")


# What happened to the sender: "I was late for my shift", "... and i had to walk home".
_ABOUT_ME = re.compile(
    r"(?:^|,\s*|\s+(?:and|so|but|now)\s+)i\b(?!\s*(?:'d\s+like|want|need|asked|told)).*$",
    re.I | re.S,
)


def _not_about_me(clause: str) -> str:
    """The clause without what happened to the sender in it."""
    return _ABOUT_ME.sub("", clause.strip())


def _plan(clauses: list[Clause], draft: str) -> Plan:
    d = _data()
    shapes = d["shapes"]
    main = _main(clauses)
    insulting = [c for c in clauses if c.shape == "insult"]
    aimed = [c for c in insulting if not c.slots.get("about_it")]
    # "it's so rude" judges what happened; "you're so rude" judges them
    first = (aimed or insulting)[0] if insulting else None
    group = lexicon("insults.yaml")["groups"][first.group] if first else {}
    insult_topic = next((c.topic for c in insulting if c.topic), "")
    aside = " ".join(c.text for c in clauses if c.shape in ("self", "drop", "only") or c is main)
    cue = _cue(aside)

    if main is None:
        if group:
            return Plan(
                group["feeling"],
                group["need"],
                _state_beside(clauses),
                fill(group["request"], topic=insult_topic),
                "present",
                insult_topic,
            )
        if any(c.shape == "only" for c in clauses):
            s = shapes["only"]
            return Plan(
                s["feeling"],
                "I need to know my needs count too",
                s["situation"],
                s["request"],
                "present",
            )
        src = cue or d["shutdown"]
        topic = _shutdown_topic(clauses, draft)
        return Plan(
            src["feeling"],
            src["need"],
            "",
            fill(d["shutdown"]["request"], topic=topic),
            "present",
            topic,
            shutdown=True,
        )

    slots = _slots(main)
    topic, topic_slots = _topic_entry(main.vp or main.text)
    if not topic and not main.blame:
        # a vague complaint ("you never do anything") may name its topic elsewhere, but not
        # in what happened to the sender ("...and I was late for work": the lateness is not
        # the complaint), and "Love you, but ..." says how they feel, not what it is about
        told = [_not_about_me(c.text) for c in clauses if not _only_affection(c.text)]
        topic, topic_slots = _topic_entry(" ".join(told))
    slots.update(topic_slots)
    if "obj" in topic_slots:
        slots["it"] = "them" if _plural(topic_slots["obj"]) else "it"
    if group and not aimed and topic:
        group = {}  # "you're on your phone all dinner, it's so rude": the phone is the point
    shape = shapes.get(main.shape, shapes["other"])
    blame = main.blame or {}
    if main.shape in ("said", "care_more"):
        topic = {}  # the broken promise, or what comes first, is the point
    source = next(
        s
        for s in (group, cue, blame if blame.get("need") else {}, topic, blame, shape)
        if s.get("feeling")
    )
    need = fill(source.get("need") or topic.get("need") or shape.get("need", ""), **slots)
    # The draft's own words make the most concrete request: a broken promise, or "every time
    # I try to talk about money" (-> "a time to talk about money"); then what it is about.
    talk = re.match(r"(?:talk|ask|bring|mention|raise|tell)\b", slots.get("ivp_req", ""))
    if main.shape in ("said", "care_more") or (main.shape == "every_time" and talk):
        chosen = shape["request"]
    else:
        # "you keep interrupting me when I'm on the phone": the interrupting is the point
        chosen = blame.get("request") or topic.get("request") or shape["request"]
    request = fill(chosen, **slots)
    situation = _soften(_situation(main, slots, topic))
    if main.slots.get("without") and "without" not in situation:
        situation += " " + main.slots["without"]
    if analyze(situation):  # "you get jealous when I ..." -> "you get upset when I ..."
        situation = _soften_words(situation)
    situation = _event(situation)
    if _judges_them(situation):
        # "I feel frustrated when you're not special", "... when you're wrong sometimes": a
        # verdict on the person told as an event. Blind readers rated these neither
        # sendable nor blame-free; the guide leaves what happened for the sender to say.
        return Plan(source["feeling"], need, situation, request, main.tense, judged=True)
    if not _has_verb(situation):
        # "I feel unheard when your games", "when struggling", "when you me about the gym":
        # no event to feel something about, so the I-statement says the feeling and what
        # it is about ("I've been feeling small about the gym lately").
        insult_topic = insult_topic or _noun_phrase(situation)
        situation = ""
    tense = "past" if main.tense != "past" and _told_in_past_tense(situation) else main.tense
    return Plan(source["feeling"], need, situation, request, tense, insult_topic)


# A plain sentence about a thing: "the stove is covered in sauce", "the bins have been out
# since Monday" (not "I'm so tired", not "your mum is a saint").
_THING_SUBJECT = re.compile(r"(?:the|this|that|these|those|our|my)\s+[a-z]+", re.IGNORECASE)


def _state_beside(clauses: list[Clause]) -> str:
    """What happened, when the complaint is an insult beside a plain sentence about a thing
    ("You're a slob, the stove is covered in sauce."): that sentence, for the "when ___";
    else "". Read without it, the insult's generic I-statement ("I've been feeling
    frustrated lately") dropped the one specific the draft gave."""
    for c in clauses:
        text = c.text.strip()
        if (
            c.shape == "self"
            and not c.findings
            and _THING_SUBJECT.match(text)
            and _AUXILIARY.search(text)
            and not is_praise(fold(text))
            and tone_reads_fine(text)
        ):
            return _lower_first(text)
    return ""


def _only_affection(text: str) -> bool:
    """Whether a clause is only a declaration of love or thanks ("Love you,", "thanks babe")."""
    rx = lexicon("patterns.yaml")["polarity"]["affection"]
    rest = re.sub(rx, "", fold(text), flags=re.IGNORECASE)
    return rest != fold(text) and not re.sub(
        r"\b(?:so|much|but|and|babe|baby|hun|honey)\b", "", rest
    ).strip(" ,.!?")


_AUXILIARY = re.compile(
    r"(?i)\b(?:am|is|are|was|were|be|been|being|has|have|had|do|does|did|can|could|will|would"
    r"|should|may|might|must)\b|\w'(?:s|re|m|ve|d|ll)\b|n't\b"
)
_DETERMINERS = set("the a an my your our his her their this that these those some any no".split())


# What a "when ___" part starts with when it tells an event: someone or something, then what
# they did ("you left the gate open", "the bins have been out since Monday").
_EVENT_SUBJECT = re.compile(
    r"(?:you|i|we|he|she|they|it|there|your|my|our|his|her|their|the|this|that|these|those"
    r"|someone|nobody|no one|everyone|everything|nothing)\b|you'|i'|we'|it'|there'|that'",
    re.IGNORECASE,
)
# And what it starts with when the draft's frame was copied in with it: a sarcastic verdict
# ("funny how...", "amazing how...", "interesting that..."), a question ("what's the point
# of..."), a cut-off aside ("not that you'd know", "after so much I've given up").
_FRAME = re.compile(
    r"(?:what's|what is|why|how come|not|after (?:so much|everything|all)|oh)\b", re.IGNORECASE
)


def _starts_a_frame(part: str) -> bool:
    first = re.sub(r"[^\w']", "", part.split(" ", 1)[0]).lower()
    if _FRAME.match(part):
        return True
    if first in _SUBORDINATORS:  # "when I was with Alex, ...": a clause, not a verdict
        return False
    pos = set(getAllLemmas(first))
    return bool(pos) and pos <= {"ADJ", "ADV"}


_SUBORDINATORS = set("when whenever while once if because since before after until".split())


_ONE_WORD_FRAME = re.compile(
    r"([a-z]+)(?:\s+(?:how|that))?\s+(?=(?:you|he|she|they|we|there|it)\b)", re.IGNORECASE
)


def _event(situation: str) -> str:
    """The "when ___" part without the draft's frame: "funny how the money's always there"
    is not something that happened. What follows a comma is kept when it starts with
    someone doing something ("not good luck, not how did it go, you didn't text" -> "you
    didn't text"); else "" (the I-statement then says the feeling alone)."""
    if situation and not _starts_like_an_event(situation):
        # "shame you spent the party ...", "amazing how you can find time for ...": a one-word
        # verdict in front of what happened; what happened is kept
        m = _ONE_WORD_FRAME.match(situation)
        frame = m and m.group(1)
        if (
            frame
            and not _AUXILIARY.match(frame)
            and {"NOUN", "ADJ"} & set(getAllLemmas(frame.lower()))
            and _has_verb(situation[m.end() :])
        ):
            return situation[m.end() :]
    if not situation or not _starts_a_frame(situation):
        return situation
    for m in re.finditer(r",\s+", situation):
        rest = situation[m.end() :]
        if _EVENT_SUBJECT.match(rest) and _has_verb(rest):
            return rest
    return ""


_TRAIT_VERDICT = re.compile(
    r"you(?:'re| are| were)\s+(?:not\s+|so\s+|such\s+|really\s+|just\s+|being\s+)*"
    r"(?:an?\s+)?(?!\w+ing\b)\w+(?:\s+(?:sometimes|today|lately|again|now|tonight))?\s*$",
    re.IGNORECASE,
)


_NOT_AFTER_A_SUBJECT = _DETERMINERS | set(
    """i you he she we they me him us them it something anything nothing everything for to of at
    with about on in from how that but not""".split()
)


def _starts_like_an_event(situation: str) -> bool:
    """Whether the "when ___" part starts as a clause does: with someone or something
    (a pronoun, a determiner, a name's "'s"), a gerund ("feeding Biscuit gets forgotten"), or
    a noun whose next word can be its verb ("work seems to come first"). Not with the
    draft's own opener pasted in: "when thanks for dinner but ...", "when shame you spent
    ...", "when amazing how you ...", "when cook something tonight ..." (from the dev drafts,
    2026-12-07)."""
    if not situation or _EVENT_SUBJECT.match(situation):
        return True
    tokens = re.findall(r"[a-z']+|[,;:]", fold(situation))
    first, after = tokens[0], (tokens[1] if len(tokens) > 1 else "")
    if first in _SUBORDINATORS:
        return True  # "when I was with Alex, he ...", "if nothing changes by summer"
    if first in ("its", "ours", "yours", "theirs"):
        return False  # "when its dec 20 and ...", "when ours are feral because and ..."
    if first.endswith("'s") or first == "what":
        return True
    lemmas = getAllLemmas(first)
    if first.endswith("ing") and "VERB" in lemmas:
        return after not in ("how", "that", ",")  # not "amazing how", "interesting that"
    return "NOUN" in lemmas and after not in _NOT_AFTER_A_SUBJECT and after.isalpha()


def _pasted_opener(situation: str, rewrite: str) -> bool:
    """Whether the rewrite tells what happened with the draft's opener pasted in front."""
    return fold(situation) in fold(rewrite) and not _starts_like_an_event(situation)


def _judges_them(situation: str) -> bool:
    """Whether the "when ___" part is a verdict on the person ("you're not kind today",
    "you're wrong sometimes") rather than something they did or where they are ("you're
    late again", "you were out": an event)."""
    if not _TRAIT_VERDICT.match(situation):
        return False
    return not set(re.findall(r"\w+", situation.lower())) & _EVENT_WORDS


# "you're late", "you're away again", "you were out": where they are or when, not a verdict.
_EVENT_WORDS = set("late early away out home gone busy asleep here there back off".split())


def _has_verb(situation: str) -> bool:
    """Whether a "when ___" part has a verb: an auxiliary, or a word that can be a verb and
    does not follow a determiner ("the dishes pile up" has one; "your games" has none)."""
    if _AUXILIARY.search(situation):
        return True
    tokens = re.findall(r"[a-z']+", fold(situation))
    return any(
        "VERB" in getAllLemmas(word) and before not in _DETERMINERS
        for before, word in zip(tokens, tokens[1:], strict=False)
    )


# Before these an -ed word is a participle, not the simple past: "you've asked", "I'm tired",
# "I get ignored", "you seem annoyed".
_PARTICIPLE_BEFORE = set(
    """have has had 've 's 'd 're 'm am is are be been being get gets getting got feel feels
    seem seems look looks keep keeps so too very really""".split()
)


def _told_in_past_tense(situation: str) -> bool:
    """Whether what happened is told in the simple past ("the kids asked me why"), so the
    I-statement says "I felt", not "I feel ... when the kids asked": its first verb decides
    ("when you eat the last cookie and I'm still focused" is not)."""
    tokens = re.findall(r"[a-z]+|'[a-z]+", fold(situation))
    for before, word in zip(["", *tokens], tokens, strict=False):
        if word in ("was", "were"):
            return True
        lemma = getAllLemmas(word).get("VERB", [""])[0]
        if not lemma or before in _DETERMINERS:
            continue  # not a verb, or a noun ("the tired kids", "your games")
        return word != lemma and word.endswith("ed") and before not in _PARTICIPLE_BEFORE
    return False


def _shutdown_topic(clauses: list[Clause], draft: str) -> str:
    """What a shut-down draft was about, if it says: "I'm done talking about the car"."""
    for c in clauses:
        m = re.search(
            r"\babout\s+((?:the|my|your|our|this|that)\s+\w+|\w+)(?:\s+([a-z]+)\b)?", c.text
        )
        # "about this now": a time, not a topic ("talk again about this now tonight")
        if m and m.group(1).split()[-1].lower() not in _LIGHT:
            if m.group(2) and _is_noun(m.group(2)) and _is_noun(m.group(1).split()[-1]):
                return f"{m.group(1)} {m.group(2)}"  # "our sex life", not "our sex"
            return m.group(1)
    terms = set(topic_terms(draft))
    for m in re.finditer(
        r"\b(the|my|your|our|this|that|one|a|an)\s+([a-z]+)\b", fold(normalize(draft))
    ):
        det, word = m.groups()
        if "NOUN" in getAllLemmas(word) and (
            word in terms or getAllLemmas(word)["NOUN"][0] in terms
        ):
            return ("the" if det in ("this", "that", "one", "a", "an") else det) + " " + word
    return ""


_LIGHT = set(
    """do does did be it that this so anyway things stuff what whatever you want again too the a an
    same as usual like always just all now""".split()
)


def _content(c: Clause) -> bool:
    """Whether a complaint names something concrete ("do it anyway" does not)."""
    text = c.vp or c.slots.get("np") or c.text
    return any(w not in _LIGHT for w in words(text))


def _compose(plan: Plan) -> str:
    # "because you took a long time, because I want..." reads badly: the second is "and"
    because = "and" if re.search(r"\bbecause\b", plan.situation) else "because"
    slots = {
        "feeling": plan.feeling,
        "situation": plan.situation,
        "need_lc": plan.need,
        "topic": plan.topic,
        "because": because,
    }
    return _tidy(f"{_upper_first(_first_sentence(plan, slots))} {plan.request}")


def _first_sentence(plan: Plan, slots: dict, situation: bool = True) -> str:
    """The I-statement before the request: with what happened when there is a situation
    (and `situation` allows it), else the feeling alone."""
    d = _data()["compose"]
    if plan.situation and situation:
        return fill(d["past"] if plan.tense == "past" else d["present"], **slots)
    return fill(d["shutdown"] if plan.shutdown else d["no_situation"], **slots)


def _brief(plan: Plan) -> str:
    """One sentence: the feeling and what happened (no "because"), then the request; without
    what happened when that part still reads as blame; the request alone as a last resort."""
    d = _data()["compose"]
    request = plan.request.strip()
    if not request.endswith("?"):
        return request  # not a question to join on
    slots = {"feeling": plan.feeling, "situation": plan.situation, "topic": plan.topic}
    firsts = [_first_sentence(plan, slots, situation) for situation in (True, False)]
    for first in dict.fromkeys(firsts):
        joined = fill(d["brief"], first=first.rstrip(" ."), request_lc=_lower_first(request))
        brief = _tidy(_upper_first(joined))
        if passes_gate(brief):
            return brief
    return request


# --- the light edit ("gentle") --------------------------------------------------------------


@cache
def _replacements() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p), r) for p, r in lexicon("profanity.yaml")["replace"]]


@lru_cache(maxsize=4096)
def _soften_words(text: str) -> str:
    """`text` with swearing and insults taken out or replaced, nothing else changed."""
    for pattern, repl in _soften_rules("soften_similes"):  # "like a maniac" goes as a whole
        text = pattern.sub(repl, text)
    return _tidy(_replace_insults(_unswear(text)))


@lru_cache(maxsize=4096)
def _unswear(text: str) -> str:
    """`text` with its swearing taken out ("what the fuck" -> "what"), nothing else changed."""
    low = fold(text)
    for pattern, repl in _replacements():
        out, last = [], 0
        for m in pattern.finditer(low):
            out.append(text[last : m.start()] + m.expand(repl))
            last = m.end()
        if out:
            out.append(text[last:])
            text = "".join(out)
            low = fold(text)
    return _tidy(_cut(text, profanity(text)))


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return text


_SUPERLATIVE_TAIL = re.compile(
    r"^\s+(?:person|people|man|woman|guy|girl|human(?:\s+being)?|one|partner|husband|wife)"
    r"(?:\s+(?:I(?:'ve|\s+have)?\s+(?:ever\s+)?(?:know|known|met|dated|seen)|alive|ever"
    r"|in\s+the\s+world|on\s+(?:the\s+)?(?:earth|planet)))?",
    re.I,
)


def _replace_insults(text: str) -> str:
    """Insults out: "you idiot" goes, "you're an idiot" -> "you're wrong", "idiots" -> "people"."""
    groups = lexicon("insults.yaml")["groups"]
    hits: list = []
    for hit in sorted(insults(text), key=lambda h: (h.start, -h.end)):
        # "you're a selfish pig": one phrase, replaced once, from its last word
        if hits and hit.start < hits[-1].end:
            hits[-1] = hit if hit.end >= hits[-1].end else hits[-1]
            continue
        hits.append(hit)
    for hit in reversed(hits):
        after = text[hit.end :]
        vocative = _vocative_tail(text, hit)
        if vocative:  # "Useless lump, the bins..." / "you lazy git, ...": the name goes whole
            start, end = vocative
            text = (text[:start].rstrip() + " " + text[end:].lstrip()).strip()
            continue
        lone = _lone_insult(text, hit.start, hit.end)
        if lone:  # "Pathetic." or "so gross omg" on its own: a verdict, not a complaint
            text = (text[: lone[0]].rstrip() + " " + text[lone[1] :].lstrip()).strip()
            continue
        word_after = re.match(r"\s+[A-Za-z]", after) and not re.match(r"\s+(?:and|or|but)\b", after)
        head = fold(text[hit.start : hit.word_start])
        neutral = groups[hit.group]["neutral"]
        if hit.framed == "name" and re.match(r"(?:you|u|ya)\b", head):
            # "you idiot" is dropped; "you idiots agreed" keeps "you"
            start = hit.start
            if not word_after:
                while start > 0 and text[start - 1] in " ,":
                    start -= 1
            text = text[:start] + (" you" if word_after else "") + after
        elif hit.framed:
            copula = re.match(
                r".*?(?:'re|\bare|\bwere|\bwas|\bbeen|\bbe|\bbeing|\blook|\bsound|\bseem"
                r"|\bact|\bis|\bget|\bgets|\bgot|\bgetting)\b",
                head,
            )
            if copula:  # "you're such an idiot" -> "you're wrong"
                # "a joke of a husband", "a spoiled brat": the noun the insult qualifies
                # goes with it ("you're struggling of a husband" is no sentence)
                after = after[_noun_tail(after) :]
                acted = re.search(r"\b(act|acts|acting|acted)\s+like\s+(?:an?\s+)?$", head)
                if acted:  # "you act like a spoiled brat" -> "you're thinking only of yourself"
                    lead = text[hit.start : hit.start + acted.start()].rstrip()
                    be = _ACTED_AS[acted.group(1)] if re.search(r"\byou$", lead, re.I) else " being"
                    text = text[: hit.start] + lead + be + " " + neutral + after
                    continue
                if hit.word.lower().endswith("est") or "most" in head:
                    # "you're the laziest person I know" -> "you're not helping"
                    after = _SUPERLATIVE_TAIL.sub("", after, count=1)
                text = (
                    text[: hit.start]
                    + text[hit.start : hit.start + copula.end()]
                    + " "
                    + neutral
                    + after
                )
            else:  # "what an idiot", "such a jerk"
                text = text[: hit.start] + after
        elif (
            (word_after or re.search(r"(?:\ban?|,)\s*$", text[: hit.word_start]))
            and _is_adjective(hit.word)
            or re.search(r"\byou\s+$", fold(text[: hit.word_start]))
        ):
            # "stupid comments" -> "comments"; "every time you idiots move" -> "you move"
            text = text[: hit.word_start] + after.lstrip()
        elif _is_noun(hit.word) and (
            simile := re.search(
                r"[\s,]*\blike\s+(?:a|an|some|a\s+total|a\s+complete)\s+$",
                text[: hit.word_start],
                re.I,
            )
        ):
            # "waiting at the restaurant like an idiot": the comparison goes with the insult
            text = text[: simile.start()] + after
        elif _is_noun(hit.word) and _is_noun(neutral):
            text = text[: hit.word_start] + neutral + after  # "that nonsense" -> "that idea"
        elif _is_noun(hit.word) and re.search(
            r"(?:ity|ness|ance|ence|cy|ism|ery)$", hit.word.lower()
        ):
            text = text[: hit.word_start] + after.lstrip()  # "all about stupidity" -> "all about"
        elif _is_noun(hit.word):
            plural = hit.word.lower().endswith("s") and not hit.word.lower().endswith("ss")
            text = text[: hit.word_start] + ("people" if plural else "person") + after
        else:
            head = text[: hit.word_start]
            if neutral.startswith("not "):
                head = re.sub(r"(?i)\b(?:so|really|very|too|such)\s+$", "", head)
            text = head + neutral + after
    return text


# What can end a noun phrase: a clause boundary, or a word that starts the next part.
_PHRASE_END = (
    r"(?=\s*(?:[,.!?;…]|$)|\s+(?:and|but|when|whenever|while|if|who|that|because|so|or|to|in"
    r"|at|on|with|about|around)\b)"
)
_OF_TAIL = re.compile(r"\s+of\s+(?:a|an|the|my|your)\s+[A-Za-z]+\b" + _PHRASE_END)
_WORD_TAIL = re.compile(r"\s+([A-Za-z]+)\b" + _PHRASE_END)


# "act like a ..." said with the insult's neutral word instead: "you're thinking only of
# yourself", "you were...", "being...".
_ACTED_AS = {"act": "'re", "acts": "'re", "acted": " were", "acting": " being"}


def _names_a_person(word: str) -> bool:
    """A noun that can head a name called ("brat", "lump", "git"), not a word of time or an
    adverb ("tonight", "sometimes") or a function word."""
    lemmas = getAllLemmas(word.lower())
    if word.lower() in _NOT_HEAD_NOUNS or "ADV" in lemmas:
        return False
    return "NOUN" in lemmas or not lemmas


_NOT_HEAD_NOUNS = {"and", "but", "or", "so", "to", "the", "a", "an", "you", "u", "me", "it"}


def _noun_tail(after: str) -> int:
    """How much of `after` (the text after an insult) completes its noun phrase: "of a
    husband" after "a joke", "brat" after "a spoiled"; 0 when nothing does."""
    m = _OF_TAIL.match(after)
    if m:
        return m.end()
    m = _WORD_TAIL.match(after)
    return m.end() if m and _names_a_person(m.group(1)) else 0


def _vocative_tail(text: str, hit) -> tuple[int, int] | None:
    """The span of a name called with an insult for its adjective, at the start of a
    sentence or after "you" ("Useless lump, ...", "you lazy git, ..."): the noun is not in
    the word lists, and cutting the adjective alone leaves "lump, the bins...". None when
    the insult is not of that shape."""
    before = text[: hit.word_start]
    m = re.search(r"(?:^|(?<=[.!?\n]))\s*((?:(?:you|u)\s+)?)$", before, re.I)
    if not m or not _is_adjective(hit.word):
        return None
    # The name with what closes it: a comma, or the sentence's end when it is all there is.
    tail = re.match(r"\s+([A-Za-z]+)\b\s*(?:,|[.!?…]+|$)", text[hit.end :])
    if not tail or not _names_a_person(tail.group(1)):
        return None
    return m.start(1), hit.end + tail.end()


_FILLER = r"(?:so|how|just|really|totally|too|very|god|ugh|omg|lol|honestly|seriously|wow)"
_LONE_BEFORE = re.compile(rf"(?:\s*{_FILLER}\b[\s,!]*)*\s*")
_LONE_AFTER = re.compile(rf"(?:[\s,]*{_FILLER}\b)*\s*(?:[.!?…]+\s*|\n\s*|$)")


def _lone_insult(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span of the sentence an insult makes up alone, with fillers ("Pathetic.", "so
    gross omg"): swapping the word ("struggling.") leaves nonsense, so the sentence goes."""
    begin = max(text.rfind(ch, 0, start) for ch in ".!?\n") + 1
    if not _LONE_BEFORE.fullmatch(fold(text[begin:start])):
        return None
    tail = _LONE_AFTER.match(fold(text[end:]))
    if not tail:
        return None
    return begin, end + tail.end()


def _is_adjective(word: str) -> bool:
    lemmas = getAllLemmas(word.lower())
    return "ADJ" in lemmas or not lemmas


def _is_noun(word: str) -> bool:
    lemmas = getAllLemmas(word.lower())
    return "NOUN" in lemmas and "ADJ" not in lemmas


def _gentle_piece(c: Clause, plan: Plan) -> str:
    """One clause, lightly edited: the words first; the shape only if that is not enough."""
    if c.slots.get("sarcasm"):
        return ""
    words_out = _soften_words(c.text)
    light = _tidy(_soften(words_out, absolutes=_has_absolute(words_out, plan)))
    if c.shape == "insult":
        group = lexicon("insults.yaml")["groups"][c.group]
        if _bare_name(c) or (c.slots.get("trait") and not group.get("retell")):
            return ""  # "you troll", "your stupidity amazes me": nothing else to keep
        if group.get("retell") or c.topic or c.slots.get("about_it"):
            return fill(group["gentle"], topic=c.topic)
    if c.shape in _BEHAVIOUR and not _content(c):
        return ""  # "you always do anyway" says nothing to keep
    if c.shape == "drop" and re.match(r"(?:are|r|were)\s+(?:you|u)\b", fold(c.text)):
        return _demand_gentle(c)  # "are you stupid?" tagged on: "are?" would be left
    if not analyze(light + c.end) or c.shape in ("self", "other", "", "insult"):
        c.slots["light"] = light
        return light
    if c.shape == "drop":
        return _demand_gentle(c)
    return _reshaped(c)


def _bare_name(c: Clause) -> bool:
    low = fold(c.text)
    for h in insults(c.text):
        if h.framed == "trait":
            return False  # "you guys are idiots" says something about them; it is reworded
        low = low[: h.start] + " " * (h.end - h.start) + low[h.end :]
    return set(words(low)) <= {"you", "u", "ya", "and", "oh", "hey", "so", "what"}


def _reshaped(c: Clause) -> str:
    """The clause said again in its shape's gentle form: "You never X" -> "I wish you'd X"."""
    shapes = _data()["shapes"]
    if c.shape in ("always", "never", "past", "didnt") and not _content(c):
        return ""
    if c.shape == "stop":
        return f"Please don't {_soften(c.vp)}."
    if c.shape == "imperative":
        return f"Please {_lower_first(_soften(c.vp))}."
    slots = _slots(c)
    topic, topic_slots = _topic_entry(c.vp or c.text)
    slots.update(topic_slots)
    if c.shape == "why" and not c.blame and not c.adv:
        return f"I'd like to understand why {_you(c.vp, c.tense)}."
    if c.shape in ("why", "always"):
        return f"It bothers me when {_situation(c, slots, topic)}."
    if c.adv == "for_once" and c.shape == "never":
        return f"Could you {slots['vp_req']}?"
    if c.blame or c.shape == "blame":
        for pattern, template in (c.blame or {}).get("gentles", []):
            m = re.match(pattern, c.vp)
            if m:  # "you forgot to pay the rent" -> "I'd been counting on you to pay the rent."
                return fill(template, **{**slots, **{k: v for k, v in m.groupdict().items() if v}})
        situation = _situation(c, slots, topic)
        if c.blame and c.blame.get("gentle"):
            return fill(c.blame["gentle"], situation_cap=_upper_first(situation), **slots)
        return fill(
            shapes["blame"]["gentle"], situation_cap=_upper_first(situation), hurts=slots["hurts"]
        )
    if topic.get("gentle") and c.shape in ("never", "didnt"):
        return fill(topic["gentle"], **slots)
    return fill(shapes.get(c.shape, shapes["other"])["gentle"], **slots)


def _demand_gentle(c: Clause) -> str:
    """ "Let it go already!" -> "Please let it go."; harsher commands and sarcasm go."""
    low = fold(c.text)
    if any(f.kind == "demand" for f in c.findings) and not re.search(
        r"\b(?:shut|grow\s+up|get\s+over|get\s+a\s+grip|man\s+up|back\s+off|get\s+lost|get\s+out"
        r"|go\s+away|piss|deal\s+with\s+it|calm|chill|relax|butt\s+out|mind\s+your|give\s+me\s+a"
        r"\s+break|give\s+it\s+a\s+rest|knock|cut\s+it|you\s+(?:need|have|better|must|gotta)|or\s+else"
        r"|pretend|deny|lie\b|play\s+dumb|give\s+me\s+that)",
        low,
    ):
        text = re.sub(
            r"(?i)\b(?:already|right\s+now|now|immediately|this\s+instant|for\s+once|just)\b",
            "",
            c.text,
        )
        text = _soften_words(text)
        if text:
            return "Please " + _lower_first(text) + "."
    return ""


_INTERJECTIONS = set("hey oh yeah well okay ok look listen honestly sorry so no yes wow ah".split())


def _join_lone_words(pieces: list[str], ends: list[str]) -> list[str]:
    """No sentence of one word: "Hey. We have clay." -> "Hey, we have clay."; "Also. I wish
    ..." -> "Also I wish ..."; "..., lol." at the end; a lone "Also." at the end goes."""
    out: list[str] = []
    lone_end = ""
    for piece, end in zip(pieces, ends, strict=True):
        # an exclamation or a question may stand alone ("Hahha!", "No?"); a connective not
        if out and _lone(out[-1]) and (lone_end not in "!?" or _only_connectives(out[-1])):
            word = out.pop().rstrip(".!?,")
            comma = lone_end == "," or fold(word) in _INTERJECTIONS
            sep = " " if _only_connectives(word) or not comma else ", "
            piece = word + sep + _lower_first(piece)
        out.append(piece)
        lone_end = end
    if len(out) > 1 and _lone(out[-1]) and (lone_end not in "!?" or _only_connectives(out[-1])):
        last = out.pop()
        if not _only_connectives(last) and out[-1][-1:] != "?":  # "..., lol."
            out[-1] = out[-1].rstrip(".!,") + ", " + _lower_first(last)
        elif not _only_connectives(last):
            out.append(last)
    return out


def _lone(piece: str) -> bool:
    return len(re.findall(r"[\w']+", piece)) < 2


def _repeated(piece: str, pieces: list[str]) -> bool:
    """ "You're late." beside "It bothers me when you're late.": said again, so it goes."""

    def plain(text: str) -> str:
        return " ".join(re.findall(r"[a-z0-9']+", fold(text)))

    words = plain(piece)
    return bool(words) and any(
        other is not piece
        and len(other) > len(piece)
        and re.search(r"\b" + re.escape(words) + r"\b", plain(other))
        for other in pieces
    )


def _same(a: str, b: str) -> bool:
    return fold(a.rstrip(".!?,")) == fold(b.rstrip(".!?,"))


def _has_absolute(text: str, plan: Plan) -> bool:
    """Whether `text` overstates: on its own, or with an absolute the draft aimed at them
    ("you ate my leftovers AGAIN"). "Fuck you, never again" says "never again" of itself."""
    if any(f.kind == "absolute" for f in analyze(text)):
        return True
    low = fold(text)
    pinned = bool(re.search(r"\byou\b", low))
    # "it's always me doing everything" overstates too; "never again" is said of oneself
    return any(
        re.search(r"\b" + re.escape(w) + r"\b", low)
        and (pinned or not re.fullmatch(r"never|ever|again|any\s?more|not\s+once|forever", w))
        for w in plan.absolutes
    )


_QUESTION = re.compile(
    r"(?:what|why|how|where|who|when|which|do|does|did|are|is|can|could|would|will"
    r"|have|has|should)\b"
)


def _gentle(clauses: list[Clause], plan: Plan, draft: str) -> str:
    pieces: list[str] = []
    ends: list[str] = []  # how each piece's clause ended in the draft
    said = [c for c in clauses if c.shape != "drop"]
    for c in clauses:
        if (
            said
            and c.shape == "drop"
            and {f.kind for f in c.findings} == {"loaded_question"}
            and len(c.text.split()) < 6
        ):
            continue  # "..., what is wrong with you" -> "what's wrong": a scrap beside the rest
        piece = _tidy(_soften(_gentle_piece(c, plan), absolutes=False))
        if piece and analyze(piece):
            piece = _tidy(_soften_words(_soften(piece)))
        if not piece or analyze(piece) or any(_same(piece, p) for p in pieces):
            continue
        if set(words(piece)) <= {"you", "u", "ya", "and", "so", "but", "or"}:
            continue  # a clause that was only name-calling leaves "you" behind
        if c.end == "?" and _QUESTION.match(fold(piece)):
            end = "?"
        elif c.end == "?" and not c.slots.get("light"):
            end = "."  # "You're always on your phone?" said again is no longer a question
        elif c.end in "!," and (c.findings or c.shape not in ("self", "other")):
            end = "."  # no shouting in the calm version
        else:
            end = c.end
        if piece[-1] not in ".!?,":
            piece += end
        pieces.append(piece)
        ends.append(c.end)
    kept = [i for i, p in enumerate(pieces) if not _repeated(p, pieces)]
    pieces = _join_lone_words([pieces[i] for i in kept], [ends[i] for i in kept])
    text = _tidy(" ".join(pieces))
    text = re.sub(r",$", ".", text)
    # a clause split off mid-sentence ("... loudly. and you won't ...") joins back on
    text = re.sub(r"\.\s+(?=(?:and|but|so)\s)", ", ", text)
    # "Could you take the trash out? and it's still there" -> "...? It's still there."
    text = re.sub(
        r"((?:^|[.!?]\s+)(?:Could|Would|Can|Will)\s+(?:you|we)\b[^.!?]*\?)\s+(?:and|but|so)\s+(?=[a-z])",
        r"\1 ",
        text,
    )
    # Mirror how the draft was typed: all lower case stays so, a missing full stop stays missing.
    if re.search(r"[A-Z]", draft.replace("I", "")) or any(
        re.match(r"[A-Z](?!['\s])", p) for p in pieces
    ):
        text = _upper_first(re.sub(r"([.!?])\s+([a-z])", lambda m: f"{m[1]} {m[2].upper()}", text))
    if draft.rstrip()[-1:].isalnum() and len(pieces) == 1:
        text = text.rstrip(".")
    return text


# --- helpers --------------------------------------------------------------------------------


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.!?;:])", r"\1", text)
    text = re.sub(r"([,;:])\s*(?=[,.!?;:])", "", text)
    text = re.sub(r"([.!?])\s*[,;:]+", r"\1", text)
    text = re.sub(r"(?<!\.)\.\s*\.(?!\.)", ".", text)  # "gas.." but not an ellipsis
    text = re.sub(r"([!?])\s*\.", r"\1", text)
    text = re.sub(r"^[\s,;:.!?\-]+", "", text)
    text = re.sub(r"\b(you|the|a|and|to|when|i)\s+\1\b", r"\1", text, flags=re.I)
    text = re.sub(r"\ba\s+(?=[aeiou])", "an ", text)
    # "like an person" after a word was replaced; "an hour" and "an FBI agent" stay
    text = re.sub(r"\b([Aa])n\s+(?=[bcdfgjklmnpqrstvwxyz])", r"\1 ", text)
    return text.strip()


# A quoted word or two inside a sentence, not reported speech: scare quotes ("you 'forgot'",
# "a 'quick' call") say "I don't believe you", so a calm version drops the quote marks.
_SCARE_QUOTES = re.compile(r"""(?<![\w'"])(['"])([^'"\n.!?]{1,40}?)\1(?![\w'"])""")
_SPEECH_BEFORE = re.compile(
    r"\b(?:say|says|said|saying|ask|asks|asked|text|texts|texted|wrote|write|writes|call|calls"
    r"|called|reply|replied|tell|told|answer|answered|word|words|like|go|goes|went)\s*[,:]?\s*$",
    re.I,
)


_MID_SENTENCE_CAPITAL = re.compile(
    r"(?<=[a-z,;] )(The|My|Your|Our|His|Her|Their|This|That|These|Those|A|An)\b"
)


def _restore_case(text: str, draft: str) -> str:
    """Names as the draft wrote them ("Ana and luis" -> "Ana and Luis"), and a sentence's first
    word lowered where it lands mid-sentence ("talk about The kids" -> "the kids")."""
    names = {
        m.group().lower(): m.group()
        for m in re.finditer(r"(?<=[a-z,;] )[A-Z][a-z]+\b", draft)
        if not getAllLemmas(m.group().lower())  # "Will", "Rose": words too, left alone
    }
    if names:
        text = re.sub(
            r"\b(" + "|".join(map(re.escape, names)) + r")\b", lambda m: names[m.group()], text
        )
    text = _MID_SENTENCE_CAPITAL.sub(lambda m: m.group().lower(), text)
    return _CALENDAR_NAME.sub(lambda m: m.group().capitalize(), text)


# Days and months a draft typed in lower case ("pay it back by friday"); not "may", "march".
_CALENDAR_NAME = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|april"
    r"|june|july|september|october|november|december)\b"
)


def _drop_scare_quotes(text: str) -> str:
    def keep_or_drop(m: re.Match) -> str:
        inner = m.group(2)
        if len(inner.split()) > 4 or _SPEECH_BEFORE.search(text[: m.start()]):
            return m.group()
        return inner

    return _SCARE_QUOTES.sub(keep_or_drop, text)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first in ("I", "I'm", "I've", "I'd", "I'll") or (len(first) > 1 and first.isupper()):
        return text
    return text[:1].lower() + text[1:]


def is_english(text: str) -> bool:
    """Whether the draft is (mostly) English, the only language this engine rewrites."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return True
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    if latin < 0.7 * len(letters):
        return False
    lang = _data()["language"]
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", fold(text))
    english = sum(w in set(lang["english"]) for w in words)
    foreign = sum(w in set(lang["foreign"]) for w in words)
    return not (foreign >= 2 and foreign > english) and not (
        foreign >= 1 and english == 0 and len(words) >= 3
    )


# --- the interface --------------------------------------------------------------------------


def gentle_edit(text: str) -> str:
    """The light edit alone: the draft with its hostility taken out, otherwise as written.

    No safety screen here (it is for measuring the edit); a person's draft goes through
    rewrite_offline, which screens first.
    """
    findings = analyze(check_text(text, what="draft", limit=MAX_DRAFT_CHARS))
    if not findings or not is_english(text):
        return text
    clauses = _read(text)
    plan = _plan(clauses, text)
    plan.absolutes = {fold(f.text) for f in findings if f.kind == "absolute"}
    return _gentle_text(text, clauses, plan, _checked(_compose(plan), plan))


def rewrite_offline(text: str, proceed: bool = False) -> RewriteResult:
    """The draft as a calm first-person message with one request, plus gentle and brief versions.

    A flagged draft gets the safety response only; where its category allows it
    (docs/safety.md), `proceed=True` rewrites it too, the safety response kept in the result."""
    text = check_text(text, what="draft", limit=MAX_DRAFT_CHARS)
    cleaned, positions = clean_with_positions(text)
    if cleaned == text:
        return _rewrite(text, proceed)
    # Invisible or look-alike characters: work on what they spell, show what was typed.
    result = _rewrite(cleaned, proceed)
    result.input = text
    for f in result.findings:
        f.start, f.end = positions[f.start], positions[f.end - 1] + 1
        f.text = text[f.start : f.end]
    if not result.changed:
        result.rewrite = text
    return result


def _rewrite(text: str, proceed: bool) -> RewriteResult:
    verdict = safety.screen(text, draft=True)
    findings = analyze(text)
    if verdict.flagged and not (proceed and verdict.may_continue):
        what = (verdict.category or "something serious").replace("_", " ")
        note = (
            f"I didn't rewrite this draft: it touches on {what}, which matters more than the "
            "wording. The safety message says where to get help."
        )
        return RewriteResult(text, "", False, [], findings, verdict, "offline", note)
    if not is_english(text):
        return RewriteResult(
            text, text, False, [], [], verdict, "offline", _data()["language"]["note"]
        )
    with_lead = _with_kind_lead(text, proceed, verdict)
    if with_lead:
        return with_lead
    # No word pattern names anything: the tone classifier decides whether it lands badly.
    # The lexicon's kind reading (praise words with no complaint cue) no longer
    # overrules it. It did for the tone vote, whose nearest sentences shared the topic more
    # than the tone; against the fine-tuned classifier, of the dev drafts it overruled
    # (2026-12-07) 95 were hostile and 0 kind, nearly all sarcasm in thanks ("Thanks for
    # listening tonight, makes a change.", "Really appreciate being consulted.").
    part = (tone_part(text) or _reproach_sentence(text)) if not findings else None
    if part:
        # No word pattern names it, but it reads as cutting: say which part, and say what the
        # sender wants plainly when the draft has a shape that carries it (an ultimatum, a
        # bare command); else help write it.
        tone = Finding("tone", part, text.find(part), 0, TONE_WHY)
        tone.end = tone.start + len(tone.text)
        shaped = _tone_shaped(text)
        if shaped is None:
            return _guided(text, [tone], verdict, "tone")
        rewrite, alternatives, note = shaped
        return RewriteResult(text, rewrite, True, alternatives, [tone], verdict, "offline", note)
    if not findings:
        note = (
            "There is nothing hostile in the wording to soften, so I left it as it is."
            if verdict.flagged
            else "Nothing in this draft reads as hostile, so I left it as it is."
        )
        return RewriteResult(text, text, False, [], [], verdict, "offline", note)
    if not aimed_at_them(text, findings) and not profanity(text) and tone_reads_fine(text):
        # A word finding in no sentence to the partner, in a draft the tone classifier reads
        # as clearly fine: a figure of speech ("can we do a lazy night in tonight"). Of the dev
        # drafts' word findings, out of fold: 6 of 34 kind ones freed, 0 of 133 hostile ones.
        # Swearing is always named ("fuck yeah! i told you, you would! congratulations b...").
        note = (
            f'The word check noticed "{findings[0].text}", but it is not aimed at them and the '
            "draft reads as fine, so I left it as it is."
        )
        return RewriteResult(text, text, False, [], findings, verdict, "offline", note)
    if _fond_absolute(text, findings):
        note = (
            f'The word check noticed "{findings[0].text}", but nothing in the draft is a '
            "complaint and it reads as fond, so I left it as it is."
        )
        return RewriteResult(text, text, False, [], findings, verdict, "offline", note)
    if affectionate(text, tone_score(text), findings):
        note = (
            "This reads as affectionate teasing, so I left it as it is; the word check noticed "
            f'"{findings[0].text}", which you may want to look at.'
        )
        return RewriteResult(text, text, False, [], findings, verdict, "offline", note)
    shaped = _tone_shaped(text, with_findings=True)
    if shaped:  # an ultimatum, or a reproach put as a question: what it asks is the message
        rewrite, alternatives, note = shaped
        return RewriteResult(text, rewrite, True, alternatives, findings, verdict, "offline", note)
    clauses = _read(text)
    plan = _plan(clauses, text)
    plan.absolutes = {fold(f.text) for f in findings if f.kind == "absolute"}
    if plan.judged:
        return _guided(text, findings, verdict, "gate")
    if plan.shutdown and not any(f.kind in _SHUTS_DOWN for f in findings):
        # The short-break reply fits a draft that shuts the talk down ("I'm done talking",
        # "Get over it already!").
        # Given to a jab with no complaint the engine can say ("Oh great, another Amazon
        # package"), it put a canned text in place of what the draft is about: blind readers
        # rated it unfaithful, with topics such as "the fourth". Say so, and help write it.
        return _guided(text, findings, verdict, "gate")
    rewrite = _restore_case(_checked(_compose(plan), plan), text)
    gentle = _restore_case(_gentle_text(text, clauses, plan, rewrite), text)
    brief = _restore_case(_brief(plan), text)
    if (
        not passes_gate(rewrite)
        or _spliced_question(rewrite)
        or _broken(rewrite)
        or _drops_topic(text, rewrite, plan)
        or _says_nothing_of_it(rewrite, plan)
        or _pasted_opener(plan.situation, rewrite)
        or _cut_left_broken(rewrite, text)
    ):
        return _guided(text, findings, verdict, "gate")
    # An alternative is shown only when it comes out clean; none is better than a bad one.
    # The tone classifier catches the gentle version that cut the insult and kept the jab.
    alternatives = [
        Alternative(style, alt)
        for style, alt in (("gentle", gentle), ("brief", brief))
        if alt
        and passes_gate(alt)
        and not _fragment(alt)
        and not _broken(alt)
        and not (style == "brief" and _spliced_question(alt))
        and tone_part(alt) is None
        and not _cut_left_broken(alt, text)
    ]
    kinds = sorted({f.kind.replace("_", " ") for f in findings})
    n = len(findings)
    parts = (
        f"{'the part' if n == 1 else f'the {n} parts'} that could land badly ({', '.join(kinds)})"
    )
    # Only the words the rewrite still has ("great" in "great, so you booked the trip..."
    # is the draft's sarcasm, not what it is about).
    kept = _draft_words(text, [t for t in topic_terms(text) if _kept(t, rewrite)])
    kept_text = f", and kept what it is about: {', '.join(kept[:3])}" if kept else ""
    note = fill(_data()["compose"]["note"], parts=parts, kept=kept_text)
    return RewriteResult(text, rewrite, True, alternatives, findings, verdict, "offline", note)


# A kind start then the complaint ("Thanks for dinner but you're a slob, the stove is covered
# in sauce"; "You looked great tonight. Shame you spent the party ..."). The counselor's
# references keep the kind start as it was and rewrite the rest; read whole, the engine put
# the thanks into the "when ___" ("I feel worn out when thanks for dinner but ...") or gave
# the guide (12 of the 14 dev drafts of that shape, 2026-12-07).
_BUT = re.compile(r"(?i),?\s+but\s+")
# The tone classifier reads some plain thanks as half sarcastic ("thanks for picking up the
# kids today, seriously appreciated": 0.38); a praise or thanks start below this is kept. Of
# the dev drafts' praise starts, the sarcastic ones scored 0.84 and more ("Thanks for
# tidying.", "Great job on the dishes.", "Nice, you noticed I cut my hair.").
KIND_LEAD_BELOW = 0.5


def _kind_lead(text: str) -> tuple[str, str, int] | None:
    """The draft split into a kind start and the rest, when its first sentence (or what comes
    before its first "but") is praise or thanks with no finding, reads as fine and is no
    question, and the rest carries the complaint. The rest comes with where it starts in `text`."""
    first = first_sentence(text)
    if first.strip() == text.strip():
        parts = _BUT.split(text, maxsplit=1)
        if len(parts) != 2:
            return None
        lead, rest = parts
    else:
        lead, rest = first, text[len(first) :]
    lead, rest = lead.strip(), re.sub(r"(?i)^\s*but\s+", "", rest.strip())
    if len(lead.split()) < 3 or lead.endswith("?") or len(rest.split()) < 3:
        return None
    if analyze(lead) or _BUT.search(lead) or not is_praise(fold(lead)):
        return None
    if not tone_reads_fine(lead, below=KIND_LEAD_BELOW):
        return None
    if not analyze(rest) and tone_part(rest) is None:
        return None  # the rest is no complaint either: the whole is read as it is
    return lead, _upper_first(rest), text.find(rest)


def _with_kind_lead(text: str, proceed: bool, verdict) -> RewriteResult | None:
    """The rewrite of the complaint after a kind start, with the kind start kept in front;
    None when the draft has no kind start or its complaint cannot be rewritten cleanly."""
    split = _kind_lead(text)
    if split is None:
        return None
    lead, rest, offset = split
    inner = _rewrite(rest, proceed)
    if not inner.changed or inner.guide or not inner.rewrite:
        return None
    lead = _upper_first(re.sub(r"([.!?])[.!?]+$", r"\1", lead))
    if not lead.endswith((".", "!")):
        lead += "."
    rewrite = f"{lead} {inner.rewrite}"
    if not passes_gate(rewrite):
        return None
    findings = [
        replace(
            f,
            text=text[f.start + offset : f.end + offset],
            start=f.start + offset,
            end=f.end + offset,
        )
        for f in inner.findings
    ]
    alternatives = [
        Alternative(a.style, f"{lead} {a.text}" if a.style == "gentle" else a.text)
        for a in inner.alternatives
    ]
    note = f"{inner.note} The kind start is kept as you wrote it."
    return RewriteResult(text, rewrite, True, alternatives, findings, verdict, "offline", note)


# Findings that are only a "you always/never ..." shape, which the word patterns read as a
# complaint when the predicate has no cue either way.
_ABSOLUTE_KINDS = {"absolute", "criticism"}


def _fond_absolute(text: str, findings: list) -> bool:
    """Whether a draft whose only findings are absolutes says nothing a complaint would
    ("You always smell like home", "You're always the first person I want to tell things
    to"): an absolute in it, no insult, no swearing, no complaint word anywhere, and the tone
    classifier reads it as clearly fine. Of the dev drafts with such findings only
    (2026-12-07), the 7 kind ones scored at most 0.09, the 3 hostile ones 1.00 (and carry no
    cue word either: "It's obvious you'd rather be with your mates than me"). Without an
    absolute it is not this shape: a held-out "You make me feel like I'm invisible in my
    own house" also scored under 0.2."""
    return (
        {f.kind for f in findings} <= _ABSOLUTE_KINDS
        and has_absolute(text)
        and not insults(text)
        and not profanity(text)
        and not has_complaint_cue(text)
        and tone_reads_fine(text)
    )


def _says_nothing_of_it(rewrite: str, plan: Plan) -> bool:
    """Whether a composed rewrite is only a feeling and the catch-all request ("I've been
    feeling upset lately. Could we talk about this tonight and find something that works for
    both of us?"): nothing of what happened, nothing of what the sender wants. Blind readers
    rated those unfaithful ("generic; loses the specific complaint"); of the dev drafts'
    rewrites, 2026-12-07, they were given to "Stop being such a lazy slob and help me",
    "Go out, have fun. I'll be here scrubbing the oven at midnight" and the like. A reply that
    only pauses the talk says what it means to."""
    if plan.shutdown or plan.situation:
        return False
    return bool(re.search(r"\bCould we talk about (?:this|it)\b", rewrite))


def _drops_topic(draft: str, rewrite: str, plan: Plan) -> bool:
    """Whether a composed rewrite keeps none of the things the draft is about: a canned text
    in place of the complaint ("I've been feeling upset lately. Could we talk about this
    tonight...?" for keys locked in the car; an honesty request for a lie-in on a Saturday).
    Readers rate those unfaithful; the guide keeps the draft's point in the person's hands.
    A reply that only pauses the talk has no topic to keep. The words are those the model
    engine's rewrite must keep too (check_rewrite): nouns alone are too few ("You don't
    listen to a single word I say" is about listening, not words). Of the 350 rewrites of
    the dev drafts, 38 kept none of them (2026-12-04), most a canned text or a kind draft
    read as a complaint ("I feel disappointed when me didn't go the way I'd hoped")."""
    if plan.shutdown:
        return False
    terms = topic_terms(draft)
    return bool(terms) and not any(_kept(t, rewrite) for t in terms)


def _tone_shaped(
    text: str, with_findings: bool = False
) -> tuple[str, list[Alternative], str] | None:
    """The rewrite, its brief alternative and the note from the draft's shape
    (helper/offline/tone_shapes.py), if one fits and its text passes every check a rewrite
    must; the brief one is shown only if it passes them too."""
    # Swearing and insults out of the words it keeps: "Clear your crap out of the spare room
    # by Friday or I'm binning it" asks to clear "your things".
    shaped = tone_rewrite(_shape_input(text), with_findings)
    if shaped is None:
        return None
    texts = (shaped.text, shaped.brief)
    if shaped.wish:  # what they do "every night" is wished "most nights"
        texts = tuple(_soften(t) for t in texts)
    rewrite, brief = (_restore_case(t, text) for t in texts)
    if not _shaped_ok(rewrite):
        return None
    alternatives = [Alternative("brief", brief)] if _shaped_ok(brief) else []
    return rewrite, alternatives, tone_note(shaped)


def _reproach_sentence(text: str) -> str | None:
    """The sentence of the draft that has a shape that is always a reproach ("Would it have
    killed you to text?", "How many times do I have to ask you to..."), which the tone
    classifier can read as fine: the words of the draft as typed, or the whole draft."""
    sentence = reproach(_shape_input(text))
    if sentence is None:
        return None
    return sentence if sentence in text else text


def _shape_input(text: str) -> str:
    """The draft as the tone shapes read it: normalized, swearing and insults out of it."""
    return _replace_insults(_unswear(normalize(text)))


def _shaped_ok(text: str) -> bool:
    return (
        passes_gate(text)
        and not _spliced_question(text)
        and not _broken(text)
        and tone_part(text) is None
    )


# Findings that end the talk, for which "Could we take a short break and talk again?" keeps
# what the draft says.
_SHUTS_DOWN = {"stonewalling", "demand"}


# What cutting a hostile part can leave: an infinitive with nothing before it ("Must be nice
# to sleep in while..." -> "To sleep in while..."), or a condition whose main clause lost its
# verb ("If you go to Vegas, don't bother coming home." -> "If you go to Vegas, coming home.").
_BARE_INFINITIVE = re.compile(r"^To\s+\w+")
_HEADLESS_CONDITION = re.compile(r"^If\b[^,]*,\s*[a-z]+ing\b")
# What is left of "fuck off with your excuses" or "I'm not talking about the Denver move": a
# preposition where the sentence began. (Not a gerund: "Running late", "Thinking of you" are
# how people text.)
_HEADLESS_OPENING = re.compile(r"^(?:with|about|for|of|at|from)\b(?![',])", re.I)


def _headless_opening(sentence: str) -> bool:
    return bool(_HEADLESS_OPENING.match(sentence)) and not _SUBJECT_LATER.search(sentence)


_SUBJECT_LATER = re.compile(r",\s*(?:I|you|we|he|she|they|it)\b")  # "To be fair, I ..."


# A question of the draft pasted into the "when ___" of a composed sentence keeps its word
# order: "I feel upset when do you honestly think I'm wrong", "I felt upset when could we get
# a takeaway" (5 of the 264 dev drafts rewritten, 2026-12-04; the issue's "I feel stressed
# when are you seriously going to be late"). Only mid-sentence: a text may start "When do...".
# After "when" or "because" a verb of asking comes first only in a question, whatever its
# subject ("when do agreements just mean very little to you"); after "that" it can start a
# clause ("the part that is hard"), so there only with a pronoun after it.
_ASKING = r"(?:do|does|did|are|is|was|were|can|could|will|would|have|has|should|shall|am)(?:n't)?"
_SPLICED_QUESTION = re.compile(
    rf"(?<=\w )(?:(?:when|because)\s+{_ASKING}\s+\w"
    rf"|that\s+{_ASKING}\s+(?:you|u|we|i|they|he|she|it)\b)",
    re.IGNORECASE,
)


def _spliced_question(text: str) -> bool:
    """Whether a composed text has a question spliced in where a clause should be."""
    return bool(_SPLICED_QUESTION.search(text))


# What cutting or replacing a word can leave that the draft did not have: "that things" (for
# "that shit"), "the and of" (a noun cut), a sentence ending on "to" or "kind of a", "you
# drooling not kind" (an insult replaced by a verdict). A blind reader rated 80 light edits
# (2026-12-07; 40 dev drafts', 40 ParaDetox's): these caught 13, all rated 1 or 2, and none
# of the 31 rated sendable. The tone classifier did not separate them: 14 of the 40 scoring
# 0.5 or more were sendable, 17 of the 40 below.
_CUT_LEFT = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(?:this|that|a|an|such|kind\s+of|pieces?\s+of|sort\s+of|one)\s+things\b",
        r"\b(?:the|a|an)\s+(?:and|or|but|of|to|we|is|are|was|at|with|so)\b",
        r"\b(?:the|a|an|to|of|for|with|and|or|but|your|my|our)\s*[.!?,]*\s*$",
        r"\bnot\s+kind\b",
    )
]


def _cut_left_broken(text: str, draft: str) -> bool:
    return any(rx.search(text) and not rx.search(draft) for rx in _CUT_LEFT)


def _broken(text: str) -> bool:
    """Whether a text lost a word a sentence cannot do without (the noun after "a massive",
    the verb after "could you"), or had a piece of the draft pasted where it does not fit."""
    return (
        _dangling_article(text)
        or _verb_missing(text)
        or bool(_PASTED.search(text))
        or bool(_MEASURED_AGAINST_ALL.search(text))
    )


# A verdict measured against everyone the sender has known: "the worst listener I have ever
# known" kept whole is blame, and with its superlative cut it is broken ("you're honestly the
# person I've met", "that's the thing I've heard"; a blind reader's worst-rated text of
# 2026-12-07, and ParaDetox's "the dumbest thing I've ever heard" shape).
# With the noun cut too, only the tail is left: "when you're struggling I've lived with" (from
# "ur the most useless person ive ever lived with", the last look as a user).
_MEASURED_AGAINST_ALL = re.compile(
    r"\bthe\s+(?:[\w'-]+\s+){0,2}?[\w'-]+\s+(?:(?:that|who)\s+)?(?:I|I've|I\s+have|I'd|I\s+had)"
    r"\s+(?:ever\s+)?(?:met|known|seen|heard|dated|had|been\s+with|come\s+across|lived\s+with)\b"
    r"|\b(?!(?:when|because|and|but|that|since|so|if|before|after|until|as|where|who|whom|"
    r"which|while|once|than)\b)[a-z]+\s+(?:I|I've|I\s+have|I'd)\s+(?:ever\s+)?"
    r"(?:met|known|dated|been\s+with|come\s+across|lived\s+with)\b",
    re.IGNORECASE,
)


# Pieces of a draft pasted into a composed sentence where they cannot stand: the draft's own
# I-statement inside the new one ("I feel hurt ... when I feel like I rarely get a lie-in"),
# a filler after "when" ("when ok so I might have bought another plant"), both from the dev
# drafts (2026-12-07); a question after "to" or "could you" ("I'd like you to do you think
# about...", "Could you do you think..."), from the blind reading of the sixth author's
# held-out drafts, so that one draft of theirs is no longer unseen.
_PASTED = re.compile(
    rf"\b(?:to|could\s+you|would\s+you|can\s+you)\s+{_ASKING}\s+(?:you|u|we|i|they)\b"
    r"|\bwhen\s+I\s+(?:feel|felt)\b"
    r"|\bwhen\s+(?:like|ok|okay|so|omg|lol|honestly|genuinely|literally|um|uh)\b"
    # "when you to call me that", from "how many times do I have to tell you not to call
    # me that" with its "not" cut (a draft written for a test, 2026-12-07)
    r"|\b(?:when|that|if)\s+(?:you|he|she|they)\s+to\s+[a-z]+",
    re.IGNORECASE,
)


# Where a verb must come next: "when you don't about the heating", "Would you be willing to
# about the heating?" (the verb of "How many times do I have to tell you about..." was the
# part cut). Adverbs may come between ("could you maybe", "you don't always").
_VERB_NEXT = re.compile(
    r"\b(?:you\s+(?:don't|didn't|won't|can't)|willing\s+to|(?:could|can|would|will)\s+you"
    r"|I\s+need\s+you\s+to|if\s+you\s+could)\s+(?:(?:maybe|please|just|not|also|really)\s+)*"
    r"([a-z']+)",
    re.IGNORECASE,
)


# Words no verb phrase starts with. (The word lists cannot say what is a verb: "text" is
# only a noun to them.)
_NOT_A_VERB = set(
    """about with for of at on in from into the a an my your our his her their this these
    those""".split()
)


def _verb_missing(text: str) -> bool:
    return any(m.group(1).lower() in _NOT_A_VERB for m in _VERB_NEXT.finditer(text))


# An article and an adjective with no noun after them: what is left when the name an insult
# called is cut and the words before it stay ("you really are a massive when you drink").
_ARTICLE_ADJECTIVE = re.compile(
    r"\b(?:a|an)\s+([a-z]+)(?=\s*(?:[,.!?;…]|$)|\s+(?:when|and|but|because|so|if|or|to)\b)",
    re.IGNORECASE,
)


def _dangling_article(text: str) -> bool:
    return any(
        set(getAllLemmas(word := m.group(1).lower())) == {"ADJ"} and word != "few"
        for m in _ARTICLE_ADJECTIVE.finditer(text)
    )


def _fragment(text: str) -> bool:
    """Whether an alternative has a sentence left without its subject and verb."""
    for sentence in sentences(text):
        sentence = sentence.strip()
        if _BARE_INFINITIVE.match(sentence) and not _SUBJECT_LATER.search(sentence):
            return True
        if _headless_opening(sentence):
            return True
        if _HEADLESS_CONDITION.match(sentence):
            return True
    return False


def _draft_words(text: str, stems: list[str]) -> list[str]:
    """The draft's own words for its topic stems ("dish" -> "dishes"), for a note the person
    reads."""
    found = []
    low = fold(text)
    for stem in stems:
        m = re.search(rf"\b{re.escape(stem)}[a-z']*", low)
        word = m.group(0) if m else stem
        if word not in found:
            found.append(word)
    return found


TONE_WHY = (
    "The tone (sarcasm, a dig, a sigh in words) can land as contempt even with no harsh "
    "word in it, so they hear the jab rather than what you need."
)


def passes_gate(text: str) -> bool:
    """The hard check every text shown must pass: no finding left in it.

    The tone vote is not used here: measured on the reference rewrites of
    evals/dev/rewrite-drafts.jsonl it scores 32% of good gentle versions (which state the
    complaint plainly, "You left the car with no gas") as hostile, so it would hide them.
    The tone classifier gates the alternatives and the rewrites made from a tone shape
    (_shaped_ok), not the composed main rewrite: it flags 7/346 of those references' main
    rewrites, 0/346 brief and 73/346 gentle ones, and 68/123 of the
    gentle versions the engine showed for the dev drafts, mostly the draft with its insult
    cut and the jab kept ("Must be exhausting.", "Is that so hard?"). A blind reader rated
    the engine's alternatives for a third author's drafts: of the 22 it flags none sendable
    (mean 1.36 of 5, 5 blame-free), of the 101 it passes 13 (mean 1.93) (2026-12-04)."""
    return bool(text.strip()) and not analyze(text)


def build_guide(draft: str, why: str) -> Guide:
    """A guided I-statement for `draft`: suggestions for its topic first, then general ones."""
    data = load_lexicon("guide.yaml")
    entry, _ = _topic_entry(draft)
    # The "when ___" is left for the person: pasted topic words read as nonsense there
    # ("when it comes to zombie and phone", a blind reader's example).
    situation = ""

    def pick(key: str, general: list[str]) -> list[str]:
        own = entry.get(key, "") if entry else ""
        if key == "need":
            own = _as_need(own)
        first = [own] if own and "{" not in own else []
        return list(dict.fromkeys([*first, *general]))[:6]

    return Guide(
        why=one_line(data["why"][why]),
        template=data["template"],
        situation=situation,
        feelings=pick("feeling", data["feelings"]),
        needs=pick("need", data["needs"]),
        requests=pick("request", data["requests"]),
    )


_ASKS = re.compile(r"^(?:could|would|can|will|shall)\b", re.IGNORECASE)
# A topic's need is a sentence of the rewrite ("I want to feel loved"); the guide's blank
# follows "because I need": what is wanted, or nothing ("I care about your health" is not a
# need the blank can take). Put in as it was, it read "because I need I want to feel loved".
_WANTS = re.compile(r"^I\s+(?:want|need|'d\s+like|would\s+like)\s+(?P<what>.+)$", re.IGNORECASE)


def _as_need(sentence: str) -> str:
    m = _WANTS.match(sentence.strip().rstrip("."))
    return m.group("what") if m else ""


def fill_guide(template: str, feeling: str, situation: str, need: str, request: str) -> str:
    """The guided I-statement with the person's choices in it: a blank left out reads as
    "___", and a request already phrased as a question ("Could you...?") is used as it is."""
    feeling, situation, need, request = (
        " ".join((part or "").split()).strip().rstrip(".?!")
        for part in (feeling, situation, need, request)
    )
    text = render(
        template,
        {
            "feeling": feeling or "___",
            "situation": situation or "___",
            "need": need or "___",
            "request": request or "___",
        },
    )
    if request and _ASKS.match(request):
        text = re.sub(r"Could we .*\?$", request[0].upper() + request[1:] + "?", text)
    return text


def _guided(text: str, findings: list, verdict, why: str) -> RewriteResult:
    guide = build_guide(text, why)
    note = "I didn't rewrite this draft; the guide shows a way to say it yourself."
    return RewriteResult(text, "", False, [], findings, verdict, "offline", note, guide)


def _gentle_text(text: str, clauses: list[Clause], plan: Plan, rewrite: str) -> str:
    """The light edit, from the best of: clause by clause, the words alone, a fallback."""
    gentle = _gentle(clauses, plan, text)
    cleaned = _soften(_soften_words(normalize(text)))
    cut = _cut_findings(cleaned)
    usable = bool(gentle) and not analyze(gentle) and not _same(gentle, text)
    # A clause-by-clause edit that lost most of a message with no complaint in it (a rant
    # about someone else) is worse than cutting the words out.
    complaint = plan.shutdown or any(c.shape in _BEHAVIOUR | {"insult"} for c in clauses)
    short = len(re.findall(r"\w+", gentle)) < 0.5 * len(re.findall(r"\w+", cleaned))
    if usable and not (short and not complaint and len(cut) > len(gentle)):
        return gentle
    if plan.shutdown:
        return fill(_data()["shutdown"]["gentle"], topic=plan.topic)
    if cut and not _same(cut, text):
        return cut
    return first_sentence(rewrite)


def _cut_findings(text: str) -> str:
    """The text with what the analysis still finds cut out, or '' if too little is left."""
    for f in sorted(analyze(text), key=lambda f: f.start, reverse=True):
        text = text[: f.start] + " " + text[f.end :]
    text = _upper_first(_tidy(text))
    return text if len(re.findall(r"[A-Za-z]+", text)) >= 3 else ""


def _checked(rewrite: str, plan: Plan) -> str:
    """The rewrite if the analysis finds nothing in it, else a plainer one that passes."""
    if not analyze(rewrite):
        return rewrite
    fallback = Plan(plan.feeling, plan.need, "", plan.request, "present", plan.topic)
    text = _compose(fallback)
    if not analyze(text):
        return text
    shutdown = _data()["shutdown"]
    request = fill(shutdown["request"], topic=plan.topic)
    return _compose(Plan(shutdown["feeling"], shutdown["need"], "", request, "present"))


def topic_terms(draft: str) -> list[str]:
    """The concrete words of the draft's topic (nouns first), which a rewrite must keep."""
    d = _data()
    stop = set(d["stopwords"])
    bad = {fold(h.word) for h in insults(draft)}
    low = fold(normalize(draft))
    cut = {low[s:e] for s, e in profanity(low)}
    nouns, verbs = [], []
    for word in re.findall(r"\$?\d[\d,.]*|[a-z][a-z'-]*[a-z]", low):
        if word in stop or word in bad or word in cut or len(word) < 2:
            continue
        if word[0] in "$0123456789":
            nouns.append(word.lstrip("$"))
            continue
        lemmas = getAllLemmas(word)
        if "NOUN" in lemmas or "PROPN" in lemmas:
            nouns.append(lemmas.get("NOUN", lemmas.get("PROPN", (word,)))[0])
        elif "VERB" in lemmas or "ADJ" in lemmas:
            verbs.append(lemmas.get("VERB", lemmas.get("ADJ"))[0])
        elif not lemmas:
            nouns.append(word)
    terms = []
    for t in nouns + verbs:
        if t not in terms and t not in stop:
            terms.append(t)
    return terms


def _kept(term: str, text: str) -> bool:
    stem = term[: max(4, len(term) - 2)] if len(term) > 4 else term
    return bool(re.search(r"(?<![a-z0-9])" + re.escape(stem), fold(text)))


def check_rewrite(draft: str, candidate: str) -> list[str]:
    """Plain-language problems with `candidate` as a rewrite of `draft`; [] means it passes."""
    problems = []
    found = analyze(candidate)
    if found:
        problems.append(f'it still contains {found[0].kind.replace("_", " ")} ("{found[0].text}")')
    low = fold(candidate)
    if not _FIRST_PERSON.search(low):
        problems.append('it isn\'t in the first person (no "I")')
    parts = sentences(candidate.strip())
    if not parts or not _REQUEST.search(fold(parts[-1])):
        problems.append("it doesn't end with a concrete request")
    terms = topic_terms(draft)
    if terms and not any(_kept(t, candidate) for t in terms):
        problems.append(f"it drops the topic ({', '.join(terms[:3])})")
    if len(parts) > 3:
        problems.append(f"it is {len(parts)} sentences long (three at most)")
    if re.sub(r"\W+", " ", low).strip() == re.sub(r"\W+", " ", fold(draft)).strip():
        problems.append("it is the same as the draft")
    return problems
