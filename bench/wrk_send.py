"""Steady-state send-text under wrk: `mockryze serve` against a bare Starlette + Hypercorn endpoint, same run.

    PYTHONPATH=. .venv/bin/python bench/wrk_send.py [--duration 15] [--warmup 8] [--rounds 3]
                                                    [--connections 16] [--no-gc-hook-ab] [--in-process 2000]

Every server runs as a subprocess pinned to core 0 (`taskset -c 0`); wrk runs pinned to core 1
(`taskset -c 1 wrk -t1 -c16 --latency`), so the load generator never competes with the server for
a CPU. Each load is POST /api/message/text/bench with the instance's token and a JSON text message.
The baseline (bench/messages.py's BARE_SERVER) answers a canned send-text success body and does
nothing else. `mockryze serve` runs with its default settings except `--rate-limits off`: receipts
fire on their timers (1 s, then 2 s), and the message store and event record fill up to their caps
during the first warm-up and then evict. A second mock server, identical except that the GC pause
hook of GET /__mock__/stats is not installed, measures what that hook costs (`--no-gc-hook-ab`
skips it). Servers start once and keep their state over the rounds; each round loads every target
in turn, a warm-up wrk run then a measured one.

Prints, per round and target: requests/s, p50 and p99 (wrk's --latency distribution), non-2xx
responses and socket errors; per measured window of a mock server, from GET /__mock__/stats read
just before and after it: events published, timers fired, messages stored and evicted per second,
and the GC per generation (collections, total pause, longest pause: exact when it is the longest
since start, otherwise the histogram's bucket bound). Then what the mock held at the end against its
caps, the medians over rounds with the ratios mock/bare for requests/s, p50 and p99 and PASS/MISS
against issue 15's targets (>= 0.85x requests/s, p99 <= 2x), the GC hook's cost, and the in-process
figures: the send-text round trip through `ryze.client` and the per-test fixture (fresh world +
connected instance + one send). Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from messages import BARE_SERVER, BODY, NUMBER, ROOT, TOKEN, free_port, stop_all, terminate_on_sigterm, wait_listening

sys.path.insert(0, str(ROOT))  # the in-process figures use this checkout's mockryze

INSTANCE = "bench"
PATH = f"/api/message/text/{INSTANCE}"
WRK = "/usr/bin/wrk"
SERVER_CORE = "0"
WRK_CORE = "1"
BARE, MOCK, NO_HOOK = "bare", "mockryze", "no-gc-hook"
RPS_TARGET, P99_TARGET = 0.85, 2.0
ROUND_TRIP_BEFORE_US, FIXTURE_BEFORE_MS = 213, 1.4  # issue 15's figures: no regression from these
COUNTED = (("eventsPublished", "events/s"), ("timersFired", "timers/s"), ("messagesStored", "stored/s"),
           ("messagesEvicted", "evicted/s"))

# `mockryze serve` without the GC pause hook: the CLI's own entry point, its hook replaced by a no-op.
SERVE_WITHOUT_GC_HOOK = """
import sys
import mockryze.cli as cli
cli.track_gc_pauses = lambda: None
sys.exit(cli.main(sys.argv[1:]))
"""


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50: float  # seconds
    p99: float  # seconds
    requests: int
    non_2xx: int
    socket_errors: int


@dataclass(frozen=True)
class Window:
    """GET /__mock__/stats read before and after one measured wrk run."""

    seconds: float
    before: dict[str, Any]
    after: dict[str, Any]

    def rate(self, counter: str) -> float:
        return (self.after["counters"][counter] - self.before["counters"][counter]) / self.seconds

    def collections(self, generation: int) -> int:
        return int(self._gen(self.after, generation)["collections"] - self._gen(self.before, generation)["collections"])

    def pause_total_ms(self, generation: int) -> float | None:
        if not self.after["gc"]["pausesTracked"]:
            return None
        after, before = self._gen(self.after, generation), self._gen(self.before, generation)
        return float(after["pauseMsTotal"] - before["pauseMsTotal"])

    def pause_max(self, generation: int) -> tuple[float, bool] | None:
        """The window's longest pause (ms) and whether it is exact; else the upper bound of its bucket."""
        if not self.after["gc"]["pausesTracked"]:
            return None
        before, after = self._gen(self.before, generation), self._gen(self.after, generation)
        if after["pauseMsMax"] > before["pauseMsMax"]:  # the longest since start happened in this window
            return float(after["pauseMsMax"]), True
        grew = [i for i, (a, b) in enumerate(zip(after["pauseCounts"], before["pauseCounts"], strict=True)) if a > b]
        if not grew:
            return 0.0, True
        bounds = self.after["gc"]["bucketsMs"]
        top = grew[-1]
        return (float(bounds[top]) if top < len(bounds) else float(after["pauseMsMax"])), False

    @staticmethod
    def _gen(reading: dict[str, Any], generation: int) -> dict[str, Any]:
        row: dict[str, Any] = reading["gc"]["generations"][generation]
        return row


