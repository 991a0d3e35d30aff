"""The hard checks on a text before it is shown to the person, whoever wrote it.

A model may be weak, confused or steered by an injection in the draft or the guidance, so
every text it writes (rewrites, alternatives, explanations, openers, answer sentences) is
bounded in length, free of markup, free of links and phone numbers that its sources do not
contain, clear of the safety screen and clear of the hostility findings.
"""

from __future__ import annotations

import re

from helper.offline.findings import analyze, insults
from helper.offline.safety import screen
from helper.text.normalize import clean

# The longest each kind of text may be, in characters. Generous for what is asked (a rewrite
# is one to three sentences), so a good reply never meets them; a runaway reply always does.
LIMITS = {
    "rewrite": 600,
    "alternative": 400,
    "explanation": 300,
    "opener": 300,
    "answer sentence": 400,
}

# Markup of any kind: tags, entities, Markdown links and images, script URLs. Escaped on the
# page anyway; refused here so that a JSON caller never receives it either.
_MARKUP = re.compile(
    r"<\s*/?\s*[a-z!?][^>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);|!?\[[^\]]*\]\([^)]*\)|javascript:",
    re.IGNORECASE,
)
_LINK = re.compile(
    r"\b(?:https?://|www\.)\S+"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|uk|us|info|biz|xyz|app|ly|me|link|top|site)\b"
    r"(?:/\S*)?",
    re.IGNORECASE,
)
# Seven or more digits, perhaps split by spaces, dots, dashes or brackets: a phone number.
_PHONE = re.compile(r"\+?\(?\d(?:[\s().-]{0,2}\d){6,}")


def contacts(text: str) -> set[str]:
    """The links, e-mail addresses and phone numbers in `text`, normalised for comparison."""
    text = clean(text)
    found = {m.group(0).lower().rstrip(".,;:!?)'\"") for m in _LINK.finditer(text)}
    found |= {re.sub(r"\D", "", m.group(0)) for m in _PHONE.finditer(text)}
    return found


def shown_problem(text: str, kind: str, sources: str = "") -> str:
    """Why `text` (a `kind` of LIMITS) may not be shown, or "" when it may.

    `sources` is what the text may take links and numbers from: the guidance passages it was
    given, and the person's own words."""
    if not text.strip():
        return "it was empty"
    limit = LIMITS[kind]
    if len(text) > limit:
        return f"it ran to {len(text):,} characters ({limit} at most)"
    if _MARKUP.search(text):
        return "it contained markup"
    if contacts(text) - contacts(sources):
        return "it gave a link or phone number that the guidance does not contain"
    if screen(text, draft=True).flagged:  # text written to be shown or sent, not asked
        return "it set off the safety screen"
    found = hard_findings(text, kind)
    if found:
        what = found[0].kind.replace("_", " ")
        return f'it contained hostile wording ("{found[0].text}", {what})'
    return ""


def hard_findings(text: str, kind: str) -> list:
    """The findings no text shown may have: contempt (name-calling, swearing, sarcasm,
    shouting) and insults. The softer ones (an absolute such as "again" or "every night", a
    plain "you forgot") are for the main rewrite's own check (check_rewrite): a gentle
    version may describe what happened, and advice may state a rule ("never in the heat of
    the moment"). In an answer sentence or an explanation, which talk about people rather
    than to the partner, an insult word pinned on no one ("it can feel selfish") describes."""
    spans = {(i.start, i.end): i for i in insults(text)}
    hard = [
        f
        for f in analyze(text)
        if f.kind == "contempt" or (f.start, f.end) in spans or _verdict(f.text)
    ]
    if kind in ("answer sentence", "explanation"):
        hard = [f for f in hard if not _unaimed(spans.get((f.start, f.end)))]
    return hard


# "You always/never ..." is a verdict on who they are in any version of the message; "you
# forgot" or "again" may describe what happened.
_VERDICT = re.compile(
    r"\b(?:you|u)(?:\s*'?\s*re|\s+are)?\s+(?:\w+\s+)?(?:always|never|constantly)\b",
    re.IGNORECASE,
)


def _verdict(text: str) -> bool:
    return bool(_VERDICT.search(clean(text).replace("’", "'")))


def _unaimed(insult) -> bool:
    return insult is not None and not insult.framed
