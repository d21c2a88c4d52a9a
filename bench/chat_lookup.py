"""Chat read routes by message id: per-lookup cost with 10 and with 10,000 stored messages, same run.

    .venv/bin/python bench/chat_lookup.py [--lookups 200] [--rounds 40] [--large 10000]

Two in-process worlds (``MockRyze``): one holds 10 messages, the other is filled to ``--large``
(the store's default cap, ``--message-store-limit`` 10,000) through the control plane (images with
their bytes, from two contacts). Each round times a batch of ``--lookups`` requests of
``GET /api/chat/status``, ``GET /api/chat/base64`` and ``GET /api/chat/getMessage`` through ``ryze.client``
on each world, for ids spread over the whole store; the worlds take turns batch by batch, so machine
noise hits both. Reported: the median over the rounds of the per-lookup cost of each route on each
world, and the ratio large / small. Target (issue 12): ratio
<= 1.2 (lookups are dict accesses, not scans). Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import time

from mockryze.testing.api import MockRyze

ROUTES = ("status", "base64", "getMessage")
TARGET = 1.2
CONTACTS = ("5511987654321", "5521988887777")


def filled(count: int) -> tuple[MockRyze, list[str]]:
    """A world whose instance ``bench`` stores ``count`` messages; their ids, oldest first."""
    ryze = MockRyze(seed=1, message_store_limit=max(count, 10))
    ryze.create_instance("bench", connected=True)
    ids = []
    for i in range(count):
        raw = base64.b64encode(f"file {i}".encode() * 8).decode()
        stored = ryze.inbound("bench", from_=CONTACTS[i % 2], type="image", base64=raw, mimeType="image/png")
        assert stored is not None
        ids.append(str(stored["id"]))
    return ryze, ids


def per_lookup(ryze: MockRyze, ids: list[str], route: str, lookups: int) -> float:
    """Seconds per request, ids taken in a stride over the whole store."""
    client, headers = ryze.client, {"token": ryze.account_token}
    stride = max(len(ids) // 7, 1) | 1
    chosen = [ids[(i * stride) % len(ids)] for i in range(lookups)]
    path = f"/api/chat/{route}/bench"
    started = time.perf_counter()
    for message_id in chosen:
        response = client.get(path, params={"messageId": message_id}, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{route}: {response.status_code} {response.text}")
    return (time.perf_counter() - started) / lookups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=200, help="requests per batch")
    parser.add_argument("--rounds", type=int, default=40, help="batches per route and world")
    parser.add_argument("--large", type=int, default=10_000)
    args = parser.parse_args()
    started = time.perf_counter()
    worlds = {"10": filled(10), f"{args.large:,}": filled(args.large)}
    print(f"filled the stores in {time.perf_counter() - started:.1f} s")
    timings: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for route in ROUTES:
            for label, (ryze, ids) in worlds.items():  # the worlds take turns within every round
                timings.setdefault((route, label), []).append(per_lookup(ryze, ids, route, args.lookups))
    small, large = worlds
    print(f"{'route':<28}{'10 stored':>12}{f'{args.large:,} stored':>16}{'ratio':>8}  target <= {TARGET}")
    for route in ROUTES:
        a, b = (statistics.median(timings[(route, label)]) for label in (small, large))
        verdict = "PASS" if b / a <= TARGET else "MISS"
        print(f"GET /api/chat/{route:<15}{a * 1e6:>10.1f}us{b * 1e6:>14.1f}us{b / a:>8.2f}  {verdict}")
    for ryze, _ in worlds.values():
        ryze.close()


if __name__ == "__main__":
    main()
