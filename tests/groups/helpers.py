"""What the groups tests share: the routes, a connected instance, and short calls (responses schema-checked)."""

from __future__ import annotations

from typing import Any

import httpx

from mockryze.core import schemas
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient

CREATE, LIST, INFO, UPDATE = "/api/group/create/sales", "/api/group/list/sales", "/api/group/info/sales", \
    "/api/group/update/sales"
PARTICIPANTS, JOIN, RESET, REQUESTS, LEAVE = ("/api/group/participants/sales", "/api/group/join/sales",
                                              "/api/group/resetLink/sales", "/api/group/requests/sales",
                                              "/api/group/leave/sales")
ALICE, BOB, CARLA, DIEGO = "5511911110001", "5511911110002", "5511911110003", "5511911110004"
GHOST = "5511911119999"  # a number that is not on WhatsApp (set up by `connected`)


def jid_of(number: str) -> str:
    return f"{number}@s.whatsapp.net"


def connected(ryze: MockRyze) -> str:
    """A connected instance `sales`; GHOST is not on WhatsApp. Returns the instance's own JID."""
    ryze.create_instance("sales", connected=True)
    ryze.contact("sales", GHOST, on_whatsapp=False)
    return str(ryze.instance("sales")["numberJid"])


def create(api: CheckedClient, name: str = "Ops", participants: list[str] | None = None,
           **fields: Any) -> dict[str, Any]:
    response = api.post(CREATE, json={"name": name, "participants": participants or [ALICE, BOB], **fields})
    assert response.status_code == 201, response.text
    group: dict[str, Any] = response.json()["group"]
    return group


def act(api: CheckedClient, action: str, identifier: str, *numbers: str) -> httpx.Response:
    return api.post(PARTICIPANTS, json={"action": action, "identifier": identifier, "participants": list(numbers)})


def info(api: CheckedClient, identifier: str, **params: Any) -> dict[str, Any]:
    response = api.get(INFO, params={"identifier": identifier, **params})
    assert response.status_code == 200, response.text
    group: dict[str, Any] = response.json()["group"]
    return group


def roles(group: dict[str, Any]) -> dict[str, tuple[bool, bool]]:
    return {p["jid"]: (p["isAdmin"], p["isSuperAdmin"]) for p in group["participants"]}


def flows(ryze: MockRyze) -> list[dict[str, Any]]:
    """The group.flow events so far (each validated against its schema)."""
    found = ryze.events("sales", "group.flow")
    for event in found:
        schemas.validate_event(event)
    return [e["data"] for e in found]
