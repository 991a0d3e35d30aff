"""Index faults: a file that vanishes while indexing, two `helper index` runs at once."""

import json
import subprocess
import sys
from pathlib import Path

import helper.retrieval.corpus as corpus_module
from helper.config import from_env
from helper.retrieval.index import Index


def write_corpus(folder: Path, n: int = 4) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"article-{i}.md").write_text(
            f"# Article {i}\n\n## Part\n\nTalk with your partner about topic {i} calmly.\n\n"
            f"## Listening {i}\n\nListen without interrupting when they explain point {i}.\n",
            encoding="utf-8",
        )
    return folder


def test_a_file_that_vanishes_while_indexing_is_reported(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", 2)
    listed = corpus_module.corpus_files(corpus)
    ghost = corpus / "vanished.md"
    monkeypatch.setattr(corpus_module, "corpus_files", lambda _dir: [*listed, ghost])
    ix = Index(from_env({"HELPER_CORPUS_DIR": str(corpus), "HELPER_DATA_DIR": str(tmp_path / "d")}))
    report = ix.build()
    assert report.files == 2
    assert any("vanished.md" in e for e in report.errors)


def test_two_index_runs_at_once_leave_a_consistent_index(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 6)
    env = {
        "PATH": "/usr/bin:/bin",
        "HELPER_CORPUS_DIR": str(corpus),
        "HELPER_DATA_DIR": str(tmp_path / "data"),
        "HELPER_ENGINE": "offline",
    }
    cmd = [sys.executable, "-m", "helper.cli", "index", "--json"]
    runs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=180) for p in runs]
    assert [p.returncode for p in runs] == [0, 0], [o[1].decode()[-500:] for o in outs]
    reports = [json.loads(o[0]) for o in outs]
    # The lock serialises them: one embeds everything, the other finds nothing left to do.
    assert sorted(r["embedded_chunks"] for r in reports) == [0, 12]
    final = Index(from_env(env))
    assert final.build().embedded_chunks == 0
    assert final._current()["chunks"].count() == 12
