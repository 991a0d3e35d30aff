"""The wheel carries everything the helper reads: installed into a fresh virtual environment
outside the repository, rewrite, openers, ask, the model path and `helper eval` all work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from .conftest import REPO
from .fault_server import FaultServer, ok, status

pytestmark = pytest.mark.server

DRAFT = "You never help with the dishes. I'm sick of doing everything myself."
MODEL_REWRITE = {
    "rewrite": "I feel worn out when the dishes pile up and I'm doing them on my own. "
    "Could we take turns with the dishes this week?",
    "gentle": "I'd really like more help with the dishes; I've been doing them myself.",
    "brief": "Could we share the dishes this week?",
    "explanation": "It says how the dishes feel to you and asks for one change.",
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A venv holding only the built wheel; its dependencies come from the project's venv
    through a path entry (no .pth of the project's is run, so no editable install leaks in)."""
    root = tmp_path_factory.mktemp("wheel")
    wheels = root / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        cwd=root,
    )
    (wheel,) = wheels.glob("couples_helper-*.whl")
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "project-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True
    )
    work = root / "elsewhere"
    work.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HELPER_", "OPENAI_", "CHROMA_")) and k != "PYTHONPATH"
    }
    env.update({"HELPER_DATA_DIR": str(root / "index"), "HELPER_ENGINE": "offline"})
    return {"bin": env_dir / "bin", "cwd": work, "env": env, "site": Path(site)}


def helper(installed: dict, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(installed["bin"] / "helper"), *args],
        cwd=installed["cwd"],
        env={**installed["env"], **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_package_is_imported_from_the_wheel_not_the_checkout(installed):
    out = subprocess.run(
        [str(installed["bin"] / "python"), "-c", "import helper; print(helper.__file__)"],
        cwd=installed["cwd"],
        env=installed["env"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert Path(out.strip()).is_relative_to(installed["site"])
    for data in (
        "prompts/rewrite.md",
        "evals/suites.yaml",
        "evals/dev/safety-fresh.jsonl",
        "guidance",
        "lexicon/safety.yaml",
        "lexicon/safety_languages.yaml",
        "lexicon/detector.npz",
        "lexicon/tone_model.npz",
    ):
        assert (installed["site"] / "helper" / data).exists(), data


def test_rewrite_openers_and_ask_work_from_the_wheel(installed):
    r = helper(installed, "rewrite", DRAFT, "--json")
    assert r.returncode == 0, r.stderr
    rewrite = json.loads(r.stdout)
    assert rewrite["changed"] and "dish" in rewrite["rewrite"]
    a = helper(installed, "ask", "How do we start talking again after drifting apart?", "--json")
    assert a.returncode == 0, a.stderr
    answer = json.loads(a.stdout)
    assert not answer["refused"] and answer["citations"]
    assert answer["citations"][0]["doc"].startswith("helper/guidance/")
    o = helper(installed, "openers", "we keep arguing about money", "--json")
    assert o.returncode == 0, o.stderr
    assert len(json.loads(o.stdout)["openers"]) >= 3


def test_the_model_path_reads_its_prompts_from_the_wheel(installed):
    model = {"HELPER_ENGINE": "llm", "OPENAI_API_KEY": "test", "HELPER_LLM_RETRIES": "0"}
    with FaultServer() as server:
        server.play(ok(MODEL_REWRITE))
        r = helper(
            installed, "rewrite", DRAFT, "--json", env={**model, "OPENAI_BASE_URL": server.base_url}
        )
        assert r.returncode == 0, r.stderr
        result = json.loads(r.stdout)
        assert result["engine"] == "llm", result["note"]
        assert result["rewrite"] == MODEL_REWRITE["rewrite"]
        server.play(status(500))
        r = helper(
            installed, "rewrite", DRAFT, "--json", env={**model, "OPENAI_BASE_URL": server.base_url}
        )
        assert r.returncode == 0, r.stderr
        fallback = json.loads(r.stdout)
        assert fallback["engine"] == "offline" and fallback["changed"] and fallback["note"]


def test_helper_eval_runs_from_the_wheel(installed):
    r = helper(installed, "eval", "kind", "safety", "questions", "--out", str(installed["cwd"]))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "questions[offline]" in r.stdout
    assert (installed["cwd"] / "eval.json").exists()
