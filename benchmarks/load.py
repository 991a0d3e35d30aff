"""Load: concurrent gradio_client clients against the served page, optionally while indexing.

    .venv/bin/python benchmarks/load.py [--clients 20] [--seconds 60] [--url URL]
        [--index-during [--index-mode update,edit,rebuild] [--index-at 0.3]]
        [--concurrency N] [--out reports/load.json]

Without --url it launches `python app.py` itself on a free loopback port with the offline
engine, as the tests do, over a copy of corpus/ (HELPER_CORPUS_DIR) and its own index
(HELPER_DATA_DIR), both kept in a work folder that later runs reuse (HELPER_LOAD_WORK_DIR,
default $TMPDIR/couples-helper-load-data), so only the first run ever embeds the whole corpus.

Each client is its own gradio_client.Client, and goes round the three endpoints (/rewrite,
/openers, /ask) with inputs from evals/cases/*.jsonl until the time is up or the request
budget is spent. Every call is timed; an exception, a result without the contract's keys or
a result for some other input counts as an error.

With --index-during, partway through the run a paragraph is appended to one file of the
corpus copy and `helper index` runs in a subprocess against the same store the page reads
(the real-world case: new guidance dropped in while people use the page), so the index really
embeds again while the page answers. The clients keep going until the indexing has finished
and AFTER_INDEX_S more; the figures say how many calls completed in that window, with what
errors, and the longest time in it without any answer. --index-mode takes several modes, run
in turn: update (the append above), edit (one character changed near the top of the file, so
every later chunk and sentence changes) and rebuild (`helper index --rebuild`).
With --url the index command runs with the environment as it is (set HELPER_DATA_DIR and
HELPER_CORPUS_DIR to the server's) and nothing in the corpus is changed.

--concurrency N sets GRADIO_DEFAULT_CONCURRENCY_LIMIT for the launched page, to compare queue
settings. The CPU the page and the clients used during the load is reported: on a small
machine the load generator competes with the page for the same cores.

Prints the figures and writes them as JSON; exits 1 if any call failed or the indexing did.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import json
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from helper.engine import FUNCTIONS
from helper.results import AskResult, OpenersResult, RewriteResult

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "evals" / "cases"
# The one table of the three functions: each endpoint, the field it reads, and the keys of
# the JSON contract its result must have (the result types' fields), one of which echoes it.
RESULTS = {"rewrite": RewriteResult, "openers": OpenersResult, "ask": AskResult}
ENDPOINTS = tuple(f"/{name}" for name in FUNCTIONS)
PARAMETER = {f"/{name}": f.field for name, f in FUNCTIONS.items()}
CONTRACT = {
    f"/{name}": (
        {field.name for field in dataclasses.fields(RESULTS[name])},
        "input" if name == "rewrite" else f.field,
    )
    for name, f in FUNCTIONS.items()
}
READY_TIMEOUT = 300  # a first run builds the index before the page answers
INDEX_TIMEOUT = 300
FIRST_ERRORS = 10
# The page is watched for this long after `helper index` ends too: a page that notices the
# new index rebuilds its view of it on the next calls, and a stall there counts as well.
AFTER_INDEX_S = 3.0
APPENDED = (
    "\n\n## Listening when it is hard\n\n"
    "When a talk gets heated, slow it down. Say back what you heard your partner say before "
    "you answer it, and ask whether you got it right. Feeling heard takes the heat out of an "
    "argument faster than being right does.\n"
)


# -- inputs and checks ------------------------------------------------------------------


def _field(name: str, key: str) -> list[str]:
    path = CASES / name
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return [row[key] for row in rows if isinstance(row.get(key), str) and row[key].strip()]


def load_inputs() -> dict[str, list[str]]:
    """Realistic inputs per endpoint: angry and kind drafts, topics, questions."""
    drafts = _field("rewrite.jsonl", "text") + _field("kind.jsonl", "text")
    drafts += _field("safety.jsonl", "text")
    return {
        "/rewrite": drafts,
        "/openers": _field("openers.jsonl", "topic"),
        "/ask": _field("questions.jsonl", "question"),
    }


def contract_error(endpoint: str, value: str, result: object) -> str | None:
    """Why a result breaks the JSON contract, or None."""
    keys, echo = CONTRACT[endpoint]
    if not isinstance(result, dict):
        return f"{endpoint}: result is {type(result).__name__}, not a dict"
    missing = keys - set(result)
    if missing:
        return f"{endpoint}: result lacks {sorted(missing)}"
    if result[echo] != value:
        return f"{endpoint}: result is for another input ({echo} differs)"
    return None


# -- the page ---------------------------------------------------------------------------


def connect(url: str):
    """A gradio_client.Client for `url`.

    Over plain http there is no TLS to verify, yet gradio_client builds a verifying SSL context
    (loading the CA bundle) for every request unless ssl_verify is off: about 50 ms of CPU a
    call, as much as the page spends answering it, taken from the same two cores. So it is
    off for http:// and left on for https://.
    """
    from gradio_client import Client

    plain = url.lower().startswith("http://")
    return Client(url, verbose=False, download_files=False, ssl_verify=not plain)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(data_dir: Path, corpus_dir: Path, **extra: str) -> dict[str, str]:
    """The environment the tests give app.py: offline engine, loopback, no login."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELPER_", "OPENAI_"))}
    env.update(
        HELPER_ENGINE="offline",
        HELPER_DATA_DIR=str(data_dir),
        HELPER_CORPUS_DIR=str(corpus_dir),
        HELPER_HOST="127.0.0.1",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
    )
    env.update(extra)
    return env


