"""Steady-state send-text under wrk: `mockryze serve` against a bare Starlette + Hypercorn endpoint, same run.

    PYTHONPATH=. .venv/bin/python bench/wrk_send.py [--duration 15] [--warmup 8] [--rounds 2]
                                                    [--connections 16] [--in-process 2000]

Both servers run as subprocesses pinned to core 0 (`taskset -c 0`); wrk runs pinned to core 1
(`taskset -c 1 wrk -t1 -c16 --latency`), so the load generator never competes with the server for
a CPU. Each sends POST /api/message/text/bench with the instance's token and a JSON text message.
The baseline (bench/messages.py's BARE_SERVER) answers a canned send-text success body without
doing anything; the mock gets an instance created, connected and scanned first, so every send must
answer 200. Rounds alternate bare / mock; each load is a warm-up wrk run followed by a measured one.

Prints, per round and target: requests/s, p50 and p99 latency (wrk's --latency distribution),
non-2xx responses and socket errors (warm-up and measured); then the medians over rounds, the
ratios mock/bare for requests/s and p99, and the in-process round trip median of
`MockRyze().client.post(...)` send-text (after a warm-up). Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx
from messages import BARE_SERVER, BODY, NUMBER, ROOT, TOKEN, free_port, stop_all, wait_listening

INSTANCE = "bench"
PATH = f"/api/message/text/{INSTANCE}"
WRK = "/usr/bin/wrk"
SERVER_CORE = "0"
WRK_CORE = "1"
TARGETS = ("bare", "mockryze")


@dataclass(frozen=True)
class WrkResult:
    rps: float
    p50: float  # seconds
    p99: float  # seconds
    requests: int
    non_2xx: int
    socket_errors: int


def pinned(core: str, argv: Sequence[str]) -> list[str]:
    return ["taskset", "-c", core, *argv]


def start_bare(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(pinned(SERVER_CORE, [sys.executable, "-c", BARE_SERVER, str(port)]), cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port)
    return process


def start_mockryze(port: int) -> tuple[subprocess.Popen[bytes], str]:
    """The server, plus the token of a connected instance named ``bench`` on it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKRYZE_")}
    process = subprocess.Popen(
        pinned(SERVER_CORE, [sys.executable, "-m", "mockryze", "serve", "--port", str(port), "--account-token", TOKEN,
                             "--rate-limits", "off", "--log-level", "warning"]),
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
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
    return process, instance_token


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
    argv = pinned(WRK_CORE, [WRK, "-t1", f"-c{connections}", f"-d{secs}s", "--latency", "-s", str(script),
                             f"http://127.0.0.1:{port}{PATH}"])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=secs + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return parse_wrk(done.stdout)


def in_process_median(calls: int, warmup: int) -> float:
    """Median seconds of one send-text through ``MockRyze().client`` (bench/messages.py's sync loop, warmed)."""
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


def terminate_on_sigterm() -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=15, help="seconds of each measured wrk run")
    parser.add_argument("--warmup", type=int, default=8, help="seconds of the wrk run before each measured one")
    parser.add_argument("--rounds", type=int, default=2, help="rounds, each loading bare then mockryze")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (-c)")
    parser.add_argument("--in-process", type=int, default=2000, help="timed in-process round trips")
    parser.add_argument("--in-process-warmup", type=int, default=200, help="untimed in-process round trips first")
    args = parser.parse_args()
    missing = [tool for tool in ("wrk", "taskset") if shutil.which(tool) is None]
    if missing:
        print(f"bench/wrk_send.py needs {' and '.join(missing)} (Debian: apt-get install wrk util-linux)",
              file=sys.stderr)
        return 2
    terminate_on_sigterm()

    ports = {"bare": free_port(), "mockryze": free_port()}
    processes: list[subprocess.Popen[bytes]] = []
    results: dict[str, list[WrkResult]] = {name: [] for name in TARGETS}
    warm_non_2xx = dict.fromkeys(TARGETS, 0)
    print(f"mockryze send-text under wrk · {args.rounds} rounds x ({args.warmup} s warm-up + {args.duration} s) "
          f"per target · -t1 -c{args.connections} · servers on core {SERVER_CORE}, wrk on core {WRK_CORE} · "
          f"{os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f}", flush=True)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            processes.append(start_bare(ports["bare"]))
            mock, instance_token = start_mockryze(ports["mockryze"])
            processes.append(mock)
            script = Path(tmp) / "send.lua"
            script.write_text(wrk_script(instance_token), encoding="utf-8")
            print(f"{'round':>5} {'target':9} {'requests/s':>11} {'p50':>9} {'p99':>9} {'requests':>9} "
                  f"{'non-2xx':>8} {'sock err':>8} {'warm-up non-2xx':>16}", flush=True)
            for round_no in range(1, args.rounds + 1):
                for name in TARGETS:
                    warm = run_wrk(ports[name], script, args.warmup, args.connections)
                    warm_non_2xx[name] += warm.non_2xx
                    r = run_wrk(ports[name], script, args.duration, args.connections)
                    results[name].append(r)
                    print(f"{round_no:>5} {name:9} {r.rps:>11,.0f} {r.p50 * 1e3:>6.2f} ms {r.p99 * 1e3:>6.2f} ms "
                          f"{r.requests:>9,} {r.non_2xx:>8} {r.socket_errors:>8} {warm.non_2xx:>16}", flush=True)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        stop_all(processes)

    def median(name: str, field: str) -> float:
        return statistics.median(getattr(r, field) for r in results[name])

    print("medians over rounds:")
    for name in TARGETS:
        non_2xx = sum(r.non_2xx for r in results[name])
        print(f"  {name:9} {median(name, 'rps'):>9,.0f} requests/s   p50 {median(name, 'p50') * 1e3:.2f} ms   "
              f"p99 {median(name, 'p99') * 1e3:.2f} ms   non-2xx {non_2xx} measured + {warm_non_2xx[name]} warm-up")
    rps_ratio = median("mockryze", "rps") / median("bare", "rps")
    p99_ratio = median("mockryze", "p99") / median("bare", "p99")
    print(f"ratio mockryze/bare: requests/s {rps_ratio:.2f}x (issue 4 target >= 0.85x)   "
          f"p99 {p99_ratio:.2f}x (target <= 2x)")
    in_proc = in_process_median(args.in_process, args.in_process_warmup)
    print(f"in-process MockRyze().client.post send-text: median {in_proc * 1e6:,.0f} us over {args.in_process} "
          f"calls after {args.in_process_warmup} warm-up (target <= 200 us)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
