"""mockryze benchmarks: fixture cost, server start, in-process request latency.

Run with ``.venv/bin/python bench/run.py`` (or ``make bench``). Every figure is printed next to a
baseline measured in the same run, so ratios stay meaningful on slow or noisy machines. Nothing
here asserts on timings: the script reports, with PASS/MISS against the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout even without `pip install -e .`

from mockryze.testing import MockRyze  # noqa: E402

FIXTURE_TARGET_MS = 1.0
SERVER_START_TARGET_S = 0.5
SERVER_TOKEN = "bench-account-token"
HOST = "127.0.0.1"


# --- statistics & reporting ---------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    """Durations in seconds."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def p90(self) -> float:
        ordered = sorted(self.values)
        return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


@dataclass(frozen=True)
class Row:
    metric: str
    target: str
    measured: str
    result: str
    baseline: str
    ratio: str


def fmt_us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def paired(runs: dict[str, list[float]], later: str, earlier: str) -> str:
    """Median of per-round differences (the rounds are interleaved, so each pair shares its noise)."""
    return fmt_ms(statistics.median(a - b for a, b in zip(runs[later], runs[earlier], strict=True)))


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def print_table(rows: list[Row]) -> None:
    header = Row("metric", "target", "measured", "result", "baseline (same run)", "ratio")
    table = [header, *rows]
    widths = [max(len(getattr(r, f)) for r in table) for f in Row.__dataclass_fields__]
    for i, row in enumerate(table):
        cells = [getattr(row, f) for f in Row.__dataclass_fields__]
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))


def time_loop(fn: Callable[[int], object], iterations: int, warmup: int) -> Sample:
    """Call ``fn(i)`` ``iterations`` times (after ``warmup`` untimed calls); GC stays on, as in a test run."""
    for i in range(warmup):
        fn(-1 - i)
    gc.collect()
    clock = time.perf_counter
    values = []
    for i in range(iterations):
        start = clock()
        fn(i)
        values.append(clock() - start)
    return Sample(tuple(values))


# --- 1. fixture cost ----------------------------------------------------------------------------
def fixture(i: int) -> None:
    ryze = MockRyze(seed=i)
    ryze.create_instance("bench", connected=True)
    ryze.close()


def empty_world(i: int) -> None:
    MockRyze(seed=i).close()


def fixture_over_http(i: int) -> None:
    with MockRyze(seed=i) as ryze:
        client, token = ryze.client, {"token": ryze.account_token}
        expect(client.post("/api/instance/new", json={"name": "bench"}, headers=token), 201)
        expect(client.get("/api/instance/connect/bench", headers=token), 200)
        expect(client.post("/__mock__/instances/bench/scan", json={}), 200)


def expect(response: httpx.Response, status: int) -> None:
    if response.status_code != status:  # a broken flow would make the timings meaningless
        raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: "
                           f"{response.text}")


def fixture_steps(iterations: int) -> dict[str, Sample]:
    """The fixture split into its public verbs: world, create, connect, scan."""
    steps: dict[str, list[float]] = {"MockRyze(seed=i)": [], "create_instance": [], "connect": [], "scan": []}
    clock = time.perf_counter
    gc.collect()
    for i in range(iterations):
        t0 = clock()
        ryze = MockRyze(seed=i)
        t1 = clock()
        ryze.create_instance("bench")
        t2 = clock()
        ryze.connect("bench")
        t3 = clock()
        ryze.scan("bench")
        t4 = clock()
        ryze.close()
        for name, value in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            steps[name].append(value)
    return {name: Sample(tuple(values)) for name, values in steps.items()}


COLD_FIXTURE = """
import json, time
t0 = time.perf_counter()
from mockryze.testing import MockRyze
t1 = time.perf_counter()
for seed in (0, 1):
    ryze = MockRyze(seed=seed)
    ryze.create_instance("bench", connected=True)
    ryze.close()
    if seed == 0:
        t2 = time.perf_counter()
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "second": t3 - t2}))
"""


