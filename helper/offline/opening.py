"""Openers: first sentences for a hard conversation, each built on advice the guidance gives.

The topic is read into a phrase one can say ("we keep arguing about money" -> "how we handle
money"); each technique the guidance teaches (a calm moment, appreciation, an "I" statement,
an open question, ...) is found in the guidance by search and quoted; the opener is that
technique's template with the phrase in it. Phrasings and techniques are data
(lexicon/openers.yaml); this module only reads the topic and puts the pieces together.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from lemminflect import getInflection

from helper.config import MAX_TOPIC_CHARS
from helper.lexicon import load as load_lexicon
from helper.offline.findings import analyze, blame_verbs
from helper.offline.safety import screen
from helper.results import Citation, Opener, OpenersResult, Passage
from helper.retrieval.citations import cite
from helper.retrieval.index import Index, Sentence
from helper.text.inflection import inflect_phrase, is_verb, verb_lemma
from helper.text.inputs import check_text
from helper.text.normalize import QUOTES
from helper.text.patterns import expand_macros
from helper.text.sentences import clauses
from helper.text.templates import render
from helper.text.tokens import words

MIN_OPENERS = 3
TARGET_OPENERS = 4
MAX_TIPS = 3
# A technique's weight for a topic: how well it fits the kind of topic (from the data), plus
# how alike the topic and what the technique is for are, plus how near the topic its passage is.
SUITS_WEIGHT = 1.0
PASSAGE_WEIGHT = 0.1
# Among the sentences that carry a technique, the one nearer the topic is quoted.
QUOTE_TOPIC_WEIGHT = 0.3
QUOTES_PER_TECHNIQUE = 3
SENTENCE_POOL = 40
# A sentence inside one of the passages the technique's search finds first is likelier to be
# the advice itself than one that only resembles the search phrase.
TOP_PASSAGES = 3
PASSAGE_BONUS = 0.15
TIP_MIN_FIT = 0.6
TIP_TOPIC_WEIGHT = 1.0  # a tip's closeness to the topic counts as much as its fit
TOPIC_CLEARLY_ABOUT_US = 0.42  # close enough to the guidance to be about the two of them
MAX_PHRASE_CHARS = 90

# The safety panel carries the help; the note only says why there are no openers.
SAFETY_NOTE = (
    "This sounds like it is about safety rather than communication, so there are no openers "
    "here: the guidance is written for ordinary disagreements."
)


# --- data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    kind: str
    patterns: tuple[re.Pattern, ...]
    slots: dict[str, str]
    past: tuple[str, dict[str, str]] | None = None  # kind and slots for a verb in the past


@dataclass(frozen=True)
class Technique:
    name: str
    find: str
    cue: re.Pattern
    suits: tuple[str, ...]
    fits: dict[str, float]
    say: dict[str, str]
    core: bool = False  # offered for every topic: the heart of how the guidance opens a talk

    def fit(self, kind: str) -> float:
        return self.fits.get(kind, self.fits.get("default", 0.0))

    def template(self, kind: str) -> str:
        return self.say.get(kind, self.say["default"])


def _words_alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """lexicon/openers.yaml, with its patterns compiled."""
    data = copy.deepcopy(load_lexicon("openers.yaml"))  # compiled below; the cache stays data
    macros = {
        "partner": f"my (?:{_words_alternation(data['partner_nouns'])})|he|she|you",
        "feeling": _words_alternation(data["feeling_words"]),
    }

    def compile_(pattern: str) -> re.Pattern:
        pattern = expand_macros(pattern.strip(), macros, where="openers.yaml")
        return re.compile(pattern, re.IGNORECASE)

    slot_names = ("about", "feel", "want", "ritual", "ask", "side")
    data["lead_ins"] = [compile_(p) for p in data["lead_ins"]]
    data["shapes"] = [
        Shape(
            kind=s["kind"],
            patterns=tuple(compile_(p) for p in s["patterns"]),
            slots={k: s[k] for k in slot_names},
            past=_past_slots(s.get("past"), slot_names),
        )
        for s in data["shapes"]
    ]
    data["general"] = {k: data["general"][k] for k in slot_names}
    data["techniques"] = [_technique(t) for t in data["techniques"]]
    data["tip_advice"] = {t["name"]: t["advice"] for t in data["tips"]}
    data["tips"] = [_technique({**t, "suits": [], "say": {"default": ""}}) for t in data["tips"]]
    data["drop"] = re.compile(data["drop"].strip(), re.IGNORECASE)
    data["partner"] = re.compile(
        rf"\bmy (?:{_words_alternation(data['partner_nouns'])})\b", re.IGNORECASE
    )
    for name in (
        "people",
        "reciprocal_verbs",
        "desire_verbs",
        "not_after_possessive",
        "topic_stopwords",
        "manner_verbs",
    ):
        data[name] = frozenset(w.lower() for w in data.get(name, []))
    return data


def _past_slots(past: dict | None, names: tuple[str, ...]) -> tuple[str, dict] | None:
    return (past["kind"], {k: past[k] for k in names}) if past else None


def _technique(t: dict) -> Technique:
    return Technique(
        name=t["name"],
        find=t["find"],
        cue=re.compile(t["cue"], re.IGNORECASE),
        suits=tuple(t["suits"]),
        fits={k: float(v) for k, v in t["fits"].items()},
        say=dict(t["say"]),
        core=bool(t.get("core", False)),
    )


# --- reading the topic ------------------------------------------------------------------------


@dataclass
class Framing:
    """What the topic is about, as phrases an opener can use."""

    kind: str
    slots: dict[str, str]
    query: str  # the topic as searched


def _tidy(text: str) -> str:
    text = " ".join(text.translate(QUOTES).split())
    return text.strip(" \"'").rstrip(" .!?;:,").strip()


def _first_sentence(text: str) -> str:
    parts = [p for p in clauses(text) if _tidy(p)]
    return parts[0] if parts else text


def _soften(text: str) -> str:
    lex = lexicon()
    text = lex["drop"].sub("", text)
    for word, softer in lex["soften"].items():
        text = re.sub(rf"\b{re.escape(word)}\b", softer, text, flags=re.IGNORECASE)
    return re.sub(r"\ball (?=(?:my|your|his|her|their|our|the) )", "", text, flags=re.IGNORECASE)


_SUBJECT = "\x00"  # marks a "you" that was a subject, so its verb can be made to agree


def _flip(text: str) -> str:
    """The partner, named in the third person, addressed as "you": "his phone" -> "your phone"."""
    lex = lexicon()
    skip = lex["not_after_possessive"]
    text = re.sub(lex["partner"].pattern + r"'s\b", "your", text, flags=re.IGNORECASE)
    text = lex["partner"].sub(_SUBJECT + "you", text)

    def her(m: re.Match) -> str:
        after = text[m.end() :].split(maxsplit=1)
        nxt = re.sub(r"[^a-z'-]", "", after[0].lower()) if after else ""
        return "your" if nxt and nxt not in skip else "you"

    text = re.sub(r"\bher\b", her, text, flags=re.IGNORECASE)
    text = re.sub(
        r"\b(?:he|she)'s (?=(?:been|got|gotten|had|done|gone|become|started|stopped)\b)",
        "you've ",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\b(?:he|she)'s\b", "you're", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:he|she)\b", _SUBJECT + "you", text, flags=re.IGNORECASE)
    text = re.sub(r"\bhim\b", "you", text, flags=re.IGNORECASE)
    text = re.sub(r"\bhis\b", "your", text, flags=re.IGNORECASE)
    text = re.sub(r"\bhers\b", "yours", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:himself|herself)\b", "yourself", text, flags=re.IGNORECASE)

    agreement = lex["agreement"]

    def agree(m: re.Match) -> str:
        adverbs, verb = m.group(1), m.group(2)
        low = verb.lower()
        if low in agreement:
            return f"you{adverbs}{agreement[low]}"
        if low.endswith("s") and not low.endswith("ss") and is_verb(low) and verb_lemma(low) != low:
            return f"you{adverbs}{verb_lemma(low)}"
        return f"you{adverbs}{verb}"

    adverbs = r"(?:just|still|really|often|usually|rarely|also|barely|hardly|sometimes)"
    text = re.sub(_SUBJECT + rf"you((?: {adverbs})* )([A-Za-z']+)", agree, text)
    return text.replace(_SUBJECT, "")


def _clip(text: str) -> str:
    """A phrase short enough to say: cut at a clause boundary past which it runs long."""
    text = text.strip(" ,;")
    if len(text) <= MAX_PHRASE_CHARS:
        return text
    cuts = [
        m.start()
        for m in re.finditer(
            r",| but | because | so | which | while | and (?=(?:he|she|they|i|we|you|my|it)\b)",
            text,
        )
        if 10 <= m.start() <= MAX_PHRASE_CHARS
    ]
    if cuts:
        return text[: cuts[-1]].strip(" ,;")
    return text[:MAX_PHRASE_CHARS].rsplit(" ", 1)[0]


_CLAUSE_END = re.compile(
    r"(?:,|;| -| –)\s*(?:and|but|so|because|which|while|honestly|though|plus)?\s"
    r"| (?:and|but|so|because) (?=(?:i|he|she|we|you|it|they|my|honestly|now)\b)",
    re.IGNORECASE,
)


def _phrase(text: str | None, whole: bool = False) -> str:
    """A captured part of the topic, ready to say to the partner: its first clause (unless
    `whole`), absolutes softened, the partner as "you"."""
    if not text:
        return ""
    if not whole:
        m = _CLAUSE_END.search(text, 1)
        text = text[: m.start()] if m else text
    text = _clip(_flip(_soften(text)))
    text = re.sub(r"\bi\b", "I", text)
    return " ".join(text.split())


def _lower_first(text: str) -> str:
    if text[:2] in {"I ", "I'"} or text == "I":
        return text
    return text[:1].lower() + text[1:]


def _strip_lead_in(text: str) -> str | None:
    for pattern in lexicon()["lead_ins"]:
        rest = pattern.sub("", text, count=1).strip(" ,")
        if rest != text and rest:
            return rest
    return None


def _contractions(text: str) -> str:
    """ "he's been" -> "he has been", "she's" -> "she is": the shapes read the long forms."""
    text = re.sub(r"\b(he|she)'s (?=been\b)", r"\1 has ", text, flags=re.IGNORECASE)
    return re.sub(r"\b(he|she)'s\b", r"\1 is", text, flags=re.IGNORECASE)


def frame(topic: str) -> Framing:
    """Read the topic: its kind and the phrases its openers are built from."""
    lex = lexicon()
    text = _tidy(_first_sentence(topic))
    text = _contractions(lex["drop"].sub("", text)).strip(" ,")
    stages = [text]
    while (rest := _strip_lead_in(stages[-1])) is not None and len(stages) < 8:
        stages.append(rest)
    # The most peeled stage first: "I want to talk about how we split the chores" is about
    # "how we split the chores", not a wish to talk.
    for stage in reversed(stages):
        for shape in lex["shapes"]:
            for pattern in shape.patterns:
                m = pattern.match(stage)
                if not m:
                    continue
                values = _values(m)
                kind, slots = shape.kind, shape.slots
                if shape.past and values.get("is_past"):
                    kind, slots = shape.past
                return Framing(kind, _format_slots(slots, values), stages[-1])
    return _general(stages[-1])


def _general(text: str) -> Framing:
    lex = lexicon()
    words = text.split()
    low = [w.lower() for w in words]
    aux = {"should", "can", "could", "do", "does", "is", "are", "will", "would", "shall"}
    subjects = set(
        "we i you it there they he she i'm i've i'd we're we've it's they're there's you're "
        "you've".split()
    )
    if len(low) > 2 and low[0] in aux and low[1] in subjects | {"my"}:
        # "should we get a dog" -> "whether we should get a dog"
        keep_aux = [] if low[0] in {"do", "does"} else [low[0]]
        text = " ".join(["whether", words[1], *keep_aux, *words[2:]])
    elif low and (
        low[0] in subjects
        # "my mum staying with us" is already a noun phrase: no "the fact that" before it
        or (
            len(low) > 2
            and low[0] in {"my", "our"}
            and is_verb(low[2])
            and low[2] != "love"
            and not low[2].endswith("ing")
        )
        or lex["partner"].match(text)
    ):
        # a clause: "how we talk to each other", but "the fact that I'm pregnant"
        manner = any(verb_lemma(w) in lex["manner_verbs"] for w in low[1:4])
        text = ("how " if manner and not low[0].startswith("i") else "the fact that ") + text
    phrase = _lower_first(_phrase(text, whole=True)) or text
    return Framing("general", _format_slots(lex["general"], {"x": phrase}), text)


_TIME = re.compile(
    r"\b(?:lately|recently|since|these days|when|whenever|after|now"
    r"|for (?:a|the|weeks|months|years|days|some))\b"
)
_WH = re.compile(r"(?:whose|who|what|where|when|whether|how|which|if|why)\b")


def _values(m: re.Match) -> dict[str, str]:
    """What a shape's templates can use, from its captures (see lexicon/openers.yaml)."""
    lex = lexicon()
    groups = {k: v for k, v in m.groupdict().items() if v is not None}
    raw_verb = (groups.get("verb") or "").strip()
    x = _lower_first(_phrase(groups.get("x")))
    values: dict[str, str] = {"x": x}
    first_x = x.split()[0].lower() if x else ""

    if raw_verb:
        verb = raw_verb.lower()
        base = verb_lemma(verb)
        implied = lex["implied_objects"].get(base)
        if implied and (not x or re.match(r"(?:at|on|in|with|for|doing)\b", first_x)):
            values["x"] = x = f"{implied} {x}".strip()  # "spends at the gym" -> "spends time..."
            first_x = implied
        ing = inflect_phrase(verb, "VBG")
        values |= {
            "verb": verb,
            "base": base,
            "past": inflect_phrase(verb, "VBD"),
            "pp": inflect_phrase(verb, "VBN"),
        }
        values["is_past"] = "yes" if _is_past(verb, base) else ""
        values["clause"] = _phrase(f"{raw_verb}{groups.get('x') or ''}")
        if base == "be":
            # "is on your phone" -> "on your phone"; "is working late" -> "working late"
            ing = "" if first_x.endswith("ing") else "being"
            values["been_ing"] = ""
        else:
            values["been_ing"] = ing
        if base in lex["desire_verbs"] and x:
            # "my partner doesn't want kids": how we each feel about it, not a verdict
            ing = "how we each feel about"
            values["x"] = x = re.sub(r"^to (\w+)", lambda t: inflect_phrase(t.group(1), "VBG"), x)
        values["ing"] = ing

    base = values.get("base", "")
    x_each = x
    if base in lex["together_verbs"]:
        values["ing"] = lex["together_verbs"][base]
        x_each = re.sub(r"^(?:to )?(?:me|us|each other)\b\s*", "", x)
    values["x_each"] = re.sub(r"\b(?:me|us)\b", "each other", x_each)
    quarrel = values.get("ing", "")
    values["fighting"] = quarrel if re.fullmatch(r"[a-z]+ing", quarrel) else "arguing"
    values["the_x"] = re.sub(r"^(?:a|an|one) ", "the ", x)
    values["room_for"] = f"more {x}" if first_x == "time" else f"more room for {x}"
    single = bool(x) and " " not in x and not first_x.endswith("ing")
    values["how_much"] = "how often" if base == "be" and single else "how much"
    values["my_x"] = f"my {x}" if first_x.endswith("ing") else values["the_x"]

    if re.search(r"\b(?:together|each other|you|your|us|with)\b", x):
        values["with_you"] = ""
    elif base in lex["reciprocal_verbs"]:
        values["with_you"] = " you"
    else:
        values["with_you"] = " with you"
    if x and not re.match(r"(?:to|at|on|in|with|for|about|me|us|you|it|that|this)\b", first_x):
        values["with_x"] = f"with {x}"
    else:
        values["with_x"] = f"when you {values.get('clause', x)}".strip()

    head = x.split()[-1].lower() if x else ""
    if _WH.match(x):
        values["handle"], values["handling"] = x, f"deciding {x}"
    elif first_x.endswith("ing"):  # "having kids"
        values["handle"] = f"where we each stand on {x}"
        values["handling"] = f"talking through {x}"
    elif head in lex["people"] or head.rstrip("s") in lex["people"]:
        values["handle"], values["handling"] = f"things with {x}", f"handling things with {x}"
    else:
        values["handle"], values["handling"] = f"how we handle {x}", f"handling {x}"

    rest = _phrase(groups.get("rest"))
    values["rest"] = f" {rest}" if rest else ""
    values["since"] = rest or "lately"
    adj = _phrase(groups.get("adj")).lower()
    values["adj"] = adj
    if adj.split(" ")[0].endswith("ing"):  # "drifting apart"
        values["state"] = f"how we've been {adj}"
    elif base in {"be", "feel", "seem", ""}:
        values["state"] = f"how {adj} we've {values.get('pp', 'been')}"
    else:
        values["state"] = f"how we've {values['pp']} {adj}"

    y = _lower_first(_phrase(groups.get("y")))
    values["y"] = y
    values["lately"] = "" if _TIME.search(y) else " lately"
    first = re.sub(r"[^a-z]", "", y.split()[0].lower()) if y else ""
    values["need"] = lex["needs"].get(first, lex["needs_default"])
    return values


