"""The web page: Gradio Blocks over rewrite, openers and ask, and the plain functions that turn
their results into what the components show.

Gradio is imported here and nowhere else. Every piece of text that reaches an HTML component
goes through `html.escape` first, so markup in a draft is shown as text, never run.
"""

from __future__ import annotations

import hmac
import html
import ipaddress
import json
import logging
import os
import re
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

# Analytics are read from the environment when gradio is imported and when a page is built,
# so they are switched off before either can happen. Drafts are private.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# Gradio's queue rebuilds a pandas summary of its last 10,000 events after every event, for a
# monitoring dashboard this page does not serve: the cost grew with uptime until the page ran
# at half speed (38 calls/s fresh, 19 after 25,000 calls). One record, never summarised.
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))

import gradio as gr  # noqa: E402

from helper import get_engine  # noqa: E402
from helper.config import settings  # noqa: E402
from helper.engine import FUNCTIONS  # noqa: E402
from helper.errors import ConfigError, IndexUnavailable, InputError
from helper.results import (  # noqa: E402
    AskResult,
    Citation,
    Finding,
    OpenersResult,
    RewriteResult,
    Safety,
)
from helper.retrieval.citations import read_doc  # noqa: E402
from helper.retrieval.corpus import Document, load_corpus  # noqa: E402
from helper.text.markdown import plain  # noqa: E402

log = logging.getLogger("helper.ui")

EXAMPLE_DRAFT = "You never help with the dishes. I'm sick of doing everything myself."
DRAFT_EXAMPLES = [
    EXAMPLE_DRAFT,
    "Why do you always forget my birthday? It's like you don't even care.",
    "You're so selfish, you only think about yourself.",
    "Thanks for nothing. You said you'd pick up the kids and you forgot.",
    "Stop interrupting me!",
]
TOPIC_EXAMPLES = [
    "sharing the housework",
    "spending more time together",
    "how we handle money",
    "feeling distant lately",
]
QUESTION_EXAMPLES = [
    "How do I start a hard conversation with my partner?",
    "How can we get the spark back?",
    "What should I do when my partner isn't on board?",
    "How do we let go of old resentment?",
]

ALTERNATIVE_SLOTS = 4  # gentle, brief, and room for more styles
PASSAGE_MAX_CHARS = 1200  # a paragraph longer than this is shown as a window around the quote
KIND_COLORS = {
    "criticism": "#f4a7a7",
    "contempt": "#e79ad6",
    "defensiveness": "#f7c98b",
    "stonewalling": "#b9c4d9",
    "absolute": "#f6e08a",
    "demand": "#f9b88f",
    "loaded question": "#b7dcb0",
}
DOING = {
    "rewrite": "softening your message",
    "openers": "finding ways to open the conversation",
    "ask": "answering your question",
}

# System fonts only: the default theme fetches web fonts from a third party on every visit.
# Colours chosen for contrast (WCAG AA, checked by axe-core in tests/test_browser.py): the
# Soft theme's light rose and grey text falls short of 4.5:1 on its own backgrounds.
THEME = gr.themes.Soft(
    primary_hue="rose",
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"],
).set(
    button_primary_background_fill="#be123c",
    button_primary_background_fill_hover="#9f1239",
    button_primary_text_color="#ffffff",
    block_label_text_color="#9f1239",
    block_title_text_color="#9f1239",
    block_info_text_color="#4b5563",
    body_text_color_subdued="#4b5563",
)
CSS = """
.notice { padding: .6em .9em; border-radius: .5em; margin: .2em 0; }
.notice.error { background: #fdecec; border: 1px solid #e8a3a3; color: #7a1c1c; }
.notice.info { background: #eef5fb; border: 1px solid #b5cfe6; color: #1d3b57; }
.notice.safety { background: #fff4e0; border: 2px solid #e0a040; color: #4d3200; }
.notice.safety h3 { margin-top: 0; }
.engine-line { font-size: .85em; opacity: .75; }
.findings li, .openers li { margin-bottom: .5em; }
.finding-kind { font-weight: 600; text-transform: capitalize; }
.cite-marker { font-size: .8em; font-weight: 600; vertical-align: super; }
details.citation { border: 1px solid #ddd; border-radius: .5em; padding: .4em .8em;
                   margin: .4em 0; }
details.citation summary { cursor: pointer; }
details.citation .cite-head { font-weight: 600; }
details.citation summary .quote { display: block; margin: .3em 0 .1em 1.1em; }
.quote { font-style: italic; margin: .4em 0; }
.passage { white-space: pre-wrap; border-left: 3px solid #ccc; padding-left: .8em;
           margin: .4em 0; }
.passage mark { background: #fff1a8; padding: 0 .1em; }
.source-note { font-size: .85em; opacity: .75; }
footer > .divider:last-child { display: none; }  /* Gradio leaves a "·" after the last link */
footer .show-api, .info-text, [data-testid="block-info"] { color: #4b5563 !important; }
[data-testid="block-info"].has-info, label[data-testid="block-label"], .label {
  color: #9f1239 !important; }
#findings-highlight .label { color: #1f2937 !important; }
/* Gradio's highlighted text breaks words at any letter ("B" at a line's end, "ut" on the next,
   on a phone): lines break between words, and only a word longer than the line is cut. */
#findings-highlight .textfield { word-break: normal !important; overflow-wrap: anywhere; }
.tab-container button.selected { color: #be123c !important; }
.char-count { font-size: .8em; opacity: .75; text-align: right; margin-top: .2em; }
.char-count.over { color: #7a1c1c; opacity: 1; font-weight: 600; }
@media (max-width: 520px) {
  .tab-container button { padding-left: .45em !important; padding-right: .45em !important; }
}
"""

