"""Model faults against a real OpenAI-compatible server on loopback that the tests script.

The engine is built the way a person configures it (OPENAI_BASE_URL, HELPER_LLM_TIMEOUT,
HELPER_LLM_RETRIES). For every fault and every capability the result is the offline one in
content, engine "offline", a note that says in plain words what went wrong, in bounded time,
with at most HELPER_LLM_RETRIES + 1 requests per call. Good scripted replies are used.
"""

from __future__ import annotations

import email.utils
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import openai
import pytest

import helper
from helper.config import from_env
from helper.llm import LLMEngine, make_chat_model
from helper.offline import OfflineEngine
from helper.offline.findings import analyze
from helper.offline.rewriting import check_rewrite
from helper.retrieval.citations import is_verbatim, read_doc
from tests.fault_server import (
    MODEL,
    Behaviour,
    FaultServer,
    cut_stream,
    forged_citation,
    huge,
    malformed,
    not_a_completion,
    ok,
    passages_of,
    sleep,
    status,
    tool_name,
    wrong_schema,
)

TIMEOUT, RETRIES = 2.0, 1
MAX_REQUESTS = RETRIES + 1
# Every attempt may use its whole time-out, each retry may wait out a Retry-After of up to
# the time-out (longer ones are not waited for), plus slack for the offline work and backoff.
CALL_BOUND = TIMEOUT * (RETRIES + 1) + TIMEOUT * RETRIES + 3

DRAFT = "You never help with the dishes. I'm sick of doing everything myself."
QUESTION = "How do I start a hard conversation with my partner?"
TOPIC = "the dishes"
CALLS = {"rewrite": DRAFT, "ask": QUESTION, "openers": TOPIC}
CONTENT = {"rewrite": "offline rewrite", "ask": "offline answer", "openers": "offline openers"}


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server():
    with FaultServer() as s:
        yield s


@pytest.fixture
def fresh(server):
    server.reset()
    yield server
    server.reset()


@pytest.fixture(scope="module")
def settings(server):
    return from_env(
        {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "test",
            "HELPER_ENGINE": "llm",
            "HELPER_CHAT_MODEL": MODEL,
            "HELPER_LLM_TIMEOUT": str(TIMEOUT),
            "HELPER_LLM_RETRIES": str(RETRIES),
            "HELPER_DATA_DIR": os.environ["HELPER_DATA_DIR"],  # the session index's
        }
    )


@pytest.fixture(scope="module")
def offline(index):
    return OfflineEngine(index)


@pytest.fixture(scope="module")
def expected(offline):
    """The offline results every fault must come back as (computing them warms the engine)."""
    results = {name: getattr(offline, name)(arg) for name, arg in CALLS.items()}
    assert results["rewrite"].changed and not results["ask"].refused
    assert results["openers"].openers
    return results


@pytest.fixture(scope="module")
def engine(offline, settings, expected):
    return LLMEngine(offline, make_chat_model(settings))


def timed(engine: LLMEngine, name: str):
    start = time.monotonic()
    result = getattr(engine, name)(CALLS[name])
    return result, time.monotonic() - start


def assert_offline_with_note(result, offline, words: str, name: str) -> None:
    assert result.engine == "offline"
    # In content it is exactly the offline result; only the note is added to.
    assert replace(result, note=offline.note) == offline
    assert words.lower() in result.note.lower(), result.note
    assert CONTENT[name] in result.note
    assert result.note.endswith(offline.note)
    # Plain words: no exception class names, no tracebacks.
    assert not re.search(r"[A-Z]\w*(Error|Exception)\b|Traceback", result.note), result.note


# --- faults × capabilities -----------------------------------------------------------------


def _http_date(seconds_ahead: float) -> str:
    return email.utils.formatdate(time.time() + seconds_ahead, usegmt=True)


@dataclass(frozen=True)
class Fault:
    id: str
    behaviour: Callable[[], Behaviour]
    words: str | dict[str, str]  # what the note must say (per capability when a dict)
    most: int = 1  # the most requests one call may make
    gap: float = 0.0  # the least time between a request and its retry


