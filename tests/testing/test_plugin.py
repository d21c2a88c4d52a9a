"""The pytest plugin as an integrator meets it: installed package, no conftest, fixtures by name."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # each test runs pytest in a subprocess

TIMEOUT = 120.0

RYZE_SAMPLE = '''
import pytest

from mockryze import MockRyze


def test_connected_instance_with_its_token(ryze):
    sales = ryze.create_instance("sales", connected=True)
    response = ryze.client.get("/api/instance/list", headers={"token": sales.token})
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "1 Instance found"
    assert body["instances"][0]["name"] == "sales"
    assert body["instances"][0]["status"] == "connected"
    assert body["instances"][0]["numberJid"].endswith("@s.whatsapp.net")


def test_each_test_gets_a_fresh_world(ryze):
    response = ryze.client.get("/api/instance/list", headers={"token": ryze.account_token})
    assert response.json()["instances"] == []


def test_instance_token_is_scoped(ryze):
    sales = ryze.create_instance("sales")
    ryze.create_instance("support")
    response = ryze.client.get("/api/instance/getSettings/support", headers={"token": sales.token})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Instance token does not match this instance"


@pytest.mark.ryze(seed=5, auto_scan=True)
def test_marker_settings(ryze):
    assert ryze.settings.seed == 5
    assert ryze.settings.auto_scan is True
    assert ryze.account_token == MockRyze(seed=5).account_token != MockRyze(seed=6).account_token
    ryze.create_instance("sales")
    headers = {"token": ryze.account_token}
    connect = ryze.client.get("/api/instance/connect/sales", headers=headers)
    assert connect.status_code == 200
    listed = ryze.client.get("/api/instance/list", headers=headers).json()
    assert listed["instances"][0]["status"] == "connected"  # scanned by itself


def test_without_marker_nothing_scans_by_itself(ryze):
    ryze.create_instance("sales")
    headers = {"token": ryze.account_token}
    ryze.client.get("/api/instance/connect/sales", headers=headers)
    ryze.advance(5)
    listed = ryze.client.get("/api/instance/list", headers=headers).json()
    assert listed["instances"][0]["status"] == "qr"


def test_events_recorded(ryze):
    ryze.create_instance("sales", connected=True)
    states = [e["data"]["state"] for e in ryze.events("sales", "instance.state")]
    assert states[-1] == "connected"
'''

SERVER_SAMPLE = '''
import httpx


def names(server):
    response = httpx.get(f"{server.base_url}/api/instance/list",
                         headers={"token": server.account_token}, timeout=10)
    assert response.status_code == 200
    return [item["name"] for item in response.json()["instances"]]


def test_first(ryze_server):
    response = httpx.post(f"{ryze_server.base_url}/api/instance/new", json={"name": "first"},
                          headers={"token": ryze_server.account_token}, timeout=10)
    assert response.status_code == 201
    assert names(ryze_server) == ["first"]


def test_second(ryze_server):
    assert names(ryze_server) == []  # the first test's instance belongs to another account
    ryze_server.create_instance("second", connected=True)
    assert names(ryze_server) == ["second"]
    listed = httpx.get(f"{ryze_server.base_url}/api/instance/list",
                       headers={"Authorization": f"Bearer {ryze_server.account_token}"}, timeout=10).json()
    assert listed["instances"][0]["status"] == "connected"
    assert ryze_server.events("second", "instance.state")


def test_a_real_socket(ryze_server):
    assert ryze_server.base_url.startswith("http://127.0.0.1:")
    response = httpx.get(f"{ryze_server.base_url}/api/instance/list", timeout=10)
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": {"message": "Invalid token"}}
'''


def test_ryze_fixture_in_an_integrators_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample=RYZE_SAMPLE)
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider", timeout=TIMEOUT)
    result.assert_outcomes(passed=6)
    assert result.ret == pytest.ExitCode.OK


def test_ryze_server_fixture_in_an_integrators_suite(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_server=SERVER_SAMPLE)
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider", timeout=TIMEOUT)
    result.assert_outcomes(passed=3)
    assert result.ret == pytest.ExitCode.OK


def test_both_fixtures_in_one_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_sample=RYZE_SAMPLE, test_server=SERVER_SAMPLE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=TIMEOUT)
    result.assert_outcomes(passed=9)


def test_failures_are_reported_not_swallowed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_fails='''
def test_wrong_expectation(ryze):
    response = ryze.client.get("/api/instance/list")
    assert response.status_code == 200, response.json()["error"]["message"]
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=TIMEOUT)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Invalid token*"])


def test_marker_and_fixtures_are_registered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_empty="def test_nothing():\n    pass\n")
    markers = pytester.runpytest_subprocess("--markers", timeout=TIMEOUT)
    assert markers.ret == pytest.ExitCode.OK
    markers.stdout.fnmatch_lines(["@pytest.mark.ryze(**options)*"])
    fixtures = pytester.runpytest_subprocess("--fixtures", timeout=TIMEOUT)
    assert fixtures.ret == pytest.ExitCode.OK
    fixtures.stdout.fnmatch_lines(["ryze -- *", "ryze_server -- *"])


GUARDED_SAMPLE = '''
import httpx


def test_the_control_plane_needs_the_token(ryze_server):
    response = httpx.post(f"{ryze_server.base_url}/__mock__/reset", timeout=10)
    assert response.status_code == 401


def test_the_fixture_sends_it(ryze_server):
    ryze_server.create_instance("sales", connected=True)
    assert ryze_server.events("sales")
'''


def test_ryze_server_fixture_with_a_control_token(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKRYZE_CONTROL_TOKEN", "suite-s3cret")
    pytester.makepyfile(test_server=SERVER_SAMPLE, test_guarded=GUARDED_SAMPLE)
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider", timeout=TIMEOUT)
    result.assert_outcomes(passed=5)


NEAR_MISS_SAMPLE = '''
def test_the_client_sent_the_wrong_text(ryze):
    ryze.create_instance("sales", connected=True)
    ryze.client.post("/api/message/text/sales", json={"number": "5511987654321", "message": "hi", "mimetype": "x"},
                     headers={"token": ryze.account_token})
    ryze.assert_requested("POST /api/message/text/:instance", times=1,
                          json_contains={"number": "5511987654321", "message": "hello", "linkPreview": True})
'''


def test_assert_requested_failure_shows_the_near_miss(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_near_miss=NEAR_MISS_SAMPLE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", timeout=TIMEOUT)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "E *AssertionError: expected POST /api/message/text/:instance with a body holding *'message': 'hello'* "
        "1 time, found 0",
        "E * #1 POST /api/message/text/sales -> 200: message: expected 'hello', got 'hi'; missing linkPreview",
    ])
