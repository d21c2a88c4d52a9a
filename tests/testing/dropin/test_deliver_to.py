"""``ryze.deliver_to(app)``: webhooks POSTed into the code under test's own web app in-process, an
ASGI app (Starlette, as FastAPI apps are) or a WSGI app (Flask), with the envelopes, headers,
retries and journal of deliveries to a real URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Route

from mockryze.core import schemas
from mockryze.events.delivery import USER_AGENT
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient

CUSTOMER = "5511912345678"
Seen = list[tuple[str, dict[str, str], Any]]  # path, headers (lower-case names), JSON body


def starlette_receiver(seen: Seen, answers: list[int], path: str = "/webhook") -> Starlette:
    async def webhook(request: Request) -> JSONResponse:
        seen.append((request.url.path, {k.lower(): v for k, v in request.headers.items()}, await request.json()))
        return JSONResponse({"ok": True}, status_code=answers.pop(0) if answers else 200)

    return Starlette(routes=[Route(path, webhook, methods=["POST"])])


def flask_receiver(seen: Seen, answers: list[int]) -> flask.Flask:
    app = flask.Flask("receiver")

    @app.post("/webhook")
    def webhook() -> tuple[dict[str, bool], int]:
        seen.append((flask.request.path, {k.lower(): v for k, v in flask.request.headers.items()},
                     flask.request.get_json()))
        return {"ok": True}, answers.pop(0) if answers else 200

    return app


RECEIVERS: dict[str, Callable[[Seen, list[int]], Any]] = {"asgi": starlette_receiver, "wsgi": flask_receiver}


def configure(api: CheckedClient, url: str) -> None:
    body = {"enabled": True, "url": url, "authorization": "Bearer s3cret", "events": ["message.exchange"]}
    assert api.post("/api/events/webhook/sales", json=body).status_code == 200


@pytest.mark.parametrize("kind", sorted(RECEIVERS))
def test_webhooks_reach_the_app_in_process(ryze: MockRyze, api: CheckedClient, kind: str) -> None:
    seen: Seen = []
    ryze.create_instance("sales", connected=True)
    url = ryze.deliver_to(RECEIVERS[kind](seen, []), path="/webhook")
    configure(api, url)

    ryze.inbound("sales", from_=CUSTOMER, text="hello")
    ryze.settle_deliveries()

    [(path, headers, body)] = seen
    schemas.validate_event(body)
    assert body == ryze.events("sales", event="message.exchange")[-1]
    assert path == "/webhook"
    assert (headers["content-type"], headers["user-agent"], headers["authorization"]) == \
        ("application/json", USER_AGENT, "Bearer s3cret")
    [delivery] = ryze.deliveries("sales")
    assert (delivery["url"], delivery["status"], [a["statusCode"] for a in delivery["attempts"]]) == \
        (url, "delivered", [200])


@pytest.mark.parametrize("kind", sorted(RECEIVERS))
def test_failures_are_journaled_and_retried_on_the_virtual_clock(ryze: MockRyze, api: CheckedClient,
                                                                  kind: str) -> None:
    seen: Seen = []
    ryze.create_instance("sales", connected=True)
    configure(api, ryze.deliver_to(RECEIVERS[kind](seen, [500, 503]), path="/webhook"))

    ryze.inbound("sales", from_=CUSTOMER, text="hello")
    ryze.settle_deliveries()
    [delivery] = ryze.deliveries("sales")
    assert (delivery["status"], [a["statusCode"] for a in delivery["attempts"]]) == ("pending", [500])
    ryze.advance(1)  # webhook_retry_delays: 1, 2, …
    ryze.settle_deliveries()
    assert [a["statusCode"] for a in ryze.deliveries("sales")[0]["attempts"]] == [500, 503]
    ryze.advance(2)
    ryze.settle_deliveries()
    [delivery] = ryze.deliveries("sales")
    assert (delivery["status"], [a["statusCode"] for a in delivery["attempts"]]) == ("delivered", [500, 503, 200])
    assert len(seen) == 3 and seen[0][2] == seen[2][2]  # the same envelope each time


def test_a_crashing_app_is_a_500_to_retry(ryze: MockRyze, api: CheckedClient) -> None:
    crashes = [RuntimeError("handler bug")]

    async def webhook(request: Request) -> JSONResponse:
        if crashes:
            raise crashes.pop()
        return JSONResponse({"ok": True})

    ryze.create_instance("sales", connected=True)
    configure(api, ryze.deliver_to(Starlette(routes=[Route("/webhook", webhook, methods=["POST"])])))
    ryze.inbound("sales", from_=CUSTOMER, text="hello")
    ryze.settle_deliveries()
    assert [a["statusCode"] for a in ryze.deliveries("sales")[0]["attempts"]] == [500]
    ryze.advance(1)
    ryze.settle_deliveries()
    [delivery] = ryze.deliveries("sales")
    assert (delivery["status"], [a["statusCode"] for a in delivery["attempts"]]) == ("delivered", [500, 200])


def test_the_apps_own_public_url_can_be_claimed(ryze: MockRyze, api: CheckedClient) -> None:
    """Code under test that registers its own URL (say https://bot.example.com/hooks/ryze) keeps it."""
    seen: Seen = []
    ryze.create_instance("sales", connected=True)
    url = ryze.deliver_to(starlette_receiver(seen, [], "/hooks/ryze"), path="/hooks/ryze",
                          base_url="https://bot.example.com")
    assert url == "https://bot.example.com/hooks/ryze"
    configure(api, url)
    ryze.inbound("sales", from_=CUSTOMER, text="hello")
    ryze.settle_deliveries()
    assert [(path, body["event"]) for path, _, body in seen] == [("/hooks/ryze", "message.exchange")]


def test_each_app_gets_its_own_url(ryze: MockRyze) -> None:
    first, second = ryze.deliver_to(flask_receiver([], [])), ryze.deliver_to(flask_receiver([], []))
    assert first != second and first.endswith("/webhook") and second.endswith("/webhook")


def test_a_redirect_is_an_answer_not_a_detour(ryze: MockRyze, api: CheckedClient) -> None:
    """A 3xx is journaled as the receiver's answer (and dead-lettered like any 4xx): never followed."""
    seen: Seen = []

    async def moved(request: Request) -> RedirectResponse:
        return RedirectResponse("/elsewhere", status_code=307)

    elsewhere = starlette_receiver(seen, [], "/elsewhere")
    app = Starlette(routes=[Route("/webhook", moved, methods=["POST"]), *elsewhere.routes])
    ryze.create_instance("sales", connected=True)
    configure(api, ryze.deliver_to(app))
    ryze.inbound("sales", from_=CUSTOMER, text="hello")
    ryze.settle_deliveries()
    [delivery] = ryze.deliveries("sales")
    assert (delivery["status"], [a["statusCode"] for a in delivery["attempts"]]) == ("dead", [307])
    assert seen == []


def test_an_apps_base_url_is_matched_whole_whatever_its_last_character(ryze: MockRyze, api: CheckedClient) -> None:
    seen: Seen = []
    ryze.create_instance("sales", connected=True)
    url = ryze.deliver_to(starlette_receiver(seen, [], "/INBOX/hook"), path="/hook",
                          base_url="https://crm.example.com/INBOX")
    configure(api, url)
    ryze.inbound("sales", from_=CUSTOMER, text="hello")
    ryze.settle_deliveries()
    assert [(path, body["event"]) for path, _, body in seen] == [("/INBOX/hook", "message.exchange")]


def test_an_app_is_reached_again_after_the_delivery_loop_was_closed(ryze: MockRyze, api: CheckedClient) -> None:
    seen: Seen = []
    ryze.create_instance("sales", connected=True)
    configure(api, ryze.deliver_to(starlette_receiver(seen, [])))
    ryze.inbound("sales", from_=CUSTOMER, text="hello")
    ryze.settle_deliveries()
    ryze.channels.delivery.close()  # its HTTP client is closed with it: the next delivery makes a new one
    ryze.inbound("sales", from_=CUSTOMER, text="again")
    ryze.settle_deliveries()
    assert [(d["status"], [a["error"] for a in d["attempts"]]) for d in ryze.deliveries("sales")] == \
        [("delivered", [None])] * 2
    assert len(seen) == 2


def test_each_delivery_reaches_the_app_whose_base_url_it_extends(ryze: MockRyze, api: CheckedClient) -> None:
    """``…/in`` is not a prefix of ``…/inbox``: a base URL is matched up to a ``/``, a ``?`` or the end."""
    short: Seen = []
    long: Seen = []
    ryze.deliver_to(starlette_receiver(short, [], "/in/hook"), base_url="https://crm.example.com/in")
    inbox = ryze.deliver_to(starlette_receiver(long, [], "/inbox"), path="", base_url="https://crm.example.com/inbox")
    ryze.create_instance("sales", connected=True)
    for label, url in (("exact", inbox), ("query", f"{inbox}?key=1")):
        body = {"label": label, "enabled": True, "url": url, "events": ["message.exchange"]}
        assert api.post("/api/events/webhook/sales", json=body).status_code == 200
    ryze.inbound("sales", from_=CUSTOMER, text="hello")
    ryze.settle_deliveries()
    assert sorted((d["label"], d["status"]) for d in ryze.deliveries("sales")) == \
        [("exact", "delivered"), ("query", "delivered")]
    assert (len(long), short) == (2, [])
