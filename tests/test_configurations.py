"""The README's tested model configurations (Ollama, OpenAI), read from the README itself and
used through the real OpenAI client against a local OpenAI-compatible server standing in on
the same path: the settings they make, the requests they send, the results that come back."""

from __future__ import annotations

import os
import re

import pytest

from helper.config import REPO_ROOT, from_env
from helper.llm import LLMEngine, make_chat_model
from helper.offline import OfflineEngine
from tests.fault_server import FaultServer, ok
from tests.test_model_faults import GOOD_REWRITE, good_answer, good_openers

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def configuration(name: str) -> dict[str, str]:
    """The variables of the README's ```sh block that starts with `# NAME`."""
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        if block.startswith(f"# {name}"):
            return dict(
                line.split("=", 1) for line in block.splitlines() if re.match(r"[A-Z_]+=", line)
            )
    raise AssertionError(f"the README has no tested configuration for {name}")


@pytest.fixture(scope="module")
def server():
    with FaultServer() as s:
        yield s


def engine_for(env: dict[str, str], index) -> LLMEngine:
    settings = from_env({**env, "HELPER_DATA_DIR": os.environ["HELPER_DATA_DIR"]})
    assert settings.llm_configured and settings.use_llm
    return LLMEngine(OfflineEngine(index), make_chat_model(settings))


def run_all_three(engine, server) -> list:
    server.reset()
    server.play(ok(GOOD_REWRITE))
    rewrite = engine.rewrite("You never help with the dishes. I'm sick of doing everything myself.")
    server.play(ok(good_answer))
    answer = engine.ask("How do I start a hard conversation with my partner?")
    server.play(ok(good_openers))
    openers = engine.openers("the dishes")
    return [rewrite, answer, openers]


def test_the_ollama_configuration(server, index):
    env = configuration("Ollama")
    assert env["OPENAI_BASE_URL"] == "http://127.0.0.1:11434/v1"
    # The server stands in on the same path (/v1) at its own port.
    local = {
        **env,
        "OPENAI_BASE_URL": env["OPENAI_BASE_URL"].replace(
            "127.0.0.1:11434", f"127.0.0.1:{server.port}"
        ),
    }
    results = run_all_three(engine_for(local, index), server)
    assert [r.engine for r in results] == ["llm", "llm", "llm"], [r.note for r in results]
    for request in server.chat_requests:
        assert request.path == "/v1/chat/completions"
        assert request.body["model"] == "llama3.1"
        # Ollama and llama.cpp read max_tokens, not only max_completion_tokens.
        assert request.body.get("max_tokens")


def test_the_openai_configuration(server, index):
    env = configuration("OpenAI")
    assert "OPENAI_BASE_URL" not in env
    model = make_chat_model(from_env(env))
    assert model.openai_api_base in (None, "https://api.openai.com/v1")  # OpenAI itself
    assert model.extra_body is None  # OpenAI takes max_completion_tokens as sent
    # The same settings against the stand-in: the key and the model name go out as given.
    results = run_all_three(engine_for({**env, "OPENAI_BASE_URL": server.base_url}, index), server)
    assert [r.engine for r in results] == ["llm", "llm", "llm"], [r.note for r in results]
    for request in server.chat_requests:
        assert request.body["model"] == "gpt-4o-mini"
        assert request.headers["authorization"] == "Bearer sk-your-key"
