"""A real OpenAI-compatible HTTP server on loopback whose behaviour each test scripts.

    with FaultServer() as server:
        server.play(status(429, retry_after=1))      # every request gets a 429
        server.play(sleep(10), ok(reply))            # first request hangs, the rest answer
        ... point OPENAI_BASE_URL at server.base_url ...
        server.chat_requests                         # what it received, with times

It implements POST /v1/chat/completions (plain JSON, or server-sent events when the request
asks for `stream`) and GET /v1/models. A scripted behaviour answers one request; the last one
of a script repeats for every request after it, so a fault stays a fault through retries.
Stdlib only; the server stops (and wakes any sleeping handler) when the context exits.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "fault-model"

# --- what the server received ------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: Any  # the parsed JSON body, or None
    at: float  # time.monotonic() when the request arrived


def tool_name(body: Any) -> str | None:
    """The tool the request asks the model to call (the forced one, else the first)."""
    if not isinstance(body, dict):
        return None
    choice = body.get("tool_choice")
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name")
        if name:
            return name
    tools = body.get("tools") or []
    return tools[0]["function"]["name"] if tools else None


def _system_text(body: Any) -> str:
    messages = body.get("messages", []) if isinstance(body, dict) else []
    parts = []
    for m in messages:
        content = m.get("content")
        if isinstance(content, list):
            content = "".join(b.get("text", "") for b in content if isinstance(b, dict))
        parts.append(content or "")
    return "\n".join(parts)


_PASSAGES = re.compile(r"<passages>\n(.*?)\n</passages>", re.DOTALL)
_NUMBERED = re.compile(r"^\[(\d+)\] [^\n]*\n", re.MULTILINE)


def passages_of(body: Any) -> dict[int, str]:
    """The numbered passages a request's prompt carried: {n: text} (heading lines dropped)."""
    m = _PASSAGES.search(_system_text(body))
    if not m:
        return {}
    block = m.group(1)
    heads = list(_NUMBERED.finditer(block))
    out = {}
    for i, head in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(block)
        out[int(head.group(1))] = block[head.end() : end].strip()
    return out


def topic_of(body: Any) -> str:
    m = re.search(r"<topic>\n(.*?)\n</topic>", _system_text(body), re.DOTALL)
    return m.group(1) if m else ""


def kind_of(body: Any) -> str:
    """Which reply the request wants: RewriteReply, AnswerReply or OpenersReply."""
    name = tool_name(body)
    if name:
        return name
    text = _system_text(body)
    if "<topic>" in text:
        return "OpenersReply"
    if "<question>" in text:
        return "AnswerReply"
    return "RewriteReply"


# --- chat completion payloads ------------------------------------------------------------


def _message(body: Any, reply: Any) -> dict:
    """An assistant message carrying `reply`: a tool call when the request has tools."""
    name = tool_name(body)
    if name is not None and not isinstance(reply, str):
        call = {
            "id": "call_1",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(reply)},
        }
        return {"role": "assistant", "content": None, "tool_calls": [call]}
    text = reply if isinstance(reply, str) else json.dumps(reply)
    return {"role": "assistant", "content": text}