# A live count under each box with a limit: the page's own script, no request per key.
COUNTER_JS = """
() => {
  const limits = LIMITS;
  const update = (box) => {
    const id = box.closest('[id]') && box.closest('#draft, #topic, #question');
    if (!id) return;
    const limit = limits[id.id];
    let count = id.querySelector('.char-count');
    if (!count) {
      count = document.createElement('div');
      count.className = 'char-count';
      count.setAttribute('aria-live', 'polite');
      box.insertAdjacentElement('afterend', count);
    }
    const n = box.value.length;
    count.textContent = n.toLocaleString() + ' / ' + limit.toLocaleString() + ' characters';
    count.classList.toggle('over', n > limit);
  };
  document.addEventListener('input', (e) => {
    if (e.target.matches('textarea, input')) update(e.target);
  });
  const boxes = '#draft textarea, #topic textarea, #topic input, '
    + '#question textarea, #question input';
  const first = () => document.querySelectorAll(boxes).forEach(update);
  setTimeout(first, 300); setTimeout(first, 1500);
  setInterval(first, 2000);
}
"""


# -- plain conversions: results to what components show --------------------------------


def esc(text: object) -> str:
    """Text made safe to put inside HTML: markup shows as text."""
    return html.escape(str(text), quote=True)


def highlight_spans(text: str, findings: Sequence[Finding]) -> list[tuple[str, str | None]]:
    """The draft cut into (piece, kinds-or-None) for gr.HighlightedText. Where findings
    overlap, the text is cut at every edge and each piece names all the kinds over it, so a
    short finding inside a long one stays visible."""
    spans = [(max(0, f.start), min(f.end, len(text)), kind_label(f.kind)) for f in findings]
    spans = [s for s in spans if s[0] < s[1]]
    edges = sorted({0, len(text), *(a for a, _, _ in spans), *(b for _, b, _ in spans)})
    pieces: list[tuple[str, str | None]] = []
    for a, b in zip(edges, edges[1:], strict=False):
        kinds = list(dict.fromkeys(k for s, e, k in spans if s <= a and b <= e))
        label = " + ".join(kinds) or None
        if pieces and pieces[-1][1] == label:
            pieces[-1] = (pieces[-1][0] + text[a:b], label)
        else:
            pieces.append((text[a:b], label))
    return pieces or [(text, None)]


def kind_label(kind: str) -> str:
    return kind.replace("_", " ")


def findings_html(findings: Sequence[Finding]) -> str:
    """Each finding as the words it points at and why they land badly."""
    if not findings:
        return ""
    items = "".join(
        f'<li><span class="finding-kind">{esc(kind_label(f.kind))}</span>: '
        f"“{esc(f.text)}”. {esc(f.why)}</li>"
        for f in findings
    )
    return f'<ul class="findings">{items}</ul>'


def alternative_slots(alternatives: Sequence, slots: int = ALTERNATIVE_SLOTS) -> list[dict]:
    """Exactly `slots` entries {label, text, visible}: one per alternative, the rest hidden."""
    shown = [
        {
            "label": f"{alt.style.replace('_', ' ').capitalize()} version",
            "text": alt.text,
            "visible": True,
        }
        for alt in list(alternatives)[:slots]
    ]
    return shown + [{"label": "", "text": "", "visible": False}] * (slots - len(shown))


def safety_html(safety: Safety) -> str:
    """The safety panel when the screen fired, else ''."""
    if not safety.flagged:
        return ""
    return (
        '<div class="notice safety" role="alert"><h3>Before anything else</h3>'
        f"<p>{esc(safety.message)}</p></div>"
    )


