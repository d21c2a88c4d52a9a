"""`--state` benchmark: send-text throughput with and without a state file, same run; restart time.

    .venv/bin/python bench/state.py [--requests 2000] [--concurrency 8] [--rounds 3] [--stored 10000] [--webhook]

Two `mockryze serve` subprocesses on 127.0.0.1 (one in memory, one with `--state` in a temporary
folder) get the same load, rounds alternating; medians are reported. Then a state file holding
`--stored` messages is loaded in-process and the load is timed. Targets (issue 18): throughput with
`--state` >= 0.7x in memory; restart of a 10,000-message world <= 1 s. Nothing here asserts: it prints.
`--webhook`: both servers' instance also has a webhook (every event: a send's exchange and its two
receipts) to a lean receiver in its own process, so the cost of journaling deliveries and of the
in-flight row each POST commits first (`--state` only) is in the comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import messages as sendbench  # noqa: E402  (bench/messages.py: the same load and server start-up)


def start(port: int, state: str | None, webhook: str | None = None) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKRYZE_")}
    if state:
        env["MOCKRYZE_STATE"] = state
    process = subprocess.Popen(
        [sys.executable, "-m", "mockryze", "serve", "--port", str(port), "--account-token", sendbench.TOKEN,
         "--rate-limits", "off", "--log-level", "warning"],
        cwd=HERE.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        sendbench.wait_listening(port)
        base = f"http://127.0.0.1:{port}"
        headers = {"token": sendbench.TOKEN}
        httpx.post(f"{base}/api/instance/new", json={"name": "bench"}, headers=headers, timeout=10).raise_for_status()
        httpx.get(f"{base}/api/instance/connect/bench", headers=headers, timeout=10).raise_for_status()
        httpx.post(f"{base}/__mock__/instances/bench/scan", json={}, timeout=10).raise_for_status()
        if webhook:
            httpx.post(f"{base}/api/events/webhook/bench", headers=headers, timeout=10,
                       json={"enabled": True, "url": webhook}).raise_for_status()
    except BaseException:
        sendbench.stop_all([process])  # a failed set-up leaves no server behind
        raise
    return process


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): steadier than requests/s on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def restart_seconds(folder: str, stored: int) -> float:
    from mockryze.testing.api import MockRyze

    path = os.path.join(folder, "restart.sqlite")
    with MockRyze(seed=1, state=path) as ryze:
        sales = ryze.create_instance("bench", connected=True)
        headers = {"token": sales.token}
        for n in range(stored):
            ryze.client.post("/api/message/text/bench", json={**sendbench.BODY, "message": f"m{n}"}, headers=headers)
    started = time.perf_counter()
    with MockRyze(seed=1, state=path) as ryze:
        elapsed = time.perf_counter() - started
        count = len(ryze.messages("bench"))
    print(f"restart with {count:,} stored messages: {elapsed * 1e3:.0f} ms (target <= 1000 ms)")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stored", type=int, default=10_000)
    parser.add_argument("--webhook", action="store_true", help="attach a webhook (to a lean local receiver)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        ports = {"memory": sendbench.free_port(), "state": sendbench.free_port()}
        processes: list[subprocess.Popen[bytes]] = []
        results: dict[str, list[float]] = {"memory": [], "state": []}
        cpu: dict[str, list[float]] = {"memory": [], "state": []}
        try:
            webhook = None
            if args.webhook:
                from fanout import RECEIVER

                receiver_port = sendbench.free_port()
                processes.append(subprocess.Popen([sys.executable, "-c", RECEIVER, str(receiver_port)]))
                sendbench.wait_listening(receiver_port)
                webhook = f"http://127.0.0.1:{receiver_port}/hook"
            for name, state in (("memory", None), ("state", os.path.join(folder, "bench.sqlite"))):
                processes.append(start(ports[name], state, webhook))  # one by one: a failed start leaves none behind
            servers = dict(zip(("memory", "state"), processes[-2:], strict=True))
            for _ in range(args.rounds):
                for name in ("memory", "state"):
                    before = cpu_seconds(servers[name].pid)
                    rps, _ = asyncio.run(sendbench.load(ports[name], args.requests, args.concurrency))
                    time.sleep(0.5)  # the round's receipts and deliveries finish on the server's CPU clock
                    results[name].append(rps)
                    cpu[name].append((cpu_seconds(servers[name].pid) - before) / args.requests * 1e3)
        finally:
            sendbench.stop_all(processes)
        print("server CPU ms per send (receipts and deliveries included): "
              + ", ".join(f"{name} {statistics.median(cpu[name]):.2f}" for name in ("memory", "state")))
        memory, state = (statistics.median(results[name]) for name in ("memory", "state"))
        what = "send text (webhook attached)" if webhook else "send text"
        print(f"{what}, requests/s: in memory {memory:,.0f}, --state {state:,.0f}: {state / memory:.2f}x"
              f" (target >= 0.70x) {'ok' if state / memory >= 0.7 else 'MISSED'}")
        restart_seconds(folder, args.stored)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
