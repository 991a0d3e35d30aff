"""A rewrite for a draft that lands badly through its tone alone: an ultimatum, a bare
command, a rhetorical question, a curt reply (the tone classifier finds it; no word is
hostile). The shapes are sentence patterns in helper/lexicon/tone_shapes.yaml; what the
sender wants is taken from the draft's own words and said plainly, with one request.

Pure logic: the caller (rewriting.py) checks the text it returns like every rewrite."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lemminflect import getAllLemmas

from helper.lexicon import load as load_lexicon
from helper.text.inflection import inflect, inflect_phrase, is_base_verb, verb_lemma
from helper.text.patterns import expand_macros
from helper.text.sentences import sentences
from helper.text.templates import render
from helper.text.tokens import words

# The @name macros of the shapes' patterns (tone_shapes.yaml).
MACROS = ("lead", "threat", "threat_strong", "times_asked")

# A sentence of a few words beside the one that carries the shape is a jab or an emphasis
# ("I'll wait.", "Cheers.", "Every one."): it is left out. A longer one says something the
# rewrite would lose, so then no shape is used.
_MAX_DROPPED_WORDS = 4
# A shape that caught a long stretch caught more than one thought.
_MAX_SLOT_WORDS = 14


@dataclass
class ToneRewrite:
    text: str
    brief: str  # one sentence: the feeling and the request
    shape: str
    why: str  # what makes the draft land badly, for the note
    sentence: str  # the sentence of the draft the shape was read from
    # what another person does, wished of the partner: its absolutes ("every night") are
    # softened like every rewrite's (the caller has the softening rules)
    wish: bool = False


@cache
def _data() -> dict:
    return load_lexicon("tone_shapes.yaml")


@cache
def _shapes() -> list[tuple[dict, re.Pattern]]:
    d = _data()
    macros = {name: d[name] for name in MACROS}
    return [
        (shape, re.compile(expand_macros(shape["pattern"], macros), re.IGNORECASE))
        for shape in d["shapes"]
    ]


def _is_command(act: str) -> bool:
    """Whether a clause starts the way a command does: a verb in its base form, with
    something after it, and no finite verb second ("Mark earns less", "Sex is off")."""
    words = [w.lower() for w in act.split()]
    said = " ".join(words) + " "
    if len(words) < 2 or any(said.startswith(e + " ") for e in _data()["not_commands"]):
        return False
    if not is_base_verb(words[0]):
        return False
    second_word = words[1].strip(",")
    lemmas = getAllLemmas(second_word)
    second = lemmas.get("VERB", ())
    if second and words[1] not in second and words[1].endswith("s"):
        return False
    # "Beard hair all over the sink is really in this season": a noun phrase then its verb
    return not (
        second_word not in _FUNCTION_WORDS
        and "NOUN" in lemmas
        and "VERB" not in lemmas
        and {"is", "are", "was"} & set(words)
    )


def _names_something(text: str) -> bool:
    """Whether a short reply names a thing: "a/the/my ... ", or a noun that is not also a
    verb or an adverb ("choice", not "fine" or "now")."""
    if re.search(r"\b(?:a|an|the|my|your|our|his|her|their|this|that)\s+\w", text, re.I):
        return True
    return any(
        "NOUN" in getAllLemmas(w) and not {"VERB", "ADV"} & set(getAllLemmas(w))
        for w in words(text)
        if w not in _FUNCTION_WORDS
    )


def _lower_first(text: str) -> str:
    return text if re.match(r"I\b", text) else text[:1].lower() + text[1:]


def _when_insisted(sentence: str) -> str:
    """The time an insisting sentence asks for: "Tonight." -> "tonight", "Now." -> soon."""
    low = sentence.lower()
    for word in ("tonight", "today"):
        if word in low:
            return word
    if re.search(r"\b(?:now|immediately|asap|this minute)\b", low):
        return "as soon as you can"
    return ""


def _insists(sentence: str) -> bool:
    return bool(re.match(_data()["insist"], sentence.strip(), re.IGNORECASE))


def _slots(groups: dict) -> dict:
    slots = {k: " ".join(re.sub(_data()["drop"], "", v).split()) for k, v in groups.items() if v}
    for key in ("act", "deed"):
        if key in slots:
            slots[key + "_past"] = inflect_phrase(slots[key], "VBD")
    if "done" in slots:  # "you've planned a date" -> "if you planned a date"
        slots["done_past"] = inflect_phrase(_base_form(slots["done"]), "VBD")
    if "be" in slots:  # "how embarrassing it was" -> "I found it really embarrassing"
        slots["found"] = "found" if slots["be"].lower() == "was" else "find"
    if "doing" in slots:  # "texting back" -> "text back"
        slots["doing_base"] = _base_form(slots["doing"])
    return slots


def _base_form(phrase: str) -> str:
    """The phrase with its first word, a verb, in the base form: "planned a date" -> "plan a
    date"."""
    first, _, rest = phrase.partition(" ")
    return f"{verb_lemma(first)} {rest}".strip()


