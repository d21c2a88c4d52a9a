"""The webhook delivery loop runs on a daemon thread: a mock nobody closed never keeps its process alive."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
from mockryze.testing.api import MockRyze
from tests.events.receivers import call_data, inject

ryze = MockRyze(webhook_retry_delays="3600")  # never closed
ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://127.0.0.1:9/unreachable")
inject(ryze.client, "sales", "call.update", call_data(1))
ryze.settle_deliveries()
assert [d["status"] for d in ryze.deliveries()] == ["pending"]  # waiting for a retry an hour away
print("done")
"""


def test_an_unclosed_mock_with_a_pending_retry_lets_its_process_exit() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    finished = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=30)  # a guard against a hang, not a timing assertion
    assert (finished.returncode, finished.stdout.strip()) == (0, "done"), finished.stderr
