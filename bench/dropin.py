"""Drop-in mode: the cost of interception, measured against ``ryze.client`` in the same run.

    .venv/bin/python bench/dropin.py [--sends 200] [--rounds 30] [--toggles 2000]

One in-process world (``with MockRyze()``, interception on) with a connected instance. Each round
times a batch of ``--sends`` ``POST /api/message/text/bench`` through ``ryze.client`` and through an
integrator's own ``httpx.Client(base_url="https://ryzeapi.cloud")`` (intercepted at the transport),
taking turns, so machine noise hits both. Reported: the median per-send cost of each and their
ratio, target (issue 16) <= 1.2; and the median cost of entering and leaving interception
(``ryze.intercept()`` then ``stop()``, every supported library already imported, so all of them are
patched and restored each time), target <= 100 us. Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time

import httpx

from mockryze.testing.api import MockRyze

RATIO_TARGET = 1.2
TOGGLE_TARGET_US = 100.0
BODY = {"number": "5511987654321", "message": "hello"}


def per_send(client: httpx.Client, token: str, sends: int) -> float:
    headers = {"token": token}
    started = time.perf_counter()
    for _ in range(sends):
        response = client.post("/api/message/text/bench", json=BODY, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code} {response.text}")
    return (time.perf_counter() - started) / sends


def per_toggle(ryze: MockRyze, toggles: int) -> float:
    started = time.perf_counter()
    for _ in range(toggles):
        ryze.intercept().stop()
    return (time.perf_counter() - started) / toggles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=200, help="sends per batch")
    parser.add_argument("--rounds", type=int, default=30, help="batches per client")
    parser.add_argument("--toggles", type=int, default=2000, help="enter+leave pairs per batch")
    args = parser.parse_args()
    for library in ("requests", "aiohttp", "websockets.asyncio.client", "websockets.sync.client"):
        importlib.import_module(library)  # the worst case for entering and leaving: every library patched
    integrator = httpx.Client(base_url="https://ryzeapi.cloud")  # made before the mock, as at import time
    timings: dict[str, list[float]] = {"ryze.client": [], "intercepted": []}
    with MockRyze(seed=1, message_store_limit=10) as ryze:
        ryze.create_instance("bench", connected=True)
        token = ryze.account_token
        per_send(ryze.client, token, 20), per_send(integrator, token, 20)  # warm up both paths
        for _ in range(args.rounds):
            timings["ryze.client"].append(per_send(ryze.client, token, args.sends))
            timings["intercepted"].append(per_send(integrator, token, args.sends))
    with MockRyze(seed=1, intercept=False) as idle:
        idle.intercept().stop()  # the first entry imports the adapters
        toggles = [per_toggle(idle, args.toggles) for _ in range(args.rounds)]
    integrator.close()

    base, intercepted = (statistics.median(timings[k]) for k in ("ryze.client", "intercepted"))
    ratio = intercepted / base
    print(f"{'POST /api/message/text (in-process)':<44}{'per send':>12}")
    print(f"{'  ryze.client':<44}{base * 1e6:>10.1f}us")
    print(f"{'  httpx.Client(https://ryzeapi.cloud)':<44}{intercepted * 1e6:>10.1f}us"
          f"   ratio {ratio:.2f}  target <= {RATIO_TARGET}  {'PASS' if ratio <= RATIO_TARGET else 'MISS'}")
    toggle = statistics.median(toggles) * 1e6
    print(f"{'enter + leave interception':<44}{toggle:>10.1f}us"
          f"                target <= {TOGGLE_TARGET_US:g}us  {'PASS' if toggle <= TOGGLE_TARGET_US else 'MISS'}")


if __name__ == "__main__":
    main()