def engine_line(engine: str, note: str) -> str:
    """Which engine answered, and its note."""
    name = {"offline": "the offline engine", "llm": "the chat model"}.get(engine, engine)
    note_part = f" {esc(note)}" if note else ""
    return f'<p class="engine-line">Answered by {esc(name)}.{note_part}</p>'


def notice_html(message: str, kind: str = "error") -> str:
    role = ' role="alert"' if kind == "error" else ""
    return f'<div class="notice {kind}"{role}>{esc(message)}</div>'


UNCHANGED_STATUS = "Nothing in this message reads as hostile, so it is left as it is."


def rewrite_status(result: RewriteResult) -> str:
    """A line above the results for the cases a bare rewrite would not explain."""
    if result.safety.flagged:
        return ""  # the safety panel says it, once, first
    if result.guide is not None:  # the builder below the results has the blanks to fill
        return notice_html(f"{result.guide.why} Fill in the blanks below.", "info")
    if not result.changed:
        # Not "reads kindly": a complaint said plainly ("thanks for fixing the sink, but the
        # tools are all over the floor") is left as it is too, and is not kind, only fair.
        return notice_html(UNCHANGED_STATUS, "info")
    return ""


_MARKER = re.compile(r"\[(\d+)\]")


def answer_html(result: AskResult) -> str:
    """The answer with its [n] markers set off, escaped."""
    text = esc(result.answer)
    if result.refused:
        return f'<div class="notice info">{text}</div>'
    link = r'<a class="cite-marker" href="#citation-\1" aria-label="source \1">[\1]</a>'
    return "<p>" + _MARKER.sub(link, text) + "</p>"


_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n|\r\n[ \t]*\r\n")
CONTEXT_MIN_CHARS = 200  # below this much text around the quote, neighbouring paragraphs join


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The start and end of the paragraph(s) holding text[start:end]; blank lines part them."""
    para_start = 0
    for m in _BLANK_LINE.finditer(text, 0, start):
        para_start = m.end()
    m = _BLANK_LINE.search(text, end)
    return para_start, (m.start() if m else len(text))


def passage_around(
    text: str, start: int, end: int, limit: int = PASSAGE_MAX_CHARS
) -> tuple[str, str, str]:
    """(before, quote, after): the paragraph holding text[start:end].

    A quote that is its whole paragraph gets the paragraphs either side as well; a long
    passage is cut to a window of about `limit` characters around the quote.
    """
    para_start, para_end = paragraph_bounds(text, start, end)
    if (start - para_start) + (para_end - end) < CONTEXT_MIN_CHARS:
        previous = text[:para_start].rstrip()
        if previous:
            para_start = paragraph_bounds(text, len(previous) - 1, len(previous))[0]
        following = len(text) - len(text[para_end:].lstrip())
        if following < len(text):
            para_end = paragraph_bounds(text, following, following + 1)[1]
    room = max(0, limit - (end - start)) // 2
    lead = tail = ""
    if start - para_start > room:
        cut = text.rfind(" ", start - room, start)
        para_start, lead = (cut + 1 if cut > 0 else start - room), "…"
    if para_end - end > room:
        cut = text.find(" ", end, end + room)
        para_end, tail = (cut if cut > 0 else end + room), "…"
    return lead + text[para_start:start], text[start:end], text[end:para_end] + tail


def citation_context_html(citation: Citation) -> str:
    """The cited paragraph with the quote marked; the quote alone if the file disagrees."""
    try:
        text = read_doc(citation.doc)
    except OSError:
        text = ""
    if text[citation.start : citation.end] != citation.quote:
        return (
            f'<p class="quote">“{esc(citation.quote)}”</p>'
            f'<p class="source-note">The surrounding passage could not be found in '
            f"{esc(citation.doc)}.</p>"
        )
    before, quote, after = passage_around(text, citation.start, citation.end)
    return (
        f'<div class="passage">{readable(before)}<mark>{esc(quote)}</mark>{readable(after)}</div>'
    )


def readable(text: str) -> str:
    """Markdown source as plain text to read, escaped (helper.text.markdown.plain)."""
    return esc(plain(text))


def quoted(text: str) -> str:
    """A quote in curly quotation marks, as readable text (a quote that spans list items
    keeps their bullets, not their Markdown markers); a quote that ends (or starts) with its
    own quotation mark is not given a second one beside it."""
    opening = "" if text[:1] in "“\"‘'" else "“"
    closing = "" if text[-1:] in "”\"’'" else "”"
    return f"{opening}{readable(text)}{closing}"


def citation_html(citation: Citation, *, numbered: bool = True) -> str:
    """One citation: title, section and quote in view; opening it shows the passage around."""
    number = f"[{citation.n}] " if numbered else ""
    section = f" › {esc(citation.section)}" if citation.section else ""
    return (
        f'<details class="citation" id="citation-{esc(citation.n)}">'
        f'<summary><span class="cite-head">{number}{esc(citation.title)}{section}</span>'
        f'<span class="quote">{quoted(citation.quote)}</span></summary>'
        f'<p class="source-note">Where it stands in the article:</p>'
        f"{citation_context_html(citation)}</details>"
    )


def advice_html(advice: Sequence[Citation]) -> str:
    """The guidance the rewrite applied, quoted."""
    if not advice:
        return ""
    return "<h3>The advice this follows</h3>" + "".join(
        citation_html(c, numbered=False) for c in advice
    )


def citations_html(citations: Sequence[Citation]) -> str:
    if not citations:
        return ""
    return "<h3>Where this comes from</h3>" + "".join(citation_html(c) for c in citations)


def openers_html(result: OpenersResult) -> str:
    """The openers and the tips, each followed by the passages it draws on."""

    def items(entries) -> str:
        return "".join(
            f"<li><strong>{esc(entry.text)}</strong>"
            + "".join(citation_html(c, numbered=False) for c in entry.citations)
            + "</li>"
            for entry in entries
        )

    parts = []
    if result.openers:
        parts.append(f'<h3>Ways to open</h3><ol class="openers">{items(result.openers)}</ol>')
    if result.tips:
        parts.append(f'<h3>Tips</h3><ul class="openers">{items(result.tips)}</ul>')
    if not parts:
        parts.append(notice_html("No openers came back for this topic. Try other words.", "info"))
    return "".join(parts)


def article_markdown(document: Document) -> str:
    """An article's body for gr.Markdown (front matter dropped), credited to its title and
    author beneath; the file's path is for maintainers, not shown."""
    by = document.meta.get("author")
    credit = f"{document.title}, by {by}" if by else f"{document.title} (author not named)"
    source = document.meta.get("source")
    if source:
        credit += f"; {source}"
    return without_remote_resources(document.body.strip()) + f"\n\n---\n*{esc(credit)}*"