def cold_fixture(repeats: int) -> dict[str, Sample]:
    """Import + first fixture in a fresh interpreter (pays Faker construction and schema compilation)."""
    runs = []
    for _ in range(repeats + 1):  # the first run is untimed: it fills the bytecode cache
        out = subprocess.run([sys.executable, "-c", COLD_FIXTURE], capture_output=True, text=True, check=True,
                             cwd=ROOT, env=clean_env(), timeout=60)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {key: Sample(tuple(run[key] for run in runs[1:])) for key in ("import", "first", "second")}


def profile_fixture(iterations: int, top: int = 10) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(iterations):
        fixture(i)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    return out.getvalue().rstrip()


# --- 2. server start ----------------------------------------------------------------------------
BYTECODE_CACHE: str | None = None  # set by main(): a temporary PYTHONPYCACHEPREFIX for the subprocesses


def clean_env() -> dict[str, str]:
    """The caller's environment without MOCKRYZE_* settings, so every run measures the defaults.

    Subprocesses get a bytecode cache in a temporary directory (``PYTHONPYCACHEPREFIX``), so they
    start as on a machine where the .pyc files exist, even under ``PYTHONDONTWRITEBYTECODE=1``,
    and nothing is written into the checkout.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKRYZE_")}
    if BYTECODE_CACHE is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = BYTECODE_CACHE
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def spawned(args: list[str], log: IO[str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A subprocess that is always terminated (then killed) on the way out."""
    sink = log if log is not None else subprocess.DEVNULL
    proc = subprocess.Popen(args, stdout=sink, stderr=sink, cwd=ROOT, env=clean_env())
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def time_to_exit(args: list[str]) -> float:
    start = time.perf_counter()
    with spawned(args) as proc:
        code = proc.wait(timeout=60)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"{args} exited with {code}")
    return elapsed


def time_to_first_response(timeout: float = 20.0) -> float:
    """Popen → first 200 from GET /api/instance/list on a fresh ``mockryze serve``."""
    port = free_port()
    url = f"http://{HOST}:{port}/api/instance/list"
    args = [sys.executable, "-m", "mockryze", "serve", "--port", str(port), "--rate-limits", "off",
            "--account-token", SERVER_TOKEN]
    with tempfile.TemporaryFile("w+") as log, httpx.Client(timeout=2.0) as client:
        start = time.perf_counter()
        with spawned(args, log) as proc:
            while time.perf_counter() - start < timeout:
                if proc.poll() is not None:
                    break
                try:
                    with socket.create_connection((HOST, port), timeout=0.05):
                        pass
                    response = client.get(url, headers={"token": SERVER_TOKEN})
                    if response.status_code == 200:
                        return time.perf_counter() - start
                except (OSError, httpx.TransportError):
                    pass
                time.sleep(0.005)
        log.seek(0)
        raise RuntimeError(f"server did not answer within {timeout}s (exit {proc.returncode}):\n{log.read()}")


# --- 3. request latency -------------------------------------------------------------------------
def request_latency(iterations: int) -> Sample:
    """``ryze.client`` (sync): each request hops to the client's event-loop thread."""
    with MockRyze(seed=0) as ryze:
        ryze.create_instance("bench", connected=True)
        client, headers = ryze.client, {"token": ryze.account_token}
        expect(client.get("/api/instance/list", headers=headers), 200)
        return time_loop(lambda _: client.get("/api/instance/list", headers=headers), iterations, warmup=50)


def request_latency_async(iterations: int) -> Sample:
    """Baseline: the same request through ``ryze.async_client()`` (httpx ASGITransport, no thread hop)."""

    async def run(ryze: MockRyze) -> Sample:
        headers = {"token": ryze.account_token}
        async with ryze.async_client() as client:
            expect(await client.get("/api/instance/list", headers=headers), 200)
            for _ in range(50):
                await client.get("/api/instance/list", headers=headers)
            gc.collect()
            values = []
            for _ in range(iterations):
                start = time.perf_counter()
                await client.get("/api/instance/list", headers=headers)
                values.append(time.perf_counter() - start)
            return Sample(tuple(values))

    with MockRyze(seed=0) as ryze:
        ryze.create_instance("bench", connected=True)
        return asyncio.run(run(ryze))