def _is_past(verb: str, base: str) -> bool:
    """ "forgot", "said": a past event, not a habit ("works", "is")."""
    if " " in verb or base == "be" or verb == base:
        return False
    return verb in getInflection(base, "VBD")


def _format_slots(templates: dict[str, str], values: dict[str, str]) -> dict[str, str]:
    """Fill the slot templates; `about` first, since the others may use it."""
    out: dict[str, str] = {}
    out["about"] = _say(templates["about"], values)
    values = {**values, "about": out["about"]}
    for name, template in templates.items():
        if name != "about":
            out[name] = _say(template, values)
    # the technique templates may use the topic's own words too
    return {**{k: v for k, v in values.items() if isinstance(v, str)}, **out}


def _say(template: str, values: dict[str, str]) -> str:
    text = render(template, values, where="openers template")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\btogether together\b", "together", text)
    return re.sub(r"\s+([,.?!;])", r"\1", text)


# --- the guidance: each technique's sentences, found once per index ---------------------------


@dataclass
class Quote:
    sentence: Sentence
    passage: Passage
    base: float  # how well the sentence answers the technique's search (cosine, + bonus)
    vector: np.ndarray


@dataclass
class Guide:
    # each technique with the vectors of what it suits (one row each) and its quotes
    techniques: list[tuple[Technique, np.ndarray, list[Quote]]] = field(default_factory=list)
    tips: list[tuple[Technique, list[Quote]]] = field(default_factory=list)