_MARKDOWN_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")


def without_remote_resources(markdown: str) -> str:
    """An article's Markdown with nothing that makes the browser fetch: raw HTML (an
    <img src>, an <iframe>) shown as text, and images as their alt text."""
    return _MARKDOWN_IMAGE.sub(r"\1", markdown).replace("<", "&lt;")


def friendly_error(kind: str, exc: BaseException) -> str:
    """What a person is told when a call fails: the InputError's words, else a plain sentence."""
    if isinstance(exc, InputError | ConfigError | IndexUnavailable):
        return str(exc)
    return (
        f"Something went wrong while {DOING[kind]}. Please try again in a moment; "
        "if it keeps happening, restart the helper."
    )


def check_bind(host: str, auth: str | None) -> tuple[str, str] | None:
    """The (user, password) to require, or None on loopback without HELPER_AUTH.

    Raises ConfigError when a non-loopback address has no HELPER_AUTH, or HELPER_AUTH is
    not user:password: the page would show people's drafts to anyone on the network.
    """
    credentials = None
    if auth:
        user, sep, password = auth.partition(":")
        if not (sep and user and password):
            raise ConfigError("HELPER_AUTH must be user:password, both parts non-empty.")
        credentials = (user, password)
    if credentials is None and not is_loopback(host):
        raise ConfigError(
            f"Refusing to serve on {host}: it is reachable from other machines, and the page "
            "would show people's drafts to anyone who can reach it. Set HELPER_AUTH=user:password "
            "to require a login, or use HELPER_HOST=127.0.0.1."
        )
    return credentials


class ThrottledLogin:
    """The page's login check: the password compared in constant time, and failed attempts
    slowed down, per user name and overall, so that guessing takes days, not seconds.

    After `free` failures within `window` seconds every further attempt (right or wrong)
    is refused until the window has passed; a success clears that name's count. Gradio
    hands the check only the name and password, not the client's address: the limit per
    client is helper/web/guard.py's, in front of the app.
    """

    def __init__(
        self,
        user: str,
        password: str,
        *,
        free: int = 5,
        overall: int = 20,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._user, self._password = user, password
        self._free, self._overall, self._window, self._clock = free, overall, window, clock
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, user: str, password: str) -> bool:
        now = self._clock()
        with self._lock:
            for name in list(self._failures):
                self._failures[name] = [t for t in self._failures[name] if now - t < self._window]
            recent = self._failures.get(user, [])
            overall = sum(len(times) for times in self._failures.values())
            if len(recent) >= self._free or overall >= self._overall:
                return False
            ok = hmac.compare_digest(user.encode(), self._user.encode()) & hmac.compare_digest(
                password.encode(), self._password.encode()
            )
            if ok:
                self._failures.pop(user, None)
            else:
                self._failures.setdefault(user, []).append(now)
            return ok