def pinned(core: str, argv: Sequence[str]) -> list[str]:
    return ["taskset", "-c", core, *argv]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MOCKRYZE_")}


def start_bare(port: int, processes: list[subprocess.Popen[bytes]]) -> None:
    processes.append(subprocess.Popen(pinned(SERVER_CORE, [sys.executable, "-c", BARE_SERVER, str(port)]), cwd=ROOT,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_listening(port)


def start_mockryze(port: int, processes: list[subprocess.Popen[bytes]], gc_hook: bool = True) -> str:
    """`mockryze serve` (default settings, rate limits off) pinned to the server core; returns the token
    of a connected instance named ``bench`` on it. The process joins ``processes`` before anything can fail."""
    entry = ["-m", "mockryze"] if gc_hook else ["-c", SERVE_WITHOUT_GC_HOOK]
    argv = [sys.executable, *entry, "serve", "--port", str(port), "--account-token", TOKEN, "--rate-limits", "off"]
    processes.append(subprocess.Popen(pinned(SERVER_CORE, argv), cwd=ROOT, env=clean_env(),
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    wait_listening(port)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"token": TOKEN}, timeout=10) as http:
        created = http.post("/api/instance/new", json={"name": INSTANCE})
        created.raise_for_status()
        instance_token: str = created.json()["instance"]["token"]
        http.get(f"/api/instance/connect/{INSTANCE}").raise_for_status()
        http.post(f"/__mock__/instances/{INSTANCE}/scan", json={"number": NUMBER}).raise_for_status()
        probe = http.post(PATH, json=BODY, headers={"token": instance_token})
        if probe.status_code != 200:
            raise RuntimeError(f"send-text probe answered {probe.status_code}: {probe.text}")
        hooked = http.get("/__mock__/stats").json()["gc"]["pausesTracked"]
        if hooked != gc_hook:
            raise RuntimeError(f"the server on {port} says pausesTracked={hooked}, expected {gc_hook}")
    return instance_token


def read_stats(port: int) -> dict[str, Any]:
    response = httpx.get(f"http://127.0.0.1:{port}/__mock__/stats", headers={"token": TOKEN}, timeout=10)
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def lua_string(raw: bytes) -> str:
    """A Lua string literal for ``raw``, every byte outside printable ASCII as a decimal escape."""
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\{b:03d}" for b in raw) + '"'


def wrk_script(instance_token: str) -> str:
    body = json.dumps(BODY, ensure_ascii=False, separators=(",", ":")).encode()
    return "\n".join([
        'wrk.method = "POST"',
        f"wrk.body = {lua_string(body)}",
        'wrk.headers["Content-Type"] = "application/json"',
        f'wrk.headers["token"] = {lua_string(instance_token.encode())}',
        "",
    ])


UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def seconds(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if not match:
        raise ValueError(f"unparsable wrk time {value!r}")
    return float(match[1]) * UNITS[match[2]]


def parse_wrk(output: str) -> WrkResult:
    def find(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise RuntimeError(f"no {pattern!r} in wrk's output:\n{output}")
        return match

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    errors = re.search(r"Socket errors:\s*connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return WrkResult(
        rps=float(find(r"^Requests/sec:\s*([\d.]+)")[1]),
        p50=seconds(find(r"^\s*50(?:\.000)?%\s+(\S+)")[1]),
        p99=seconds(find(r"^\s*99(?:\.000)?%\s+(\S+)")[1]),
        requests=int(find(r"^\s*(\d+) requests in")[1]),
        non_2xx=int(non_2xx[1]) if non_2xx else 0,
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
    )


def run_wrk(port: int, script: Path, secs: int, connections: int) -> WrkResult:
    """One wrk run; subprocess.run kills wrk if anything (Ctrl-C, SIGTERM, the timeout) interrupts it."""
    argv = pinned(WRK_CORE, [WRK, "-t1", f"-c{connections}", f"-d{secs}s", "--latency", "-s", str(script),
                             f"http://127.0.0.1:{port}{PATH}"])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=secs + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


# --- in process -----------------------------------------------------------------------------------
def in_process_round_trip(calls: int, warmup: int) -> float:
    """Median seconds of one send-text through ``MockRyze().client`` (warmed)."""
    from mockryze.testing import MockRyze

    with MockRyze(seed=1) as ryze:
        headers = {"token": ryze.create_instance(INSTANCE, connected=True).token}
        for _ in range(warmup):
            ryze.client.post(PATH, json=BODY, headers=headers)
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            ryze.client.post(PATH, json=BODY, headers=headers)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def gc_hook_cost(batches: int = 10, per_batch: int = 2000) -> float:
    """Seconds the GC pause hook adds to one collection: young collections timed in batches, with the
    hook in gc.callbacks and without it, taking turns (medians of the batches)."""
    import gc

    from mockryze.core.stats import track_gc_pauses

    before = list(gc.callbacks)
    track_gc_pauses()
    added = [callback for callback in gc.callbacks if callback not in before]
    timings: dict[bool, list[float]] = {True: [], False: []}
    try:
        for _ in range(batches):
            for hooked in (False, True):
                gc.callbacks[:] = before + added if hooked else before
                started = time.perf_counter()
                for _ in range(per_batch):
                    gc.collect(0)
                timings[hooked].append((time.perf_counter() - started) / per_batch)
    finally:
        gc.callbacks[:] = before + added
    return statistics.median(timings[True]) - statistics.median(timings[False])


FIXTURE_STEPS = ("MockRyze() + connected instance", "first ryze.client (builds the app)", "one send", "close")


def fixture_cost(iterations: int) -> tuple[float, dict[str, float]]:
    """Median seconds of a test's fixture (a fresh world, a connected instance, one send, closed), and
    the median of each of its steps."""
    from mockryze.testing import MockRyze

    def once(seed: int) -> list[float]:
        marks = [time.perf_counter()]
        ryze = MockRyze(seed=seed)
        with ryze:
            token = ryze.create_instance(INSTANCE, connected=True).token
            marks.append(time.perf_counter())
            client = ryze.client
            marks.append(time.perf_counter())
            response = client.post(PATH, json=BODY, headers={"token": token})
            marks.append(time.perf_counter())
            if response.status_code != 200:
                raise RuntimeError(f"fixture send answered {response.status_code}: {response.text}")
        marks.append(time.perf_counter())
        return [b - a for a, b in itertools.pairwise(marks)]

    for seed in range(20):  # Faker, the schemas and the imports are built once: not a test's cost
        once(seed)
    runs = [once(seed) for seed in range(iterations)]
    steps = {step: statistics.median(run[i] for run in runs) for i, step in enumerate(FIXTURE_STEPS)}
    return statistics.median(sum(run) for run in runs), steps


# --- printing -------------------------------------------------------------------------------------
def ms(value: float) -> str:
    return f"{value * 1e3:.2f} ms"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def gc_cells(window: Window) -> str:
    cells = []
    for generation in range(3):
        total, longest = window.pause_total_ms(generation), window.pause_max(generation)
        count = window.collections(generation)
        if total is None or longest is None:
            cells.append(f"gen{generation} {count:>5} (pauses not timed)")
        else:
            bound = "" if longest[1] else "<="
            cells.append(f"gen{generation} {count:>5} {total:>7.1f} ms max {bound}{longest[0]:.2f} ms")
    return " | ".join(cells)


def print_window(round_no: int, name: str, window: Window) -> None:
    rates = " ".join(f"{window.rate(counter):>9,.0f}" for counter, _ in COUNTED)
    print(f"{round_no:>5} {name:10} {rates}   {gc_cells(window)}", flush=True)


def print_held(name: str, reading: dict[str, Any]) -> None:
    held = reading["held"]
    full = held["messages"] >= held["messageStoreLimit"] and held["events"] >= held["eventRecordLimit"]
    counters = reading["counters"]
    print(f"  {name:10} messages {held['messages']:,} / {held['messageStoreLimit']:,} (store cap per instance), "
          f"events {held['events']:,} / {held['eventRecordLimit']:,} (record cap per account): "
          f"{'both caps reached' if full else 'caps NOT reached'}; since start {counters['messagesStored']:,} "
          f"stored, {counters['messagesEvicted']:,} evicted, {counters['eventsPublished']:,} events, "
          f"{counters['timersFired']:,} timers")


def print_summary(results: dict[str, list[WrkResult]], windows: dict[str, list[Window]],
                  warm_non_2xx: dict[str, int]) -> None:
    def median(name: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in results[name])

    print("medians over rounds:")
    for name in results:
        non_2xx = sum(r.non_2xx for r in results[name])
        print(f"  {name:10} {median(name, 'rps'):>9,.0f} requests/s   p50 {ms(median(name, 'p50'))}   "
              f"p99 {ms(median(name, 'p99'))}   non-2xx {non_2xx} measured + {warm_non_2xx[name]} warm-up")
    for name in windows:
        rates = ", ".join(f"{statistics.median(w.rate(counter) for w in windows[name]):,.0f} {label}"
                          for counter, label in COUNTED)
        print(f"  {name:10} steady state: {rates}")
        for generation in range(3):
            per_s = statistics.median(w.collections(generation) / w.seconds for w in windows[name])
            totals = [w.pause_total_ms(generation) for w in windows[name]]
            longest = [w.pause_max(generation) for w in windows[name]]
            timed = [t for t in totals if t is not None]
            bounds = [m for m in longest if m is not None]
            pauses = "pauses not timed" if not timed or not bounds else (
                f"{statistics.median(t / w.seconds for t, w in zip(timed, windows[name], strict=True)):.1f} ms "
                f"paused per s, longest {'' if max(bounds)[1] else '<='}{max(bounds)[0]:.2f} ms")
            print(f"  {'':10}   gen{generation}: {per_s:,.1f} collections/s, {pauses}")
    rps = median(MOCK, "rps") / median(BARE, "rps")
    p50 = median(MOCK, "p50") / median(BARE, "p50")
    p99 = median(MOCK, "p99") / median(BARE, "p99")
    print(f"ratio mockryze/bare: requests/s {rps:.2f}x (target >= {RPS_TARGET}x) {verdict(rps >= RPS_TARGET)}   "
          f"p50 {p50:.2f}x   p99 {p99:.2f}x (target <= {P99_TARGET:g}x) {verdict(p99 <= P99_TARGET)}")
    if NO_HOOK in results:
        hook_rps = median(MOCK, "rps") / median(NO_HOOK, "rps")
        hook_p99 = median(MOCK, "p99") / median(NO_HOOK, "p99")
        print(f"GC pause hook (GET /__mock__/stats), with/without: requests/s {hook_rps:.3f}x, p99 {hook_p99:.2f}x "
              "(noise on this machine is a few %: read a gap below that as no cost)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds of each measured wrk run")
    parser.add_argument("--warmup", type=int, default=8, help="seconds of the wrk run before each measured one")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each loading every target in turn")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (-c)")
    parser.add_argument("--no-gc-hook-ab", action="store_true",
                        help="skip the second mock server without the GC pause hook")
    parser.add_argument("--in-process", type=int, default=2000, help="timed in-process round trips")
    parser.add_argument("--in-process-warmup", type=int, default=200, help="untimed in-process round trips first")
    parser.add_argument("--fixtures", type=int, default=300, help="timed per-test fixtures")
    args = parser.parse_args()
    missing = [tool for tool in (WRK, "taskset") if shutil.which(tool) is None]
    if missing:
        print(f"*** bench/wrk_send.py SKIPPED: it needs {' and '.join(missing)} "
              "(Debian: apt-get install wrk util-linux; `make bench` installs wrk when run as root) ***",
              file=sys.stderr)
        return 0
    terminate_on_sigterm()

    targets = [BARE, MOCK] + ([] if args.no_gc_hook_ab else [NO_HOOK])
    ports = {name: free_port() for name in targets}
    processes: list[subprocess.Popen[bytes]] = []
    results: dict[str, list[WrkResult]] = {name: [] for name in targets}
    windows: dict[str, list[Window]] = {name: [] for name in targets if name != BARE}
    warm_non_2xx = dict.fromkeys(targets, 0)
    print(f"mockryze send-text under wrk · {args.rounds} rounds x ({args.warmup} s warm-up + {args.duration} s) "
          f"per target · -t1 -c{args.connections} · servers on core {SERVER_CORE}, wrk on core {WRK_CORE} · "
          f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f}", flush=True)
    print(f"targets: {', '.join(targets)} (mockryze = `mockryze serve --rate-limits off`, otherwise its defaults)")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            start_bare(ports[BARE], processes)
            scripts: dict[str, Path] = {BARE: Path(tmp) / "bare.lua"}
            scripts[BARE].write_text(wrk_script("unused"), encoding="utf-8")
            for name in windows:
                scripts[name] = Path(tmp) / f"{name}.lua"
                token = start_mockryze(ports[name], processes, gc_hook=name == MOCK)
                scripts[name].write_text(wrk_script(token), encoding="utf-8")
            print(f"{'round':>5} {'target':10} {'requests/s':>11} {'p50':>9} {'p99':>9} {'requests':>9} "
                  f"{'non-2xx':>8} {'sock err':>8} {'warm-up non-2xx':>16}", flush=True)
            for round_no in range(1, args.rounds + 1):
                for name in targets:
                    warm = run_wrk(ports[name], scripts[name], args.warmup, args.connections)
                    warm_non_2xx[name] += warm.non_2xx
                    before = read_stats(ports[name]) if name in windows else None
                    started = time.monotonic()
                    r = run_wrk(ports[name], scripts[name], args.duration, args.connections)
                    elapsed = time.monotonic() - started
                    if before is not None:
                        windows[name].append(Window(elapsed, before, read_stats(ports[name])))
                    results[name].append(r)
                    print(f"{round_no:>5} {name:10} {r.rps:>11,.0f} {ms(r.p50):>9} {ms(r.p99):>9} "
                          f"{r.requests:>9,} {r.non_2xx:>8} {r.socket_errors:>8} {warm.non_2xx:>16}", flush=True)
            print("steady state in each measured window (GET /__mock__/stats before and after; GC: collections, "
                  "total pause, longest pause):")
            print(f"{'round':>5} {'target':10} " + " ".join(f"{label:>9}" for _, label in COUNTED))
            for name, measured in windows.items():
                for round_no, window in enumerate(measured, 1):
                    print_window(round_no, name, window)
            print("held at the end of the run:")
            for name in windows:
                print_held(name, read_stats(ports[name]))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        stop_all(processes)

    print_summary(results, windows, warm_non_2xx)
    round_trip = in_process_round_trip(args.in_process, args.in_process_warmup)
    print(f"in-process ryze.client send-text round trip: median {round_trip * 1e6:,.0f} us over {args.in_process} "
          f"calls after {args.in_process_warmup} warm-up (issue 15: {ROUND_TRIP_BEFORE_US} us before, no regression)")
    fixture, steps = fixture_cost(args.fixtures)
    print(f"in-process per-test fixture (MockRyze + connected instance + one send + close): median "
          f"{fixture * 1e3:.2f} ms over {args.fixtures} (issue 15: ~{FIXTURE_BEFORE_MS} ms before, no regression)")
    print("  of which (medians): " + ", ".join(f"{step} {cost * 1e3:.2f} ms" for step, cost in steps.items()))
    hook = gc_hook_cost()
    young = statistics.median(w.collections(0) / w.seconds for w in windows[MOCK]) if windows.get(MOCK) else 0.0
    print(f"GC pause hook: {hook * 1e9:,.0f} ns per collection (young collections timed with and without it); at "
          f"{young:,.0f} young collections/s under wrk that is {hook * young * 1e6:,.1f} us per s "
          f"({hook * young * 100:.3f} % of the server's core)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
