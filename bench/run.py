"""mockryze benchmarks: fixture cost, server start, in-process request latency, event emission and delivery.

Run with ``.venv/bin/python bench/run.py`` (or ``make bench``); ``--only events`` runs the events
section alone. Every figure is printed next to a baseline measured in the same run, so ratios stay
meaningful on slow or noisy machines. Nothing here asserts on timings: the script reports, with
PASS/MISS against the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import gc
import io
import itertools
import json
import os
import pstats
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout even without `pip install -e .`

from mockryze.core import schemas  # noqa: E402
from mockryze.testing.api import MockRyze  # noqa: E402

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
from mockryze.testing.api import MockRyze
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


# --- 4. events: emission cost, webhook and WebSocket latency -------------------------------------
EVENTS_RATIO_TARGET = 0.90
EVENT_WEBHOOKS = 3
EVENT_SOCKETS = 2
QUIET, LOUD = "bench-quiet", "bench-loud"  # no listeners / 3 webhooks + 2 WebSocket clients
SEND_NUMBER = "5511987654321"
MESSAGE_ID = re.compile(r"^[0-9A-F]{12,64}$")


class Arrivals:
    """What the listeners got, per channel (``hook1``…, ``ws1``…): (perf_counter at arrival, raw body)."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.items: dict[str, list[tuple[float, bytes]]] = {}

    def add(self, channel: str, body: bytes) -> None:
        now = time.perf_counter()
        with self.changed:
            self.items.setdefault(channel, []).append((now, body))
            self.changed.notify_all()

    def counts(self, channels: list[str]) -> list[int]:
        with self.changed:
            return [len(self.items.get(c, ())) for c in channels]

    def last(self, channels: list[str]) -> float:
        with self.changed:
            return max(self.items[c][-1][0] for c in channels if self.items.get(c))

    def wait(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Block until ``predicate()`` (checked under the lock) holds after some arrival, or time out."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while not predicate():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.changed.wait(remaining)
        return True


class _HookHandler(BaseHTTPRequestHandler):
    """A webhook receiver that answers 200 at once (HTTP/1.1 keep-alive, no logging)."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.arrivals.add(self.path.strip("/").split("/")[0], body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _HookServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a connection reset while the mock shuts down is no news


@contextlib.contextmanager
def hook_receiver(arrivals: Arrivals) -> Iterator[str]:
    """A ThreadingHTTPServer on 127.0.0.1 in a thread (one thread per keep-alive connection); its URL."""
    server = _HookServer((HOST, 0), _HookHandler)
    server.arrivals = arrivals  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
                              name="bench-hook-receiver")
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def ws_listeners(url: str, arrivals: Arrivals, count: int) -> Iterator[None]:
    """``count`` WebSocket clients (websockets.sync), each drained by its own thread; closed on the way out."""
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def drain(ws: ClientConnection, channel: str) -> None:
        while not stop.is_set():
            try:
                frame = ws.recv(timeout=0.2)
            except TimeoutError:
                continue
            except ConnectionClosed:
                return
            arrivals.add(channel, frame.encode() if isinstance(frame, str) else frame)

    with contextlib.ExitStack() as sockets:
        try:
            for i in range(1, count + 1):
                ws = sockets.enter_context(ws_connect(url, proxy=None, open_timeout=5, close_timeout=2,
                                                      max_queue=None))
                thread = threading.Thread(target=drain, args=(ws, f"ws{i}"), daemon=True, name=f"bench-ws{i}")
                thread.start()
                threads.append(thread)
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)


@dataclass(frozen=True)
class SendPath:
    """The request under test: ``POST /api/message/text/{name}`` once it answers 200, else an injected event."""

    label: str
    text_route: bool
    template: dict[str, Any]

    @property
    def status(self) -> int:
        return 200 if self.text_route else 201

    def path(self, name: str) -> str:
        return f"/api/message/text/{name}" if self.text_route else f"/__mock__/instances/{name}/events"

    def body(self, seq: int) -> bytes:
        if self.text_route:
            return json.dumps({"number": SEND_NUMBER, "message": "hi"}).encode()
        data = {**self.template["data"], "id": f"3EB0BE{seq:014X}"}  # a valid message id, unique per request
        return json.dumps({"event": self.template["event"], "data": data}).encode()


def send_path(client: httpx.Client, token: str) -> SendPath:
    """Probe the send route once; until it answers 200, inject a schema example of ``message.exchange``."""
    probe = client.post(f"/api/message/text/{QUIET}", json={"number": SEND_NUMBER, "message": "hi"},
                        headers={"token": token})
    if probe.status_code == 200:
        return SendPath("POST /api/message/text/{name}", True, {})
    for name in ("events/message.exchange", "events/message.status"):
        with contextlib.suppress(KeyError):
            examples = [e for e in schemas.schema(name).get("examples", []) if e.get("event") and e.get("data")]
            if examples:
                return SendPath(f"POST /__mock__/instances/{{name}}/events ({examples[0]['event']}; "
                                f"message route probe {probe.status_code})", False, examples[0])
    raise RuntimeError("no message.exchange / message.status example in the schemas")


def message_ids(document: Any) -> set[str]:
    """Every message-id-looking string under a key ending in ``id`` / ``ids`` (responses, envelopes)."""
    found: set[str] = set()
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key.lower().endswith(("id", "ids")) and isinstance(value, str | list):
                    values = value if isinstance(value, list) else [value]
                    found.update(v for v in values if isinstance(v, str) and MESSAGE_ID.match(v))
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def drive(base_url: str, send: SendPath, name: str, token: str, first_seq: int, requests: int,
          workers: int) -> float:
    """``requests`` send-path requests from ``workers`` threads (a keep-alive httpx.Client each); seconds."""
    bodies = [send.body(first_seq + i) for i in range(requests)]
    path, headers = send.path(name), {"token": token, "Content-Type": "application/json"}
    counter = itertools.count()
    failures: list[str] = []
    gate = threading.Barrier(workers + 1, timeout=30)

    def worker() -> None:
        with httpx.Client(base_url=base_url, timeout=10, trust_env=False) as client:
            client.get("/api/instance/list", headers={"token": token})  # connect before the gate
            gate.wait()
            while (i := next(counter)) < requests:
                response = client.post(path, content=bodies[i], headers=headers)
                if response.status_code != send.status and len(failures) < 5:
                    failures.append(f"{response.status_code}: {response.text[:200]}")

    threads = [threading.Thread(target=worker, name=f"bench-load{i}", daemon=True) for i in range(workers)]
    for thread in threads:
        thread.start()
    gate.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - start
    if failures or any(t.is_alive() for t in threads):
        raise RuntimeError(f"{path}: {failures or 'workers did not finish'}")
    return elapsed


EMITTED: Counter[tuple[int, str]] = Counter()  # events per instance, counted by a bus subscriber (records() is a scan)


def emitted(ryze: MockRyze, name: str) -> int:
    return EMITTED[(id(ryze.world), name)]


def count_emitted(ryze: MockRyze) -> None:
    world = id(ryze.world)
    ryze.world.bus.subscribe(lambda record: EMITTED.update(((world, record.instance),)))


RECEIPT_DELAYS = ("receipt_delivered_delay", "receipt_read_delay", "receipt_played_delay")


def quiesce(ryze: MockRyze, arrivals: Arrivals, channels: list[str], offset: int, timeout: float) -> bool:
    """Wait for the delayed events the sends started (receipts: timers on the mock's clock), then :func:`settle`.

    Timers due later than the longest receipt chain (a connect attempt's QR rotation and expiry) are not waited for.
    """
    world = ryze.world
    horizon = world.now() + sum(float(getattr(world.settings, name, 0.0)) for name in RECEIPT_DELAYS) + 0.3
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        timers = getattr(world, "_timers", None)
        if timers is None:  # no view of the timers: wait out the longest receipt chain
            time.sleep(max(0.0, min(horizon - world.now(), deadline - time.monotonic())))
            break
        if not any(timer.due <= horizon for timer in list(timers)):
            break
        time.sleep(0.05)
    return settle(ryze, arrivals, channels, offset, max(0.1, deadline - time.monotonic()))


def settle(ryze: MockRyze, arrivals: Arrivals, channels: list[str], offset: int, timeout: float) -> bool:
    """Wait until every channel got every event the loud instance emitted since the listeners joined."""
    deadline = time.monotonic() + timeout
    while min(arrivals.counts(channels)) < emitted(ryze, LOUD) - offset:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@contextlib.contextmanager
def loop_profiles(loops: dict[str, asyncio.AbstractEventLoop | None]) -> Iterator[dict[str, cProfile.Profile]]:
    """cProfile inside other threads' event loops, enabled and disabled by a callback run on each loop.

    (``cProfile.Profile.enable()`` hooks only the calling thread: the server and the webhook
    delivery engine each run their own loop in their own thread.)
    """
    # The timer is the thread's own CPU clock (it is read in the profiled thread): time spent waiting for
    # the GIL or in epoll does not count, so the figures say what each thread actually computes.
    profiles = {name: cProfile.Profile(time.thread_time) for name, loop in loops.items() if loop is not None}

    def on_loop(loop: asyncio.AbstractEventLoop, action: Callable[[], None]) -> None:
        done = threading.Event()
        loop.call_soon_threadsafe(lambda: (action(), done.set()))
        done.wait(5)

    for name, profile in profiles.items():
        on_loop(loops[name], profile.enable)  # type: ignore[arg-type]
    try:
        yield profiles
    finally:
        for name, profile in profiles.items():
            on_loop(loops[name], profile.disable)  # type: ignore[arg-type]


def profile_report(profiles: dict[str, cProfile.Profile], sends: int, top: int = 10) -> str:
    """Per thread: the functions with most own CPU, and the mock's own functions by cumulative CPU, per send."""
    out = []
    for name, profile in profiles.items():
        stats: dict[Any, Any] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
        total = sum(tt for _, _, tt, _, _ in stats.values())

        def label(key: tuple[str, int, str]) -> str:
            path, line, func = key
            parts = Path(path).parts
            short = "/".join(parts[-2:]) if "mockryze" in parts or "site-packages" in parts else parts[-1]
            return f"{func} ({short}:{line})" if line else func

        def package(path: str) -> str:
            parts = Path(path).parts
            if "site-packages" in parts:
                return parts[parts.index("site-packages") + 1]
            if "mockryze" in parts:
                return "mockryze"
            return "C calls" if path == "~" else ("asyncio" if "asyncio" in parts else "stdlib")

        by_package: Counter[str] = Counter()
        for key, (_, _, tt, _, _) in stats.items():
            by_package[package(key[0])] += tt
        own = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
        mine = sorted(((k, v) for k, v in stats.items() if "/mockryze/" in k[0]), key=lambda kv: -kv[1][3])[:top]
        out.append(f"{name} thread: {fmt_ms(total / sends)} CPU per send (cProfile on the thread's CPU clock, "
                   "which it inflates for call-heavy code)")
        out.append("  own time by package: " + ", ".join(f"{p} {t / total:.0%}" for p, t in by_package.most_common(8)))
        out.append("  own time, top: " + ", ".join(f"{label(k)} {v[2] / total:.0%}" for k, v in own))
        out.append("  mock, cumulative: " + ", ".join(f"{label(k)} {v[3] / total:.0%}" for k, v in mine))
    return "\n".join(out)


@dataclass
class EventsResult:
    send: SendPath
    requests: int
    workers: int
    rates: dict[str, list[float]]  # requests/s per round: QUIET, LOUD
    drains: list[float]  # last response → last listener got its event, per loud round
    events_per_send: float
    cpu: dict[str, list[dict[str, float]]] = field(default_factory=lambda: {QUIET: [], LOUD: []})
    latency: dict[str, list[float]] = field(default_factory=dict)  # hook / http / ws -> seconds
    sends: int = 0
    lost: int = 0
    hot_spots: str = ""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_group(thread_name: str) -> str:
    if thread_name == "mockryze-server":
        return "server"
    if thread_name == "mockryze-webhooks":
        return "webhook delivery"
    if thread_name == "bench-hook-receiver" or "process_request_thread" in thread_name:
        return "receivers"
    if thread_name.startswith("bench-ws") or "recv_events" in thread_name or "keepalive" in thread_name:
        return "WebSocket clients"
    return "bench main"


def cpu_snapshot() -> dict[str, float]:
    """CPU seconds per group of live threads (Linux ``/proc``; empty elsewhere) and of the whole process.

    Unlike wall-clock rates, CPU time hardly moves when other processes load the machine.
    """
    snapshot: dict[str, float] = {"process": time.process_time()}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for thread in threading.enumerate():
        try:
            fields = Path(f"/proc/self/task/{thread.native_id}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        group = cpu_group(thread.name)
        snapshot[group] = snapshot.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return snapshot


def cpu_per_send(before: dict[str, float], after: dict[str, float], sends: int) -> dict[str, float]:
    """Seconds of CPU per send by group; the load clients' threads have exited: they are the remainder."""
    groups = {g: (after.get(g, 0.0) - before.get(g, 0.0)) / sends for g in CPU_GROUPS if g != "load clients"}
    remainder = (after["process"] - before["process"]) / sends - sum(groups.values())
    if len(after) == 1:  # no /proc: only the process total
        return {"process": (after["process"] - before["process"]) / sends}
    return {**groups, "load clients": max(0.0, remainder),
            "process": (after["process"] - before["process"]) / sends}


CPU_GROUPS = ("server", "webhook delivery", "receivers", "WebSocket clients", "load clients", "bench main")
MOCK_GROUPS = ("server", "webhook delivery")  # the mock's own threads (what `mockryze serve` would spend)


def events_bench(requests: int, rounds: int, workers: int, latency_sends: int, profile: bool,
                 budget: float = 60.0) -> EventsResult:
    """A live server (``mockryze serve`` settings), one quiet instance and one loud one, same world."""
    began = time.monotonic()
    ryze = MockRyze(rate_limits=False, frozen_clock=False, start_time=None)
    arrivals = Arrivals()
    hooks = [f"hook{i}" for i in range(1, EVENT_WEBHOOKS + 1)]
    channels = hooks + [f"ws{i}" for i in range(1, EVENT_SOCKETS + 1)]
    try:
        base = ryze.serve()
        count_emitted(ryze)
        tokens = {name: ryze.create_instance(name, connected=True).token for name in (QUIET, LOUD)}
        with contextlib.ExitStack() as stack, httpx.Client(base_url=base, timeout=10, trust_env=False) as client:
            receiver = stack.enter_context(hook_receiver(arrivals))
            own = {"token": tokens[LOUD]}
            for label in hooks:
                expect(client.post(f"/api/events/webhook/{LOUD}", headers=own,
                                   json={"label": label, "enabled": True, "url": f"{receiver}/{label}"}), 200)
            expect(client.post(f"/api/events/websocket/{LOUD}", headers=own, json={"enabled": True}), 200)
            ws_url = f"ws://{HOST}:{base.rsplit(':', 1)[1]}/ws/{LOUD}?token={tokens[LOUD]}"
            stack.enter_context(ws_listeners(ws_url, arrivals, EVENT_SOCKETS))
            hub_key, deadline = (ryze.account_token, LOUD), time.monotonic() + 5.0
            while ryze.channels.hub.count(hub_key) < EVENT_SOCKETS:  # registered just after the handshake
                if time.monotonic() > deadline:
                    raise RuntimeError("the WebSocket clients did not reach the hub")
                time.sleep(0.005)
            offset = emitted(ryze, LOUD)
            send = send_path(client, tokens[QUIET])
            seq = itertools.count(0, max(requests, latency_sends))
            warm = min(100, requests)  # untimed: both paths, every listener
            for name in (QUIET, LOUD):
                drive(base, send, name, tokens[name], next(seq), warm, workers)
            if not quiesce(ryze, arrivals, channels, offset, 60.0):
                raise RuntimeError(f"warm-up events did not reach every listener: {arrivals.counts(channels)}")
            result = EventsResult(send, requests, workers, {QUIET: [], LOUD: []}, [],
                                  (emitted(ryze, LOUD) - offset) / warm)

            # 1. emission cost: quiet and loud take turns (ABBA), so drift hits both alike. Each round ends
            # when its delayed events (receipts) have fired and every listener has every event, so no work
            # spills into the next round, and its CPU account covers all the work its sends caused.
            loud_rounds: list[float] = []  # seconds, sends to quiet
            for r in range(rounds):
                for name in (QUIET, LOUD) if r % 2 == 0 else (LOUD, QUIET):
                    round_began = time.monotonic()
                    before = cpu_snapshot()
                    elapsed = drive(base, send, name, tokens[name], next(seq), requests, workers)
                    result.rates[name].append(requests / elapsed)
                    if name == LOUD:
                        done = time.perf_counter()
                        if not settle(ryze, arrivals, channels, offset, 60.0):
                            raise RuntimeError(f"events did not reach every listener: {arrivals.counts(channels)}")
                        result.drains.append(max(0.0, arrivals.last(channels) - done))
                    if not quiesce(ryze, arrivals, channels, offset, 60.0):
                        raise RuntimeError(f"delayed events did not reach every listener: {arrivals.counts(channels)}")
                    result.cpu[name].append(cpu_per_send(before, cpu_snapshot(), requests))
                    if name == LOUD:
                        loud_rounds.append(time.monotonic() - round_began)
                if time.monotonic() - began > budget * 0.6 and r + 1 < rounds:
                    print(f"note: events throughput stopped after {r + 1} of {rounds} rounds (time budget)")
                    break

            # 2./3. latency: one send at a time, each waits for its event on every channel
            latency_events(ryze, client, send, tokens[LOUD], seq, latency_sends, arrivals, channels, result,
                           deadline=time.monotonic() + max(5.0, budget * 0.9 - (time.monotonic() - began)))
            quiesce(ryze, arrivals, channels, offset, 30.0)

            ratio = statistics.median(result.rates[LOUD]) / statistics.median(result.rates[QUIET])
            profiled = min(requests, 100)  # one more loud round, the mock's two loops profiled (about 5× slower)
            needs = 5 * statistics.median(loud_rounds) * profiled / requests
            if profile or (ratio < EVENTS_RATIO_TARGET and time.monotonic() - began + needs < budget):
                server = getattr(ryze, "_server", None)
                loops = {"server": getattr(server, "_loop", None),
                         "webhook delivery": getattr(ryze.channels.delivery, "_loop", None)}
                with loop_profiles(loops) as profiles:
                    drive(base, send, LOUD, tokens[LOUD], next(seq), profiled, workers)
                    quiesce(ryze, arrivals, channels, offset, 60.0)
                result.hot_spots = profile_report(profiles, profiled)
        return result
    finally:
        ryze.close()


def latency_events(ryze: MockRyze, client: httpx.Client, send: SendPath, token: str, seq: Iterator[int],
                   sends: int, arrivals: Arrivals, channels: list[str], result: EventsResult,
                   deadline: float) -> None:
    """Request sent → a listener got the event carrying the request's message id (perf_counter, one process)."""
    after = max((int(d["id"].removeprefix("dlv_")) for d in ryze.deliveries(instance=LOUD)), default=0)
    headers = {"token": token, "Content-Type": "application/json"}
    got: dict[str, list[float]] = {c: [] for c in channels}
    ids: set[str] = set()
    base = next(seq)
    for i in range(sends):
        if time.monotonic() > deadline:
            print(f"note: latency stopped after {i} of {sends} sends (time budget)")
            break
        marks = dict(zip(channels, arrivals.counts(channels), strict=True))
        body = send.body(base + i)
        start = time.perf_counter()
        response = client.post(send.path(LOUD), content=body, headers=headers)
        expect(response, send.status)
        mine = message_ids(response.json())
        if not mine:
            raise RuntimeError(f"no message id in the send-path response: {response.text[:300]}")
        ids |= mine
        needles = [key.encode() for key in mine]

        def first(channel: str, needles: list[bytes] = needles, marks: dict[str, int] = marks) -> float | None:
            for at, raw in arrivals.items.get(channel, [])[marks[channel]:]:
                if any(n in raw for n in needles):
                    return at
            return None

        if not arrivals.wait(lambda: all(first(c) is not None for c in channels), 2.0):
            result.lost += 1
        for channel in channels:
            at = first(channel)
            if at is not None:
                got[channel].append(at - start)
        result.sends += 1
    fresh = [d for d in ryze.deliveries(instance=LOUD, status="delivered") if int(d["id"].removeprefix("dlv_")) > after]
    result.latency = {
        "hook": [v for c in channels if c.startswith("hook") for v in got[c]],
        "ws": [v for c in channels if c.startswith("ws") for v in got[c]],
        "http": [d["attempts"][0]["latencyMs"] / 1e3 for d in fresh
                 if d["attempts"] and message_ids(d["envelope"].get("data")) & ids],  # first attempt of each
    }


def median_cpu(samples: list[dict[str, float]], groups: tuple[str, ...]) -> float:
    return statistics.median(sum(sample.get(g, 0.0) for g in groups) for sample in samples)


def events_rows(res: EventsResult) -> list[Row]:
    quiet, loud = statistics.median(res.rates[QUIET]), statistics.median(res.rates[LOUD])
    ratio = loud / quiet
    drain = statistics.median(res.drains)
    with_drain = res.requests / (res.requests / loud + drain)
    rows = [
        Row(f"send path with {EVENT_WEBHOOKS} webhooks + {EVENT_SOCKETS} WebSocket clients, req/s "
            f"(median of {len(res.rates[LOUD])} × {res.requests}, {res.workers} workers)",
            f"≥ {EVENTS_RATIO_TARGET:.2f}× baseline", f"{loud:,.0f} req/s",
            "PASS" if ratio >= EVENTS_RATIO_TARGET else "MISS", f"no listeners {quiet:,.0f} req/s", f"{ratio:.2f}×"),
        Row("  per round: with listeners | baseline", "-", " ".join(f"{v:,.0f}" for v in res.rates[LOUD]), "",
            " ".join(f"{v:,.0f}" for v in res.rates[QUIET]), ""),
        Row(f"  until every listener has every event (drain after last response {fmt_ms(drain)})", "-",
            f"{with_drain:,.0f} req/s", "", f"no listeners {quiet:,.0f} req/s", f"{with_drain / quiet:.2f}×"),
    ]
    if res.cpu[LOUD] and "server" in res.cpu[LOUD][0]:
        mock_loud, mock_quiet = median_cpu(res.cpu[LOUD], MOCK_GROUPS), median_cpu(res.cpu[QUIET], MOCK_GROUPS)
        rows.append(Row("mock CPU per send (server + webhook delivery threads), median", "-", fmt_ms(mock_loud), "",
                        f"no listeners {fmt_ms(mock_quiet)}", f"{mock_loud / mock_quiet:.1f}×"))
    if res.cpu[LOUD]:
        all_loud, all_quiet = median_cpu(res.cpu[LOUD], ("process",)), median_cpu(res.cpu[QUIET], ("process",))
        rows.append(Row("process CPU per send (mock + load clients + listeners), median", "-", fmt_ms(all_loud), "",
                        f"no listeners {fmt_ms(all_quiet)}", f"{all_loud / all_quiet:.1f}×"))
    lat = res.latency
    ws50 = percentile(lat["ws"], 0.5) if lat.get("ws") else None
    for key, label in (("hook", "webhook end to end: request sent → receiver got the POST"),
                       ("http", "webhook HTTP leg: journal latencyMs"),
                       ("ws", "WebSocket: request sent → frame received")):
        if not lat.get(key):
            continue
        p50, p99 = percentile(lat[key], 0.5), percentile(lat[key], 0.99)
        compare = ws50 is not None and key != "ws"
        rows.append(Row(f"{label}, p50 / p99 (n={len(lat[key])})", "-", f"{fmt_ms(p50)} / {fmt_ms(p99)}", "",
                        f"WebSocket p50 {fmt_ms(ws50)}" if compare and ws50 else "",
                        f"{p50 / ws50:.1f}×" if compare and ws50 else ""))
    return rows


def print_events(res: EventsResult) -> None:
    print(f"events · live server (MockRyze(rate_limits=False, frozen_clock=False).serve()) · send path: "
          f"{res.send.label} · {res.events_per_send:g} events per send (receipts included) · listeners: "
          f"{EVENT_WEBHOOKS} webhooks → one ThreadingHTTPServer, {EVENT_SOCKETS} websockets.sync clients, "
          f"in this process · load {os.getloadavg()[0]:.2f}")
    print()
    print_table(events_rows(res))
    if res.cpu[LOUD] and "server" in res.cpu[LOUD][0]:
        parts = [f"{g} {fmt_ms(median_cpu(res.cpu[QUIET], (g,)))} → {fmt_ms(median_cpu(res.cpu[LOUD], (g,)))}"
                 for g in CPU_GROUPS]
        print("CPU per send by thread, no listeners → with listeners (median of rounds): " + ", ".join(parts))
    if res.lost:
        print(f"note: {res.lost} of {res.sends} latency sends missed a listener within 2 s")
    if res.hot_spots:
        print("\nmock side, cProfile of one more loud round (up to 100 sends, then their receipts and deliveries):")
        print(res.hot_spots)


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
    parser.add_argument("--profile", action="store_true",
                        help="always print the fixture's cProfile top 10 and the events section's server profile")
    parser.add_argument("--only", choices=("core", "events"),
                        help="run one section: core (fixture, server start, latency) or events")
    parser.add_argument("--events-requests", type=int, default=300, help="send-path requests per round (300)")
    parser.add_argument("--events-rounds", type=int, default=2,
                        help="rounds; each times both configurations, in ABBA order (2)")
    parser.add_argument("--events-workers", type=int, default=4, help="concurrent client threads (4)")
    parser.add_argument("--latency-sends", type=int, default=300,
                        help="sends timed one at a time, within the section's ~60 s budget (300)")
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
    if opts.only != "events":
        run_core(opts)
    if opts.only != "core":
        print()
        print_events(events_bench(opts.events_requests, opts.events_rounds, opts.events_workers,
                                  opts.latency_sends, opts.profile))
    print(f"\ntotal bench time {time.perf_counter() - began:.1f} s")
    return 0


def run_core(opts: argparse.Namespace) -> None:
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


if __name__ == "__main__":
    raise SystemExit(main())
