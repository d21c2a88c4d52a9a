"""``/__mock__/*`` verbs of the world itself: reset, accounts, the virtual clock and the contract table.

Each module declares its own verbs (``<module>/verbs.py``); :mod:`mockryze.modules` gathers them.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from mockryze.core import literals, quirks, stats
from mockryze.core.errors import ApiError
from mockryze.core.literals import INVALID_BODY
from mockryze.core.settings import LATEST_EPOCH
from mockryze.core.world import World
from mockryze.http import journal
from mockryze.http.verbs import Call, Verb, listing, ok


def reset(call: Call) -> tuple[int, dict[str, Any]]:
    call.world.reset()
    return 200, ok("World reset")


def new_account(call: Call) -> tuple[int, dict[str, Any]]:
    try:
        own = quirks.checked(call.args.get("quirks") or {})
    except quirks.QuirkError as error:
        raise ApiError(literals.MOCK_UNKNOWN_QUIRK, str(error)) from None
    account = call.world.add_account(call.args.get("token"), call.args.get("instanceLimit"), own)
    if call.args.get("strictFields"):
        journal.set_strict(call.world, account.token)
    return 201, {"token": account.token, "instanceLimit": account.instance_limit}


def move_clock(world: World, advance: float | None = None, freeze: bool | None = None) -> None:
    if advance and not world.now() + advance <= LATEST_EPOCH:  # also refuses inf and nan
        raise ApiError(literals.INVALID_BODY, f"advance: the clock cannot move past year 9000 (asked {advance})")
    if freeze is True:
        world.clock.freeze()
    elif freeze is False:
        world.clock.unfreeze()
    if advance:
        world.clock.advance(advance)
    world.run_due()


def read_clock(call: Call) -> tuple[int, dict[str, Any]]:
    world = call.world
    return 200, {"success": True, "now": world.now(), "iso": world.iso(), "frozen": world.clock.frozen}


def set_clock(call: Call) -> tuple[int, dict[str, Any]]:
    move_clock(call.world, call.args.get("advance"), call.args.get("freeze"))
    return read_clock(call)


def contract(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, contract_table()


def requests(call: Call) -> tuple[int, dict[str, Any]]:
    instance, route, status = call.instance_filter(), call.args.get("route"), call.args.get("status")
    found = [entry for entry in journal.listed(call.world, call.account.token)
             if (instance is None or entry["instance"] == instance) and (route is None or entry["route"] == route)
             and (status is None or str(entry["status"]) == str(status))]
    return 200, listing("requests", found)


def clear_requests(call: Call) -> tuple[int, dict[str, Any]]:
    journal.clear(call.world, call.account.token, call.instance_filter())
    return 200, ok("Request journal cleared")


def list_quirks(call: Call) -> tuple[int, dict[str, Any]]:
    """Each quirk's value for the caller's account (or ``?account=``), where it was set, and the alternatives."""
    world, named = call.world, call.args.get("account")
    account = world.accounts.get(named) if named else call.account
    if account is None:
        raise ApiError(literals.MOCK_ACCOUNT_NOT_FOUND)
    server = quirks.parse(world.settings.quirks)
    return 200, {"success": True, "profile": world.settings.profile, "count": len(quirks.QUIRKS),
                 "quirks": quirks.describe(account, server)}


def read_stats(call: Call) -> tuple[int, dict[str, Any]]:
    """Cumulative counters of the world, what it holds now against its caps, and the process's GC."""
    world = call.world
    held = sum(len(instance.messages) for account in world.accounts.values()
               for instance in account.instances.values())
    return 200, {"success": True, "counters": world.stats.view(),
                 "held": {"messages": held, "messageStoreLimit": world.settings.message_store_limit,
                          "events": world.bus.size(), "eventRecordLimit": world.settings.event_record_limit},
                 "gc": stats.gc_view()}


@cache
def contract_table() -> dict[str, Any]:
    text = (resources.files("mockryze") / "contract.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


VERBS: tuple[Verb, ...] = (
    Verb("reset", "POST", "/reset", reset, "Empty the world (the default account is kept)", result=None,
         responses={200: "mock/ok.response"}, scoped=False),
    Verb("new_account", "POST", "/accounts", new_account, "Create an isolated account", result="token",
         request_schema="mock/account.request", responses={201: "mock/account.response"},
         errors=(INVALID_BODY, literals.MOCK_ACCOUNT_EXISTS, literals.MOCK_UNKNOWN_QUIRK), scoped=False),
    Verb("clock", "GET", "/clock", read_clock, "Read the virtual clock", result=None,
         responses={200: "mock/clock.response"}, scoped=False),
    Verb("move_clock", "POST", "/clock", set_clock, "Advance or freeze the virtual clock", result=None,
         request_schema="mock/clock.request", responses={200: "mock/clock.response"}, errors=(INVALID_BODY,),
         scoped=False),
    Verb("contract", "GET", "/contract", contract, "Where the mock follows the docs, live observations or a guess",
         result=None, responses={200: "mock/contract.response"}, scoped=False),
    Verb("requests", "GET", "/requests", requests, "What the emulated API received (the request journal)",
         result="requests", responses={200: "mock/requests.response"}, errors=(literals.TOKEN_INSTANCE_MISMATCH,),
         query={"instance": "only requests to this instance", "route": "only this route, e.g. "
                "POST /api/message/text/:instance", "status": "only answers with this status"}),
    Verb("quirks", "GET", "/quirks", list_quirks, "Each live-vs-docs quirk: its value, the alternatives, their sources",
         result="quirks", responses={200: "mock/quirks.response"}, errors=(literals.MOCK_ACCOUNT_NOT_FOUND,),
         query={"account": "this TokenAccount's values (default: the caller's account)"}),
    Verb("clear_requests", "DELETE", "/requests", clear_requests, "Empty the caller's request journal",
         result=None, responses={200: "mock/ok.response"}),
    Verb("stats", "GET", "/stats", read_stats,
         "Counters since start: events, timers, deliveries, frames, the store, GC", result=None,
         responses={200: "mock/stats.response"}, scoped=False),
)
