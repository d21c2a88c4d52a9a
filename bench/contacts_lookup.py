"""`GET /api/chat/contacts/{instance}?number=` against a small and a large address book, same run.

    .venv/bin/python bench/contacts_lookup.py [--lookups 2000] [--large 10000]

In-process (``MockRyze``, no sockets): one instance gets 10 contacts, another ``--large`` contacts
(seeded in one ``address_book`` call each); each is then asked ``--lookups`` times for a contact it
holds, by phone number, in turns. It prints the median microseconds per lookup of each and their
ratio, with PASS/MISS against the target: a lookup is one dict access, so the large book may cost at
most 1.2x the small one. Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from mockryze.testing.api import MockRyze

TARGET_RATIO = 1.2


def numbers(count: int) -> list[str]:
    return [f"55119{index:08d}" for index in range(count)]


def seed(ryze: MockRyze, name: str, count: int) -> list[str]:
    ryze.create_instance(name, connected=True)
    book = numbers(count)
    for start in range(0, count, 5000):
        ryze.address_book(name, [{"number": n, "name": f"Contact {n[-4:]}"} for n in book[start:start + 5000]])
    return book


def lookup_us(ryze: MockRyze, name: str, number: str) -> float:
    started = time.perf_counter()
    response = ryze.client.get(f"/api/chat/contacts/{name}", params={"number": number},
                               headers={"token": ryze.account_token})
    elapsed = time.perf_counter() - started
    assert response.status_code == 200 and response.json()["contact"]["found"] is True, response.text
    return elapsed * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--large", type=int, default=10_000)
    args = parser.parse_args()
    picker = random.Random(0)
    with MockRyze(seed=0) as ryze:
        books = {"small": seed(ryze, "small", 10), "large": seed(ryze, "large", args.large)}
        timings: dict[str, list[float]] = {"small": [], "large": []}
        for _ in range(args.lookups):
            for name, book in books.items():  # in turns: machine noise hits both series alike
                timings[name].append(lookup_us(ryze, name, picker.choice(book)))
    small, large = (statistics.median(timings[n]) for n in ("small", "large"))
    ratio = large / small
    verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
    print(f"contacts?number= median: {small:.0f} us (10 contacts), {large:.0f} us ({args.large} contacts); "
          f"ratio {ratio:.2f} (target <= {TARGET_RATIO}) {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
