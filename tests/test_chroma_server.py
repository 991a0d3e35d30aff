"""Server mode: indexing and asking against a real `chroma run` on loopback."""

import contextlib
import shutil
import sys
from pathlib import Path

import pytest

from helper.config import from_env
from helper.offline.answering import answer_offline
from helper.retrieval.citations import is_verbatim
from helper.retrieval.index import Index

from .servers import free_port, running

REPO = Path(__file__).resolve().parent.parent
CHROMA = Path(sys.executable).parent / "chroma"

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    if not CHROMA.exists():
        pytest.fail(f"{CHROMA} is missing: chromadb installs the `chroma` command")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    cmd = [str(CHROMA), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    with running(cmd, f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=60):
        yield port


def test_index_and_ask_against_a_chroma_server(chroma_server, tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    env = {
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(chroma_server),
        "HELPER_DATA_DIR": str(tmp_path / "data"),
        "HELPER_CORPUS_DIR": str(corpus),
        "HELPER_COLLECTION": "server-test",
    }
    ix = Index(from_env(env))
    first = ix.build()
    assert first.embedded_chunks == first.chunks > 50
    assert not (tmp_path / "data" / "chroma").exists()  # nothing embedded locally

    again = Index(from_env(env)).build()
    assert again.embedded_chunks == 0 and again.embedded_sentences == 0

    result = answer_offline("How can we set the mood for more intimacy?", Index(from_env(env)))
    assert not result.refused
    assert any("candles" in c.quote for c in result.citations)
    assert all(is_verbatim(c) for c in result.citations)


def test_two_pages_on_one_chroma_server_serve_the_same_answers(chroma_server, tmp_path):
    """Two page processes, each with its own empty data folder and no corpus of its own:
    the index (vectors and manifest) lives on the server, the lexical index is rebuilt
    from it in each process."""
    from gradio_client import Client

    from .test_app_api import running_app

    server = {
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(chroma_server),
        "HELPER_COLLECTION": "two-pages",
    }
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    indexer = Index(
        from_env(
            {
                **server,
                "HELPER_CORPUS_DIR": str(corpus),
                "HELPER_DATA_DIR": str(tmp_path / "indexer"),
            }
        )
    )
    assert indexer.build().chunks > 50
    empty = tmp_path / "no-corpus"
    empty.mkdir()
    questions = ["How can we set the mood for more intimacy?", "Why do couples fall out of love?"]
    with contextlib.ExitStack() as both:
        pages = []
        for name in ("page-a", "page-b"):
            env = {
                **server,
                "HELPER_DATA_DIR": str(tmp_path / name),
                "HELPER_CORPUS_DIR": str(empty),
            }
            pages.append(both.enter_context(running_app(tmp_path, **env)))
        clients = [Client(page.url, verbose=False, download_files=False) for page in pages]
        answers = [[c.predict(q, api_name="/ask") for q in questions] for c in clients]
    for name in ("page-a", "page-b"):
        assert not (tmp_path / name / "manifest.json").exists()
        assert not (tmp_path / name / "chroma").exists()
    first, second = answers
    assert first == second
    assert all(not a["refused"] and a["citations"] for a in first)