FAULTS = [
    Fault("timeout", lambda: sleep(30), "did not answer in time", MAX_REQUESTS, TIMEOUT * 0.9),
    # A Retry-After within the time-out is waited for, once.
    Fault("429-retry-after-1s", lambda: status(429, retry_after=1), "(429)", MAX_REQUESTS, 0.9),
    # Longer than the time-out: not waited for at all (openai's client would, up to 120 s).
    Fault("429-retry-after-90s", lambda: status(429, retry_after=90), "limiting requests (429)"),
    Fault("429-retry-after-date", lambda: status(429, retry_after=_http_date(60)), "(429)"),
    Fault("500", lambda: status(500), "the model service returned an error (500)", MAX_REQUESTS),
    Fault("malformed-json", malformed, "the model's reply was not the JSON asked for"),
    Fault("cut-stream", cut_stream, "broke off its reply before it was complete", MAX_REQUESTS),
    Fault("20-MB-reply", huge, "larger than 1,000 KB"),
    Fault("20-MB-reply-unsized", lambda: huge(sized=False), "larger than 1,000 KB"),
    Fault("wrong-schema", wrong_schema, "the model's reply was not the JSON asked for"),
    Fault("not-a-completion", not_a_completion, "reply was not a chat completion"),
    Fault(
        "forged-citation",
        forged_citation,
        {
            "rewrite": "set aside because it drops the topic",
            "ask": "quoted text that is not in passage [1]",
            "openers": "quoted text that is not in passage [1]",
        },
    ),
]
WANTED = {"rewrite": "RewriteReply", "ask": "AnswerReply", "openers": "OpenersReply"}


@pytest.mark.parametrize("name", list(CALLS))
@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_a_fault_gives_the_offline_result_with_a_note_in_bounded_time(
    engine, expected, fresh, fault, name
):
    fresh.play(fault.behaviour())
    result, elapsed = timed(engine, name)
    words = fault.words[name] if isinstance(fault.words, dict) else fault.words
    assert_offline_with_note(result, expected[name], words, name)
    calls = fresh.chat_requests
    assert 1 <= len(calls) <= fault.most
    assert all(tool_name(r.body) == WANTED[name] for r in calls)  # this capability's reply
    assert elapsed < CALL_BOUND
    if fault.most == 1:  # nothing retried, nothing waited for
        assert elapsed < TIMEOUT
    for before, after in zip(calls, calls[1:], strict=False):
        assert after.at - before.at >= fault.gap


def test_the_model_recovering_on_the_retry_is_used(engine, expected, fresh):
    fresh.play(status(500), ok(GOOD_REWRITE))
    result, _ = timed(engine, "rewrite")
    assert result.engine == "llm" and result.rewrite == GOOD_REWRITE["rewrite"]
    assert len(fresh.chat_requests) == 2


# --- streaming clients ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def streaming_engine(offline, settings, expected):
    model = make_chat_model(settings).model_copy(update={"streaming": True})
    return LLMEngine(offline, model)


def test_a_streamed_reply_is_used(streaming_engine, fresh):
    fresh.play(ok(GOOD_REWRITE))
    result, _ = timed(streaming_engine, "rewrite")
    assert fresh.chat_requests[0].body["stream"] is True
    assert result.engine == "llm" and result.rewrite == GOOD_REWRITE["rewrite"]


def test_a_stream_cut_off_mid_way_falls_back(streaming_engine, expected, fresh):
    fresh.play(cut_stream())
    result, elapsed = timed(streaming_engine, "rewrite")
    assert all(r.body["stream"] is True for r in fresh.chat_requests)
    assert_offline_with_note(result, expected["rewrite"], "broke off its reply", "rewrite")
    assert 1 <= len(fresh.chat_requests) <= MAX_REQUESTS and elapsed < CALL_BOUND


# --- accepted replies ----------------------------------------------------------------------

