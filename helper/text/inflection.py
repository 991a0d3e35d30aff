"""The one place that turns verbs into their forms (lemminflect, whose data ships with it)."""

from __future__ import annotations

from lemminflect import getAllLemmas, getInflection, getLemma

# Forms of "be" and "have", including the contractions and texting spellings drafts use.
BE = {"'re", "are", "is", "am", "'m", "be", "was", "were", "been", "being", "r"}
HAVE = {"'ve", "has", "had"}
_BE_FORMS = {"VBD": "were", "VBG": "being", "VBN": "been"}
# Verbs of texting that lemminflect's word lists know only as nouns ("she texts him" ->
# "texted", not "text").
_VERBS_THE_LISTS_MISS = {"text", "google", "facetime", "snapchat", "whatsapp", "venmo"}


def verb_lemma(word: str) -> str:
    """The base form of a verb ("kept" -> "keep"); an unknown word is its own lemma."""
    w = word.lower()
    if w in BE:
        return "be"
    if w in HAVE:
        return "have"
    lemmas = getLemma(w, upos="VERB")
    return lemmas[0] if lemmas else w


def inflect(lemma: str, tag: str, like: str = "") -> str:
    """`lemma` in the Penn form `tag` (VBD, VBG, VBN, VBZ...); `like` is the form the draft
    used, kept when it is one of the candidates ("lied", not "lay")."""
    if lemma == "be":
        return _BE_FORMS.get(tag, "are")
    if lemma != "have" and not is_verb(lemma) and lemma not in _VERBS_THE_LISTS_MISS:
        # Not a verb lemminflect knows (a name read as one: "and Luis" -> "luised"): as typed.
        return like or lemma
    forms = getInflection(lemma, tag=tag) or (lemma,)
    if like in forms:
        return like
    regular = [f for f in forms if f.endswith("ed")] if like.endswith("ed") else []
    return (regular or list(forms))[0]


def inflect_phrase(verb_phrase: str, tag: str) -> str:
    """The phrase with its first word in form `tag`: "deal with" -> "dealing with"."""
    first, _, rest = verb_phrase.partition(" ")
    return f"{inflect(verb_lemma(first), tag) if first else first} {rest}".strip()


def is_verb(word: str) -> bool:
    return "VERB" in getAllLemmas(word.lower())


def is_base_verb(word: str) -> bool:
    """Whether `word` is a verb in its base form ("fix", not "fixed" or "car")."""
    w = word.lower()
    return w in getAllLemmas(w).get("VERB", ())


def is_past(word: str) -> bool:
    """Whether `word` is a simple past form ("forgot", "was")."""
    w = word.lower()
    if w in ("was", "were"):
        return True
    lemma = verb_lemma(w)
    return w != lemma and w in (getInflection(lemma, tag="VBD") or ())
