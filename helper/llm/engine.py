"""The chat-model engine: prompts, structured output, checks, and per-call fallback.

Any OpenAI-compatible chat model may improve the wording, but every reply goes through the
same checks as offline output. A reply that fails them, or a model that fails to reply, is
replaced for that call by the offline result, and `engine`/`note` say which answered and why.
"""

from __future__ import annotations

import email.utils
import importlib
import json
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import openai
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field, ValidationError

from helper.errors import ConfigError, ModelFault, PromptError
from helper.offline.answering import refusal
from helper.offline.detector import lands_badly
from helper.offline.findings import analyze, insults
from helper.offline.opening import check_opener, frame, topic_words
from helper.offline.rewriting import check_rewrite
from helper.offline.shown import shown_problem
from helper.offline.support import support
from helper.results import (
    Alternative,
    AskResult,
    Citation,
    Opener,
    OpenersResult,
    Passage,
    RewriteResult,
)
from helper.retrieval.citations import cite
from helper.text.templates import TemplateError, check, names, render

logger = logging.getLogger(__name__)

MAX_TOKENS = 700  # a rewrite, an answer or five openers fit well within this
# A reply of MAX_TOKENS is a few kilobytes; more than this is refused before it is parsed.
MAX_REPLY_BYTES = 1_000_000
STRUCTURED_METHOD = "function_calling"  # see LLMEngine for why
PASSAGES_K = 5
MIN_OPENERS, MAX_OPENERS = 3, 5
MAX_SENTENCES = 6
MIN_QUOTE_WORDS = 3

T = TypeVar("T", bound=BaseModel)


# --- prompts -------------------------------------------------------------------------------


_ROLE_MARK = re.compile(r"^<!--\s*role:\s*(system|user)\s*-->\s*$", re.MULTILINE)


def render_prompt(name: str, variables: dict[str, str], prompts_dir: Path | None = None):
    """Render the prompt NAME.md (package data `helper.prompts`) into chat messages.

    The file holds `{name}` placeholders (helper.text.templates) and `<!-- role: system -->`
    / `<!-- role: user -->` lines that start each message (text before the first such line
    is not sent). Every placeholder must be given and every given variable must be used.
    """
    folder = prompts_dir or resources.files("helper.prompts")
    source = folder.joinpath(f"{name}.md").read_text(encoding="utf-8")
    try:
        check(source, where=f"{name}.md")
    except TemplateError as exc:
        raise PromptError(str(exc)) from exc
    unknown = sorted(variables.keys() - names(source))
    if unknown:
        raise PromptError(f"{name}.md has no placeholder for: {', '.join(unknown)}")
    try:
        marks = list(_ROLE_MARK.finditer(source))
        if not marks:
            return [HumanMessage(render(source, variables, where=f"{name}.md").strip())]
        # Roles come from the file itself, so no value substituted into it can start a message.
        messages: list[BaseMessage] = []
        for i, mark in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(source)
            part = render(source[mark.end() : end], variables, where=f"{name}.md").strip()
            messages.append(
                SystemMessage(part) if mark.group(1) == "system" else HumanMessage(part)
            )
    except TemplateError as exc:
        raise PromptError(str(exc)) from exc
    return messages


def _fence(text: str, tag: str) -> str:
    """Keep `text` inside its <tag> delimiters: a tag typed into it is defused."""
    return re.sub(rf"<\s*(/?)\s*{tag}\s*>", rf"(\1{tag})", text, flags=re.IGNORECASE)


def _number_passages(passages: list[Passage]) -> str:
    blocks = []
    for n, p in enumerate(passages, 1):
        heading = " - ".join(part for part in (p.title, p.section) if part)
        blocks.append(f"[{n}] {heading}\n{_fence(p.text.strip(), 'passages')}")
    return "\n\n".join(blocks)


# --- the model's replies -------------------------------------------------------------------
# The field descriptions reach the model through the schema, so they say what is wanted.


