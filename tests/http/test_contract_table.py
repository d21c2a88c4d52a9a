from __future__ import annotations

from mockryze.core import literals
from mockryze.http.app import ALL_ENDPOINTS
from tests.conftest import CheckedClient


def test_every_route_is_in_the_contract_table(api: CheckedClient) -> None:
    table = api.get("/__mock__/contract").json()
    listed = {(row["method"], row["path"]) for row in table["routes"]}
    missing = {(spec.method, spec.path) for spec in ALL_ENDPOINTS} - listed
    assert not missing, f"routes without a contract entry: {sorted(missing)}"


def test_inferred_literals_are_labelled(api: CheckedClient) -> None:
    table = api.get("/__mock__/contract").json()
    behaviours = [b for row in table["routes"] for b in row["behaviours"]]
    inferred = " ".join(b["behaviour"] for b in behaviours if b["source"] == "inferred")
    for literal in ("Instance token does not match this instance", "Instance name already exists",
                    "Token already in use", "Route not found", "Instance created successfully",
                    literals.WEBSOCKET_UPGRADE_REQUIRED.message):
        assert literal in inferred


def test_the_mock_only_index_is_labelled_inferred(api: CheckedClient) -> None:
    table = api.get("/__mock__/contract").json()
    (root,) = [row for row in table["routes"] if (row["method"], row["path"]) == ("GET", "/")]
    assert [b["source"] for b in root["behaviours"]] == ["inferred"]
    assert root["behaviours"][0]["behaviour"].startswith("mock-only")


def test_shutdown_and_revoked_sockets_are_labelled_inferred(api: CheckedClient) -> None:
    table = api.get("/__mock__/contract").json()
    inferred = " ".join(b["behaviour"] for row in table["routes"] for b in row["behaviours"]
                        if b["source"] == "inferred")
    assert literals.SERVER_SHUTTING_DOWN.message in inferred
    assert "closes its open sockets with 1008" in inferred and "1001 `world reset`" in inferred


def test_guessed_behaviours_have_labelled_rows(api: CheckedClient) -> None:
    table = api.get("/__mock__/contract").json()
    inferred = " ".join(b["behaviour"] for row in table["routes"] for b in row["behaviours"]
                        if b["source"] == "inferred")
    for behaviour in ("13-digit form", "device suffix `:N`", "Stories sent as `chat.type: broadcast`",
                      "`Retry-After` header on 429", "the header token wins over Bearer",
                      "custom instance tokens are unique across all accounts", "405 `Method not allowed` (not the 404",
                      "`--rate-limits off` keeps `X-RateLimit-Limit/Remaining/Reset`"):
        assert behaviour in inferred, behaviour
