"""The webhook delivery loop's thread: a daemon (a mock nobody closed never keeps its process alive) that
also wakes by itself on a running clock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from mockryze.events.delivery import WebhookRequest
from mockryze.testing.api import MockRyze
from tests.events.receivers import call_data, inject

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


def test_on_a_running_clock_a_retry_goes_out_when_due_with_nobody_calling() -> None:
    """`mockryze serve` runs its clock: the retry sleep wakes in real time, not only when a request
    or an advance() moves the timers."""
    answers = [503]

    async def down_once(request: WebhookRequest, /) -> int:
        return answers.pop() if answers else 204

    with MockRyze(frozen_clock=False, webhook_transport=down_once, webhook_retry_delays="0.2") as ryze:
        ryze.create_instance("sales", webhookEnabled=True, webhookURL="http://receiver.test/hook")
        inject(ryze.client, "sales", "call.update", call_data(1))
        [delivery] = ryze.wait_for_deliveries(1, status="delivered", timeout=10)
    assert [a["statusCode"] for a in delivery["attempts"]] == [503, 204]
