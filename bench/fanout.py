"""Event fan-out cost with every party in its own process: `mockryze serve`, the webhook receiver,
the WebSocket clients and the load generator.

    .venv/bin/python bench/fanout.py [--requests 1500] [--rounds 3]

Issue 3's target: a send with 3 webhooks + 2 WebSocket clients attached keeps >= 0.90x the
throughput of the same send with no listeners, measured in the same run. (`bench/run.py --only
events` measures the same with the listeners inside the bench process, where they share its GIL.)
Rounds alternate between an instance with listeners and one without; medians are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from messages import ROOT, TOKEN, free_port, load, start_mockryze, stop_all, wait_listening

# The webhook receiver answers 200 to each POST at the cost of a few microseconds (an asyncio
# protocol that only frames requests by Content-Length), so the receiving side of 12 POSTs per send
# does not eat the CPU the server is measured with (http.server spent ~2.4 ms per send here).
RECEIVER = """
import asyncio, sys
OK = b"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n"
class Receiver(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""
    def data_received(self, data):
        self.buffer += data
        while (end := self.buffer.find(b"\\r\\n\\r\\n")) >= 0:
            head = self.buffer[:end].lower()
            at = head.find(b"content-length:")
            size = int(head[at + 15:].split(b"\\r\\n", 1)[0]) if at >= 0 else 0
            if len(self.buffer) < end + 4 + size:
                return
            self.buffer = self.buffer[end + 4 + size:]
            self.transport.write(OK)
async def main():
    server = await asyncio.get_running_loop().create_server(Receiver, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
"""

WS_CLIENTS = """
import sys, threading
from websockets.sync.client import connect
def drain(url, token):
    with connect(url, additional_headers={"token": token}, compression=None) as ws:
        print("open", flush=True)
        for _ in ws: pass
url, token = sys.argv[1], sys.argv[2]
threads = [threading.Thread(target=drain, args=(url, token), daemon=True) for _ in range(2)]
for t in threads: t.start()
for t in threads: t.join()
"""


def setup_listeners(base: str, receiver_port: int) -> None:
    headers = {"token": TOKEN}
    for name in ("quiet", "busy"):
        body = {"name": name, "websocketEnabled": True} if name == "busy" else {"name": name}
        httpx.post(f"{base}/api/instance/new", json=body, headers=headers, timeout=10).raise_for_status()
        httpx.get(f"{base}/api/instance/connect/{name}", headers=headers, timeout=10).raise_for_status()
        httpx.post(f"{base}/__mock__/instances/{name}/scan", json={}, timeout=10).raise_for_status()
    for label in ("a", "b", "c"):
        httpx.post(f"{base}/api/events/webhook/busy", headers=headers, timeout=10, json={
            "label": label, "enabled": True, "url": f"http://127.0.0.1:{receiver_port}/hook/{label}",
        }).raise_for_status()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    port, receiver_port = free_port(), free_port()
    processes: list[subprocess.Popen[bytes]] = []
    rates: dict[str, list[float]] = {"quiet": [], "busy": []}
    cpu: dict[str, list[float]] = {"quiet": [], "busy": []}  # server CPU seconds per send, receipts included
    try:
        processes.append(subprocess.Popen([sys.executable, "-c", RECEIVER, str(receiver_port)]))
        wait_listening(receiver_port)
        processes.append(start_mockryze(port))
        base = f"http://127.0.0.1:{port}"
        setup_listeners(base, receiver_port)
        ws = subprocess.Popen([sys.executable, "-c", WS_CLIENTS, f"ws://127.0.0.1:{port}/ws/busy", TOKEN],
                              stdout=subprocess.PIPE, cwd=ROOT)
        processes.append(ws)
        assert ws.stdout is not None
        for _ in range(2):
            ws.stdout.readline()
        server = processes[1].pid
        for _ in range(args.rounds):
            for name in ("quiet", "busy"):
                cpu_before = cpu_seconds(server)
                rps, _ = asyncio.run(load(port, args.requests, args.concurrency, f"/api/message/text/{name}"))
                rates[name].append(rps)
                time.sleep(3.5)  # let the delayed receipts (1 s, 3 s) of this round go out before the next
                cpu[name].append((cpu_seconds(server) - cpu_before) / args.requests)
    finally:
        stop_all(processes)
    quiet, busy = statistics.median(rates["quiet"]), statistics.median(rates["busy"])
    print(f"fan-out bench · separate processes · {args.requests} sends x {args.rounds} rounds · "
          f"concurrency {args.concurrency}")
    for label, name in (("no listeners", "quiet"), ("3 webhooks + 2 WebSocket clients", "busy")):
        rounds = ", ".join(f"{r:.0f}" for r in rates[name])
        print(f"  {label:34} {statistics.median(rates[name]):,.0f} req/s   (rounds: {rounds})   "
              f"server CPU {statistics.median(cpu[name]) * 1e3:.2f} ms per send")
    ratio = busy / quiet
    print(f"  ratio {ratio:.2f}x   target >= 0.90x   {'PASS' if ratio >= 0.9 else 'MISS'}")
    cpu_ratio = statistics.median(cpu["quiet"]) / statistics.median(cpu["busy"])
    print(f"  server CPU per send, quiet / busy: {cpu_ratio:.2f}x (the throughput ratio a server with a core "
          "of its own would see)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
