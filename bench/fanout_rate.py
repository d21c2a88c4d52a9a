"""Fan-out at a fixed send rate: server CPU per webhook POST and per WebSocket frame, and the webhook's
end-to-end p99, with every party in its own process.

    PYTHONPATH=. .venv/bin/python bench/fanout_rate.py [--rate 200] [--duration 10] [--warmup 4] [--rounds 3]

`mockryze serve --rate-limits off` (otherwise its defaults: the receipts fire) runs pinned to core 0.
A webhook receiver (an asyncio protocol that answers 200 at once) and a process of WebSocket clients
run pinned to core 1, and so does this script, the load generator: an open loop that starts one
POST /api/message/text/{instance} every 1/rate s whether or not the earlier ones were answered (a
fixed rate, not saturation). Four instances of one server take turns, each round, each phase a
warm-up then a measured window at the same rate:

    quiet    no listeners                                  (the baseline)
    hooks    3 enabled webhooks                            -> CPU per webhook POST
    sockets  2 WebSocket clients                           -> CPU per WebSocket frame
    both     3 webhooks + 2 WebSocket clients              -> CPU per delivery, webhook end-to-end p99

Server CPU is utime + stime of /proc/<server pid>/stat (every thread) over the window; deliveries are
GET /__mock__/stats' webhookAttempts and websocketFrames over the same window. CPU per delivery =
(the phase's CPU - the quiet phase's CPU per send x the phase's sends) / the phase's deliveries: what
the listeners add, the sends, receipts and events themselves taken out. End to end is from just before
the generator starts a send to the moment the receiver has read the whole POST of that message's
message.exchange event (or the client the frame): time.monotonic_ns() in every process, one
CLOCK_MONOTONIC on one host. Prints each phase per round, then medians with PASS/MISS against issue
15's targets (<= 40 us per delivery, webhook p99 <= 5 ms at 200 sends/s with 3 webhooks + 2 WebSocket
clients). Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from messages import BODY, ROOT, TOKEN, free_port, stop_all, terminate_on_sigterm, wait_listening

SERVER_CORE, CLIENT_CORE = 0, 1
PHASES = ("quiet", "hooks", "sockets", "both")
LABELS = ("a", "b", "c")
WEBSOCKET_CLIENTS = 2
CPU_TARGET_US, P99_TARGET_MS = 40.0, 5.0

# The message id of a message.exchange envelope, as the mock encodes it (json.dumps' default separators).
ID_PATTERN = r'"event": "message\.exchange", "data": \{"id": "([^"]+)"'

# POST: answered 200 at once and recorded (monotonic ns when the whole request was read, path, message
# id of a message.exchange). GET /dump: the records so far as JSON, then forgotten.
RECEIVER = r'''
import asyncio, json, re, sys, time
ID = re.compile(sys.argv[2].encode())
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
records = []
class Receiver(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""
    def data_received(self, data):
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head = self.buffer[:end]
            lower = head.lower()
            at = lower.find(b"content-length:")
            size = int(lower[at + 15:].split(b"\r\n", 1)[0]) if at >= 0 else 0
            if len(self.buffer) < end + 4 + size:
                return
            now = time.monotonic_ns()
            body, self.buffer = self.buffer[end + 4:end + 4 + size], self.buffer[end + 4 + size:]
            method, path = head.split(b" ", 2)[:2]
            if method == b"GET":
                payload = json.dumps(records).encode()
                records.clear()
                self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                     + str(len(payload)).encode() + b"\r\n\r\n" + payload)
                continue
            found = ID.search(body)
            records.append((now, path.decode(), found.group(1).decode() if found else None))
            self.transport.write(OK)
async def main():
    server = await asyncio.get_running_loop().create_server(Receiver, "127.0.0.1", int(sys.argv[1]))
    await server.serve_forever()
asyncio.run(main())
'''

# argv: base ws URL, account token, id pattern, instance... Each instance gets 2 clients, each drained by
# a thread that records (monotonic ns, instance, message id of a message.exchange). "dump" on stdin: the
# records so far as one JSON line on stdout, then forgotten.
WS_CLIENTS = r'''
import json, re, sys, threading, time
from websockets.sync.client import connect
base, token, pattern, instances = sys.argv[1], sys.argv[2], re.compile(sys.argv[3]), sys.argv[4:]
records, lock = [], threading.Lock()
def drain(instance):
    with connect(f"{base}/ws/{instance}", additional_headers={"token": token}, compression=None,
                 max_queue=None) as ws:
        print("open", flush=True)
        for frame in ws:
            now = time.monotonic_ns()
            found = pattern.search(frame)
            with lock:
                records.append((now, instance, found.group(1) if found else None))
for instance in instances:
    for _ in range(CLIENTS_PER_INSTANCE):
        threading.Thread(target=drain, args=(instance,), daemon=True).start()
for line in sys.stdin:
    with lock:
        dumped = json.dumps(records)
        records.clear()
    print(dumped, flush=True)
'''.replace("CLIENTS_PER_INSTANCE", str(WEBSOCKET_CLIENTS))


@dataclass(frozen=True)
class Send:
    started_ns: int
    message_id: str | None  # None: not answered 200
    late_s: float  # how far behind its schedule the generator started it


@dataclass(frozen=True)
class Phase:
    name: str
    sends: list[Send]
    seconds: float
    cpu_s: float
    counters: dict[str, int]  # GET /__mock__/stats counters over the window
    webhook_ms: list[float]  # end to end, one per (send, webhook) that arrived
    webhook_missing: int
    frame_ms: list[float]
    frames_missing: int

    @property
    def answered(self) -> int:
        return sum(1 for s in self.sends if s.message_id is not None)

    @property
    def deliveries(self) -> int:
        return self.counters["webhookAttempts"] + self.counters["websocketFrames"]


# --- processes ------------------------------------------------------------------------------------
def pinned(core: int, argv: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *argv]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, every thread (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(argv: list[str], processes: list[subprocess.Popen[Any]], **options: Any) -> subprocess.Popen[Any]:
    """Start a process; it joins ``processes`` (stopped in the caller's ``finally``) before anything can fail."""
    process: subprocess.Popen[Any] = subprocess.Popen(argv, cwd=ROOT, **options)
    processes.append(process)
    return process


def start_server(port: int, processes: list[subprocess.Popen[Any]]) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKRYZE_")}
    server = start(pinned(SERVER_CORE, [sys.executable, "-m", "mockryze", "serve", "--port", str(port),
                                        "--account-token", TOKEN, "--rate-limits", "off"]),
                   processes, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port)
    return server.pid


def set_up_instances(http: httpx.Client, receiver_port: int) -> None:
    for name in PHASES:
        body: dict[str, Any] = {"name": name}
        if name in ("sockets", "both"):
            body["websocketEnabled"] = True
        http.post("/api/instance/new", json=body).raise_for_status()
        http.get(f"/api/instance/connect/{name}").raise_for_status()
        http.post(f"/__mock__/instances/{name}/scan", json={}).raise_for_status()
        if name in ("hooks", "both"):
            for label in LABELS:
                http.post(f"/api/events/webhook/{name}", json={
                    "label": label, "enabled": True, "url": f"http://127.0.0.1:{receiver_port}/hook/{name}/{label}",
                }).raise_for_status()


def start_websocket_clients(port: int, processes: list[subprocess.Popen[Any]]) -> subprocess.Popen[str]:
    clients: subprocess.Popen[str] = start(
        pinned(CLIENT_CORE, [sys.executable, "-c", WS_CLIENTS, f"ws://127.0.0.1:{port}", TOKEN, ID_PATTERN,
                             "sockets", "both"]),
        processes, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert clients.stdout is not None
    for _ in range(2 * WEBSOCKET_CLIENTS):
        if clients.stdout.readline().strip() != "open":
            raise RuntimeError("a WebSocket client did not open")
    return clients


def dump_frames(clients: subprocess.Popen[str]) -> list[tuple[int, str, str | None]]:
    stdin, stdout = clients.stdin, clients.stdout
    assert stdin is not None and stdout is not None
    stdin.write("dump\n")
    stdin.flush()
    return [tuple(r) for r in json.loads(read_line(stdout))]  # type: ignore[misc]


def read_line(stream: IO[str]) -> str:
    line = stream.readline()
    if not line:
        raise RuntimeError("the WebSocket clients' process exited")
    return line


def dump_posts(receiver_port: int) -> list[tuple[int, str, str | None]]:
    response = httpx.get(f"http://127.0.0.1:{receiver_port}/dump", timeout=30)
    response.raise_for_status()
    return [tuple(r) for r in response.json()]


# --- the generator --------------------------------------------------------------------------------
async def paced(client: httpx.AsyncClient, path: str, rate: float, seconds: float) -> list[Send]:
    """Open loop: send k starts at start + k / rate, answered or not."""

    async def one(late: float) -> Send:
        started = time.monotonic_ns()
        response = await client.post(path, json=BODY)
        message_id = response.json()["data"]["messageId"] if response.status_code == 200 else None
        return Send(started, message_id, late)

    tasks = []
    begin = time.monotonic() + 0.01
    for k in range(round(rate * seconds)):
        due = begin + k / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(max(0.0, time.monotonic() - due))))
    return list(await asyncio.gather(*tasks))


