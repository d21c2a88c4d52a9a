"""Playing ``scenarios/support-desk.yaml`` in-process: wall time for ten minutes of virtual time.

    .venv/bin/python bench/scenario.py [--runs 50]

Each run takes a fresh ``MockRyze(seed=i)`` (not timed) and times ``ryze.play(...)``: reading and
checking the YAML, setting up its instance and contacts, and advancing the virtual clock through
its 600-second timeline (steps, a reply rule, read receipts). It prints the median and the worst
run with PASS/MISS against the target (≤ 50 ms for ≥ 10 virtual minutes), next to a baseline
measured in the same run: ``create_instance(connected=True)`` + ``advance(600)`` with no scenario.
Nothing here asserts: it prints.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from mockryze.testing.api import MockRyze

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "support-desk.yaml"
TARGET_MS = 50.0
VIRTUAL_SECONDS = 600


def play_ms(seed: int) -> float:
    with MockRyze(seed=seed) as ryze:
        started = time.perf_counter()
        state = ryze.play(SCENARIO)
        elapsed = time.perf_counter() - started
        assert state["status"] == "finished" and not state["errors"], state
        assert state["end"] >= VIRTUAL_SECONDS
        return elapsed * 1e3


def baseline_ms(seed: int) -> float:
    with MockRyze(seed=seed) as ryze:
        started = time.perf_counter()
        ryze.create_instance("desk", connected=True)
        ryze.advance(VIRTUAL_SECONDS)
        return (time.perf_counter() - started) * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    play_ms(0)  # warm-up: Faker, the compiled schemas, YAML
    plays, baselines = [], []
    for seed in range(1, args.runs + 1):  # in turns: machine noise hits both series alike
        plays.append(play_ms(seed))
        baselines.append(baseline_ms(seed))
    median, worst, base = statistics.median(plays), max(plays), statistics.median(baselines)
    verdict = "PASS" if median <= TARGET_MS else "MISS"
    print(f"support-desk.yaml, {VIRTUAL_SECONDS} virtual s: median {median:.1f} ms, worst {worst:.1f} ms "
          f"(target ≤ {TARGET_MS:.0f} ms) {verdict}; baseline (one instance, same clock advance) {base:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