def _unit(vectors) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norms == 0, 1.0, norms)


def guide(index: Index) -> Guide:
    """Each technique's candidate sentences in this index's guidance (found once per index
    generation: a rebuilt index has new ones)."""
    return index.memo("opening-guide", _build_guide)


def _build_guide(index: Index) -> Guide:
    lex = lexicon()
    passages = {
        c.id: Passage(c.id, c.text, c.doc, c.title, c.section, c.start, c.end) for c in index.chunks
    }
    built = Guide()
    found = {t.name: _quotes(index, t, passages) for t in lex["techniques"] + lex["tips"]}
    # One embedding call for everything: what each technique suits, then each quote.
    suits = [(t.name, text) for t in lex["techniques"] for text in t.suits]
    quotes = [q for qs in found.values() for q in qs]
    texts = [text for _, text in suits] + [q.sentence.text for q in quotes]
    vectors = _unit(index.embedder.embed(texts)) if texts else np.zeros((0, 1))
    for q, v in zip(quotes, vectors[len(suits) :], strict=True):
        q.vector = v
    for t in lex["techniques"]:
        rows = [v for (name, _), v in zip(suits, vectors, strict=False) if name == t.name]
        matrix = np.stack(rows) if rows else np.zeros((0, vectors.shape[-1]), dtype=np.float32)
        if found[t.name]:
            built.techniques.append((t, matrix, found[t.name]))
    built.tips = [(t, found[t.name]) for t in lex["tips"] if found[t.name]]
    return built