def is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


# -- calling the engine -----------------------------------------------------------------


def run(kind: str, value: object):
    """Call the engine, which checks the input: InputError carries the plain reason."""
    return FUNCTIONS[kind](get_engine(), value)


def _log_failure(kind: str, exc: BaseException) -> None:
    # The exception's message may quote the input, so only its type and frames are logged.
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s failed with %s\n%s", kind, type(exc).__name__, frames)


def call_api(kind: str, value: object) -> dict:
    """The JSON contract dict, or gr.Error with a plain message."""
    try:
        return run(kind, value).to_dict()
    except (InputError, ConfigError) as exc:
        raise gr.Error(friendly_error(kind, exc), print_exception=False) from None
    except Exception as exc:
        _log_failure(kind, exc)
        raise gr.Error(friendly_error(kind, exc), print_exception=False) from None


def api_rewrite(text: str) -> dict:
    """Soften a draft: the rewrite JSON contract (rewrite, alternatives, findings, safety)."""
    return call_api("rewrite", text)


def api_openers(topic: str) -> dict:
    """Ways to open a conversation about a topic, each with citations (openers JSON contract)."""
    return call_api("openers", topic)


def api_ask(question: str) -> dict:
    """Answer a question from the guidance with verbatim citations (ask JSON contract)."""
    return call_api("ask", question)


# -- page handlers: never return a value for the input boxes -----------------------------


def _attempt(kind: str, value: object, proceed: bool = False, engine=None):
    """(result, None) or (None, error html)."""
    try:
        if proceed:
            return (engine or get_engine()).rewrite(value, proceed=True), None
        if engine is not None:
            return FUNCTIONS[kind](engine, value), None
        return run(kind, value), None
    except Exception as exc:
        if not isinstance(exc, InputError | ConfigError):
            _log_failure(kind, exc)
        return None, notice_html(friendly_error(kind, exc))


PENDING_NOTE = (
    "This is the offline rewrite; the chat model is writing its own, which replaces this "
    "one if it passes the same checks."
)


def rewrite_steps(draft: str, proceed: bool = False):
    """The page's Soften: with a chat model configured, the offline result at once, then the
    model's in its place (or the offline one again, with the note saying why). A model that
    is slow or fails never blanks what is shown."""
    engine = get_engine()
    offline = getattr(engine, "offline", None)
    if offline is None:
        yield rewrite_view(draft, proceed)
        return
    result, error = _attempt("rewrite", draft, proceed, engine=offline)
    if result is None or result.safety.flagged and not result.rewrite.strip():
        yield rewrite_values(result, error)  # nothing for the model to improve on
        return
    yield rewrite_values(result, None, pending=True)
    final, problem = _attempt("rewrite", draft, proceed, engine=engine)
    if final is None:  # a fault of ours, not the model's (those fall back inside the engine)
        result.note = f"The chat model's rewrite failed, so this is the offline one. {result.note}"
        yield rewrite_values(result, None)
        return
    yield rewrite_values(final, None)


def rewrite_anyway_steps(draft: str):
    """Soften after the person chose to continue past a safety response."""
    yield from rewrite_steps(draft, proceed=True)


def rewrite_view(draft: str, proceed: bool = False, engine=None) -> list:
    """Values for: status, results, safety, rewrite, highlights, findings, engine,
    alternatives, and the button that continues past a safety response."""
    result, error = _attempt("rewrite", draft, proceed, engine=engine)
    return rewrite_values(result, error)