# --- main -----------------------------------------------------------------------------------------
NO_TEARDOWN = "; import os; os._exit(0)"  # a server never tears down before answering: skip interpreter exit
SUBPROCESS_BASELINES = {  # name -> python -c code, each timed from Popen to exit
    "python": "pass",
    "floor": "import starlette, hypercorn",  # the brief's baseline, as specified (includes interpreter exit)
    "deps": "import starlette.applications, hypercorn.asyncio" + NO_TEARDOWN,
    "deps+jsonschema": "import starlette.applications, hypercorn.asyncio, jsonschema" + NO_TEARDOWN,
    "mockryze": "import mockryze.cli" + NO_TEARDOWN,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2000, help="fixture iterations (default 2000)")
    parser.add_argument("--http-iterations", type=int, default=200, help="fixture-over-HTTP iterations")
    parser.add_argument("--starts", type=int, default=5, help="server starts (default 5)")
    parser.add_argument("--requests", type=int, default=2000, help="in-process requests (default 2000)")
    parser.add_argument("--profile", action="store_true", help="always print the fixture's cProfile top 10")
    parser.add_argument("--inherit-bytecode-env", action="store_true",
                        help="run subprocesses with the caller's PYTHONDONTWRITEBYTECODE / PYTHONPYCACHEPREFIX as is")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mockryze-bench-pyc-") as cache:
        global BYTECODE_CACHE
        BYTECODE_CACHE = None if opts.inherit_bytecode_env else cache
        return run(opts)