def _quotes(index: Index, technique: Technique, passages: dict[str, Passage]) -> list[Quote]:
    """The sentences that carry the technique (its cue), best first: from the passages the
    search finds and from the sentences nearest the search phrase anywhere in the guidance."""
    retrieval = index.retrieve(technique.find)
    top = [p.id for p in retrieval.passages[:TOP_PASSAGES]]
    found: dict[str, tuple[Sentence, float]] = {}
    for s, cosine in index.sentences(retrieval, SENTENCE_POOL):
        found[s.id] = (s, cosine)
    for s, cosine in index.sentences(retrieval, SENTENCE_POOL, top):
        found[s.id] = (s, cosine + PASSAGE_BONUS)
    quotes = []
    for s, score in sorted(found.values(), key=lambda f: (-f[1], f[0].doc, f[0].start)):
        text = s.text.strip()
        if text.endswith(":") or text.endswith("?") or s.chunk not in passages:
            continue  # a list's label or a question is not advice to quote
        if technique.cue.search(text):
            quotes.append(Quote(s, passages[s.chunk], score, np.zeros(1)))
    return quotes[:QUOTES_PER_TECHNIQUE]


def _relevance(suits: np.ndarray, topic: np.ndarray) -> float:
    """How near the topic is to the nearest thing the technique is especially for."""
    return float(np.max(suits @ topic)) if len(suits) else 0.0