def _englishwords(text: str) -> bool:
    """Every word is one the English word lists know (a reply in another language is not
    answered in English)."""
    return all(
        getAllLemmas(w) or w in _FUNCTION_WORDS or _CONTRACTION.search(w) for w in words(text)
    )


# "can't", "I'm", "it's": English contractions (French "c'est", "j'ai" are not of this form).
_CONTRACTION = re.compile(r"\w(?:n't|'s|'m|'re|'ll|'ve|'d)$", re.I)


# A second clause with its own subject inside a command.
# "Miss dinner tonight and you can cook for yourself": a consequence after the command makes
# it a dare, and asking for the command would ask for what the sender does not want.
_NEW_CLAUSE = re.compile(
    r"\b(?:and|but|so|or)\s+(?:I|I'll|I'm|we|we'll|it|it's|that's|you|you'll|you're)\b", re.I
)

# A clause after a command's comma that tells why, kept as a sentence of its own.
_SAID_AFTER = re.compile(
    r"(?:she|he|they|it|I|we|there)"
    r"(?:'s|'re|'ve|'ll|'m|\s+(?:is|are|was|were|has|have|had|keeps?|needs?))\b",
    re.I,
)

# Words the word lists leave out (they list nouns, verbs, adjectives and adverbs).
_FUNCTION_WORDS = {
    *("i", "you", "me", "my", "your", "we", "us", "our", "it", "this", "that", "these"),
    *("so", "not", "no", "if", "the", "a", "an", "and", "but", "or", "with", "to", "for"),
    *("of", "in", "on", "at", "about", "from", "yeah", "yep", "nope", "ok", "okay", "k"),
    *("whatever", "yourself", "myself", "ourselves", "yourselves", "itself"),
}