def helper_command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "helper"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "helper.cli", *args]


def wait_until_ready(url: str, process: subprocess.Popen | None, log: Path | None) -> float:
    """Seconds until the page answered 200; raises if it exits or never does."""
    started = time.monotonic()
    while time.monotonic() - started < READY_TIMEOUT:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            raise RuntimeError(f"app.py exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} not ready after {READY_TIMEOUT} s")


@contextlib.contextmanager
def launched_app(env: dict[str, str], log: Path) -> Iterator[tuple[str, float, int]]:
    """`python app.py` on a free loopback port: (url, seconds to ready, pid); stopped after."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, str(REPO / "app.py")],
            cwd=REPO,
            env={**env, "HELPER_PORT": str(port)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield url, wait_until_ready(url, process, log), process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def work_dir(wanted: Path) -> Iterator[tuple[Path, bool]]:
    """The reusable work folder, locked for this run; a fresh one if another run holds it."""
    wanted.mkdir(parents=True, exist_ok=True)
    with open(wanted / "run.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            with tempfile.TemporaryDirectory(prefix="helper-load-") as fresh:
                yield Path(fresh), False
            return
        try:
            yield wanted, True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def fresh_corpus(work: Path) -> tuple[Path, Path]:
    """A pristine copy of corpus/ and the index of it: (corpus_dir, data_dir)."""
    corpus = work / "corpus"
    data = work / "data"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(REPO / "corpus", corpus)
    # Brings a reused index back in line with the pristine copy (the last run appended to it).
    done = subprocess.run(
        helper_command("index", "--json"),
        cwd=REPO,
        env=app_env(data, corpus),
        capture_output=True,
        text=True,
        timeout=INDEX_TIMEOUT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"helper index failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return corpus, data


# -- the load ---------------------------------------------------------------------------


@dataclass
class Call:
    client: int
    endpoint: str
    start: float  # seconds since the load started
    end: float
    error: str | None = None

    @property
    def ms(self) -> float:
        return (self.end - self.start) * 1000


@dataclass
class Indexing:
    command: list[str]
    env: dict[str, str] | None
    corpus_file: Path | None
    at: float  # seconds into the load
    modes: tuple[str, ...] = ("update",)  # one `helper index` run each, in turn
    start: float | None = None
    end: float | None = None
    returncode: int | None = None
    report: dict | None = None
    output: str = ""
    done: threading.Event = field(default_factory=threading.Event)

    steps: list[dict] = field(default_factory=list)

    def _change_corpus(self, mode: str) -> None:
        if self.corpus_file is None:
            return
        if mode == "update":
            with open(self.corpus_file, "a", encoding="utf-8", newline="") as fh:
                fh.write(APPENDED)
        elif mode == "edit":  # one character near the top: every later chunk id changes
            text = self.corpus_file.read_text(encoding="utf-8")
            at = next(i for i in range(text.index("\n\n", 100) + 2, len(text)) if text[i].isalpha())
            self.corpus_file.write_text(text[:at] + text[at].swapcase() + text[at + 1 :], "utf-8")

    def run(self, t0: float) -> None:
        try:
            self.start = time.monotonic() - t0
            for mode in self.modes:
                self._change_corpus(mode)
                command = [*self.command, *(["--rebuild"] if mode == "rebuild" else [])]
                step = {"mode": mode, "start_s": round(time.monotonic() - t0, 2)}
                try:
                    done = subprocess.run(
                        command,
                        cwd=REPO,
                        env=self.env,
                        capture_output=True,
                        text=True,
                        timeout=INDEX_TIMEOUT,
                    )
                    step["returncode"] = done.returncode
                    if done.returncode:
                        self.output = (done.stderr or "")[-2000:]
                    with contextlib.suppress(ValueError):
                        self.report = json.loads(done.stdout)
                except subprocess.TimeoutExpired:
                    step["returncode"] = -1
                    self.output = f"helper index did not finish in {INDEX_TIMEOUT} s"
                step["end_s"] = round(time.monotonic() - t0, 2)
                step["report"] = self.report
                self.steps.append(step)
                if self.returncode in (None, 0):
                    self.returncode = step["returncode"]
            self.end = time.monotonic() - t0
        finally:
            self.done.set()


class Load:
    """N client threads going round the endpoints until the deadline or the request budget."""

    def __init__(
        self,
        url: str,
        clients: int,
        seconds: float,
        max_requests: int,
        call_timeout: float,
        indexing: Indexing | None,
    ) -> None:
        self.url = url
        self.clients = clients
        self.seconds = seconds
        self.max_requests = max_requests
        self.call_timeout = call_timeout
        self.indexing = indexing
        self.inputs = load_inputs()
        self.calls: list[Call] = []
        self.setup_errors: list[str] = []
        self._lock = threading.Lock()
        self._issued = 0
        # Every client connected before the clock starts, for all at once.
        self._ready = threading.Barrier(clients + 1, action=self._start_clock)
        self.t0 = 0.0
        self.elapsed = 0.0

    def _start_clock(self) -> None:
        self.t0 = time.monotonic()

    def _take(self) -> bool:
        with self._lock:
            if self._issued >= self.max_requests:
                return False
            self._issued += 1
            return True

    def _go_on(self) -> bool:
        now = time.monotonic() - self.t0
        if now < self.seconds:
            return True
        ix = self.indexing
        # Keep going until the indexing is over and AFTER_INDEX_S more: the page must still
        # answer after it, not only during it. A hard cap keeps the run bounded.
        if ix is None or now > self.seconds + INDEX_TIMEOUT:
            return False
        if not ix.done.is_set():
            return True
        return ix.end is not None and now < ix.end + AFTER_INDEX_S

    def _client(self, n: int) -> None:
        client = None
        try:
            client = connect(self.url)
        except Exception as exc:  # noqa: BLE001 - reported, and the run fails
            with self._lock:
                self.setup_errors.append(f"client {n}: {type(exc).__name__}: {exc}")
        try:
            self._ready.wait()
        except threading.BrokenBarrierError:
            return
        if client is None:
            return
        i = n  # clients start at different places in the round and in the inputs
        try:
            while self._go_on() and self._take():
                endpoint = ENDPOINTS[i % len(ENDPOINTS)]
                values = self.inputs[endpoint]
                value = values[(i // len(ENDPOINTS)) % len(values)]
                i += 1
                self._one(client, n, endpoint, value)
        finally:
            client.close()

    def _one(self, client, n: int, endpoint: str, value: str) -> None:
        start = time.monotonic() - self.t0
        error = None
        try:
            job = client.submit(**{PARAMETER[endpoint]: value}, api_name=endpoint)
            result = job.result(timeout=self.call_timeout)
            error = contract_error(endpoint, value, result)
        except TimeoutError:
            error = f"{endpoint}: no answer in {self.call_timeout:.0f} s"
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            error = f"{endpoint}: {type(exc).__name__}: {exc}"[:500]
        call = Call(n, endpoint, start, time.monotonic() - self.t0, error)
        with self._lock:
            self.calls.append(call)

    def run(self) -> None:
        threads = [
            threading.Thread(target=self._client, args=(n,), name=f"client-{n}", daemon=True)
            for n in range(self.clients)
        ]
        for t in threads:
            t.start()
        self._ready.wait()
        indexer = None
        if self.indexing is not None:
            indexer = threading.Timer(self.indexing.at, self.indexing.run, args=(self.t0,))
            indexer.daemon = True
            indexer.start()
        for t in threads:
            t.join()
        self.elapsed = time.monotonic() - self.t0
        if indexer is not None:
            indexer.cancel()
            if indexer.is_alive():
                indexer.join()
            self.indexing.done.set()


# -- figures ----------------------------------------------------------------------------


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def latency(calls: list[Call]) -> dict:
    ordered = sorted(c.ms for c in calls if c.error is None)
    if not ordered:
        return {"calls": len(calls), "ok": 0}
    return {
        "calls": len(calls),
        "ok": len(ordered),
        "p50_ms": round(percentile(ordered, 0.50), 1),
        "p95_ms": round(percentile(ordered, 0.95), 1),
        "max_ms": round(ordered[-1], 1),
    }


def timeline(calls: list[Call], elapsed: float) -> list[int]:
    counts = [0] * max(1, math.ceil(elapsed))
    for c in calls:
        counts[min(len(counts) - 1, int(c.end))] += 1
    return counts


def uptime_drift(calls: list[Call], elapsed: float, window: float = 60.0) -> dict | None:
    """Throughput per `window` seconds, and how far the later windows fall below the first:
    a page that slows with uptime shows it here (the soak: --seconds 1800)."""
    n = int(elapsed // window)
    if n < 3:
        return None
    counts = [0] * n
    for c in calls:
        if not c.error and c.end < n * window:
            counts[int(c.end // window)] += 1
    rates = [round(k / window, 2) for k in counts]
    first = rates[0] or 1e-9
    return {
        "window_s": window,
        "calls_per_s": rates,
        "last_vs_first": round(rates[-1] / first, 3),
        "lowest_vs_first": round(min(rates) / first, 3),
    }


def longest_gap(calls: list[Call], start: float, end: float) -> float:
    """The longest time in [start, end] in which no call completed: how long the page stalled."""
    ends = [start, *sorted(c.end for c in calls if start <= c.end <= end and not c.error), end]
    return round(max(b - a for a, b in zip(ends, ends[1:], strict=False)), 2)


def summarize(load: Load, seconds_wanted: float) -> dict:
    calls = sorted(load.calls, key=lambda c: c.end)
    errors = [c for c in calls if c.error]
    messages = load.setup_errors + [f"{c.end:.1f}s {c.error}" for c in errors]
    figures: dict = {
        "clients": load.clients,
        "seconds": seconds_wanted,
        "elapsed_s": round(load.elapsed, 2),
        "total_calls": len(calls),
        "errors": {"count": len(errors) + len(load.setup_errors), "first": messages[:FIRST_ERRORS]},
        "throughput_per_s": round(len(calls) / load.elapsed, 2) if load.elapsed else 0.0,
        "latency": latency(calls),
        "per_endpoint": {ep: latency([c for c in calls if c.endpoint == ep]) for ep in ENDPOINTS},
        # Calls completed in each second of the run: a stall shows as a run of zeros.
        "completed_per_second": timeline(calls, load.elapsed),
        "longest_gap_s": longest_gap(calls, 0.0, load.elapsed),
        "uptime": uptime_drift(calls, load.elapsed),
    }
    ix = load.indexing
    if ix is not None:
        window = None
        if ix.start is not None and ix.end is not None:
            inside = [c for c in calls if ix.start <= c.end <= ix.end]
            window = {
                "start_s": round(ix.start, 2),
                "end_s": round(ix.end, 2),
                "seconds": round(ix.end - ix.start, 2),
                "calls_completed": len(inside),
                "calls_started_and_completed": sum(1 for c in inside if c.start >= ix.start),
                "errors": sum(1 for c in inside if c.error),
                "per_endpoint": {
                    ep: sum(1 for c in inside if c.endpoint == ep) for ep in ENDPOINTS
                },
                "latency": latency(inside),
                # From the start of the indexing to AFTER_INDEX_S after its end.
                "longest_gap_s": longest_gap(
                    calls, ix.start, min(ix.end + AFTER_INDEX_S, load.elapsed)
                ),
                "calls_completed_after": sum(1 for c in calls if c.end > ix.end and not c.error),
                "latency_just_after": latency(
                    [c for c in calls if ix.end < c.end <= ix.end + AFTER_INDEX_S]
                ),
            }
        figures["indexing"] = {
            "command": " ".join(["helper", *ix.command[ix.command.index("index") :]]),
            "modes": list(ix.modes),
            "steps": ix.steps,
            "corpus_file_touched": ix.corpus_file.name if ix.corpus_file else None,
            "returncode": ix.returncode,
            "report": ix.report,
            "stderr_tail": ix.output if ix.returncode else "",
            "window": window,
        }
    return figures


def failed(figures: dict) -> list[str]:
    problems = []
    if figures["errors"]["count"]:
        problems.append(f"{figures['errors']['count']} call(s) failed")
    if figures["total_calls"] == 0:
        problems.append("no call completed")
    ix = figures.get("indexing")
    if ix is not None:
        if ix["returncode"] != 0:
            problems.append(f"helper index exited with {ix['returncode']}")
        elif not ix["window"] or not ix["window"]["calls_completed"]:
            problems.append("no call completed while helper index ran")
    return problems


def print_figures(f: dict) -> None:
    lat = f["latency"]
    print(
        f"{f['clients']} clients, {f['elapsed_s']} s: {f['total_calls']} calls, "
        f"{f['throughput_per_s']} calls/s, errors {f['errors']['count']}, "
        f"longest gap without an answer {f['longest_gap_s']} s"
    )

    def line(name: str, d: dict) -> str:
        if not d.get("ok"):
            return f"  {name:<9} {d['calls']:>5} calls, none succeeded"
        return (
            f"  {name:<9} {d['calls']:>5} calls  p50 {d['p50_ms']:>8.1f} ms  "
            f"p95 {d['p95_ms']:>8.1f} ms  max {d['max_ms']:>8.1f} ms"
        )

    drift = f.get("uptime")
    if drift:
        print(
            f"  uptime: calls/s per {drift['window_s']:.0f} s {drift['calls_per_s']}; last "
            f"window {drift['last_vs_first']:.1%} of the first, "
            f"lowest {drift['lowest_vs_first']:.1%}"
        )
    cpu = f.get("cpu_s") or {}
    if cpu.get("page") is not None:
        print(
            f"  CPU: page {cpu['page']} s, clients {cpu['clients']} s, "
            f"of {cpu['available']} s available"
        )
    print(line("all", lat))
    for ep, d in f["per_endpoint"].items():
        print(line(ep, d))
    if "unloaded" in f:
        for ep, d in f["unloaded"].items():
            print(line(f"alone {ep}", d))
    ix = f.get("indexing")
    if ix:
        w = ix["window"]
        rep = ix["report"] or {}
        print(
            f"  indexing ({ix['command']}): exit {ix['returncode']}, "
            f"embedded {rep.get('embedded_chunks', '?')} chunks / "
            f"{rep.get('embedded_sentences', '?')} sentences"
        )
        if w:
            print(
                f"    {w['start_s']}-{w['end_s']} s: {w['calls_completed']} calls completed "
                f"({w['calls_started_and_completed']} started and completed inside), "
                f"{w['errors']} errors; longest gap without an answer from its start to "
                f"{AFTER_INDEX_S:.0f} s after its end {w['longest_gap_s']} s; "
                f"{w['calls_completed_after']} ok after it, the slowest in those "
                f"{AFTER_INDEX_S:.0f} s {w['latency_just_after'].get('max_ms', '-')} ms"
            )
    for message in f["errors"]["first"]:
        print(f"  error: {message}")


# -- running it -------------------------------------------------------------------------


def unloaded(url: str, rounds: int) -> dict:
    """Latency with one client and nothing else going on: what queueing is measured against."""
    inputs = load_inputs()
    client = connect(url)
    calls: list[Call] = []
    try:
        for r in range(rounds):
            for ep in ENDPOINTS:
                value = inputs[ep][r % len(inputs[ep])]
                t = time.monotonic()
                error = None
                try:
                    result = client.predict(**{PARAMETER[ep]: value}, api_name=ep)
                    error = contract_error(ep, value, result)
                except Exception as exc:  # noqa: BLE001
                    error = f"{type(exc).__name__}: {exc}"
                calls.append(Call(0, ep, t, time.monotonic(), error))
    finally:
        client.close()
    return {ep: latency([c for c in calls if c.endpoint == ep]) for ep in ENDPOINTS}


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def measure(args, url: str, indexing: Indexing | None, server_pid: int | None = None) -> dict:
    figures: dict = {}
    if args.unloaded_rounds:
        figures["unloaded"] = unloaded(url, args.unloaded_rounds)
    load = Load(url, args.clients, args.seconds, args.max_requests, args.call_timeout, indexing)
    server_before = cpu_seconds(server_pid) if server_pid else None
    clients_before = time.process_time()
    load.run()
    server_after = cpu_seconds(server_pid) if server_pid else None
    figures = {**summarize(load, args.seconds), **figures}
    # Where the machine's CPU went during the load: the page, and these client threads.
    figures["cpu_s"] = {
        "page": round(server_after - server_before, 1)
        if server_before is not None and server_after is not None
        else None,
        "clients": round(time.process_time() - clients_before, 1),
        "available": round(load.elapsed * (os.cpu_count() or 1), 1),
    }
    return figures


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--url", help="a page already serving; default: launch app.py")
    p.add_argument("--index-during", action="store_true", help="run helper index partway")
    p.add_argument(
        "--index-mode",
        default="update",
        help="comma-separated, run in turn: update (append a paragraph to a corpus file, then "
        "`helper index`), edit (change one character near its top, then `helper index`), "
        "rebuild (`helper index --rebuild`)",
    )
    p.add_argument("--index-at", type=float, default=0.3, help="when, as a share of --seconds")
    p.add_argument("--max-requests", type=int, default=0, help="default: 50 per client-second")
    p.add_argument("--call-timeout", type=float, default=120, help="seconds one call may take")
    p.add_argument(
        "--concurrency",
        type=int,
        help="GRADIO_DEFAULT_CONCURRENCY_LIMIT for the launched page (default: Gradio's, 1)",
    )
    p.add_argument("--unloaded-rounds", type=int, default=3, help="one-client calls first; 0: none")
    p.add_argument(
        "--work-dir",
        type=Path,
        default=Path(
            os.environ.get("HELPER_LOAD_WORK_DIR")
            or Path(tempfile.gettempdir()) / "couples-helper-load-data"
        ),
    )
    p.add_argument("--out", type=Path, default=REPO / "reports" / "load.json")
    args = p.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        p.error("--clients and --seconds must be positive")
    # The run goes on while the indexing lasts (up to INDEX_TIMEOUT): the default budget
    # covers that time too, or a slow indexing run would spend it and stop the clients
    # before the page is shown to answer after it (seen at 103 s of indexing on 2 cores).
    seconds = args.seconds + (INDEX_TIMEOUT if args.index_during else 0)
    args.max_requests = args.max_requests or int(50 * args.clients * seconds) + 1
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    started = time.monotonic()
    about = {
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
    }
    if args.url:
        indexing = None
        if args.index_during:
            # Nothing in a served corpus is changed: update and edit run a plain index.
            modes = tuple(args.index_mode.split(","))
            command = helper_command("index", "--json")
            indexing = Indexing(command, None, None, args.index_at * args.seconds, modes)
        figures = measure(args, args.url, indexing)
        figures["server"] = {"url": args.url, "launched": False}
    else:
        with work_dir(args.work_dir) as (work, reused):
            corpus, data = fresh_corpus(work)
            extra = {}
            if args.concurrency:
                extra["GRADIO_DEFAULT_CONCURRENCY_LIMIT"] = str(args.concurrency)
            env = app_env(data, corpus, **extra)
            indexing = None
            if args.index_during:
                command = helper_command("index", "--json")
                modes = tuple(args.index_mode.split(","))
                touched = sorted(corpus.glob("*.md"))[0]
                indexing = Indexing(command, env, touched, args.index_at * args.seconds, modes)
            log = work / "app.log"
            with launched_app(env, log) as (url, ready_s, pid):
                figures = measure(args, url, indexing, pid)
            app_log = log.read_text(errors="replace")
            figures["server"] = {
                "launched": True,
                "ready_s": round(ready_s, 2),
                "concurrency_limit": args.concurrency or "gradio default (1 per endpoint)",
                "work_dir": str(work),
                "work_dir_reused": reused,
                # The page logs a failure's type and frames (never the input).
                "log_errors": [
                    ln.strip()
                    for ln in app_log.splitlines()
                    if " failed with " in ln or "ERROR" in ln or "Traceback" in ln
                ][:FIRST_ERRORS],
            }
    figures.update(about)
    figures["wall_s"] = round(time.monotonic() - started, 2)
    problems = failed(figures)
    figures["ok"] = not problems
    figures["problems"] = problems
    print_figures(figures)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}", flush=True)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