def _best_quote(quotes: list[Quote], topic: np.ndarray) -> Quote:
    return max(quotes, key=lambda q: q.base + QUOTE_TOPIC_WEIGHT * float(q.vector @ topic))


# --- checks ---------------------------------------------------------------------------------

_FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|i'll|me|my|we|we're|we've|us|our)\b")


def topic_words(topic: str) -> list[str]:
    """The topic's content words, cut to four letters (chores -> chor)."""
    stop = lexicon()["topic_stopwords"]
    found = [t for t in (w.lstrip("'") for w in words(topic)) if len(t) > 1]
    return sorted({w[:4] for w in found if w not in stop and len(w) > 2})


def uses_topic(text: str, stems: list[str]) -> bool:
    low = text.lower().translate(QUOTES)
    return not stems or any(re.search(r"(?<![a-z])" + re.escape(s), low) for s in stems)


def check_opener(text: str, stems: list[str], *, classify: bool = True) -> str:
    """Why an opener cannot be offered ("" when it can). `classify=False` for an opener
    built here from a template and the topic's words: the topic already passed the
    classifier at its stricter threshold, and classifying each candidate took openers from
    8 ms to over 100 ms."""
    if not _FIRST_PERSON.search(text.lower().translate(QUOTES)):
        return "not in the first person"
    if analyze(text):
        return "has a finding"
    if screen(text, draft=True, classify=classify).flagged:  # a message to the partner
        return "set off the safety screen"
    if not uses_topic(text, stems):
        return "does not use the topic's words"
    return ""


