"""``mockryze verify``: drift between a RyzeAPI URL and a fresh mock, probed read-only (issue 18)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from mockryze import verify
from tests.test_cli import free_port, run_once, spawned, start_server

TOKEN = "verify-account-token"
NUMBER = "5511987654321"


@contextmanager
def second_server(*options: str, connected: bool = False) -> Iterator[str]:
    """Another `mockryze serve` standing in for the real service, with the instance ``probe``."""
    port = free_port()
    with spawned("serve", "--port", str(port), "--account-token", TOKEN, "--rate-limits", "off",
                 "--log-level", "warning", *options) as server:
        start_server(server, port)
        base = f"http://127.0.0.1:{port}"
        httpx.post(f"{base}/api/instance/new", json={"name": "probe"}, headers={"token": TOKEN}).raise_for_status()
        if connected:
            httpx.get(f"{base}/api/instance/connect/probe", headers={"token": TOKEN}).raise_for_status()
            httpx.post(f"{base}/__mock__/instances/probe/scan", json={}).raise_for_status()
        yield base


def stored(base: str) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = httpx.get(f"{base}/__mock__/instances/probe/messages").json()["messages"]
    return messages


def test_against_an_identical_server_nothing_drifts_and_the_exit_code_is_0() -> None:
    with second_server() as base:
        result = run_once("verify", "--base-url", base, "--account-token", TOKEN, "--instance", "probe", "--json")
        assert stored(base) == []  # never sends unless allowed
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["drifted"] == 0 and len(report["probes"]) == len([p for p in verify.PROBES if not p.sends])
    assert all(p["contract"]["verdict"] == "confirms" for p in report["probes"])


def test_against_the_docs_profile_the_report_lists_the_documented_differences() -> None:
    with second_server("--profile", "docs") as base:
        result = run_once("verify", "--base-url", base, "--account-token", TOKEN, "--instance", "probe", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    drift = {(p["probe"], d["aspect"], d["where"], d["live"], d["mock"]) for p in report["probes"] for d in p["drift"]}
    # connect_status (documented `qr`, observed `qr_code_generated`) and qr_data_uri (documented data: URI).
    assert drift == {("connect", "literal", "$.status", "qr", "qr_code_generated"),
                     ("connect", "shape", "$.qrCodeBase64", "string(data-uri)", "string(text)")}
    [connect] = [p for p in report["probes"] if p["probe"] == "connect"]
    assert connect["contract"]["verdict"] == "contradicts" and connect["contract"]["entries"]


def test_the_table_for_people_names_each_drift() -> None:
    with second_server("--profile", "docs") as base:
        result = run_once("verify", "--base-url", base, "--account-token", TOKEN, "--instance", "probe")
    assert result.returncode == 1
    assert "qr_code_generated" in result.stdout and "1 drifted" in result.stdout


def test_a_message_is_sent_only_when_allowed() -> None:
    with second_server(connected=True) as base, httpx.Client(base_url=base) as client:
        outcomes = verify.run(client, TOKEN, "probe")
        assert stored(base) == [] and not any(o.drift for o in outcomes)
        outcomes = verify.run(client, TOKEN, "probe", allow_sends=NUMBER)
        sent = stored(base)
    assert [m["content"] for m in sent] == [verify.VERIFY_TEXT]
    assert [o.probe.name for o in outcomes if o.probe.sends] == ["send text"]
    assert not any(o.drift for o in outcomes)


def _receiver() -> tuple[str, tuple[str, int]]:
    port = free_port()
    return f"http://127.0.0.1:{port}/verify-hook", ("127.0.0.1", port)


def test_with_a_webhook_receiver_event_shapes_are_compared_too() -> None:
    url, listen = _receiver()
    with second_server() as base, httpx.Client(base_url=base) as client:
        outcomes = verify.run(client, TOKEN, "probe", webhook_receiver=url, webhook_listen=listen)
        webhooks = httpx.get(f"{base}/api/events/getWebhook/probe?label=mockryze-verify",
                             headers={"token": TOKEN}).json()
    [events] = [o for o in outcomes if o.probe is verify.EVENTS_PROBE]
    assert "instance.state" in events.live.body and set(events.live.body) == set(events.mock.body)
    assert not any(o.drift for o in outcomes)
    assert webhooks["webhook"]["enabled"] is False  # the temporary webhook is left disabled


def test_event_payload_differences_show_against_the_docs_profile() -> None:
    url, listen = _receiver()
    with second_server("--profile", "docs", connected=True) as base, httpx.Client(base_url=base) as client:
        outcomes = verify.run(client, TOKEN, "probe", allow_sends=NUMBER, webhook_receiver=url, webhook_listen=listen)
    [events] = [o for o in outcomes if o.probe is verify.EVENTS_PROBE]
    assert "message.exchange" in events.live.body
    assert any(d.where.startswith("$.message.exchange") for d in events.drift)  # message_layout: docs vs live
