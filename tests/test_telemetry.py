"""Nothing phones home: every connection the helper opens is traced (strace, at the system
call, so native code such as onnxruntime's is watched too) while the CLI, a batch, the Python
API and the page each run; only loopback connections are allowed, and no DNS lookup at all.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from helper.config import REPO_ROOT

STRACE = shutil.which("strace")
pytestmark = pytest.mark.skipif(
    STRACE is None and not os.environ.get("CI"),
    reason="strace is not installed (CI installs it: .ci/run)",
)

_INET = re.compile(r'sin_port=htons\((\d+)\).*?inet_addr\("([^"]+)"\)')
_INET6 = re.compile(r'sin6_port=htons\((\d+)\).*?inet_pton\(AF_INET6, "([^"]+)"')
LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def outbound(trace: Path) -> list[str]:
    """Connections and datagrams to anywhere but loopback, and every DNS query (port 53)."""
    found = []
    for line in trace.read_text(errors="replace").splitlines():
        if "connect(" not in line and "sendto(" not in line and "sendmsg(" not in line:
            continue
        for port, address in _INET.findall(line) + _INET6.findall(line):
            if address not in LOOPBACK or port == "53":
                found.append(line.strip())
    return found


def traced(command: list[str], trace: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            STRACE or "strace",
            "-f",
            "-qq",
            "-e",
            "trace=connect,sendto,sendmsg",
            "-o",
            str(trace),
            *command,
        ],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # strace and what it traces stop together (os.killpg)
    )


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HELPER_", "OPENAI_"))}
    # The switches the helper sets itself are taken away, so the test sees its own doing.
    for name in ("ORT_DISABLE_TELEMETRY", "ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED"):
        keep.pop(name, None)
    return {
        **keep,
        "HOME": str(home),
        "HELPER_DATA_DIR": os.environ.get("HELPER_DATA_DIR", "") or str(tmp_path / "data"),
    }


def test_the_cli_a_batch_and_the_python_api_connect_nowhere(tmp_path, env):
    batch = tmp_path / "drafts.jsonl"
    batch.write_text('{"text": "You never listen to me."}\n{"text": "Thanks for dinner."}\n')
    helper = str(Path(sys.executable).parent / "helper")
    runs = {
        "ask": [helper, "ask", "How do we talk calmly?"],
        "batch": [helper, "batch", "rewrite", str(batch)],
        "api": [
            sys.executable,
            "-c",
            "import helper; helper.rewrite('You never listen.'); helper.ask('How?')",
        ],
    }
    for name, command in runs.items():
        trace = tmp_path / f"{name}.trace"
        process = traced(command, trace, env)
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, (name, err[-2000:])
        assert outbound(trace) == [], name


def test_the_page_connects_nowhere(tmp_path, env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    trace = tmp_path / "page.trace"
    page = traced([sys.executable, "app.py"], trace, {**env, "HELPER_PORT": str(port)})
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 240
        while True:
            assert page.poll() is None, page.stderr.read()[-2000:]
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    assert reply.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the page never answered"
                time.sleep(0.5)
        time.sleep(3)  # anything sent at start-up, or just after the first visit, is in
    finally:
        os.killpg(page.pid, signal.SIGTERM)
        try:
            page.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(page.pid, signal.SIGKILL)
            page.wait(timeout=30)
    assert outbound(trace) == []


def test_the_watch_sees_a_lookup_and_a_connection(tmp_path, env):
    """The check above can fail: a DNS lookup and a connection out are both caught."""
    trace = tmp_path / "probe.trace"
    probe = (
        "import socket\n"
        "for call in (lambda: socket.getaddrinfo('example.invalid', 80),\n"
        "             lambda: socket.create_connection(('192.0.2.1', 443), timeout=0.5)):\n"
        "    try: call()\n"
        "    except OSError: pass\n"
    )
    process = traced([sys.executable, "-c", probe], trace, env)
    process.communicate(timeout=60)
    seen = outbound(trace)
    assert any("192.0.2.1" in line for line in seen), seen
    assert any("htons(53)" in line for line in seen) or not Path("/etc/resolv.conf").exists()