def rewrite_values(result: RewriteResult | None, error: str | None, pending: bool = False):
    """The values of rewrite_view for a result (or the error shown instead of one)."""
    if result is None:
        hidden = [gr.update(value="", visible=False) for _ in range(ALTERNATIVE_SLOTS)]
        return [
            error,
            gr.update(visible=False),
            gr.update(value="", visible=False),
            gr.update(value="", visible=False),
            gr.update(value=None, visible=False),
            "",
            "",
            *hidden,
            gr.update(visible=False),
        ]
    safety = safety_html(result.safety)
    can_continue = result.safety.flagged and not result.rewrite and result.safety.may_continue
    # The safety panel says what the note would repeat: why it was not rewritten.
    note = "" if safety and not result.rewrite.strip() else result.note
    if pending:
        note = PENDING_NOTE
    slots = [
        gr.update(value=s["text"], label=s["label"], visible=s["visible"])
        for s in alternative_slots(result.alternatives)
    ]
    return [
        rewrite_status(result),
        gr.update(visible=True),
        gr.update(value=safety, visible=bool(safety)),
        gr.update(value=result.rewrite, visible=bool(result.rewrite.strip())),
        gr.update(
            value=highlight_spans(result.input, result.findings), visible=bool(result.findings)
        ),
        findings_html(result.findings) + advice_html(result.advice),
        engine_line(result.engine, note),
        *slots,
        gr.update(visible=can_continue),
    ]


def scroll_js(*elem_ids: str) -> str:
    """Browser code that brings the first of these elements with something in it into view."""
    ids = ", ".join(f"'{i}'" for i in elem_ids)
    return (
        "() => { for (const id of [" + ids + "]) { const el = document.getElementById(id);"
        " if (el && el.offsetParent !== null && el.innerText.trim()) {"
        " el.scrollIntoView({block: 'start'}); return; } } }"
    )


def guide_view(draft: str) -> list:
    """Values for: the guide builder, its four fields, the message and its check. The guide
    is the offline engine's (a model's rewrite has none)."""
    engine = get_engine()
    engine = getattr(engine, "offline", engine)
    result, _ = _attempt("rewrite", draft, engine=engine)
    guide = result.guide if result is not None and not result.safety.flagged else None
    if guide is None:
        return [gr.update(visible=False), *([gr.update()] * 4), "", ""]
    first = (guide.feelings[:1] or [""])[0], (guide.needs[:1] or [""])[0]
    request = (guide.requests[:1] or [""])[0]
    message, check = compose_view(first[0], guide.situation, first[1], request)
    return [
        gr.update(visible=True),
        gr.update(choices=guide.feelings, value=first[0]),
        gr.update(value=guide.situation),
        gr.update(choices=guide.needs, value=first[1]),
        gr.update(choices=guide.requests, value=request),
        message,
        check,
    ]


def compose_view(feeling: str, situation: str, need: str, request: str) -> tuple[str, str]:
    """The message built from the guide's fields, and the findings of the message as it
    stands, re-checked on every change."""
    from helper.lexicon import load
    from helper.offline.findings import analyze
    from helper.offline.rewriting import fill_guide
    from helper.offline.safety import screen

    message = fill_guide(load("guide.yaml")["template"], feeling, situation, need, request)
    if "___" in message:
        return message, notice_html("Fill in each blank (___), then copy your message.", "info")
    safety = screen(message, draft=True)
    if safety.flagged:
        return message, safety_html(safety)
    found = analyze(message)
    if found:
        return message, (
            '<div class="notice info"><p>This part may still land badly:</p>'
            + findings_html(found)
            + "</div>"
        )
    return message, notice_html(
        "Nothing in this reads as blame. Copy it when it says what you mean.", "info"
    )


def rewrite_anyway_view(draft: str) -> list:
    """The rewrite after the person chose to continue past a safety response."""
    return rewrite_view(draft, proceed=True)


def openers_view(topic: str) -> tuple[str, str, str]:
    """Values for: status, openers, engine."""
    result, error = _attempt("openers", topic)
    if result is None:
        return error, "", ""
    if result.safety.flagged:  # the safety panel first, in the status slot, and only it
        return safety_html(result.safety), "", engine_line(result.engine, result.note)
    return "", openers_html(result), engine_line(result.engine, result.note)


def ask_view(question: str) -> tuple[str, str, str, str]:
    """Values for: status, answer, citations, engine."""
    result, error = _attempt("ask", question)
    if result is None:
        return error, "", "", ""
    if result.safety.flagged:  # the safety panel first, in the status slot, and only it
        return safety_html(result.safety), "", "", engine_line(result.engine, result.note)
    return (
        "",
        answer_html(result),
        citations_html(result.citations),
        engine_line(result.engine, result.note),
    )


# -- the page ---------------------------------------------------------------------------


def _limit_info(kind: str) -> str:
    return f"Up to {FUNCTIONS[kind].limit:,} characters. Nothing you type is stored or logged."


