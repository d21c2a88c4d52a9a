"""Per-token rate limits: the documented X-RateLimit-* headers, 429 and the virtual-clock window."""

from __future__ import annotations

import httpx
import pytest

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

LIST = "/api/instance/list"
RATE_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")

limited = pytest.mark.ryze(rate_limits=True)


def rate_headers(response: httpx.Response) -> dict[str, int]:
    missing = [h for h in RATE_HEADERS if h not in response.headers]
    assert not missing, f"{response.request.method} {response.request.url.path} lacks {missing}"
    return {h: int(response.headers[h]) for h in RATE_HEADERS}  # int() fails on anything but an integer


def exhaust(api: CheckedClient, count: int, url: str = LIST) -> list[httpx.Response]:
    return [api.get(url) for _ in range(count)]


@limited
def test_headers_on_success(api: CheckedClient, ryze: MockRyze) -> None:
    response = api.get(LIST)
    assert response.status_code == 200
    headers = rate_headers(response)
    assert headers["X-RateLimit-Limit"] == 100
    assert headers["X-RateLimit-Remaining"] == 99
    now = ryze.world.now()
    assert now < headers["X-RateLimit-Reset"] <= now + 61  # epoch seconds, not a delta
    assert "Retry-After" not in response.headers


@limited
def test_headers_on_every_route_and_error(api: CheckedClient, ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales")
    responses = [
        api.post("/api/instance/new", json={"name": "support"}),  # 201
        api.get("/api/instance/getSettings/sales"),  # 200
        api.get("/api/instance/connect/sales", token=sales.token),  # 200, instance token
        api.get(LIST, token="nobody"),  # 401
        api.get(LIST, headers={}, token=""),  # 401, anonymous
        api.get("/api/instance/getSettings/ghost"),  # 404 instance
        api.get("/api/no/such/route"),  # 404 route
        api.post("/api/instance/settings/sales", json={}),  # 400
        api.request("PUT", LIST),  # 405
    ]
    assert [r.status_code for r in responses] == [201, 200, 200, 401, 401, 404, 404, 400, 405]
    for response in responses:
        rate_headers(response)


@limited
def test_error_bodies_keep_their_literals(api: CheckedClient) -> None:
    assert error_of(api.get(LIST, token="nobody")) == literals.INVALID_TOKEN
    assert error_of(api.get("/api/no/such/route")) == literals.ROUTE_NOT_FOUND


@limited
def test_remaining_counts_down(api: CheckedClient) -> None:
    remaining = [rate_headers(r)["X-RateLimit-Remaining"] for r in exhaust(api, 5)]
    assert remaining == [99, 98, 97, 96, 95]


@limited
def test_101st_call_in_a_minute_is_refused(api: CheckedClient) -> None:
    responses = exhaust(api, 100)
    assert {r.status_code for r in responses} == {200}
    assert rate_headers(responses[-1])["X-RateLimit-Remaining"] == 0
    refused = api.get(LIST)
    assert error_of(refused) == literals.RATE_LIMITED
    assert refused.json()["error"]["message"] == "Rate limit exceeded. Try again later."
    headers = rate_headers(refused)
    assert headers["X-RateLimit-Limit"] == 100
    assert headers["X-RateLimit-Remaining"] == 0
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 60


@limited
def test_refused_calls_do_not_run(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("sales")
    exhaust(api, 100)
    refused = api.post("/api/instance/settings/sales", json={"autoRejectCalls": True})
    assert error_of(refused) == literals.RATE_LIMITED
    ryze.advance(60)
    assert api.get("/api/instance/getSettings/sales").json()["settings"]["autoRejectCalls"] is False


@limited
def test_the_limit_counts_every_transport_of_one_token(api: CheckedClient, ryze: MockRyze) -> None:
    token = ryze.account_token
    for i in range(100):
        kind = i % 3
        if kind == 0:
            response = api.get(LIST, headers={"token": token})
        elif kind == 1:
            response = api.get(LIST, headers={"Authorization": f"Bearer {token}"})
        else:
            response = api.get(LIST, headers={}, token="", params={"token": token})
        assert response.status_code == 200
    assert error_of(api.get(LIST, headers={"Authorization": f"Bearer {token}"})) == literals.RATE_LIMITED
    assert error_of(api.get(LIST, headers={}, token="", params={"token": token})) == literals.RATE_LIMITED


@limited
def test_another_token_is_unaffected(api: CheckedClient, ryze: MockRyze) -> None:
    sales = ryze.create_instance("sales")
    other = ryze.new_account()
    exhaust(api, 101)
    assert error_of(api.get(LIST)) == literals.RATE_LIMITED
    for token in (sales.token, other):
        response = api.get(LIST, token=token)
        assert response.status_code == 200
        assert rate_headers(response)["X-RateLimit-Remaining"] == 99


@limited
def test_the_window_reopens_on_the_virtual_clock(api: CheckedClient, ryze: MockRyze) -> None:
    exhaust(api, 100)
    refused = api.get(LIST)
    assert refused.status_code == 429
    reset = rate_headers(refused)["X-RateLimit-Reset"]
    ryze.advance(30)
    assert error_of(api.get(LIST)) == literals.RATE_LIMITED  # still inside the minute
    ryze.advance(30)
    assert ryze.world.now() >= reset
    again = api.get(LIST)
    assert again.status_code == 200
    assert rate_headers(again)["X-RateLimit-Remaining"] == 99


@limited
def test_the_window_slides(api: CheckedClient, ryze: MockRyze) -> None:
    exhaust(api, 50)
    ryze.advance(30)
    exhaust(api, 50)
    assert api.get(LIST).status_code == 429
    ryze.advance(30)  # the first 50 leave the window; the last 50 are still in it
    response = api.get(LIST)
    assert response.status_code == 200
    assert rate_headers(response)["X-RateLimit-Remaining"] == 49


@limited
def test_create_has_its_own_limit_of_20(api: CheckedClient) -> None:
    created = [api.post("/api/instance/new", json={"name": f"i{n}"}) for n in range(20)]
    assert all(r.status_code in (201, 403) for r in created)  # the quota (10) may refuse; still counted
    assert rate_headers(created[0])["X-RateLimit-Limit"] == 20
    assert rate_headers(created[0])["X-RateLimit-Remaining"] == 19
    refused = api.post("/api/instance/new", json={"name": "i20"})
    assert error_of(refused) == literals.RATE_LIMITED
    assert rate_headers(refused)["X-RateLimit-Limit"] == 20
    assert int(refused.headers["Retry-After"]) >= 1
    listed = api.get(LIST)  # the global budget is separate
    assert listed.status_code == 200
    assert rate_headers(listed)["X-RateLimit-Limit"] == 100


@limited
def test_21st_create_with_a_large_quota(ryze: MockRyze) -> None:
    token = ryze.new_account(instance_limit=100)
    api = CheckedClient(ryze.client, token)
    created = [api.post("/api/instance/new", json={"name": f"i{n}"}) for n in range(20)]
    assert [r.status_code for r in created] == [201] * 20
    assert error_of(api.post("/api/instance/new", json={"name": "i20"})) == literals.RATE_LIMITED
    assert len(api.get(LIST).json()["instances"]) == 20  # the refused create made nothing
    ryze.advance(60)
    assert api.post("/api/instance/new", json={"name": "i20"}).status_code == 201


def test_fixture_default_has_limits_off(api: CheckedClient, ryze: MockRyze) -> None:
    assert ryze.settings.rate_limits is False
    responses = exhaust(api, 150)
    assert {r.status_code for r in responses} == {200}
    assert [rate_headers(r)["X-RateLimit-Remaining"] for r in responses[98:102]] == [1, 0, 0, 0]
    assert all(rate_headers(r)["X-RateLimit-Limit"] == 100 and "Retry-After" not in r.headers for r in responses)
    creates = [api.post("/api/instance/new", json={"name": f"i{n}"}) for n in range(25)]
    assert 429 not in {r.status_code for r in creates}


@limited
def test_control_plane_is_never_limited(api: CheckedClient) -> None:
    for _ in range(150):
        response = api.get("/__mock__/clock")
        assert response.status_code == 200
        assert "X-RateLimit-Limit" not in response.headers
    for _ in range(25):
        assert api.post("/__mock__/accounts", json={}).status_code == 201


@limited
def test_control_plane_calls_do_not_spend_the_api_budget(api: CheckedClient) -> None:
    for _ in range(120):
        api.get("/__mock__/events")
    response = api.get(LIST)
    assert response.status_code == 200
    assert rate_headers(response)["X-RateLimit-Remaining"] == 99


@limited
def test_reset_clears_the_counters(api: CheckedClient) -> None:
    exhaust(api, 101)
    assert api.get(LIST).status_code == 429
    assert api.post("/__mock__/reset").status_code == 200
    assert api.get(LIST).status_code == 200


@pytest.mark.ryze(rate_limits=True, rate_limit_global=5)
def test_rate_limit_global_setting(api: CheckedClient) -> None:
    responses = exhaust(api, 5)
    assert [rate_headers(r)["X-RateLimit-Limit"] for r in responses] == [5] * 5
    assert [rate_headers(r)["X-RateLimit-Remaining"] for r in responses] == [4, 3, 2, 1, 0]
    assert error_of(api.get(LIST)) == literals.RATE_LIMITED


@pytest.mark.ryze(rate_limits=True, rate_limit_create=2)
def test_rate_limit_create_setting(api: CheckedClient) -> None:
    assert api.post("/api/instance/new", json={"name": "a"}).status_code == 201
    assert api.post("/api/instance/new", json={"name": "b"}).status_code == 201
    refused = api.post("/api/instance/new", json={"name": "c"})
    assert error_of(refused) == literals.RATE_LIMITED
    assert rate_headers(refused)["X-RateLimit-Limit"] == 2


@pytest.mark.ryze(rate_limits=True, rate_limit_global=3, rate_window=10)
def test_rate_window_setting(api: CheckedClient, ryze: MockRyze) -> None:
    exhaust(api, 3)
    assert api.get(LIST).status_code == 429
    ryze.advance(10)
    assert api.get(LIST).status_code == 200


# --- bounded state ------------------------------------------------------------------------------


def limiter_windows(ryze: MockRyze) -> int:
    """How many windows the app's limiter holds (one per active token and bucket)."""
    count: int = ryze.app.state.limiter.tracked()
    return count


@limited
def test_invalid_tokens_keep_no_state_and_share_one_window_per_client(api: CheckedClient, ryze: MockRyze) -> None:
    assert api.get(LIST).status_code == 200
    before = limiter_windows(ryze)
    answers = [api.get(LIST, token=f"forged-{n:05d}-" + "x" * 1000) for n in range(1000)]
    assert limiter_windows(ryze) == before + 1  # one window for the unauthenticated client, not 1,000
    # that window is limited like any other: the first 100 are refused as invalid, the rest as too many
    assert [error_of(r) for r in answers[:100]] == [literals.INVALID_TOKEN] * 100
    assert {error_of(r) for r in answers[100:]} == {literals.RATE_LIMITED}
    # the real token's own window is untouched, and still limited
    responses = exhaust(api, 99)
    assert {r.status_code for r in responses} == {200}
    assert rate_headers(responses[-1])["X-RateLimit-Remaining"] == 0
    assert error_of(api.get(LIST)) == literals.RATE_LIMITED


@limited
def test_windows_that_ended_are_dropped(api: CheckedClient, ryze: MockRyze) -> None:
    tokens = [ryze.new_account() for _ in range(50)]
    for token in tokens:
        assert api.get(LIST, token=token).status_code == 200
    assert limiter_windows(ryze) == 50
    ryze.advance(61)  # every window has ended
    response = api.get(LIST)
    assert response.status_code == 200
    assert rate_headers(response)["X-RateLimit-Remaining"] == 99
    assert limiter_windows(ryze) == 1  # only the caller of this last minute


@limited
def test_a_token_that_becomes_valid_gets_its_own_window(api: CheckedClient, ryze: MockRyze) -> None:
    for _ in range(100):
        api.get(LIST, token="later-an-account")
    assert error_of(api.get(LIST, token="later-an-account")) == literals.RATE_LIMITED  # the anonymous window
    assert api.post("/__mock__/accounts", json={"token": "later-an-account"}).status_code == 201
    response = api.get(LIST, token="later-an-account")
    assert response.status_code == 200
    assert rate_headers(response)["X-RateLimit-Remaining"] == 99