class RewriteReply(BaseModel):
    """A calmer version of an angry draft, with two alternatives."""

    rewrite: str = Field(
        description="The draft rewritten in the first person, without blame, keeping its "
        "topic, ending with one concrete request; one to three sentences."
    )
    gentle: str = Field(description="The same message with the hostility taken out.")
    brief: str = Field(description="One short sentence that makes the request.")
    explanation: str = Field(description="One sentence: what was changed and why.")
    already_kind: bool = Field(
        default=False,
        description="True when the draft already reads kindly and needs no change; then "
        "rewrite, gentle and brief may repeat it.",
    )
    advice_source: int = Field(
        default=0, description="The number of the passage whose advice the rewrite applied."
    )
    advice_quote: str = Field(
        default="", description="Five or more words copied exactly from that passage."
    )


class CitedSentence(BaseModel):
    text: str = Field(description="One sentence of the answer.")
    source: int = Field(description="The number of the passage this sentence rests on.")
    quote: str = Field(description="Words copied exactly from that passage that support it.")


class AnswerReply(BaseModel):
    """An answer built only from the numbered passages."""

    covered: bool = Field(
        default=True,
        description="False when the passages do not answer the question; then no sentences.",
    )
    # Required, so a reply of some other shape is not read as an empty answer.
    sentences: list[CitedSentence] = Field(
        description="Two to four sentences; none if not covered."
    )


class CitedOpener(BaseModel):
    text: str = Field(description="A first sentence the person could say to their partner.")
    source: int = Field(description="The number of the passage the opener is built on.")
    quote: str = Field(description="Words copied exactly from that passage.")


class OpenersReply(BaseModel):
    """Ways to open a hard conversation, each grounded in a passage."""

    openers: list[CitedOpener] = Field(description="Three to five openers.")


# --- the chat model ------------------------------------------------------------------------


def make_chat_model(
    settings, *, max_tokens: int = MAX_TOKENS, http_client: Any = None
) -> BaseChatModel:
    """A ChatOpenAI client for OpenAI or any OpenAI-compatible server, bounded in time.

    `http_client` (an httpx.Client) is for tests that answer requests in-process; without
    one, the client made here will not wait out a Retry-After longer than the time-out.
    """
    if not settings.llm_configured:
        raise ConfigError(
            "The model engine needs a chat model: set OPENAI_API_KEY (OpenAI) or "
            "OPENAI_BASE_URL (a local OpenAI-compatible server such as Ollama or llama.cpp)"
        )
    from langchain_openai import ChatOpenAI

    # langchain-openai sends the limit as `max_completion_tokens`, which llama.cpp-style
    # servers ignore; they read the older `max_tokens`, so other servers get both.
    base_url = settings.openai_base_url or ""
    extra_body = (
        {"max_tokens": max_tokens} if base_url and "api.openai.com" not in base_url else None
    )
    if http_client is None:
        hook = _refuse_long_retry_after(settings.llm_timeout)
        http_client = openai.DefaultHttpxClient(
            transport=CappedTransport(MAX_REPLY_BYTES), event_hooks={"response": [hook]}
        )
    return ChatOpenAI(
        model=settings.chat_model,
        base_url=settings.openai_base_url,
        # Local servers ignore the key, but the client insists on one.
        api_key=settings.openai_api_key or "not-needed",
        timeout=settings.llm_timeout,
        max_retries=settings.llm_retries,
        temperature=0.3,
        max_tokens=max_tokens,
        extra_body=extra_body,
        http_client=http_client,
    )


# openai builds on httpx, or, in newer releases, on its fork httpx2: a transport handed to
# its client must come from the same library.
httpx = importlib.import_module(
    next(
        c for c in openai.DefaultHttpxClient.__mro__[1:] if c.__name__ == "Client"
    ).__module__.split(".")[0]
)


class ReplyTooLarge(Exception):
    """The model server sent more than MAX_REPLY_BYTES."""


class _CappedStream(httpx.SyncByteStream):
    def __init__(self, stream: Any, cap: int):
        self._stream, self._cap = stream, cap

    def __iter__(self):
        seen = 0
        for chunk in self._stream:
            seen += len(chunk)
            if seen > self._cap:
                raise ReplyTooLarge(f"the reply ran past {self._cap:,} bytes")
            yield chunk

    def close(self) -> None:
        self._stream.close()