def build_page() -> gr.Blocks:
    """The Blocks page: Soften (first), Start a conversation, Ask the guidance, Sources."""
    private = {"api_visibility": "private", "show_progress": "minimal"}
    documents, corpus_errors = load_corpus(settings().corpus_dir)

    with gr.Blocks(title="Couples communication helper", analytics_enabled=False) as page:
        gr.Markdown(
            "# Say it so it can be heard\n"
            "Turn a message written in anger into one your partner can hear, find a calm way "
            "into a hard conversation, or ask what the guidance says. Nothing you type is "
            "stored or logged."
        )
        with gr.Tabs():
            with gr.Tab("Soften", id="soften"):
                draft = gr.Textbox(
                    value=EXAMPLE_DRAFT,
                    label="Your draft",
                    lines=4,
                    max_lines=16,
                    info=_limit_info("rewrite"),
                    elem_id="draft",
                    placeholder="Paste the message you are about to send…",
                )
                soften = gr.Button("Soften it", variant="primary", elem_id="soften-button")
                draft_examples = gr.Examples(
                    DRAFT_EXAMPLES, inputs=draft, label="Or tap one of these to try it"
                )
                soften_status = gr.HTML(elem_id="soften-status")
                safety_panel = gr.HTML(visible=False, elem_id="safety-panel")
                continue_button = gr.Button(
                    "I'm safe: help me with the wording anyway",
                    visible=False,
                    elem_id="continue-button",
                )
                with gr.Column(visible=False, elem_id="soften-results") as soften_results:
                    rewritten = gr.Textbox(
                        label="A calmer way to say it",
                        lines=3,
                        interactive=False,
                        buttons=["copy"],
                        elem_id="rewrite",
                    )
                    with gr.Row():
                        alternatives = [
                            gr.Textbox(
                                visible=False,
                                lines=2,
                                interactive=False,
                                buttons=["copy"],
                                elem_id=f"alternative-{i}",
                            )
                            for i in range(ALTERNATIVE_SLOTS)
                        ]
                    highlights = gr.HighlightedText(
                        label="What might land badly in the draft",
                        color_map=KIND_COLORS,
                        show_legend=False,
                        show_inline_category=True,
                        combine_adjacent=False,
                        elem_id="findings-highlight",
                    )
                    findings = gr.HTML(elem_id="findings")
                    soften_engine = gr.HTML(elem_id="soften-engine")
                with gr.Group(visible=False, elem_id="guide-builder") as guide_group:
                    gr.Markdown("### Write it in your own words")
                    guide_feeling = gr.Dropdown(
                        label="I feel…", allow_custom_value=True, elem_id="guide-feeling"
                    )
                    guide_situation = gr.Textbox(
                        label="when… (what happened, in your own words)",
                        placeholder="e.g. the dishes are still there at bedtime",
                        elem_id="guide-situation",
                    )
                    guide_need = gr.Dropdown(
                        label="because I need…", allow_custom_value=True, elem_id="guide-need"
                    )
                    guide_request = gr.Dropdown(
                        label="Could we…?", allow_custom_value=True, elem_id="guide-request"
                    )
                    guide_message = gr.Textbox(
                        label="Your message",
                        interactive=False,
                        buttons=["copy"],
                        elem_id="guide-message",
                    )
                    guide_check = gr.HTML(elem_id="guide-check")

            with gr.Tab("Start a talk", id="openers"):
                topic = gr.Textbox(
                    label="What do you want to talk about?",
                    info=_limit_info("openers"),
                    placeholder="e.g. sharing the housework",
                    elem_id="topic",
                )
                open_button = gr.Button(
                    "Find ways to open", variant="primary", elem_id="openers-button"
                )
                topic_examples = gr.Examples(
                    TOPIC_EXAMPLES, inputs=topic, label="Or tap one of these to try it"
                )
                openers_status = gr.HTML(elem_id="openers-status")
                openers_out = gr.HTML(elem_id="openers")
                openers_engine = gr.HTML(elem_id="openers-engine")

            with gr.Tab("Ask", id="ask"):
                question = gr.Textbox(
                    label="Your question",
                    info=_limit_info("ask"),
                    elem_id="question",
                    placeholder="e.g. How do I start a hard conversation?",
                )
                ask_button = gr.Button("Ask", variant="primary", elem_id="ask-button")
                question_examples = gr.Examples(
                    QUESTION_EXAMPLES, inputs=question, label="Or tap one of these to try it"
                )
                ask_status = gr.HTML(elem_id="ask-status")
                answer = gr.HTML(elem_id="answer")
                citations = gr.HTML(elem_id="citations")
                ask_engine = gr.HTML(elem_id="ask-engine")

            with gr.Tab("Sources", id="sources"):
                gr.Markdown(
                    "The articles every answer and opener quotes from. Citations point into "
                    "these files by character offsets."
                )
                if corpus_errors:
                    gr.HTML(
                        notice_html(
                            "Some files could not be read: "
                            + "; ".join(str(e) for e in corpus_errors)
                        )
                    )
                by_title = {d.title: d for d in documents}
                article_choice = gr.Dropdown(
                    choices=list(by_title),
                    value=next(iter(by_title), None),
                    label="Article",
                    elem_id="article-choice",
                )
                article = gr.Markdown(
                    article_markdown(documents[0]) if documents else "No articles found.",
                    elem_id="article",
                )
                article_choice.change(
                    lambda title: article_markdown(by_title[title]) if title in by_title else "",
                    inputs=article_choice,
                    outputs=article,
                    **private,
                )

        soften_outputs = [
            soften_status,
            soften_results,
            safety_panel,
            rewritten,
            highlights,
            findings,
            soften_engine,
            *alternatives,
            continue_button,
        ]
        guide_fields = [guide_feeling, guide_situation, guide_need, guide_request]
        guide_outputs = [guide_group, *guide_fields, guide_message, guide_check]
        # Soften, Continue and a tapped example each run the rewrite, then fill the guide when
        # there is one, then bring what came back into view (a phone shows one screen).
        for trigger, steps in (
            (soften.click, rewrite_steps),
            (continue_button.click, rewrite_anyway_steps),
            (draft_examples.load_input_event.then, rewrite_steps),
        ):
            trigger(steps, inputs=draft, outputs=soften_outputs, **private).then(
                guide_view, inputs=draft, outputs=guide_outputs, **private
            ).then(None, js=scroll_js("safety-panel", "soften-status", "soften-results"))
        for field in guide_fields:
            field.change(
                compose_view, inputs=guide_fields, outputs=[guide_message, guide_check], **private
            )
        for trigger in (open_button.click, topic.submit, topic_examples.load_input_event.then):
            trigger(
                openers_view,
                inputs=topic,
                outputs=[openers_status, openers_out, openers_engine],
                **private,
            ).then(None, js=scroll_js("openers-status", "openers"))
        for trigger in (ask_button.click, question.submit, question_examples.load_input_event.then):
            trigger(
                ask_view,
                inputs=question,
                outputs=[ask_status, answer, citations, ask_engine],
                **private,
            ).then(None, js=scroll_js("ask-status", "answer"))

        gr.api(api_rewrite, api_name="rewrite")
        gr.api(api_openers, api_name="openers")
        gr.api(api_ask, api_name="ask")
    return page


