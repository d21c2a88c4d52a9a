"""Send-text benchmark: `mockryze serve` against a bare Starlette + Hypercorn endpoint, same run.

    .venv/bin/python bench/messages.py [--requests 2000] [--concurrency 8] [--rounds 3]

Both servers run as subprocesses on 127.0.0.1 and get the same load from one asyncio httpx
client: POST /api/message/text/<instance> with a JSON body. The baseline answers a canned
success body without doing anything. Rounds alternate between the two to spread machine noise;
medians are reported. Then the in-process round trip through `ryze.client` and
`ryze.async_client()`. Targets (issue 4): throughput >= 0.85x the baseline, p99 <= 2x the
baseline's, in-process median <= 200 us. Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path
from types import FrameType

import httpx

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "bench-account-token"
NUMBER = "5511987654321"
BODY = {"number": NUMBER, "message": "Olá! Seu pedido saiu para entrega."}
CANNED = (b'{"success":true,"message":"Message sent successfully","status":"sent","data":{"messageId":'
          b'"3EB0C4F1A2B3D4E5F601","direction":"outgoing","messageType":"text","content":"hi"}}')

BARE_SERVER = f"""
import asyncio, sys
from hypercorn.asyncio import serve
from hypercorn.config import Config
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def send(request):
    await request.body()
    return Response({CANNED!r}, media_type="application/json")

config = Config()
config.bind = ["127.0.0.1:" + sys.argv[1]]
config.accesslog = None
asyncio.run(serve(Starlette(routes=[Route("/api/message/text/{{name}}", send, methods=["POST"])]), config))
"""


def terminate_on_sigterm() -> None:
    """SIGTERM ends the run as Ctrl-C does, so every subprocess is stopped in the callers' ``finally``."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.02)
    raise RuntimeError(f"nothing listens on {port}")


def start_mockryze(port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKRYZE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mockryze", "serve", "--port", str(port), "--account-token", TOKEN,
         "--rate-limits", "off", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_listening(port)
    base = f"http://127.0.0.1:{port}"
    headers = {"token": TOKEN}
    httpx.post(f"{base}/api/instance/new", json={"name": "bench"}, headers=headers, timeout=10).raise_for_status()
    httpx.get(f"{base}/api/instance/connect/bench", headers=headers, timeout=10).raise_for_status()
    httpx.post(f"{base}/__mock__/instances/bench/scan", json={}, timeout=10).raise_for_status()
    return process


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        if process.poll() is None:
            process.kill()


def start_bare(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", BARE_SERVER, str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port)
    return process


async def load(port: int, requests: int, concurrency: int,
               path: str = "/api/message/text/bench") -> tuple[float, list[float]]:
    """Requests/s and per-request latencies (s) for ``requests`` sends over ``concurrency`` workers."""
    url = f"http://127.0.0.1:{port}{path}"
    latencies: list[float] = []
    remaining = iter(range(requests))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers={"token": TOKEN}, limits=limits, timeout=30) as client:
        for _ in range(20):  # warm the connections and the server
            (await client.post(url, json=BODY)).raise_for_status()

        async def worker() -> None:
            for _ in remaining:
                started = time.perf_counter()
                response = await client.post(url, json=BODY)
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code}: {response.text}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return requests / elapsed, latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


JSON = {"content-type": "application/json"}


def in_process(iterations: int) -> tuple[float, float, float]:
    sys.path.insert(0, str(ROOT))
    from mockryze.testing.api import MockRyze

    with MockRyze(seed=1) as ryze:
        sales = ryze.create_instance("bench", connected=True)
        headers = {"token": sales.token}
        sync_times = []
        for _ in range(iterations):
            started = time.perf_counter()
            ryze.client.post("/api/message/text/bench", json=BODY, headers=headers)
            sync_times.append(time.perf_counter() - started)

        async def run_async() -> list[float]:
            times = []
            async with ryze.async_client() as client:
                for _ in range(iterations):
                    started = time.perf_counter()
                    await client.post("/api/message/text/bench", json=BODY, headers=headers)
                    times.append(time.perf_counter() - started)
            return times

        async_times = asyncio.run(run_async())

    # httpx's own cost per call, measured the same way: a client whose transport answers at once.
    canned = httpx.MockTransport(lambda request: httpx.Response(200, content=CANNED, headers=JSON))
    floor_times = []
    with httpx.Client(transport=canned, base_url="http://mockryze.test") as client:
        for _ in range(iterations):
            started = time.perf_counter()
            client.post("/api/message/text/bench", json=BODY, headers=headers)
            floor_times.append(time.perf_counter() - started)
    return statistics.median(sync_times), statistics.median(async_times), statistics.median(floor_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-process", type=int, default=2000, help="in-process round trips")
    args = parser.parse_args()

    ports = {"mockryze": free_port(), "bare": free_port()}
    processes = []
    results: dict[str, list[tuple[float, list[float]]]] = {"mockryze": [], "bare": []}
    try:
        processes = [start_mockryze(ports["mockryze"]), start_bare(ports["bare"])]
        for _ in range(args.rounds):
            for name in ("bare", "mockryze"):
                results[name].append(asyncio.run(load(ports[name], args.requests, args.concurrency)))
    finally:
        stop_all(processes)

    def summary(name: str) -> tuple[float, float, float]:
        rps = statistics.median(r for r, _ in results[name])
        p50 = statistics.median(statistics.median(lat) for _, lat in results[name])
        p99 = statistics.median(pct(lat, 0.99) for _, lat in results[name])
        return rps, p50, p99

    mock_rps, mock_p50, mock_p99 = summary("mockryze")
    bare_rps, bare_p50, bare_p99 = summary("bare")
    sync_median, async_median, floor_median = in_process(args.in_process)
    rows = [
        ("send text, live server: requests/s", ">= 0.85x bare", f"{mock_rps:,.0f}", f"{bare_rps:,.0f}",
         mock_rps / bare_rps, mock_rps / bare_rps >= 0.85),
        ("send text, live server: p50 latency", "-", f"{mock_p50 * 1e3:.2f} ms", f"{bare_p50 * 1e3:.2f} ms",
         mock_p50 / bare_p50, None),
        ("send text, live server: p99 latency", "<= 2x bare", f"{mock_p99 * 1e3:.2f} ms", f"{bare_p99 * 1e3:.2f} ms",
         mock_p99 / bare_p99, mock_p99 / bare_p99 <= 2),
        ("send text, in-process ryze.client: median", "<= 200 us", f"{sync_median * 1e6:,.0f} us",
         f"async_client {async_median * 1e6:,.0f} us", sync_median / async_median, sync_median <= 200e-6),
        ("  of which httpx.Client itself (no-op transport)", "-", f"{floor_median * 1e6:,.0f} us",
         f"the mock {(sync_median - floor_median) * 1e6:,.0f} us", floor_median / sync_median, None),
    ]
    print(f"mockryze send-text bench · {args.requests} requests x {args.rounds} rounds · concurrency "
          f"{args.concurrency} · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f}")
    print(f"{'metric':44} {'target':14} {'measured':>12} {'baseline (same run)':>24} {'ratio':>7}  result")
    for metric, target, measured, baseline, ratio, ok in rows:
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"{metric:44} {target:14} {measured:>12} {baseline:>24} {ratio:>6.2f}x  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