# The other couple, said of "you" and "me": the other partner's partner is the sender.
_PARTNER_NOUN = r"(?:wife|husband|partner|girlfriend|boyfriend|gf|bf|hubby|missus|fiancee?)"
_HE = re.compile(r"\b(?:husband|boyfriend|bf|hubby)s?$", re.I)
_ADVERBS = re.compile(
    r"^(?:(?:actually|still|always|at\s+least|even|literally|also|just|apparently|happily"
    r"|genuinely|somehow)\s+)+",
    re.I,
)
_MANAGES = re.compile(r"^(?:manages?|managed|seems?\s+to\s+manage)\s+to\s+", re.I)
_TIMES = re.compile(
    r"\s+(?:today|yesterday|this\s+morning|last\s+night|again|for\s+once)\b|\s+(?:to|for|with)"
    r"\s+(?:everything|everyone|anything|anyone)$",
    re.I,
)
# What makes a comparison unsayable as a wish: a negation ("never forgot": the wish is the
# opposite), "than" or "you" (the comparison is inside it), "more"/"less", a person's name
# (who the other couple's people are is unknown; a place after "in", a day, may stay).
_UNSAYABLE = re.compile(
    r"\b(?:never|not|n't|than|you|your|ur|u|more|less|better|worse|way|would|could)\b|n't\b", re.I
)
_NAME = re.compile(r"(?<!\bin\s)(?<!\bto\s)(?<!\bat\s)(?<!\bfrom\s)\b[A-Z][a-z]+\b")
_NOT_NAMES = set(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
    May June July August September October November December Christmas Easter""".split()
)
# After the act: a clause whose subject may be the other person ("Tom works at the same firm
# and he's home by 6"): what they do is said there, so the act before it is not the point.
_THEY_GO_ON = re.compile(r"^(?:,\s*|\s+)(?:and|but|yet|so)\s+(?:he|she|they)\b", re.I)
# After the act, the sender's own lot ("...gets a card and I get a text"): the complaint is the
# contrast, not a wish that the partner did what the other person does.
_I_GET = re.compile(r"^(?:,\s*|\s+)(?:and|but|yet|while|whereas)\s+(?:I|I'm|me)\b", re.I)


def _asked_of_you(who: str, act: str, after: str = "") -> str:
    """What another person does ("texts her every lunch break") as the sender's wish of the
    partner, in the past of "if you ...": "texted me every lunch break"; "" when it can't be
    said so."""
    has_partner = bool(re.search(_PARTNER_NOUN + r"s?$", who, re.I))
    he = bool(_HE.search(who))
    if _THEY_GO_ON.match(after) and not (has_partner and he and re.match(r"\W*\w+\s+she", after)):
        return ""  # "... and he's home by 6"; not "Priya's husband cooks and she didn't ask"
    if _I_GET.match(after):
        return ""  # "your brother gets a birthday card and I get a text": how I am treated
    act = _ADVERBS.sub("", act.strip())
    managed = _MANAGES.match(act)
    act = _TIMES.sub("", act[managed.end() :] if managed else act)
    if " still " in f" {act} ":
        act = act.split(" still ", 1)[1]  # "has three kids and a job and still finds time"
    first = act.split(" ", 1)[0].lower()
    plural = who.lower().endswith("s") and not who.lower().endswith("'s")
    finite = verb_lemma(first) != first or ((managed or plural) and is_base_verb(first))
    if not first or not finite or _UNSAYABLE.search(act):
        return ""  # not a finite verb ("would", "my"), or nothing to wish for
    if any(n not in _NOT_NAMES for n in _NAME.findall(act)):
        return ""
    said = re.sub(rf"\b(?:his|her|their)\s+{_PARTNER_NOUN}\b", "me", act, flags=re.I)
    if not has_partner and re.search(r"\b(?:her|him|his|she|he|they|them)\b", said, re.I):
        return ""  # "my brother helps her": who she is is unknown
    if he:  # "Anita's husband saves half his salary": his own, so "your salary"
        said = re.sub(r"\bhis\b", "your", said)
    # any other "her", "him", "his" is the other partner's partner: the sender
    said = re.sub(r"^(\w+\s+)(?:her|him)\b", r"\1me", said)  # "bought her flowers"
    said = re.sub(
        r"\b(?:her|him)\b(?=\s+(?:a|an|the|with|to|at|on|in|for|every|back|up|out|during|after"
        r"|before|from|about|when|like|so|and|first)\b)",
        "me",
        said,
    )
    said = re.sub(r"\b(?:her|him)$", "me", said)
    said = re.sub(r"\b(?:her|his)\b", "my", said)
    said = re.sub(r"\b(?:she|he)\s+(?:can|could)\b", "I could", said)  # "so she can sleep in"
    # "listens when she talks" -> "listened when I talked"
    said = re.sub(
        r"\b(when|while|if|because|before|after|until)\s+(?:she|he)\s+([a-z]+)\b",
        lambda m: f"{m.group(1)} I {inflect(verb_lemma(m.group(2)), 'VBD')}",
        said,
    )
    said = re.sub(r"\btheir\b", "our", said)
    if re.search(r"\b(?:she|he|they|them|him)\b", said, re.I):
        return ""
    said = re.sub(r"\ball\s+(?=the\b)", "", said)  # "does all the cooking" -> "did the cooking"
    return inflect_phrase(said, "VBD")


def tone_rewrite(draft: str, with_findings: bool = False) -> ToneRewrite | None:
    """A plain first-person version of `draft` from the shape of one of its sentences, or
    None when no shape fits it (the caller then offers the guide). `draft` is normalized;
    `with_findings`: a word of it is hostile too, and only the shapes marked for that apply."""
    found = [s.strip() for s in sentences(draft) if s.strip()]
    if not found:
        return None
    for i, sentence in enumerate(found):
        if _insists(sentence):
            continue
        others = [s for j, s in enumerate(found) if j != i]
        if any(len(words(s)) > _MAX_DROPPED_WORDS and not _insists(s) for s in others):
            continue
        soon = next((_when_insisted(s) for s in others if _insists(s)), "")
        for shape, rx in _shapes():
            m = rx.match(sentence)
            if not m or (with_findings and not shape.get("with_findings")):
                continue
            slots = {k: _lower_first(v) for k, v in _slots(m.groupdict()).items()}
            if shape.get("reason"):
                slots["after"] = shape["reason"]
            if shape.get("command") and not _is_command(slots.get("act") or slots["deed"]):
                continue
            if shape.get("comparison"):
                after = m.string[m.end("act") :]
                slots["act"] = _asked_of_you(m.group("who"), m.group("act"), after)
                if not slots["act"]:
                    continue
            if shape.get("said_after"):
                # "Ring your mother back, she's called me three times": the command ends
                # at the comma; what follows it is said after the request.
                act, _, after = slots["act"].partition(",")
                slots["act"], after = act.strip(), after.strip()
                if after and not _SAID_AFTER.match(after):
                    continue
                if after:
                    slots["after"] = after[0].upper() + after[1:] + "."
                if _NEW_CLAUSE.search(slots["act"]):
                    continue  # "Call me and I'll explain": two thoughts, not one request
            if any(len(v.split()) > _MAX_SLOT_WORDS for v in slots.values()):
                continue
            if re.search(r"\b(?:now|today|tonight|right away|asap)\b", slots.get("act", ""), re.I):
                soon = ""
            filled = {**slots, "soon": soon}
            text = render(shape["template"], filled, where="tone shape")
            brief = render(shape["brief"], filled, where="tone shape")
            return ToneRewrite(
                text, brief, shape["name"], shape["why"], sentence, bool(shape.get("comparison"))
            )
    if with_findings:
        return None
    dismissal = _data()["dismissal"]
    if (
        len(words(draft)) <= dismissal["max_words"]
        and _englishwords(draft)
        and not _names_something(draft)
        and not re.match(dismissal["not_starting"], draft, re.IGNORECASE)
        and not _is_command(draft.split(".")[0])
        # "dishes. sink. now.": insisting on a time is a command, not a pause
        and not any(_insists(s) for s in found)
    ):
        return ToneRewrite(
            dismissal["template"], dismissal["brief"], "dismissal", dismissal["why"], draft
        )
    return None


def reproach(draft: str) -> str | None:
    """The sentence of `draft` (normalized) that has a shape marked `reproach` in
    tone_shapes.yaml: a shape no kind message has ("How many times do I have to...", "Would
    it have killed you to..."), so the draft lands badly whatever the tone classifier reads."""
    for sentence in (s.strip() for s in sentences(draft) if s.strip()):
        for shape, rx in _shapes():
            if shape.get("reproach") and rx.match(sentence):
                return sentence
    return None


def note(rewrite: ToneRewrite) -> str:
    return render(_data()["note"], {"why": rewrite.why}, where="tone shape")