class CappedTransport(httpx.BaseTransport):
    """An httpx transport that stops reading a response body past `cap` bytes.

    Without it a server that sends megabytes holds the call while every byte is read, parsed
    as JSON and checked; the cap ends it at the first kilobytes past what a reply can be."""

    def __init__(self, cap: int, inner: httpx.BaseTransport | None = None):
        self._cap = cap
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > self._cap:
            response.close()
            raise ReplyTooLarge(f"the reply was {int(length):,} bytes")
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_CappedStream(response.stream, self._cap),
            extensions=response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._inner.close()


def _retry_after_seconds(headers: Any) -> float | None:
    """The wait a response's Retry-After-Ms / Retry-After header asks for, in seconds."""
    for name, divisor in (("retry-after-ms", 1000), ("retry-after", 1)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) / divisor
        except ValueError:
            pass
        try:  # an HTTP date
            return email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError):
            return None
    return None


def _refuse_long_retry_after(limit: float):
    """An httpx response hook: asked to wait longer than `limit` before a retry, do not retry.

    The openai client sleeps out any Retry-After of up to two minutes before each retry,
    however short its time-out; the person would wait that long for the offline result.
    """

    def hook(response: Any) -> None:
        wait = _retry_after_seconds(response.headers)
        if wait is not None and not (math.isfinite(wait) and wait <= limit):
            response.headers["x-should-retry"] = "false"  # honoured by the openai client

    return hook


def _caused_by(exc: BaseException, test: Callable[[BaseException], bool]) -> bool:
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 10:
        if test(cause):
            return True
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return False


def _broke_off(exc: BaseException) -> bool:
    """True when the server closed the connection before its reply was complete."""
    # httpx / httpx2 / httpcore / h11 each have their own RemoteProtocolError.
    return _caused_by(exc, lambda e: type(e).__name__ == "RemoteProtocolError")


