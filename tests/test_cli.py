"""The `helper` command as a person runs it: a real subprocess, real output."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helper.retrieval.citations import read_doc

HELPER = [sys.executable, "-m", "helper.cli"]


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*HELPER, *args], input=stdin, capture_output=True, timeout=120)


@pytest.fixture(scope="module", autouse=True)
def _indexed(index):
    """The session index exists before any subprocess asks (they share HELPER_DATA_DIR)."""


def test_ask_json_citations_are_verbatim():
    out = run("ask", "How do we start talking again after drifting apart?", "--json")
    assert out.returncode == 0, out.stderr.decode()
    result = json.loads(out.stdout)
    assert not result["refused"] and result["citations"]
    for c in result["citations"]:
        assert read_doc(c["doc"])[c["start"] : c["end"]] == c["quote"]
        assert f"[{c['n']}]" in result["answer"]


def test_ask_prints_a_readable_answer():
    out = run("ask", "How can I show appreciation every day?")
    text = out.stdout.decode()
    assert out.returncode == 0 and "[1]" in text and "(offline)" in text
    # The citations read as text: the list's items as bullets, no Markdown markers, and the
    # line the quote starts on rather than character offsets (those are in --json).
    assert "• " in text and not re.search(r"^\s*[-*] ", text, re.MULTILINE)
    assert re.search(r"\.md, line \d+\)", text) and not re.search(r"\.md:\d+-\d+", text)


def test_off_topic_question_is_declined():
    result = json.loads(run("ask", "How do I reset my wifi router?", "--json").stdout)
    assert result["refused"] is True and result["citations"] == []


def test_empty_input_gets_a_clear_message_and_no_traceback():
    out = run("ask", "   ")
    assert out.returncode == 2
    assert b"empty" in out.stderr and b"Traceback" not in out.stderr


def test_question_from_standard_input():
    out = run("ask", "--json", stdin=b"Can my relationship be saved?")
    assert json.loads(out.stdout)["question"] == "Can my relationship be saved?"


def test_invalid_utf8_on_standard_input_is_refused_plainly():
    out = run("ask", "-", stdin=b"\xff\xfe\xfa broken")
    assert out.returncode == 2 and b"UTF-8" in out.stderr and b"Traceback" not in out.stderr


def test_batch_ask_copies_fields_and_reports_bad_lines(tmp_path: Path):
    lines = [
        json.dumps({"id": "a", "question": "Can my relationship be saved?", "lang": "en"}),
        "this is not json",
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "question": ""}),
        "",
        json.dumps({"id": "e", "question": "What's the tallest mountain in the world?"}),
    ]
    path = tmp_path / "q.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode() + b"\xff\xfe\n")
    out = run("batch", "ask", str(path))
    assert out.returncode == 1  # some lines failed, all were processed
    rows = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, "c", "d", "e", None]
    assert rows[0]["lang"] == "en" and rows[0]["citations"]
    assert rows[1]["line"] == 2 and "not valid JSON" in rows[1]["error"]
    assert "no text field" in rows[2]["error"]
    assert "empty" in rows[3]["error"]
    assert rows[4]["refused"] is True
    assert "UTF-8" in rows[5]["error"]
    assert b"2 done, 4 failed" in out.stderr


def test_batch_with_a_missing_file_says_so():
    out = run("batch", "ask", "/nonexistent/questions.jsonl")
    assert out.returncode == 2 and b"cannot read" in out.stderr


def test_index_reports_nothing_to_embed_on_an_unchanged_corpus():
    out = run("index", "--json")
    report = json.loads(out.stdout)
    assert out.returncode == 0
    assert report["embedded_chunks"] == 0 and report["embedded_sentences"] == 0
    assert report["files"] == 2


def test_batch_survives_a_byte_order_mark_a_broken_character_and_a_clashing_field(tmp_path):
    lines = [
        '\ufeff{"id": 1, "question": "How do we talk calmly?"}',
        '{"id": 2, "question": "a \\ud800"}',
        '{"id": "\\udc00", "question": "How can we get the spark back?"}',
        '{"id": 4, "question": "What is love?", "answer": "my own notes"}',
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = run("batch", "ask", str(path))
    out = [json.loads(line) for line in r.stdout.decode("utf-8").splitlines()]
    assert [o["id"] for o in out] == [1, 2, "\udc00", 4]
    assert out[0]["answer"] and "error" not in out[0]  # the BOM did not break line 1
    assert out[1]["line"] == 2 and "broken character" in out[1]["error"]
    assert out[2]["answer"] and "error" not in out[2]  # a broken id is written escaped
    assert (
        out[3]["input_fields"] == {"answer": "my own notes"} and out[3]["answer"] != "my own notes"
    )
    assert r.returncode == 1 and b"Traceback" not in r.stderr


def test_a_data_dir_that_is_a_file_is_named_not_a_traceback(tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("x")
    r = subprocess.run(
        [*HELPER, "ask", "How do we talk?"],
        env={**os.environ, "HELPER_DATA_DIR": str(not_a_folder)},
        capture_output=True,
        timeout=120,
    )
    assert r.returncode == 2 and b"Traceback" not in r.stderr
    assert b"HELPER_DATA_DIR" in r.stderr and b"a file" in r.stderr


def test_a_chroma_server_that_is_down_is_named_not_a_traceback(tmp_path):
    from .servers import free_port

    env = {
        **os.environ,
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(free_port()),  # nothing listens there
        "HELPER_DATA_DIR": str(tmp_path / "data"),
    }
    r = subprocess.run(
        [*HELPER, "ask", "How do we talk?"], env=env, capture_output=True, timeout=120
    )
    assert r.returncode == 2 and b"Traceback" not in r.stderr
    assert b"Chroma server" in r.stderr and b"CHROMA_HOST" in r.stderr


def test_eval_judge_without_a_model_says_what_to_set(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    env["HELPER_DATA_DIR"] = str(tmp_path)
    helper_cli = Path(sys.executable).parent / "helper"
    done = subprocess.run(
        [str(helper_cli), "eval", "--judge", "kind"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "--judge needs a chat model" in done.stderr and "Traceback" not in done.stderr
