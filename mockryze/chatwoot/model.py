"""RyzeAPI's Chatwoot module, as a model: the instance's one integration row (``Instance.chatwoot``,
also fed by the inline ``chatwoot*`` fields of instance create) and the rules of set / list / delete.

The mock never calls a Chatwoot server or the RyzeIntegrations bridge: an activation whose body is
valid succeeds, with seeded ids. Every function raises :class:`ApiError` with a literal of
:mod:`mockryze.core.literals` when it refuses; a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mockryze.chatwoot.config import ChatwootConfig
from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import ErrorLiteral
from mockryze.core.perworld import PerWorld
from mockryze.core.world import World
from mockryze.instance.model import Instance

# The module's own wording of refusals every route shares (the wrapper applies it).
DETAIL_LIMIT = 200  # a validator's text may quote the whole body
RESPELLED: dict[str, ErrorLiteral] = {literals.INSTANCE_NOT_FOUND.message: literals.CHATWOOT_INSTANCE_NOT_FOUND}


def respell(literal: ErrorLiteral, detail: str | None) -> ErrorLiteral:
    """``instance not found`` in lower case; a refused body is ``invalid body: <detail>``."""
    if literal.message == literals.INVALID_BODY.message:
        text = detail or "invalid"
        return literals.chatwoot_invalid_body(text if len(text) <= DETAIL_LIMIT else text[:DETAIL_LIMIT] + "…")
    return RESPELLED.get(literal.message, literal)


def gate(refusal: ErrorLiteral) -> Callable[[World], None]:
    """With the bridge off (``--chatwoot-gateway off``) a route answers ``refusal`` before it looks
    the instance up: the documented probe ``GET /api/chatwoot/list/anything`` tells 503 from 404."""
    def check(world: World) -> None:
        if not world.settings.chatwoot_gateway:
            raise ApiError(refusal, "--chatwoot-gateway off")
    return check


def _integration_id(world: World) -> str:
    return f"int_{world.ids.hex(12).lower()}"


def _inbox_id(world: World) -> int:
    return 1 + world.ids.integer(10)


def stored(world: World, inst: Instance, missing: ErrorLiteral) -> ChatwootConfig:
    """The instance's integration row, refused with ``missing`` when it has none. An inline activation
    gets its bridge ids when first read (the mock draws them from the seed then)."""
    if not inst.chatwoot.exists:
        raise ApiError(missing)
    inst.chatwoot = inst.chatwoot.provisioned(lambda: _integration_id(world), lambda: _inbox_id(world),
                                              inst.created_at)
    return inst.chatwoot


# --- the simulated Chatwoot servers (control plane) ----------------------------------------------
ANSWERS = ("ok", "account_not_found", "invalid", "token_rejected", "forbidden")
DEFAULT_DETAILS = {  # the raw cause Chatwoot gives, appended after "Detail:"
    "account_not_found": '{"error":"Resource could not be found"}',
    "invalid": '{"message":"Name has already been taken"}',
    "token_rejected": '{"errors":["You need to sign in or sign up before continuing."]}',
    "forbidden": '{"error":"You are not authorized to do this action"}',
}


@dataclass(frozen=True)
class ServerAnswer:
    """How the Chatwoot server at one base URL answers an activation."""

    answer: str  # one of ANSWERS
    detail: str


_SERVERS: PerWorld[dict[str, ServerAnswer]] = PerWorld(dict, dict.clear)


def servers(world: World) -> dict[str, ServerAnswer]:
    """Base URL (no trailing /) -> answer; every other server accepts. Emptied with the world."""
    return _SERVERS(world)


def simulate_server(world: World, base_url: str, answer: str, detail: str | None) -> ServerAnswer:
    key = base_url.rstrip("/")
    simulated = ServerAnswer(answer, detail if detail is not None else DEFAULT_DETAILS.get(answer, ""))
    if answer == "ok":
        servers(world).pop(key, None)
    else:
        servers(world)[key] = simulated
    return simulated


def activate(world: World, inst: Instance, body: Mapping[str, Any]) -> ChatwootConfig:
    """(Re)provision the integration: a new bridge integration and inbox every time (not idempotent).
    A Chatwoot server the control plane made refuse answers its refusal, and nothing changes."""
    base_url = str(body["chatwootBaseUrl"]).rstrip("/")
    refused = servers(world).get(base_url)
    if refused is not None:
        raise ApiError(literals.chatwoot_refused(refused.answer, base_url, body["chatwootAccountId"], refused.detail))
    inst.chatwoot = ChatwootConfig.activated(body, _integration_id(world), _inbox_id(world), world.now())
    inst.updated_at = world.now()
    return inst.chatwoot


def deactivate(world: World, inst: Instance) -> None:
    stored(world, inst, literals.CHATWOOT_NOTHING_TO_DELETE)
    inst.chatwoot = ChatwootConfig()
    inst.updated_at = world.now()


def report(world: World, inst: Instance, status: str, last_error: str | None) -> ChatwootConfig:
    """The bridge reports the integration's health (control plane): ``active``, ``paused`` or ``error``."""
    row = stored(world, inst, literals.CHATWOOT_NOT_CONFIGURED)
    inst.chatwoot = row.reported(status, last_error)
    return inst.chatwoot