def _within(deadline: float | None, fn, *args):
    """fn(*args), or TimeoutError once `deadline` seconds have passed (None: no deadline).

    The call goes on in a daemon thread until its own time-outs end it; the person does not
    wait for it."""
    if deadline is None:
        return fn(*args)
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = exc

    worker = threading.Thread(target=run, daemon=True, name="model-call")
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        raise TimeoutError(f"no complete reply within {deadline:.0f} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def call_deadline(settings) -> float:
    """The longest a whole model call may take: a time-out per attempt, plus one honoured
    Retry-After wait (itself at most a time-out) before each retry, plus a second of slack."""
    return settings.llm_timeout * (2 * settings.llm_retries + 1) + 1.0


def _describe_fault(exc: BaseException) -> str:
    if _caused_by(exc, lambda e: isinstance(e, ReplyTooLarge)):
        return f"the model's reply was larger than {MAX_REPLY_BYTES // 1000:,} KB"
    if isinstance(exc, openai.APITimeoutError | TimeoutError):
        return "the model did not answer in time"
    if isinstance(exc, openai.APIConnectionError) and _broke_off(exc):
        return "the model server broke off its reply before it was complete"
    if isinstance(exc, openai.APIConnectionError | ConnectionError):
        return "the model server could not be reached"
    if isinstance(exc, openai.RateLimitError):
        return "the model service is limiting requests (429)"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"the model service refused the API key ({exc.status_code})"
    if isinstance(exc, openai.APIStatusError):
        return f"the model service returned an error ({exc.status_code})"
    if isinstance(exc, openai.LengthFinishReasonError):
        return "the model's reply was cut off at the length limit"
    if isinstance(exc, ValidationError | json.JSONDecodeError | ValueError):
        return "the model's reply was not the JSON asked for"
    if isinstance(exc, openai.APIResponseValidationError) or (
        isinstance(exc, TypeError) and "'choices'" in str(exc)  # langchain-openai's wording
    ):
        return "the model server's reply was not a chat completion"
    return f"the model call failed ({type(exc).__name__})"


def _json_objects(text: str) -> list[Any]:
    """Every top-level JSON object found in `text` (code fences and chatter around it allowed)."""
    decoder = json.JSONDecoder()
    found, i = [], text.find("{")
    while i != -1:
        try:
            obj, end = decoder.raw_decode(text, i)
        except json.JSONDecodeError:
            i = text.find("{", i + 1)
            continue
        found.append(obj)
        i = text.find("{", end)
    return found


def _validate_any(schema: type[T], candidates: list[Any]) -> T | None:
    for obj in candidates:
        # Small models sometimes wrap the object: {"arguments": {...}} or {"properties": {...}}.
        nested = [v for v in obj.values() if isinstance(v, dict)] if isinstance(obj, dict) else []
        for candidate in (obj, *nested):
            try:
                return schema.model_validate(candidate)
            except ValidationError:
                continue
    return None


def _parse_message(schema: type[T], message: Any) -> T | None:
    """The reply read from a message's tool calls or its text, or None."""
    candidates: list[Any] = [call.get("args") for call in getattr(message, "tool_calls", [])]
    content = getattr(message, "content", message)
    if isinstance(content, list):  # content blocks
        content = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    if isinstance(content, str):
        candidates += _json_objects(content)
    return _validate_any(schema, candidates)


# --- checks on model text ------------------------------------------------------------------

_CITE_MARK = re.compile(r"\s*\[\d+\]")


def _clean(text: str) -> str:
    text = " ".join(text.split())
    if len(text) >= 2 and text[0] in "\"“'" and text[-1] in "\"”'":
        text = text[1:-1].strip()
    return text


_QUOTE_CHARS = {"'": "['’‘]", "’": "['’‘]", "‘": "['’‘]", '"': '["“”]', "“": '["“”]', "”": '["“”]'}


def locate_quote(quote: str, text: str) -> str | None:
    """The exact span of `text` that `quote` copies, allowing for whitespace and quote marks.

    Models often turn curly apostrophes straight and re-flow line breaks; the span returned is
    the text's own, so what is cited stays verbatim.
    """
    words = quote.strip().strip('"“”').strip().split()
    if not words:
        return None
    pattern = r"\s+".join(
        "".join(_QUOTE_CHARS.get(ch, re.escape(ch)) for ch in word) for word in words
    )
    match = re.search(pattern, text)
    return match.group(0) if match else None


def _check_quote(n: int, passage: Passage, source: int, quote: str) -> tuple[Citation | None, str]:
    """Citation `n` for `quote` when it is verbatim in `passage` (the model's `source`)."""
    span = locate_quote(quote, passage.text)
    if span is None:
        return None, f"quoted text that is not in passage [{source}]"
    if len(span.split()) < MIN_QUOTE_WORDS:
        return None, f"quoted too little of passage [{source}] to show its source"
    citation = cite(n, passage, span)
    if citation is None:
        return None, f"quoted text that is not in passage [{source}]"
    return citation, ""


def _passage(passages: list[Passage], source: int) -> Passage | None:
    return passages[source - 1] if 1 <= source <= len(passages) else None


def _sentence_with_mark(text: str, n: int) -> str:
    """`text` as a sentence of the answer followed by its marker, as the offline answer has it."""
    text = _CITE_MARK.sub("", text).strip()
    if not re.search(r"[.!?…][\"”’)]*$", text):
        text += "."
    return f"{text} [{n}]"


# --- the engine ----------------------------------------------------------------------------


class LLMEngine:
    """The model engine: the offline engine's checks and fallbacks around a chat model.

    Structured output uses tool calling (`method="function_calling"`) by default: OpenAI
    supports it, and llama.cpp-style servers constrain a forced tool call with a grammar.
    Whatever the method, a reply that does not parse is also read as JSON from plain text.
    """

    name = "llm"

    def __init__(
        self,
        offline,
        chat_model: BaseChatModel,
        *,
        method: str = STRUCTURED_METHOD,
        deadline: float | None = None,
    ):
        self.offline = offline
        self.chat_model = chat_model
        self.method = method
        # The client's time-out bounds each read, not the call: a server that trickles a byte
        # a second could hold a call open for ever. The deadline bounds the whole call.
        self.deadline = deadline

    def retrieve(self, query: str, k: int = 6) -> list[Passage]:
        return self.offline.retrieve(query, k)

    def indexed(self) -> bool:
        return self.offline.indexed()

    def warm(self) -> None:
        """Warms the offline engine only: a configured chat model is not called at start-up."""
        self.offline.warm()

    @property
    def model_name(self) -> str:
        return str(getattr(self.chat_model, "model_name", "") or type(self.chat_model).__name__)

    def _call(self, schema: type[T], messages: list[BaseMessage]) -> T:
        """The model's reply as `schema`; any fault of the model raises ModelFault."""
        try:
            try:
                runnable = self.chat_model.with_structured_output(
                    schema, method=self.method, include_raw=True
                )
            except NotImplementedError:  # a chat model without tool calling
                return self._parse_or_fault(schema, self.chat_model.invoke(messages))
            out = _within(self.deadline, runnable.invoke, messages)
        except Exception as exc:  # any model fault falls back; none reaches the person
            reason = _describe_fault(exc)
            logger.warning("model call failed: %s (%s)", reason, type(exc).__name__)
            raise ModelFault(reason) from exc
        parsed = out.get("parsed")
        if isinstance(parsed, schema):
            return parsed
        return self._parse_or_fault(schema, out.get("raw"))

    def _parse_or_fault(self, schema: type[T], message: Any) -> T:
        parsed = _parse_message(schema, message)
        if parsed is not None:
            return parsed
        if self._cut_off(message):
            raise ModelFault("the model's reply was cut off at the length limit")
        logger.warning("model reply did not match %s", schema.__name__)
        raise ModelFault("the model's reply was not the JSON asked for")

    def _cut_off(self, message: Any) -> bool:
        metadata = getattr(message, "response_metadata", None) or {}
        if metadata.get("finish_reason") == "length":
            return True
        # llama.cpp reports a forced tool call cut short as finish_reason "tool_calls".
        limit = getattr(self.chat_model, "max_tokens", None)
        used = (getattr(message, "usage_metadata", None) or {}).get("output_tokens")
        return bool(limit and used and used >= limit)

    # rewrite

    def rewrite(self, text: str, proceed: bool = False) -> RewriteResult:
        """The model's rewrite when it passes the checks, else the offline one (note says why).

        A draft the safety screen flags is never sent to the model, `proceed` or not."""
        offline = self.offline.rewrite(text, proceed=proceed)  # checks and screens it first
        if offline.safety.flagged:
            return offline
        # Every other draft goes to the model, kind-looking ones too: the offline analysis
        # misses much sarcasm and passive aggression, and must not decide what the model sees.
        passages = self.offline.advice_passages(offline.findings)
        messages = render_prompt(
            "rewrite",
            {
                "draft": _fence(text, "draft"),
                "passages": _number_passages(passages) or "(none)",
            },
        )
        ours = "offline rewrite" if offline.changed else "offline result"
        try:
            reply = self._call(RewriteReply, messages)
        except ModelFault as fault:
            return _fallback(offline, f"{_capital(str(fault))}, so this is the {ours}.")
        offline_kind = not offline.changed and offline.guide is None and not offline.findings
        if reply.already_kind:
            # The disagreement rule (docs/contract.md): unchanged when both read it as kind,
            # or when the model and the tone detector do and no insult is aimed at the partner;
            # otherwise the offline result, which names the hostile part, stands.
            if offline_kind:
                return _fallback(offline, "The model and the offline check both read it as kind.")
            if (
                offline.findings
                and not lands_badly(text)
                and not any(i.framed for i in insults(text))
            ):
                unchanged = replace(
                    offline, rewrite=text, changed=False, alternatives=[], guide=None, advice=[]
                )
                return _fallback(
                    unchanged,
                    "The model and the tone detector read it as kind, so it is left as it is; "
                    "the word check noticed a pattern that can land badly "
                    f'("{offline.findings[0].text}"), which you may want to look at.',
                )
            return _fallback(
                offline,
                "The model read it as kind, but the offline check found hostile parts, "
                f"so this is the {ours}.",
            )
        problem = self._rewrite_problem(text, reply)
        if problem:
            return _fallback(offline, f"{problem}, so this is the {ours}.")
        note = f"Rewritten by the model ({self.model_name}); it passed the same checks."
        advice = _advice_citation(reply, passages) or offline.advice
        explanation = _clean(reply.explanation)
        if not shown_problem(explanation, "explanation", sources=text):
            note = f"{note} {explanation}"  # left out, not fatal, when it fails a check
        return RewriteResult(
            input=text,
            rewrite=_clean(reply.rewrite),
            changed=True,
            alternatives=[
                Alternative("gentle", _clean(reply.gentle)),
                Alternative("brief", _clean(reply.brief)),
            ],
            findings=analyze(text),  # offsets are ours, never the model's
            safety=offline.safety,
            engine=self.name,
            note=note,
            advice=advice,
        )

    @staticmethod
    def _rewrite_problem(draft: str, reply: RewriteReply) -> str:
        """Why the model's rewrite cannot be shown, or '' when it passes."""
        rewrite = _clean(reply.rewrite)
        if not rewrite:
            return "The model returned an empty rewrite"
        problem = shown_problem(rewrite, "rewrite", sources=draft)
        if problem and "hostile" not in problem:  # hostility is named by check_rewrite below
            return f"The model's rewrite was set aside because {problem}"
        problems = check_rewrite(draft, rewrite)
        if problems:
            return f"The model's rewrite was set aside because {_and(problems)}"
        for style, alt in (("gentle", reply.gentle), ("brief", reply.brief)):
            alt = _clean(alt)
            if not alt:
                return f"The model left its {style} version empty"
            problem = shown_problem(alt, "alternative", sources=draft)
            if problem:
                return f"The model's {style} version was set aside because {problem}"
        return ""

    # ask

    def ask(self, question: str) -> AskResult:
        """An answer whose every sentence cites a verbatim quote, else the offline answer."""
        offline = self.offline.ask(question)  # validates the question and decides the scope
        if offline.refused:
            return offline
        passages = self.offline.question_passages(question, k=PASSAGES_K)
        if not passages:
            return offline
        messages = render_prompt(
            "ask",
            {"question": _fence(question, "question"), "passages": _number_passages(passages)},
        )
        try:
            reply = self._call(AnswerReply, messages)
        except ModelFault as fault:
            return _fallback(offline, f"{_capital(str(fault))}, so this is the offline answer.")
        if not reply.covered:
            # The model read the passages and found no answer: declined, as the offline
            # engine declines what it does not cover.
            return replace(
                refusal(question, sorted({p.title for p in passages})),
                engine=self.name,
                note=f"Declined by the model ({self.model_name}): the passages it was given "
                "do not cover the question.",
            )
        sources = "\n".join([question, *(p.text for p in passages)])
        sentences, citations, problem, dropped = self._cited_sentences(reply, passages, sources)
        if problem:
            return _fallback(
                offline, f"The model's answer {problem}, so this is the offline answer."
            )
        note = (
            f"Answered by the model ({self.model_name}); every quote was checked against the "
            "guidance, and every sentence against its quote."
        )
        if dropped:
            note += (
                f" {len(dropped)} of its {len(reply.sentences)} sentences were left out "
                f"because their quotes did not support them ({dropped[0]})."
            )
        return AskResult(
            question=question,
            answer=" ".join(sentences),
            refused=False,
            citations=citations,
            engine=self.name,
            note=note,
        )

    def _cited_sentences(
        self, reply: AnswerReply, passages: list[Passage], sources: str
    ) -> tuple[list[str], list[Citation], str, list[str]]:
        """The answer's sentences with their citations, a problem that sets the whole answer
        aside (a fault of the model: hostile text, a forged quote), and why each sentence its
        quote does not support was left out."""
        if not reply.sentences:
            return [], [], "had no sentences", []
        if len(reply.sentences) > MAX_SENTENCES:
            return [], [], f"ran to {len(reply.sentences)} sentences", []
        sentences: list[str] = []
        citations: list[Citation] = []
        numbers: dict[tuple[str, int], int] = {}
        dropped: list[str] = []
        for item in reply.sentences:
            text = _clean(_CITE_MARK.sub("", item.text))
            if not text:
                return [], [], "had an empty sentence", []
            problem = shown_problem(text, "answer sentence", sources=sources)
            if problem:
                return [], [], f"had a sentence that was set aside because {problem}", []
            passage = _passage(passages, item.source)
            if passage is None:
                return [], [], f"cited passage [{item.source}], which it was not given", []
            citation, problem = _check_quote(len(citations) + 1, passage, item.source, item.quote)
            if citation is None:
                return [], [], problem, []
            backed = support(text, citation.quote, passage.text)
            if not backed.supported:
                dropped.append(f"[{item.source}]: {backed.reason}")
                continue
            key = (passage.id, citation.start)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(citation)
            sentences.append(_sentence_with_mark(text, numbers[key]))
        if not sentences:
            return [], [], f"had no sentence that its quote supports ({dropped[0]})", dropped
        return sentences, citations, "", dropped

    # openers

    def openers(self, topic: str) -> OpenersResult:
        """Three to five checked, cited openers from the model, else the offline ones."""
        offline = self.offline.openers(topic)  # validates the topic
        if not offline.openers:
            return offline
        passages = self.retrieve(topic, k=PASSAGES_K)
        if not passages:
            return offline
        messages = render_prompt(
            "openers", {"topic": _fence(topic, "topic"), "passages": _number_passages(passages)}
        )
        try:
            reply = self._call(OpenersReply, messages)
        except ModelFault as fault:
            return _fallback(offline, f"{_capital(str(fault))}, so these are the offline openers.")
        stems = topic_words(frame(topic).query)  # the topic words the offline openers use
        kept: list[Opener] = []
        reasons: list[str] = []
        sources = "\n".join([topic, *(p.text for p in passages)])
        for item in reply.openers[: MAX_OPENERS * 2]:
            opener, reason = _check_opener(item, passages, stems, sources)
            if opener is None:
                reasons.append(reason)
            elif all(opener.text != o.text for o in kept):
                kept.append(opener)
        written = len(reply.openers)
        if len(kept) < MIN_OPENERS:
            return _fallback(
                offline,
                f"{_openers_problem(written, len(kept), reasons)}, "
                "so these are the offline openers.",
            )
        note = f"Written by the model ({self.model_name}); each opener passed the checks."
        if len(kept) < written:
            note = (
                f"Written by the model ({self.model_name}); {len(kept)} of its {written} openers "
                "passed the checks and the rest were left out."
            )
        return OpenersResult(
            topic=topic,
            openers=kept[:MAX_OPENERS],
            tips=offline.tips,
            engine=self.name,
            note=note,
        )


def _check_opener(
    item: CitedOpener, passages: list[Passage], stems: list[str], sources: str
) -> tuple[Opener | None, str]:
    """The opener with its citation when it passes the offline openers' checks, else why not."""
    text = _clean(item.text)
    if not text:
        return None, "empty"
    problem = shown_problem(text, "opener", sources=sources)
    if problem:
        return None, problem
    problem = check_opener(text, stems)
    if problem:
        return None, problem
    passage = _passage(passages, item.source)
    if passage is None:
        return None, f"cited passage [{item.source}], which it was not given"
    citation, problem = _check_quote(1, passage, item.source, item.quote)
    if citation is None:
        return None, problem
    return Opener(text=text, citations=[citation]), ""


def _advice_citation(reply: RewriteReply, passages: list[Passage]) -> list[Citation]:
    """The advice the model says it applied, when its quote is verbatim in that passage;
    otherwise [] and the offline engine's citation of the same search stands."""
    passage = _passage(passages, reply.advice_source)
    if passage is None or not reply.advice_quote.strip():
        return []
    citation, _ = _check_quote(1, passage, reply.advice_source, reply.advice_quote)
    if citation is None or len(citation.quote.split()) < 5:
        return []
    return [citation]


def _openers_problem(written: int, kept: int, reasons: list[str]) -> str:
    why = f" (first problem: {reasons[0]})" if reasons else ""
    if written == 0:
        return "The model wrote no openers"
    if kept == 0:
        return f"None of the model's {written} opener(s) passed the checks{why}"
    return f"Only {kept} of the model's {written} openers passed the checks{why}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


R = TypeVar("R", RewriteResult, AskResult, OpenersResult)


def _fallback(offline: R, why: str) -> R:
    """The offline result, with a note saying why the model's was not used."""
    note = f"{why} {offline.note}".strip() if offline.note else why
    return replace(offline, engine="offline", note=note)
