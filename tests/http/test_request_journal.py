"""The request journal (``/__mock__/requests``), ``assert_requested`` and strict fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockryze.core.settings import Settings
from mockryze.http.envelope import DETAIL_HEADER
from mockryze.testing import MockRyze, RemoteRyze
from mockryze.testing.control import Control
from tests.conftest import CheckedClient, error_of

M = "/__mock__"
TEXT = "POST /api/message/text/:instance"
NUMBER = "5511987654321"


@pytest.fixture
def sales(ryze: MockRyze) -> str:
    return ryze.create_instance("sales", connected=True).token


def journal(api: CheckedClient, token: str | None = None, **query: Any) -> list[dict[str, Any]]:
    response = api.get(f"{M}/requests", params=query, token=token)
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.json()["requests"]
    return entries


def test_a_send_is_journaled_with_an_unknown_key_and_an_alias(api: CheckedClient, sales: str) -> None:
    sent = api.post("/api/message/media/sales", json={"number": NUMBER, "mediaType": "document",
                                                      "mediaUrl": "https://files.example.org/a.pdf",
                                                      "mimetype": "application/pdf"},
                    headers={"Cookie": "session=secret"})
    api.post("/api/message/text/sales", json={"to": NUMBER, "message": "hi"})
    media, aliased = journal(api)
    assert media["route"] == "POST /api/message/media/:instance"
    assert (media["method"], media["path"], media["instance"]) == ("POST", "/api/message/media/sales", "sales")
    assert (media["status"], media["literal"]) == (sent.status_code, sent.json()["message"])
    assert media["tokenKind"] == "account"
    assert media["headers"]["token"] == media["headers"]["cookie"] == "[redacted]"
    assert media["body"]["mimetype"] == "application/pdf"
    assert media["warnings"] == [{"kind": "unknown-key", "key": "mimetype"}]
    assert {"kind": "alias", "key": "to", "for": "number"} in aliased["warnings"]
    assert not [w for w in aliased["warnings"] if w["kind"] == "unknown-key"]


def test_nested_unknown_keys_are_named_by_their_path(api: CheckedClient, sales: str) -> None:
    api.post("/api/message/list/sales", json={"number": NUMBER, "buttonText": "Menu", "text": "Pick",
                                              "sections": [{"title": "A", "rows": [{"id": "1", "title": "x",
                                                                                    "colour": "red"}]}]})
    (entry,) = journal(api)
    assert {"kind": "unknown-key", "key": "sections[].rows[].colour"} in entry["warnings"]


def test_refusals_are_journaled_with_their_literal_and_token_kind(api: CheckedClient, ryze: MockRyze,
                                                                   sales: str) -> None:
    api.post("/api/message/text/sales", json={"number": NUMBER})
    ryze.client.get("/api/instance/list")
    ryze.client.get("/api/instance/list", headers={"Authorization": "Bearer nope"})
    ryze.client.post("/api/message/text/sales", json={"number": NUMBER, "message": "hi"}, headers={"token": sales})
    missing, none, invalid, own = journal(api)
    assert (missing["status"], missing["literal"]) == (400, "Message is required")
    assert (none["tokenKind"], none["status"], none["literal"]) == ("none", 401, "Invalid token")
    assert (invalid["tokenKind"], invalid["headers"]["authorization"]) == ("invalid", "[redacted]")
    assert own["tokenKind"] == "instance"
    assert sales not in str(journal(api))


def test_filters_and_the_control_plane_is_not_journaled(api: CheckedClient, ryze: MockRyze, sales: str) -> None:
    ryze.create_instance("support", connected=True)
    api.post("/api/message/text/sales", json={"number": NUMBER, "message": "a"})
    api.post("/api/message/text/support", json={"number": NUMBER, "message": "b"})
    api.get("/api/instance/list")
    api.get(f"{M}/events")
    assert [e["instance"] for e in journal(api, route=TEXT)] == ["sales", "support"]
    assert [e["body"]["message"] for e in journal(api, instance="support")] == ["b"]
    assert [e["route"] for e in journal(api, status=200)][-1] == "GET /api/instance/list"
    assert not [e for e in journal(api) if e["path"].startswith(M)]


def test_an_instance_token_sees_its_own_instance(api: CheckedClient, ryze: MockRyze, sales: str) -> None:
    ryze.create_instance("support", connected=True)
    api.post("/api/message/text/sales", json={"number": NUMBER, "message": "a"})
    api.post("/api/message/text/support", json={"number": NUMBER, "message": "b"})
    assert [e["instance"] for e in journal(api, token=sales)] == ["sales"]
    refused = api.get(f"{M}/requests", params={"instance": "support"}, token=sales)
    assert error_of(refused) == (403, "Instance token does not match this instance")
    assert api.delete(f"{M}/requests", token=sales).status_code == 200
    assert [e["instance"] for e in journal(api)] == ["support"]


def test_each_account_has_its_own_journal_and_delete_clears_the_callers(api: CheckedClient, ryze: MockRyze) -> None:
    other = ryze.new_account()
    api.get("/api/instance/list")
    api.get("/api/instance/list", token=other)
    assert api.delete(f"{M}/requests").json()["success"] is True
    assert journal(api) == []
    assert len(journal(api, token=other)) == 1


@pytest.mark.ryze(request_journal_limit=2)
def test_the_journal_is_bounded_oldest_dropped(api: CheckedClient, sales: str) -> None:
    for text in ("one", "two", "three"):
        api.post("/api/message/text/sales", json={"number": NUMBER, "message": text})
    assert [e["body"]["message"] for e in journal(api)] == ["two", "three"]


def test_a_large_body_is_capped_as_text(api: CheckedClient, sales: str) -> None:
    api.post("/api/message/text/sales", json={"number": NUMBER, "message": "x" * 100_000})
    (entry,) = journal(api)
    assert isinstance(entry["body"], str) and len(entry["body"]) < 70_000


@pytest.mark.parametrize("raw", [b'{"message": "\\ud800"}', b'{"delay": NaN}', b'{"delay": 1e999}',
                                 b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe"])
def test_a_body_json_cannot_answer_is_shown_as_text(api: CheckedClient, sales: str, raw: bytes) -> None:
    api.post("/api/message/text/sales", content=raw, headers={"content-type": "application/json"})
    (entry,) = journal(api)
    assert isinstance(entry["body"], str)


def test_a_reset_empties_the_journal(api: CheckedClient, ryze: MockRyze) -> None:
    api.get("/api/instance/list")
    ryze.reset()
    assert journal(api) == []


# --- Python: requests / assert_requested / clear_requests ---------------------------------------


@pytest.fixture(params=["local", "remote"])
def control(request: pytest.FixtureRequest, ryze: MockRyze) -> Iterator[Control]:
    if request.param == "local":
        yield ryze
        return
    remote = RemoteRyze(ryze.serve(), ryze.account_token)
    yield remote
    remote.close()


def test_requests_and_assert_requested_match(control: Control, ryze: MockRyze, sales: str) -> None:
    ryze.client.post("/api/message/text/sales", json={"number": NUMBER, "message": "hi"},
                     headers={"token": ryze.account_token})
    assert [r["route"] for r in control.requests(route=TEXT)] == [TEXT]
    assert control.requests(status=400) == []
    (found,) = control.assert_requested(TEXT, times=1, json_contains={"message": "hi"}, instance="sales")
    assert found["body"]["number"] == NUMBER
    control.clear_requests()
    assert control.requests() == []


def test_assert_requested_shows_the_closest_requests(ryze: MockRyze, sales: str) -> None:
    ryze.client.post("/api/message/text/sales", json={"number": NUMBER, "message": "hi"},
                     headers={"token": ryze.account_token})
    with pytest.raises(AssertionError) as failed:
        ryze.assert_requested(TEXT, json_contains={"message": "hello", "linkPreview": True})
    message = str(failed.value)
    assert "found 0" in message
    assert "message: expected 'hello', got 'hi'" in message and "missing linkPreview" in message
    with pytest.raises(AssertionError, match="found 1"):
        ryze.assert_requested(TEXT, times=2)
    with pytest.raises(AssertionError, match="routes that were requested: POST /api/message/text/:instance"):
        ryze.assert_requested("POST /api/message/media/:instance")


# --- strict fields ------------------------------------------------------------------------------


@pytest.mark.ryze(strict_fields=True)
def test_strict_fields_refuse_an_unknown_key(api: CheckedClient, sales: str) -> None:
    refused = api.post("/api/message/text/sales", json={"number": NUMBER, "message": "hi", "mimetype": "x"})
    status, literal = error_of(refused)
    assert status == 400 and literal.startswith("Invalid request body")
    assert "mimetype" in refused.headers[DETAIL_HEADER]
    created = api.post("/api/instance/new", json={"name": "other", "webhookUrl": "http://x"})
    assert error_of(created) == (400, "Invalid request body")
    assert "webhookUrl" in created.headers[DETAIL_HEADER]
    assert api.post("/api/message/text/sales", json={"number": NUMBER, "message": "hi"}).status_code == 200


def test_without_strict_fields_an_unknown_key_is_accepted(api: CheckedClient, sales: str) -> None:
    sent = api.post("/api/message/text/sales", json={"number": NUMBER, "message": "hi", "mimetype": "x"})
    assert sent.status_code == 200


def test_strict_fields_per_account(api: CheckedClient, ryze: MockRyze) -> None:
    created = api.post(f"{M}/accounts", json={"strictFields": True})
    strict = created.json()["token"]
    refused = api.post("/api/instance/new", json={"name": "a", "colour": "red"}, token=strict)
    assert error_of(refused) == (400, "Invalid request body")
    assert "colour" in refused.headers[DETAIL_HEADER]
    assert api.post("/api/instance/new", json={"name": "a", "colour": "red"}).status_code == 201
    lenient = ryze.new_account(strict_fields=False)
    assert api.post("/api/instance/new", json={"name": "b", "colour": "red"}, token=lenient).status_code == 201


def test_the_settings_come_from_the_environment() -> None:
    settings = Settings.from_sources(env={"MOCKRYZE_STRICT_FIELDS": "on", "MOCKRYZE_REQUEST_JOURNAL_LIMIT": "5"})
    assert settings.strict_fields is True and settings.request_journal_limit == 5