def latencies(sends: list[Send], records: list[tuple[int, str, str | None]],
              expected_per_send: int) -> tuple[list[float], int]:
    """End to end ms of every (send, listener) whose message.exchange arrived, and how many did not."""
    started = {s.message_id: s.started_ns for s in sends if s.message_id is not None}
    found = [(at - started[message_id]) / 1e6 for at, _, message_id in records if message_id in started]
    return found, expected_per_send * len(started) - len(found)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else float("nan")


# --- one phase --------------------------------------------------------------------------------------
async def run_phase(name: str, port: int, server_pid: int, receiver_port: int, clients: subprocess.Popen[str],
                    args: argparse.Namespace) -> Phase:
    base = f"http://127.0.0.1:{port}"
    path = f"/api/message/text/{name}"
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, headers={"token": TOKEN}, limits=limits, timeout=30) as client:
        await paced(client, path, args.rate, args.warmup)  # also: the previous phase's receipts fire meanwhile
        dump_posts(receiver_port)
        dump_frames(clients)
        before = (await client.get("/__mock__/stats")).json()["counters"]
        cpu_before, started = cpu_seconds(server_pid), time.monotonic()
        sends = await paced(client, path, args.rate, args.duration)
        cpu_after, elapsed = cpu_seconds(server_pid), time.monotonic() - started
        after = (await client.get("/__mock__/stats")).json()["counters"]
    await asyncio.sleep(args.settle)  # the window's last message.exchange deliveries arrive
    hooks = len(LABELS) if name in ("hooks", "both") else 0
    sockets = WEBSOCKET_CLIENTS if name in ("sockets", "both") else 0
    webhook_ms, webhook_missing = latencies(sends, dump_posts(receiver_port), hooks)
    frame_ms, frames_missing = latencies(sends, dump_frames(clients), sockets)
    return Phase(name, sends, elapsed, cpu_after - cpu_before, {k: after[k] - before[k] for k in after},
                 webhook_ms, webhook_missing, frame_ms, frames_missing)


