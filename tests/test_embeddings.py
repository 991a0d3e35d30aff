"""Embeddings: the local MiniLM model, and OpenAI embeddings against a real HTTP server on
loopback that speaks the embeddings API (vectors with real structure: letter counts)."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from helper.config import from_env
from helper.retrieval.embeddings import MiniLMEmbedder, get_embedder
from helper.retrieval.index import Index


def letter_vector(text: str) -> list[float]:
    counts = [0.0] * 26
    for ch in text.lower():
        if "a" <= ch <= "z":
            counts[ord(ch) - 97] += 1
    return counts


class EmbeddingsHandler(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self):  # noqa: N802 - the stdlib's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        EmbeddingsHandler.requests.append(body)
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [
            {"object": "embedding", "index": i, "embedding": letter_vector(str(t))}
            for i, t in enumerate(inputs)
        ]
        payload = json.dumps(
            {
                "object": "list",
                "data": data,
                "model": body["model"],
                "usage": {"prompt_tokens": 1, "total_tokens": 1},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def embeddings_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), EmbeddingsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    EmbeddingsHandler.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_minilm_vectors_are_normalised_and_meaningful():
    e = MiniLMEmbedder()
    v = e.embed(
        [
            "Could we take turns with the dishes?",
            "Let's share the washing up.",
            "The stock market fell today.",
        ]
    )
    assert v.shape == (3, 384)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]


def test_openai_embeddings_index_against_a_local_server(embeddings_server, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text("# A\n\n## Budget\n\nAgree on a budget together.\n", "utf-8")
    (corpus / "b.md").write_text("# B\n\n## Timing\n\nPick a calm moment to talk.\n", "utf-8")
    env = {
        "HELPER_EMBEDDINGS": "openai",
        "OPENAI_API_KEY": "test-key",
        "OPENAI_BASE_URL": embeddings_server,
        "HELPER_EMBEDDING_MODEL": "letters-26",
        "HELPER_CORPUS_DIR": str(corpus),
        "HELPER_DATA_DIR": str(tmp_path / "data"),
    }
    settings = from_env(env)
    assert get_embedder(settings).name == "openai:letters-26"
    report = Index(settings).build()
    assert report.embedded_chunks == 2 and report.errors == []
    assert EmbeddingsHandler.requests and EmbeddingsHandler.requests[0]["model"] == "letters-26"
    top = Index(settings).search("budget", k=1)[0]
    assert "budget" in top.text
    # Switching back to the local model starts the store afresh: vectors of two models
    # never mix in one collection.
    local = Index(from_env({**env, "HELPER_EMBEDDINGS": "local"})).build()
    assert "embedder changed" in local.rebuilt_because and local.embedded_chunks == 2


def test_openai_embeddings_need_a_key():
    from helper.errors import ConfigError

    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        from_env({"HELPER_EMBEDDINGS": "openai"})


def test_nothing_is_queued_for_telemetry_by_the_cli_or_the_python_api(tmp_path):
    """onnxruntime writes a device id and an events database under ~/.cache/Microsoft unless
    ORT_DISABLE_TELEMETRY is set before it loads; importing helper sets it."""
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    helper_cli = Path(sys.executable).parent / "helper"
    calls = [
        [str(helper_cli), "ask", "How do we talk calmly?"],
        [sys.executable, "-c", "import helper; helper.rewrite('You never listen to me.')"],
    ]
    for cmd in calls:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    written = [p.relative_to(home) for p in home.rglob("*") if p.is_file()]
    assert not any("Microsoft" in p.parts or "onnxruntime" in str(p) for p in written), written


def test_a_text_embedded_again_gets_the_same_vector_from_the_cache():
    from helper.retrieval.embeddings import local_embedder

    embedder = local_embedder()
    embedder.clear_cache()
    texts = ["we keep fighting about the dishes", "thanks for dinner", "thanks for dinner"]
    first = embedder.embed(texts)
    assert first.shape == (3, 384)
    np.testing.assert_array_equal(first[1], first[2])
    again = embedder.embed(["thanks for dinner", "a new text about the car"])
    np.testing.assert_array_equal(again[0], first[1])
    again[0] = 0.0  # the caller's copy: the kept vector is not changed through it
    np.testing.assert_array_equal(embedder.embed(["thanks for dinner"])[0], first[1])
