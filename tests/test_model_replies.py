"""Replies a capable model wrote for the exact prompts the engine sends (tests/fixtures/,
see build_model_replies.py), replayed through the real OpenAI client in the wire formats
models use: forced tool calls, JSON in the content, JSON in a code fence. Good replies must
be shown; bad ones (a weak model, an echoed injection, hostile text, a forged or unsupported
quote, a link or a phone number) must not.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from helper.config import from_env
from helper.llm import LLMEngine, make_chat_model
from helper.offline import OfflineEngine
from tests.fault_server import MODEL, Behaviour, FaultServer
from tests.fixtures.build_model_replies import passages_fingerprint

FIXTURES = Path(__file__).parent / "fixtures" / "model-replies.jsonl"
ROWS = [json.loads(line) for line in FIXTURES.read_text(encoding="utf-8").splitlines()]
GOOD = [r for r in ROWS if r["expect"] == "shown"]
BAD = [r for r in ROWS if r["expect"] == "rejected"]


@pytest.fixture(scope="module")
def server():
    with FaultServer() as s:
        yield s


@pytest.fixture(scope="module")
def engine(server, index):
    settings = from_env(
        {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "test",
            "HELPER_ENGINE": "llm",
            "HELPER_CHAT_MODEL": MODEL,
            "HELPER_LLM_TIMEOUT": "10",
            "HELPER_LLM_RETRIES": "0",
            "HELPER_DATA_DIR": os.environ["HELPER_DATA_DIR"],
        }
    )
    return LLMEngine(OfflineEngine(index), make_chat_model(settings))


def replay(engine, server, row: dict):
    """The engine's result for the row's input, the fixture's response being the model's."""
    server.reset()
    server.play(Behaviour("fixture", lambda h, body: h.send_json(200, row["completion"])))
    result = getattr(engine, row["kind"])(row["input"])
    sent = server.chat_requests
    prompt = "\n".join(m.get("content") or "" for m in sent[0].body["messages"]) if sent else ""
    return result, prompt


def reply_of(row: dict) -> dict:
    message = row["completion"]["choices"][0]["message"]
    if message.get("tool_calls"):
        return json.loads(message["tool_calls"][0]["function"]["arguments"])
    text = message["content"]
    return json.loads(text[text.index("{") : text.rindex("}") + 1])


@pytest.fixture(scope="module")
def good_results(engine, server):
    return [(row, *replay(engine, server, row)) for row in GOOD]


def test_there_are_at_least_60_replies_in_all_three_wire_formats():
    assert len(GOOD) >= 60 and len(BAD) >= 12
    assert {r["format"] for r in ROWS} == {"tool_call", "json_content", "fenced"}


def test_the_prompts_still_carry_the_passages_the_replies_were_written_for(good_results):
    stale = [
        row["id"]
        for row, _, prompt in good_results
        if row["kind"] != "rewrite" and passages_fingerprint(prompt) != row["passages"]
    ]
    assert not stale, f"retrieval changed: rebuild tests/fixtures for {stale}"


def test_at_least_95_percent_of_capable_replies_are_shown(good_results):
    shown, refused = [], []
    for row, result, _ in good_results:
        ok = (not result.changed) if row["kind_draft"] else result.engine == "llm"
        (shown if ok else refused).append(f"{row['id']}: {result.note}")
    rate = len(shown) / len(good_results)
    print(f"capable replies shown: {len(shown)}/{len(good_results)} ({rate:.1%})")
    print("\n".join(refused))
    assert rate >= 0.95, "\n".join(refused)


def test_at_least_97_percent_of_hostile_drafts_get_the_models_rewrite(good_results):
    hostile = [
        (row, r) for row, r, _ in good_results if row["kind"] == "rewrite" and not row["kind_draft"]
    ]
    got = [row["id"] for row, r in hostile if r.engine == "llm" and r.changed]
    assert len(got) / len(hostile) >= 0.97, [
        row["id"] for row, _ in hostile if row["id"] not in got
    ]


def test_an_advice_quote_the_model_gives_is_cited_verbatim(good_results):
    cited = [r for row, r, _ in good_results if row["kind"] == "rewrite" and r.engine == "llm"]
    assert all(len(r.advice) == 1 for r in cited)


# Where a bad reply's fault is one item among good ones, the item (a substring of it): the
# checks must drop that item and may show the rest.
BAD_PART = {
    "openers-04-bad-hostile": "spoiled teenager",
    "openers-00-bad-link_or_phone": "1-800-555-0199",
    "openers-02-bad-link_or_phone": "https://",
    "ask-04-bad-unsupported": "purely a hormone problem",
    "ask-00-bad-unsupported": "you should stay and work it out",
    "rewrite-00-bad-forged_quote": "Always speak softly and never raise your voice",
}


@pytest.mark.parametrize("row", BAD, ids=[r["id"] for r in BAD])
def test_a_bad_reply_is_never_shown(engine, server, row):
    result, _ = replay(engine, server, row)
    reply = reply_of(row)
    shown = json.dumps(result.to_dict(), ensure_ascii=False)
    part = BAD_PART.get(row["id"])
    if part is not None:
        assert part not in shown, result.note
        return
    if row["kind"] == "rewrite":
        texts = [reply.get(k, "") for k in ("rewrite", "gentle", "brief")]
    elif row["kind"] == "ask":
        texts = [s["text"].rstrip(".") for s in reply["sentences"]]
    else:
        texts = [o["text"] for o in reply["openers"]]
    # The whole reply is bad: the offline result stands, with a note saying why.
    assert result.engine == "offline" and result.note
    assert not any(t and t in shown for t in texts if t not in row["input"]), result.note
