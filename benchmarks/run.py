"""Speed figures: median and p95 per call after start-up, cold and warm indexing, page start-up.

    .venv/bin/python benchmarks/run.py [--quick] [--out reports/bench.json]

Measures in this process (no timed tests: the figures go in the README and closing notes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "evals" / "cases"


def lines(name: str, field: str) -> list[str]:
    path = CASES / name
    return [json.loads(x)[field] for x in path.read_text().splitlines() if x.strip()]


def summary(samples_ms: list[float]) -> dict:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(p95, 2),
    }


def clear_text_caches() -> None:
    """Empty the engine's per-text memo caches (bounded lru_caches), keeping loaded data
    (unbounded caches): a repeated input must cost what a new one costs."""
    import helper.offline.detector
    import helper.offline.findings
    import helper.offline.rewriting
    from helper.retrieval.embeddings import local_embedder

    for module in (helper.offline.detector, helper.offline.findings, helper.offline.rewriting):
        for obj in vars(module).values():
            params = getattr(obj, "cache_parameters", None)
            if params and params()["maxsize"] is not None:
                obj.cache_clear()
    local_embedder().clear_cache()  # the vectors of texts already embedded


def per_call(fn, inputs: list[str], rounds: int) -> dict:
    for text in inputs:  # load models and data: the figures are "after start-up"
        fn(text)
    samples = []
    for _ in range(rounds):
        for text in inputs:
            clear_text_caches()
            t = time.perf_counter()
            fn(text)
            samples.append((time.perf_counter() - t) * 1000)
    return summary(samples)


def timed_command(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - t


def page_startup(env: dict) -> float:
    """Seconds from `python app.py` to the page answering HTTP 200."""
    port = 7900 + os.getpid() % 50
    env = {**env, "HELPER_PORT": str(port)}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "app.py")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - t < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - t
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("the page did not come up in 120 s")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--out", default=str(REPO / "reports" / "bench.json"))
    args = parser.parse_args()
    rounds = 2 if args.quick else 5

    data = Path(tempfile.mkdtemp(prefix="helper-bench-"))
    env = {**os.environ, "HELPER_DATA_DIR": str(data), "HELPER_ENGINE": "offline"}
    os.environ.update(env)
    helper_cmd = [sys.executable, "-m", "helper.cli"]
    results: dict = {
        "machine": f"{platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    }

    results["index_cold_s"] = round(timed_command([*helper_cmd, "index"], env), 2)
    warm = [timed_command([*helper_cmd, "index"], env) for _ in range(3)]
    results["index_warm_s"] = round(statistics.median(warm), 2)

    from helper import get_engine

    engine = get_engine()
    questions = lines("questions.jsonl", "question")
    results["ask"] = per_call(engine.ask, questions, rounds)
    try:
        results["rewrite"] = per_call(
            engine.rewrite, lines("rewrite.jsonl", "text") + lines("kind.jsonl", "text"), rounds
        )
    except ImportError as exc:
        results["rewrite"] = f"unavailable: {exc}"
    try:
        results["openers"] = per_call(engine.openers, lines("openers.jsonl", "topic"), rounds)
    except ImportError as exc:
        results["openers"] = f"unavailable: {exc}"
    if (REPO / "app.py").exists():
        starts = [page_startup(env) for _ in range(1 if args.quick else 3)]
        results["page_startup_s"] = round(statistics.median(starts), 2)

    shutil.rmtree(data, ignore_errors=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