# --- openers ----------------------------------------------------------------------------------


class _Numbers:
    """Citation numbers: one per quoted span, in order of first use."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, int], int] = {}

    def cite(self, quote: Quote) -> Citation | None:
        key = (quote.passage.doc, quote.sentence.start)
        citation = cite(
            self.seen.get(key, len(self.seen) + 1), quote.passage, quote.sentence.text.strip()
        )
        if citation is not None:
            self.seen.setdefault(key, citation.n)
        return citation


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def openers_offline(topic: str, index: Index) -> OpenersResult:
    """Three to five openers for the topic, each citing the guidance it follows, and tips."""
    topic = check_text(topic, what="topic", limit=MAX_TOPIC_CHARS)
    safety = screen(topic)
    if safety.flagged:
        return OpenersResult(topic=topic, note=SAFETY_NOTE, safety=safety)
    framing = frame(topic)
    built = guide(index)
    if not built.techniques:
        return OpenersResult(
            topic=topic, note="The guidance has no passages to build openers from yet."
        )
    retrieval = index.retrieve(framing.query)
    if not about_us(topic, retrieval):
        return OpenersResult(topic=topic, note=NOT_ABOUT_US.format(topic=topic.strip()))
    vector = _unit(retrieval.vector)
    stems = topic_words(framing.query)
    numbers = _Numbers()

    ranked = []
    for technique, suits, quotes in built.techniques:
        quote = _best_quote(quotes, vector)
        score = (
            technique.fit(framing.kind)
            + SUITS_WEIGHT * _relevance(suits, vector)
            + PASSAGE_WEIGHT * retrieval.similarity.get(quote.passage.id, 0.0)
        )
        ranked.append((score, technique.name, technique, quote))
    ranked.sort(key=lambda r: (not r[2].core, -r[0], r[1]))

    shared, blames = _shared_thing(topic), _blames(topic)
    if blames:
        # "her forgetting my birthday" gave "How have you been feeling about your forgetting
        # my birthday lately?": a charge put as a question. What happened with the birthday
        # is what the two of them can talk about.
        framing = frame(shared)
        stems = topic_words(framing.query)
    openers = _openers(ranked, framing, stems, numbers)
    if not openers and shared and not blames:
        # "him ignoring our budget" puts a charge in every opener ("you ignoring...");
        # said as what the two of them share, it can be opened: "what happened with our
        # budget".
        framing = frame(shared)
        openers = _openers(ranked, framing, topic_words(framing.query), numbers)

    tips = _tips(built, framing.kind, vector, numbers)
    note = (
        "Each opener follows a piece of the guidance's advice on starting a hard conversation "
        "and cites it."
    )
    if not openers:
        note = NO_OPENER_PASSED
    elif len(openers) < MIN_OPENERS:
        count = "one opener" if len(openers) == 1 else f"{len(openers)} openers"
        note = f"Only {count} passed the checks for this topic. " + note
    return OpenersResult(topic=topic, openers=openers, tips=tips, engine="offline", note=note)


NO_OPENER_PASSED = (
    "Every opener I could build from these words read as a charge against your partner, so "
    "none is offered. Try naming it as something you share: “how we plan for birthdays” "
    "rather than “him forgetting my birthday”. The tips below still apply."
)

# The partner doing something to a thing of theirs or of both: "him forgetting our
# anniversary", "my husband ignoring my texts".
_PARTNER_DOING = re.compile(
    r"^(?:him|her|them|he|she|you|my \w+)\s+(?:\w+ly\s+)?(?P<verb>\w+ing)\s+"
    r"(?P<thing>(?:our|my|the|your|his|her)\s.+)$",
    re.IGNORECASE,
)


def _partner_doing(topic: str) -> re.Match | None:
    return _PARTNER_DOING.match(" ".join(topic.split()).rstrip(".!?"))


def _blames(topic: str) -> bool:
    """Whether the partner's doing in the topic is one of the blame verbs (forget, ignore,
    lie ...), which an opener cannot say to them without charging them."""
    m = _partner_doing(topic)
    return bool(m) and m["verb"].lower() in blame_verbs()


def _shared_thing(topic: str) -> str | None:
    """The topic said as what happened with the thing it is about, or None."""
    m = _partner_doing(topic)
    return f"what happened with {m['thing']}" if m else None


def _openers(ranked: list, framing: Framing, stems: list[str], numbers: _Numbers) -> list[Opener]:
    """Openers in the topic's own words first; only if too few pass, ones that say it more
    generally ("I'd like to hear how things have felt for you lately")."""
    openers: list[Opener] = []
    for required in (stems, []):
        for _, _, technique, quote in ranked:
            if len(openers) >= (TARGET_OPENERS if required else MIN_OPENERS):
                break
            text = _capitalize(_say(technique.template(framing.kind), framing.slots))
            if check_opener(text, required, classify=False) or any(o.text == text for o in openers):
                continue
            citation = numbers.cite(quote)
            if citation is not None:
                openers.append(Opener(text, [citation]))
    return openers


def _tips(built: Guide, kind: str, vector: np.ndarray, numbers: _Numbers) -> list[Opener]:
    """Up to MAX_TIPS tips for this topic: those that fit its kind, ranked by that fit and by
    how close the guidance sentence each cites is to the topic, so that different topics get
    different tips. A tip is said in the helper's words and cites the sentence it rests on."""
    advice = lexicon()["tip_advice"]
    scored = []
    for technique, quotes in built.tips:
        fit = technique.fit(kind)
        if fit < TIP_MIN_FIT:
            continue
        quote = _best_quote(quotes, vector)
        scored.append((fit + TIP_TOPIC_WEIGHT * float(quote.vector @ vector), technique, quote))
    scored.sort(key=lambda t: (-t[0], t[1].name))
    tips: list[Opener] = []
    for _, technique, quote in scored[:MAX_TIPS]:
        citation = numbers.cite(quote)
        if citation is not None:
            tips.append(Opener(advice[technique.name], [citation]))
    return tips


def about_us(topic: str, retrieval) -> bool:
    """Whether a topic is something between the two of them: a relationship word, a thing
    couples share (chores, money, family, time), or closeness to the guidance itself."""
    scope = load_lexicon("scope.yaml")
    vocabulary = set(scope["relationship_words"]) | set(scope["shared_life"])
    return retrieval.best_similarity >= TOPIC_CLEARLY_ABOUT_US or any(
        w in vocabulary or w.rstrip("s") in vocabulary for w in words(topic)
    )


NOT_ABOUT_US = (
    "“{topic}” doesn't sound like something between you and your partner, so there are no "
    "openers for it. Say what you'd like to talk about together, for example “how we share "
    "the housework” or “feeling distant lately”."
)