# --- report -----------------------------------------------------------------------------------------
def listener_cost(phase: Phase, quiet: Phase, deliveries: int) -> float:
    """Server CPU seconds per delivery the listeners added, the quiet phase's CPU per send taken out."""
    baseline = quiet.cpu_s / max(quiet.answered, 1) * phase.answered
    return (phase.cpu_s - baseline) / deliveries if deliveries else float("nan")


def costs(round_phases: dict[str, Phase]) -> dict[str, float]:
    quiet = round_phases["quiet"]
    return {
        "webhook POST": listener_cost(round_phases["hooks"], quiet, round_phases["hooks"].counters["webhookAttempts"]),
        "WebSocket frame": listener_cost(round_phases["sockets"], quiet,
                                         round_phases["sockets"].counters["websocketFrames"]),
        "delivery (3 webhooks + 2 clients)": listener_cost(round_phases["both"], quiet,
                                                           round_phases["both"].deliveries),
    }


def print_phase(round_no: int, phase: Phase) -> None:
    c = phase.counters
    late = max((s.late_s for s in phase.sends), default=0.0)
    line = (f"{round_no:>5} {phase.name:8} {phase.answered / phase.seconds:>7.1f} {late * 1e3:>7.1f} "
            f"{phase.cpu_s / phase.seconds * 100:>6.1f}% {c['eventsPublished'] / phase.seconds:>9,.0f} "
            f"{c['webhookAttempts'] / phase.seconds:>10,.0f} {c['websocketFrames'] / phase.seconds:>9,.0f}")
    if phase.webhook_ms or phase.webhook_missing:
        line += (f"   webhook p50 {pct(phase.webhook_ms, 0.5):.2f} p99 {pct(phase.webhook_ms, 0.99):.2f} ms"
                 f" (missing {phase.webhook_missing})")
    if phase.frame_ms or phase.frames_missing:
        line += (f"   frame p50 {pct(phase.frame_ms, 0.5):.2f} p99 {pct(phase.frame_ms, 0.99):.2f} ms"
                 f" (missing {phase.frames_missing})")
    print(line, flush=True)