def run(opts: argparse.Namespace) -> int:
    began = time.perf_counter()
    print(f"mockryze bench · Python {sys.version.split()[0]} · {sys.platform} · {os.cpu_count()} CPUs · "
          f"load {os.getloadavg()[0]:.2f} · subprocess bytecode cache: "
          f"{'inherited' if BYTECODE_CACHE is None else 'temporary prefix (warmed)'}")
    leaked = sorted(k for k in os.environ if k.startswith("MOCKRYZE_"))
    if leaked:  # in-process worlds read them; the subprocesses below do not get them
        print(f"note: {', '.join(leaked)} set: the in-process fixture figures use them")
    for code in SUBPROCESS_BASELINES.values():  # untimed: fills the bytecode cache, warms the page cache
        time_to_exit([sys.executable, "-c", code])

    # 1. fixture cost (warm-up pays the one-off costs: Faker construction, schema compilation)
    fix = time_loop(fixture, opts.iterations, warmup=50)
    empty = time_loop(empty_world, opts.iterations, warmup=50)
    over_http = time_loop(fixture_over_http, opts.http_iterations, warmup=10)
    steps = fixture_steps(min(opts.iterations, 1000))
    cold = cold_fixture(3)

    # 2. server start: interleave the runs so machine noise hits every series alike
    runs: dict[str, list[float]] = {name: [] for name in [*SUBPROCESS_BASELINES, "start"]}
    for _ in range(opts.starts):
        for name, code in SUBPROCESS_BASELINES.items():
            runs[name].append(time_to_exit([sys.executable, "-c", code]))
        runs["start"].append(time_to_first_response())
    sub = {name: Sample(tuple(values)) for name, values in runs.items()}
    start, floor, deps = sub["start"], sub["floor"], sub["deps"]
    deps_label = f"import starlette.applications, hypercorn.asyncio {fmt_ms(deps.median)}"

    # 3. in-process request latency
    latency = request_latency(opts.requests)
    latency_async = request_latency_async(opts.requests)

    rows = [
        Row("fixture: MockRyze + create_instance(connected) + close, median", f"≤ {FIXTURE_TARGET_MS:g} ms",
            fmt_us(fix.median), verdict(fix.median, FIXTURE_TARGET_MS / 1e3),
            f"empty MockRyze {fmt_us(empty.median)}", f"{fix.median / empty.median:.1f}×"),
        Row("fixture, p90", "-", fmt_us(fix.p90), "", f"empty MockRyze {fmt_us(empty.p90)}",
            f"{fix.p90 / empty.p90:.1f}×"),
        Row("fixture via in-process HTTP (new/connect/scan), median", "-", fmt_us(over_http.median), "",
            f"direct fixture {fmt_us(fix.median)}", f"{over_http.median / fix.median:.1f}×"),
        Row("fixture via in-process HTTP, p90", "-", fmt_us(over_http.p90), "", "", ""),
        Row("first fixture in a fresh process (after import)", "-", fmt_ms(cold["first"].median), "",
            f"second fixture {fmt_us(cold['second'].median)}",
            f"{cold['first'].median / cold['second'].median:.0f}×"),
        Row(f"server start: Popen → first 200, median of {opts.starts}", f"≤ {SERVER_START_TARGET_S:g} s",
            fmt_ms(start.median), verdict(start.median, SERVER_START_TARGET_S),
            f"import starlette, hypercorn {fmt_ms(floor.median)}", f"{start.median / floor.median:.1f}×"),
        Row("server start, median (vs the server's real import floor)", "-", fmt_ms(start.median), "",
            deps_label, f"{start.median / deps.median:.1f}×"),
        Row("server start, max", "-", fmt_ms(max(runs["start"])), "",
            f"python -c pass {fmt_ms(sub['python'].median)}", f"{max(runs['start']) / sub['python'].median:.1f}×"),
        Row("python -c 'import mockryze.cli' (no serving, no teardown), median", "-",
            fmt_ms(sub["mockryze"].median), "", deps_label,
            f"{sub['mockryze'].median / deps.median:.1f}×"),
        Row("in-process ryze.client GET /api/instance/list, median", "-", fmt_us(latency.median), "",
            f"async_client {fmt_us(latency_async.median)}", f"{latency.median / latency_async.median:.2f}×"),
        Row("in-process ryze.client GET /api/instance/list, p90", "-", fmt_us(latency.p90), "",
            f"async_client {fmt_us(latency_async.p90)}", f"{latency.p90 / latency_async.p90:.2f}×"),
        Row("in-process ryze.client throughput (1 / median)", "-", f"{1 / latency.median:,.0f} req/s", "",
            f"async_client {1 / latency_async.median:,.0f} req/s", ""),
    ]
    print()
    print_table(rows)
    print()
    n_steps = min(opts.iterations, 1000)
    step_sum = sum(sample.median for sample in steps.values())
    print(f"fixture by step (separate timed loop, median of {n_steps} each; sum {fmt_us(step_sum)}):")
    for name, sample in steps.items():
        print(f"  {name:<18} {fmt_us(sample.median):>8}  ({sample.median / step_sum:.0%})")
    print(f"fresh process: import mockryze.testing {fmt_ms(cold['import'].median)}, "
          f"first fixture {fmt_ms(cold['first'].median)} (Faker + schema compilation), median of 3")
    print("server start, by median of paired differences:"
          f" python {fmt_ms(sub['python'].median)}"
          f" + starlette.applications/hypercorn.asyncio {paired(runs, 'deps', 'python')}"
          f" + jsonschema {paired(runs, 'deps+jsonschema', 'deps')}"
          f" + rest of `import mockryze.cli` {paired(runs, 'mockryze', 'deps+jsonschema')}"
          f" + world/app/bind/first response {paired(runs, 'start', 'mockryze')}")
    if opts.profile or fix.median > FIXTURE_TARGET_MS / 1e3:
        print("\nfixture cProfile (500 iterations), top 10 by cumulative time:")
        print(profile_fixture(500))
    print(f"\ntotal bench time {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
