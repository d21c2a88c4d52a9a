"""The scenarios' and faults' mock-only verbs: load and list scenarios, switch named faults on and off."""

from __future__ import annotations

from typing import Any

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.literals import INVALID_BODY
from mockryze.http.verbs import Call, Verb, listing, ok
from mockryze.scenarios import faults, loader, runner, shipped


def add_fault(call: Call) -> tuple[int, dict[str, Any]]:
    args = dict(call.args)
    named = call.instance_filter() if args.get("instance") or call.caller.instance else None
    if named is not None:
        args["instance"] = named
    made = faults.add(call.world, call.account.token, args)
    return 201, ok(literals.MOCK_FAULT_INJECTED, fault=made.view())


def list_faults(call: Call) -> tuple[int, dict[str, Any]]:
    own = call.caller.instance.name if call.caller.instance else None
    return 200, listing("faults", [f.view() for f in faults.listed(call.world, call.account.token, own)])


def remove_fault(call: Call) -> tuple[int, dict[str, Any]]:
    own = call.caller.instance.name if call.caller.instance else None
    faults.remove(call.world, call.account.token, call.params["id"], own)
    return 200, ok(literals.MOCK_FAULT_REMOVED)


def clear_faults(call: Call) -> tuple[int, dict[str, Any]]:
    own = call.caller.instance.name if call.caller.instance else None
    faults.clear(call.world, call.account.token, own)
    return 200, ok(literals.MOCK_FAULTS_CLEARED)


def load_scenario(call: Call) -> tuple[int, dict[str, Any]]:
    if call.caller.instance is not None:
        raise ApiError(literals.INVALID_TOKEN, "loading a scenario creates instances: it needs the TokenAccount")
    try:
        scenario = loader.load(call.args)
        player = runner.start(call.world, call.channels, scenario, call.account.token)
    except loader.ScenarioError as error:
        raise ApiError(INVALID_BODY, str(error)) from None
    return 201, ok(literals.MOCK_SCENARIO_LOADED, scenario=player.view(call.world))


def list_scenarios(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, listing("scenarios", [p.view(call.world) for p in runner.listed(call.world, call.account.token)])


def shipped_scenarios(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, listing("scenarios", [s.view() for s in shipped.shipped()])


FAULT_ERRORS = (INVALID_BODY, literals.INVALID_NUMBER, literals.TOKEN_INSTANCE_MISMATCH)
VERBS: tuple[Verb, ...] = (
    Verb("add_fault", "POST", "/faults", add_fault, "Switch a named fault on (scope, times, probability)",
         result="fault", request_schema="mock/fault.request", responses={201: "mock/fault.response"},
         errors=FAULT_ERRORS),
    Verb("faults", "GET", "/faults", list_faults, "The faults switched on, with their hit counts", result="faults",
         responses={200: "mock/faults.response"}),
    Verb("clear_faults", "DELETE", "/faults", clear_faults, "Switch every fault off", result=None,
         responses={200: "mock/ok.response"}),
    Verb("remove_fault", "DELETE", "/faults/{id}", remove_fault, "Switch one fault off", result=None,
         responses={200: "mock/ok.response"}, errors=(literals.MOCK_FAULT_NOT_FOUND,)),
    Verb("load_scenario", "POST", "/scenarios", load_scenario,
         "Load a scenario (its world, contacts, faults) and start its timeline on the virtual clock",
         result="scenario", request_schema="scenario", responses={201: "mock/scenario.response"},
         errors=(INVALID_BODY,)),
    Verb("scenarios", "GET", "/scenarios", list_scenarios, "The loaded scenarios: which step each is at",
         result="scenarios", responses={200: "mock/scenarios.response"}),
    Verb("shipped_scenarios", "GET", "/scenarios/shipped", shipped_scenarios,
         "The scenarios shipped with mockryze, by name, each with the document that loads it",
         result="scenarios", responses={200: "mock/shipped-scenarios.response"}),
)