def print_summary(rounds: list[dict[str, Phase]], rate: float) -> None:
    print("medians over rounds:")
    per_round = [costs(r) for r in rounds]
    for kind in per_round[0]:
        value = statistics.median(c[kind] for c in per_round) * 1e6
        each = ", ".join(f"{c[kind] * 1e6:.1f}" for c in per_round)
        print(f"  server CPU per {kind:34} {value:>6.1f} us   (rounds: {each})   target <= {CPU_TARGET_US:g} us "
              f"{'PASS' if value <= CPU_TARGET_US else 'MISS'}")
    quiet = statistics.median(r["quiet"].cpu_s / max(r["quiet"].answered, 1) for r in rounds) * 1e6
    print(f"  server CPU per send with no listeners (receipts and their events included): {quiet:,.0f} us")
    both = [r["both"] for r in rounds]
    p99 = statistics.median(pct(p.webhook_ms, 0.99) for p in both)
    p50 = statistics.median(pct(p.webhook_ms, 0.5) for p in both)
    worst = max(max(p.webhook_ms, default=float("nan")) for p in both)
    missing = sum(p.webhook_missing for p in both)
    ok = p99 <= P99_TARGET_MS and not missing
    print(f"  webhook end to end at {rate:g} sends/s, 3 webhooks + 2 WebSocket clients: p50 {p50:.2f} ms, "
          f"p99 {p99:.2f} ms (target <= {P99_TARGET_MS:g} ms) {'PASS' if ok else 'MISS'}, max {worst:.2f} ms, "
          f"{missing} never arrived")
    frames = statistics.median(pct(p.frame_ms, 0.99) for p in both)
    print(f"  WebSocket frame end to end, same phase: p99 {frames:.2f} ms, "
          f"{sum(p.frames_missing for p in both)} never arrived")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=200.0, help="sends per second (open loop)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each measured window")
    parser.add_argument("--warmup", type=float, default=4.0,
                        help="seconds at the same rate before each window (>= 3.5: the previous phase's receipts)")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds after a window for its last deliveries")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    terminate_on_sigterm()
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # an interrupted send is not worth a traceback
    with_cores = (os.cpu_count() or 1) >= 2
    if with_cores:
        os.sched_setaffinity(0, {CLIENT_CORE})  # the generator shares core 1 with the receivers
    port, receiver_port = free_port(), free_port()
    processes: list[subprocess.Popen[Any]] = []
    rounds: list[dict[str, Phase]] = []
    print(f"fan-out at a fixed rate · {args.rate:g} sends/s open loop · {args.rounds} rounds x "
          f"({args.warmup:g} s warm-up + {args.duration:g} s) per phase · server on core {SERVER_CORE}, generator "
          f"and listeners on core {CLIENT_CORE} · {os.cpu_count()} CPUs · load {os.getloadavg()[0]:.2f}", flush=True)
    try:
        start(pinned(CLIENT_CORE, [sys.executable, "-c", RECEIVER, str(receiver_port), ID_PATTERN]), processes)
        wait_listening(receiver_port)
        server_pid = start_server(port, processes)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"token": TOKEN}, timeout=10) as http:
            set_up_instances(http, receiver_port)
        clients = start_websocket_clients(port, processes)
        print(f"{'round':>5} {'phase':8} {'sends/s':>7} {'late ms':>7} {'CPU':>7} {'events/s':>9} "
              f"{'webhooks/s':>10} {'frames/s':>9}   end to end (message.exchange)", flush=True)
        for round_no in range(1, args.rounds + 1):
            phases: dict[str, Phase] = {}
            for name in PHASES:
                phases[name] = asyncio.run(run_phase(name, port, server_pid, receiver_port, clients, args))
                print_phase(round_no, phases[name])
            rounds.append(phases)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        stop_all(processes)
    print("(late ms: the generator's worst lag behind its schedule; CPU: the server's, % of one core)")
    print_summary(rounds, args.rate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
