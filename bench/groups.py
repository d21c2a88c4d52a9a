"""Groups benchmark: creating and listing groups up to WhatsApp's 1,024 members, cost per member.

    .venv/bin/python bench/groups.py [--sizes 64,256,1024] [--rounds 5]

In-process, through ``ryze.client`` (the real app, no sockets). For each size: ``POST /api/group/create``
with that many members (the instance counts as one; median of the rounds, so the members are known
contacts after the first), ``GET /api/group/list?includeMembers=true`` (per member listed: one group
of each size so far) and ``GET /api/group/info``, reported as the median and the cost per member; then one ``add`` + one
``remove`` on each group, which must not grow with the group (group operations are O(changed
participants)). The steady-state send-text round trip is measured before the groups exist and after
(same run), so a regression there shows as a ratio. Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from mockryze.testing.api import MockRyze

SEND_REPEATS = 300


def timed(action: Callable[[], object], rounds: int) -> float:
    """Median seconds of ``rounds`` runs of ``action``."""
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def numbers(count: int, offset: int = 0) -> list[str]:
    return [f"55119{10_000_000 + offset + n:08d}" for n in range(count)]


def send_latency(ryze: MockRyze, headers: dict[str, str]) -> float:
    body = {"number": "5511987654321", "message": "Olá! Seu pedido saiu para entrega."}

    def send() -> None:
        assert ryze.client.post("/api/message/text/bench", json=body, headers=headers).status_code == 200

    for _ in range(20):
        send()
    return timed(send, SEND_REPEATS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,256,1024", help="group sizes, comma-separated (max 1024)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sizes = [min(int(s), 1024) for s in args.sizes.split(",")]

    with MockRyze(seed=1) as ryze:
        ryze.create_instance("bench", connected=True)
        headers = {"token": ryze.account_token}
        before = send_latency(ryze, headers)
        listed = 0
        print(f"{'members':>8} {'create ms':>10} {'µs/member':>10} {'list ms':>9} {'µs/member':>10} "
              f"{'info ms':>9} {'add+remove µs':>14}")
        for index, size in enumerate(sizes):
            people = numbers(size - 1, offset=index * 2000)
            made: list[str] = []

            def create(people: list[str] = people, made: list[str] = made, size: int = size) -> None:
                response = ryze.client.post("/api/group/create/bench", headers=headers,
                                            json={"name": f"Big {size}", "participants": people})
                assert response.status_code == 201 and response.json()["group"]["participantCount"] == size
                made.append(response.json()["group"]["jid"])

            create_s = timed(create, args.rounds)
            group = made[-1]

            def listing() -> None:
                assert ryze.client.get("/api/group/list/bench", headers=headers,
                                       params={"includeMembers": "true"}).status_code == 200

            def info(group: str = group) -> None:
                assert ryze.client.get("/api/group/info/bench", headers=headers,
                                       params={"identifier": group}).status_code == 200

            def churn(group: str = group) -> None:
                for action in ("add", "remove"):
                    body = {"action": action, "identifier": group, "participants": ["5521999990000"]}
                    assert ryze.client.post("/api/group/participants/bench", headers=headers,
                                            json=body).status_code == 200

            list_s, info_s, churn_s = timed(listing, args.rounds), timed(info, args.rounds), timed(churn, 50)
            listed += size  # one group of each size so far stays in the list
            print(f"{size:>8} {create_s * 1e3:>10.2f} {create_s / size * 1e6:>10.1f} {list_s * 1e3:>9.2f} "
                  f"{list_s / listed * 1e6:>10.1f} {info_s * 1e3:>9.2f} {churn_s * 1e6:>14.0f}")
            for jid in made[:-1]:  # keep one group of each size: the list stays comparable
                ryze.client.request("DELETE", "/api/group/leave/bench", headers=headers, params={"identifier": jid})
        after = send_latency(ryze, headers)
    print(f"send-text round trip (in-process, median of {SEND_REPEATS}): before groups {before * 1e6:.0f} µs, "
          f"after {after * 1e6:.0f} µs, ratio {after / before:.2f}")


if __name__ == "__main__":
    main()