def completion(body: Any, reply: Any, finish_reason: str | None = None) -> dict:
    message = _message(body, reply)
    if finish_reason is None:
        finish_reason = "tool_calls" if "tool_calls" in message else "stop"
    return {
        "id": "chatcmpl-fault",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def sse_chunks(body: Any, reply: Any) -> list[dict]:
    """The streamed form of a completion: a role chunk, content in pieces, a finish chunk."""
    message = _message(body, reply)

    def chunk(delta: dict, finish: str | None = None) -> dict:
        return {
            "id": "chatcmpl-fault",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }

    chunks = [chunk({"role": "assistant", "content": ""})]
    if "tool_calls" in message:
        call = message["tool_calls"][0]
        args = call["function"]["arguments"]
        head = {"index": 0, "id": call["id"], "type": "function"}
        head["function"] = {"name": call["function"]["name"], "arguments": ""}
        chunks.append(chunk({"tool_calls": [head]}))
        for i in range(0, len(args), 40):
            piece = {"index": 0, "function": {"arguments": args[i : i + 40]}}
            chunks.append(chunk({"tool_calls": [piece]}))
        chunks.append(chunk({}, "tool_calls"))
    else:
        text = message["content"]
        for i in range(0, len(text), 40):
            chunks.append(chunk({"content": text[i : i + 40]}))
        chunks.append(chunk({}, "stop"))
    return chunks


# --- behaviours ----------------------------------------------------------------------------

Reply = Any  # a dict (tool arguments / JSON), a str (plain text), or a callable(body) -> either


@dataclass
class Behaviour:
    """How the server answers one request; `name` shows in test ids and reports."""

    name: str
    run: Callable[[Handler, Any], None] = field(repr=False)


def _resolve(reply: Reply, body: Any) -> Any:
    return reply(body) if callable(reply) else reply


def ok(reply: Reply) -> Behaviour:
    """A proper chat completion (streamed when asked) whose reply is `reply`."""

    def run(h: Handler, body: Any) -> None:
        value = _resolve(reply, body)
        if isinstance(body, dict) and body.get("stream"):
            h.send_sse(sse_chunks(body, value))
        else:
            h.send_json(200, completion(body, value))

    return Behaviour("ok", run)


def sleep(seconds: float, then: Behaviour | None = None) -> Behaviour:
    """Say nothing for `seconds` (a client time-out), then answer with `then`, or hang up."""

    def run(h: Handler, body: Any) -> None:
        if h.server.stopping.wait(seconds):
            return  # the server is stopping
        if then is not None:
            then.run(h, body)

    return Behaviour(f"sleep({seconds:g})", run)


def status(code: int, retry_after: float | str | None = None, message: str = "") -> Behaviour:
    """An error status with an OpenAI-style error body, and a Retry-After header if given."""

    def run(h: Handler, body: Any) -> None:
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        error = {"message": message or f"scripted {code}", "type": "fault", "code": code}
        h.send_json(code, {"error": error}, headers)

    suffix = "" if retry_after is None else f", retry_after={retry_after}"
    return Behaviour(f"status({code}{suffix})", run)


def malformed() -> Behaviour:
    """A 200 whose body is not valid JSON."""

    def run(h: Handler, body: Any) -> None:
        h.send_bytes(200, b'{"id": "chatcmpl-fault", "choices": [{"index": 0, "mess', "json")

    return Behaviour("malformed", run)


def cut_stream() -> Behaviour:
    """Start a response and drop the connection part-way through its body.

    A plain request gets a Content-Length it never receives; a streaming request gets a few
    events over chunked encoding and then a closed socket, with no final chunk and no [DONE].
    """

    def run(h: Handler, body: Any) -> None:
        value = _demo_reply(body)
        if isinstance(body, dict) and body.get("stream"):
            h.send_sse(sse_chunks(body, value)[:3], cut=True)
        else:
            data = json.dumps(completion(body, value)).encode()
            h.send_bytes(200, data[: len(data) // 2], "json", length=len(data))

    return Behaviour("cut_stream", run)


def huge(megabytes: int = 20, sized: bool = True) -> Behaviour:
    """A well-formed completion whose reply text runs to `megabytes` MB; `sized` sends a
    Content-Length, otherwise the body simply runs until the connection closes."""

    def run(h: Handler, body: Any) -> None:
        value = {key: "I feel " + "very " * (megabytes * 200_000) for key in _demo_reply(body)}
        data = json.dumps(completion(body, value)).encode()
        h.send_bytes(200, data, "json", length=None if sized else -1)

    return Behaviour("huge", run)


def wrong_schema() -> Behaviour:
    """A proper completion whose structured reply has the wrong fields."""

    def run(h: Handler, body: Any) -> None:
        reply = {"answer": "I feel tired. Could we talk?", "confidence": 0.9, "items": []}
        h.send_json(200, completion(body, reply))

    return Behaviour("wrong_schema", run)


def not_a_completion() -> Behaviour:
    """A 200 with valid JSON that is not a chat completion at all."""

    def run(h: Handler, body: Any) -> None:
        h.send_json(200, {"result": "ok", "data": [1, 2, 3]})

    return Behaviour("not_a_completion", run)


FORGED_QUOTE = "Always shout first so that your partner knows you mean it"


def forged_citation() -> Behaviour:
    """A well-formed structured reply that cites words not in what the model was given.

    Answers and openers quote a sentence found in none of the passages; a rewrite, which has
    no passages, "quotes" a topic found nowhere in the draft.
    """

    def run(h: Handler, body: Any) -> None:
        kind = kind_of(body)
        if kind == "AnswerReply":
            sentence = {"text": "Shouting first gets you heard.", "source": 1}
            reply = {"sentences": [{**sentence, "quote": FORGED_QUOTE}]}
        elif kind == "OpenersReply":
            topic = topic_of(body) or "this"
            texts = [
                f"I'd like to talk about {topic}, calmly, tonight.",
                f"I've been thinking about {topic} and I'd like us to talk.",
                f"I feel unsure about {topic}; could we talk it through?",
            ]
            reply = {
                "openers": [
                    {"text": t, "source": n, "quote": FORGED_QUOTE} for n, t in enumerate(texts, 1)
                ]
            }
        else:
            reply = {
                "rewrite": "I felt hurt when my birthday passed without a word. "
                "Could you put it in your calendar?",
                "gentle": "My birthday was forgotten again, and that hurt.",
                "brief": "Could you put my birthday in your calendar?",
                "explanation": "I described the feeling and made a request.",
            }
        h.send_json(200, completion(body, reply))

    return Behaviour("forged_citation", run)


def _demo_reply(body: Any) -> dict:
    """Something shaped like the reply asked for, for faults that cut it short anyway."""
    kind = kind_of(body)
    if kind == "AnswerReply":
        return {"sentences": [{"text": "Talk calmly.", "source": 1, "quote": "x y z"}]}
    if kind == "OpenersReply":
        return {"openers": [{"text": "I'd like to talk.", "source": 1, "quote": "x y z"}]}
    return {
        "rewrite": "I feel tired.",
        "gentle": "I'm tired.",
        "brief": "Help?",
        "explanation": ".",
    }


# --- the server ----------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _record(self, body: Any) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        received = Received(self.command, self.path, headers, body, time.monotonic())
        with self.server.lock:
            self.server.received.append(received)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._record(None)
        if self.path.rstrip("/") == "/v1/models":
            model = {"id": MODEL, "object": "model", "created": 0, "owned_by": "tests"}
            self.send_json(200, {"object": "list", "data": [model]})
        else:
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        self._record(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self.send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        behaviour = self.server.next_behaviour()
        try:
            behaviour.run(self, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first (a time-out): nothing to answer
        self.close_connection = True

    # responses

    def send_bytes(
        self,
        code: int,
        data: bytes,
        kind: str = "json",
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        """Send `data`; a `length` larger than the data promises bytes that never come, and
        -1 sends no Content-Length at all."""
        self.send_response(code)
        ctype = "application/json" if kind == "json" else kind
        self.send_header("Content-Type", ctype)
        if length != -1:  # -1: no length, the body ends when the connection closes
            self.send_header("Content-Length", str(len(data) if length is None else length))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def send_json(self, code: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.send_bytes(code, json.dumps(payload).encode(), "json", headers)

    def send_sse(self, chunks: list[dict], cut: bool = False) -> None:
        """Server-sent events over chunked encoding; `cut` drops the line before [DONE]."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        events = [f"data: {json.dumps(c)}\n\n" for c in chunks]
        if not cut:
            events.append("data: [DONE]\n\n")
        for event in events:
            data = event.encode()
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        if cut:
            # No terminating chunk: the connection just ends mid-body.
            self.close_connection = True
            return
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.received: list[Received] = []
        self.script: list[Behaviour] = []

    def next_behaviour(self) -> Behaviour:
        with self.lock:
            if not self.script:
                return status(503, message="nothing scripted for this request")
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]


class FaultServer:
    """The scripted server; use as a context manager (it stops itself on exit)."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What OPENAI_BASE_URL should be."""
        return f"{self.url}/v1"

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.stopping.set()  # wakes sleeping handlers
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # scripting

    def play(self, *behaviours: Behaviour) -> None:
        """Answer the next requests with `behaviours` in turn; the last one repeats."""
        with self._server.lock:
            self._server.script = list(behaviours)

    def reset(self) -> None:
        """Forget the script and what was received."""
        with self._server.lock:
            self._server.script = []
            self._server.received = []

    # what was received

    @property
    def requests(self) -> list[Received]:
        with self._server.lock:
            return list(self._server.received)

    @property
    def chat_requests(self) -> list[Received]:
        return [r for r in self.requests if r.path.rstrip("/") == "/v1/chat/completions"]
