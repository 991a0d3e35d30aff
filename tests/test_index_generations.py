"""Generations of the index: a process keeps serving while another one rebuilds, and a build
killed part-way leaves the last complete index in service. Real Chroma on disk, and real
`helper index` processes."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helper.config import REPO_ROOT, from_env
from helper.retrieval.index import Index

NEW_ADVICE = "Leave a note on the fridge saying one thing you loved about today."


def helper(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "helper.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def store(tmp_path) -> tuple[Path, dict[str, str]]:
    """A copy of the corpus, indexed once, and the environment that points at both."""
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HELPER_")},
        "HELPER_CORPUS_DIR": str(corpus),
        "HELPER_DATA_DIR": str(tmp_path / "data"),
    }
    done = helper("index", env=env)
    assert done.returncode == 0, done.stderr
    return corpus, env


def open_index(env: dict[str, str]) -> Index:
    return Index(from_env({k: env[k] for k in ("HELPER_CORPUS_DIR", "HELPER_DATA_DIR")}))


def edit_near_the_top(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    at = next(i for i in range(text.index("\n\n", 100) + 2, len(text)) if text[i].isalpha())
    path.write_text(text[:at] + text[at].swapcase() + text[at + 1 :], encoding="utf-8")


def test_a_running_process_serves_through_edits_and_a_rebuild_by_another(store):
    corpus, env = store
    index = open_index(env)
    first = index.generation
    errors: list[str] = []
    calls = [0]
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            try:
                found = index.retrieve("how do we stop fighting about chores")
                index.sentences(found, chunk_ids=[p.id for p in found.passages])
                calls[0] += 1
            except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
                errors.append(f"{type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=ask) for _ in range(3)]
    for w in workers:
        w.start()
    try:
        article = sorted(corpus.glob("*.md"))[0]
        edit_near_the_top(article)
        assert helper("index", env=env).returncode == 0
        with open(article, "a", encoding="utf-8") as fh:
            fh.write(f"\n\n## Small notes\n\n{NEW_ADVICE}\n")
        assert helper("index", env=env).returncode == 0
        before_rebuild = calls[0]
        assert helper("index", "--rebuild", env=env).returncode == 0
        time.sleep(1.0)
    finally:
        stop.set()
        for w in workers:
            w.join()
    assert errors == []
    assert calls[0] > before_rebuild > 0
    # Without a restart it serves the newest generation, with the paragraph added.
    assert index.generation != first
    found = index.retrieve(NEW_ADVICE, k=3)
    assert any(NEW_ADVICE in p.text for p in found.passages)


def test_a_build_killed_part_way_leaves_the_last_complete_index_in_service(store):
    corpus, env = store
    before = open_index(env).generation
    edit_near_the_top(sorted(corpus.glob("*.md"))[0])
    build = subprocess.Popen(
        [sys.executable, "-m", "helper.cli", "index", "--rebuild"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Killed once it is writing sentences: some of the new generation is on disk.
    seen = ""
    while "embedding sentences" not in seen:
        char = build.stdout.read(1)
        assert char, f"the build ended before it was killed:\n{seen}"
        seen += char
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    build.stdout.close()

    index = open_index(env)
    assert index.generation == before
    assert index._reason_to_rebuild(False) == ""  # counts and manifest agree
    assert index.retrieve("how do we talk about money", k=3).passages
    # The next build replaces it, and the half-written generation is dropped.
    assert helper("index", env=env).returncode == 0
    fresh = open_index(env)
    assert fresh.generation != before
    assert set(fresh._generations()) == {before, fresh.generation}