# -- start-up ---------------------------------------------------------------------------


def counter_js() -> str:
    limits = {"draft": FUNCTIONS["rewrite"].limit, "topic": FUNCTIONS["openers"].limit}
    limits["question"] = FUNCTIONS["ask"].limit
    return COUNTER_JS.replace("LIMITS", json.dumps(limits))


def warm_up() -> None:
    """Build the index if missing and load the models, so the first request is fast."""
    get_engine().warm()


def launch(host: str | None = None, port: int | None = None, **kw):
    from starlette.middleware import Middleware

    from helper.web.guard import LoginGuard

    """Serve the page on HELPER_HOST:HELPER_PORT (127.0.0.1:7860), after warming the engine.

    Raises ConfigError before binding when the address is not loopback and HELPER_AUTH is
    unset, or when the port is taken.
    """
    config = settings()
    host = host or config.host
    port = port or config.port
    credentials = check_bind(host, config.auth)
    warm_up()
    page = build_page()
    # One call per endpoint at a time (Gradio's default) makes /ask a queue of its own under
    # load; the engine is safe to call from several threads (measured in benchmarks/load.py).
    page.queue(default_concurrency_limit=4)
    options: dict[str, Any] = {
        "server_name": host,
        "server_port": port,
        "auth": ThrottledLogin(*credentials) if credentials else None,
        "share": False,
        "ssr_mode": False,
        "mcp_server": False,
        "enable_monitoring": False,
        "run_history": False,  # it would keep every draft in the browser's storage
        "footer_links": ["api"],
        # Per-client login limits and a login for the heartbeat stream (helper/web/guard.py).
        "app_kwargs": {"middleware": [Middleware(LoginGuard)]},
        "theme": THEME,
        "css": CSS,
        "js": counter_js(),
        # Gradio's start-up lines offer a public share link, which this page never makes.
        "quiet": True,
    }
    options.update(kw)
    print(f"The helper is running at http://{host}:{port}/ (Ctrl+C stops it).", flush=True)
    try:
        return page.launch(**options)
    except OSError as exc:
        raise ConfigError(
            f"Cannot serve on {host}:{port} ({exc}). Set HELPER_PORT to a free port."
        ) from exc
