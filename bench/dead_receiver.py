"""Soak with a dead webhook receiver: ms per send and the server's RSS as undelivered deliveries pile up.

    .venv/bin/python bench/dead_receiver.py [--sends 50000] [--max-seconds 300] [--server-arg=--flag=value]

`mockryze serve` runs as a subprocess on 127.0.0.1 (its own clock running, default retry delays).
One instance has one enabled webhook pointing at a port nothing listens on, so every delivery is
refused: the queue's head retries, then is dead-lettered, and everything behind it waits. One
keep-alive client emits one `call.update` per request (`POST /__mock__/instances/{name}/events`,
one delivery each), one request at a time. At each checkpoint the script prints the mean and p90
ms per send since the previous checkpoint and the server's RSS (`/proc/<pid>/status`). At the
end it prints how many deliveries are still pending. Loopback only; nothing here asserts: it prints.
It stops at `--max-seconds` of sending and says how far it got.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from messages import ROOT, TOKEN, free_port, stop_all, wait_listening

CHECKPOINTS = (1_000, 5_000, 10_000, 20_000, 30_000, 40_000, 50_000)

def call_example() -> dict[str, Any]:
    """``data`` of the first ``call.update`` example of the schema (each send gets its own ``id``)."""
    schema = json.loads((ROOT / "schemas/events/call.update.json").read_text("utf-8"))
    data: dict[str, Any] = schema["examples"][0]["data"]
    return data


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def start_server(port: int, extra: list[str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockryze", "serve", "--port", str(port), "--account-token", TOKEN,
         "--rate-limits", "off", "--log-level", "warning", *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_listening(port)
    return process


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=CHECKPOINTS[-1])
    parser.add_argument("--max-seconds", type=float, default=300.0, help="stop sending after this long")
    parser.add_argument("--server-arg", action="append", default=[], help="extra `mockryze serve` argument")
    args = parser.parse_args()
    port, dead_port = free_port(), free_port()  # nothing listens on dead_port
    checkpoints = [n for n in CHECKPOINTS if n < args.sends] + [args.sends]
    processes: list[subprocess.Popen[bytes]] = []
    print(f"dead-receiver soak · webhook at 127.0.0.1:{dead_port} (closed) · {args.sends} sends · "
          f"server args: {' '.join(args.server_arg) or '(defaults)'}")
    print(f"  {'sends':>7} {'mean ms/send':>13} {'p90 ms/send':>12} {'RSS MB':>8} {'elapsed s':>10}")
    try:
        processes.append(start_server(port, args.server_arg))
        server = processes[0].pid
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"token": TOKEN}, timeout=60) as http:
            http.post("/api/instance/new", json={"name": "soak"}).raise_for_status()
            http.post("/api/events/webhook/soak", json={
                "enabled": True, "url": f"http://127.0.0.1:{dead_port}/hook"}).raise_for_status()
            call = call_example()
            started = time.perf_counter()
            sent, window = 0, []
            for checkpoint in checkpoints:
                while sent < checkpoint and time.perf_counter() - started < args.max_seconds:
                    data = {**call, "id": f"{sent:016X}"}
                    before = time.perf_counter()
                    http.post("/__mock__/instances/soak/events",
                              json={"event": "call.update", "data": data}).raise_for_status()
                    window.append((time.perf_counter() - before) * 1e3)
                    sent += 1
                if window:
                    p90 = statistics.quantiles(window, n=10)[-1] if len(window) > 1 else window[0]
                    print(f"  {sent:>7} {statistics.fmean(window):>13.2f} {p90:>12.2f} {rss_mb(server):>8.0f} "
                          f"{time.perf_counter() - started:>10.1f}", flush=True)
                window = []
                if sent < checkpoint:
                    print(f"  stopped at {sent} sends: --max-seconds {args.max_seconds:g} reached")
                    break
            pending = http.get("/__mock__/deliveries", params={"status": "pending"}).json()["count"]
            print(f"  still pending at the end: {pending} deliveries")
    finally:
        stop_all(processes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