GOOD_REWRITE = {
    "rewrite": "I feel worn out when the dishes pile up and I'm doing them on my own. "
    "Could we take turns with them this week?",
    "gentle": "I'd really like more help with the dishes; I've been doing them myself.",
    "brief": "Could we share the dishes this week?",
    "explanation": "I described the feeling and made a request.",
}


def _quote(passage: str, words: int = 8) -> str:
    """Words copied from the passage as the prompt showed it: its longest line's start."""
    line = max(passage.splitlines(), key=len)
    return " ".join(line.split()[:words])


def good_answer(body) -> dict:
    """Sentences resting on the passages this request carried, quoting them word for word."""
    passages = passages_of(body)
    assert len(passages) >= 2, "the prompt carried no numbered passages"
    sentences = []
    for n in sorted(passages)[:2]:
        quote = _quote(passages[n])
        sentences.append({"text": f"The guidance says: {quote}", "source": n, "quote": quote})
    return {"sentences": sentences}


OPENER_TEXTS = [
    "Is now a calm moment to talk about the dishes? I'd like us to.",
    "I really appreciate how much you do, and I'd like to talk about the dishes.",
    "I feel stretched thin with the dishes lately; could we figure it out together?",
    "How do you feel about the way we handle the dishes? I'd love to hear it.",
]


def good_openers(body) -> dict:
    passages = passages_of(body)
    numbers = sorted(passages)
    return {
        "openers": [
            {"text": text, "source": n, "quote": _quote(passages[n])}
            for text, n in zip(OPENER_TEXTS, (numbers * 4)[: len(OPENER_TEXTS)], strict=True)
        ]
    }


def test_a_good_rewrite_is_used_through_get_engine(settings, fresh):
    engine = helper.get_engine(settings)
    assert isinstance(engine, LLMEngine)
    fresh.play(ok(GOOD_REWRITE))
    result = engine.rewrite(DRAFT)
    assert result.engine == "llm" and MODEL in result.note
    assert result.rewrite == GOOD_REWRITE["rewrite"]
    assert check_rewrite(DRAFT, result.rewrite) == []
    assert all(analyze(a.text) == [] for a in result.alternatives)
    assert result.findings == analyze(DRAFT)
    (request,) = fresh.chat_requests
    body = request.body
    assert body["model"] == MODEL and body["tool_choice"]["function"]["name"] == "RewriteReply"
    assert "<draft>" in body["messages"][-1]["content"] and DRAFT in body["messages"][-1]["content"]
    assert request.headers.get("authorization") == "Bearer test"


def test_a_good_answer_quoting_its_passages_is_used(engine, fresh):
    fresh.play(ok(good_answer))
    result, _ = timed(engine, "ask")
    assert result.engine == "llm", result.note
    assert not result.refused and len(result.citations) == 2
    for citation in result.citations:
        assert is_verbatim(citation)
        assert read_doc(citation.doc)[citation.start : citation.end] == citation.quote
        assert f"[{citation.n}]" in result.answer
    assert len(fresh.chat_requests) == 1


def test_good_openers_quoting_their_passages_are_used(engine, fresh):
    fresh.play(ok(good_openers))
    result, _ = timed(engine, "openers")
    assert result.engine == "llm", result.note
    assert [o.text for o in result.openers] == OPENER_TEXTS
    for opener in result.openers:
        (citation,) = opener.citations
        assert is_verbatim(citation)
    assert len(fresh.chat_requests) == 1


# --- the server itself ---------------------------------------------------------------------


def test_the_server_lists_its_model_to_an_openai_client(fresh):
    client = openai.OpenAI(base_url=fresh.base_url, api_key="test", max_retries=0, timeout=2)
    assert [m.id for m in client.models.list()] == [MODEL]
    assert fresh.requests[-1].method == "GET"


def test_an_unscripted_request_gets_an_error_not_a_hang(engine, expected, fresh):
    result, elapsed = timed(engine, "rewrite")
    assert result.engine == "offline" and "(503)" in result.note
    assert elapsed < CALL_BOUND
