"""Test configuration: no network beyond loopback, no configured model, one shared index."""

from __future__ import annotations

import ipaddress
import os
import socket
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# Settings are read once per process: fix them before anything imports helper.
os.environ["HELPER_ENGINE"] = "offline"
for name in (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "HELPER_CHAT_MODEL",
    "CHROMA_HOST",
    "HELPER_EMBEDDINGS",
    "HELPER_CORPUS_DIR",
):
    os.environ.pop(name, None)
os.environ.setdefault("HELPER_DATA_DIR", tempfile.mkdtemp(prefix="helper-test-index-"))
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["ANONYMIZED_TELEMETRY"] = "False"

_real_connect = socket.socket.connect


def _loopback_only(self, address):
    # A test may talk to servers it started on this machine, never to the outside world.
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise RuntimeError(f"tests may not reach the network ({host})")
    return _real_connect(self, address)


socket.socket.connect = _loopback_only


@pytest.fixture(scope="session")
def index():
    """The real corpus, indexed once for the whole run."""
    from helper.config import settings
    from helper.retrieval.index import Index

    ix = Index(settings())
    ix.build()
    return ix


def read_jsonl(path: Path) -> list[dict]:
    import json

    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
