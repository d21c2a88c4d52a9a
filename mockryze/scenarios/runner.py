"""Play a scenario on a world: set it up, then let the virtual clock run its timeline.

Every step and every reply goes through the one :class:`~mockryze.testing.control.Control`
interface (a :class:`LocalControl` on the world), so whatever the control plane can do is a step.
The timeline lives on the world's timers: a test that advances the clock ten minutes plays ten
minutes of conversation at once; a served world with a running clock plays it in real time.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockryze.core.bus import RecordedEvent
from mockryze.core.errors import ApiError
from mockryze.core.perworld import PerWorld
from mockryze.core.world import World
from mockryze.scenarios import faults
from mockryze.scenarios.loader import ScenarioError
from mockryze.scenarios.model import ContactSpec, ReplyRule, Scenario, Step

if TYPE_CHECKING:
    from mockryze.events.channels import Channels
    from mockryze.instance.model import Instance
    from mockryze.messages.model import Message
    from mockryze.testing.control import LocalControl


@dataclass
class Player:
    """One loaded scenario: where its timeline is, what went wrong, what its contacts answered."""

    id: str
    scenario: Scenario
    control: LocalControl
    account: str
    start: float
    contacts: dict[tuple[str, str], ContactSpec] = field(default_factory=dict)  # (instance, contact JID)
    done: int = 0
    replies: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    rule_uses: dict[tuple[str, int], int] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)  # outgoing message ids already answered
    stopped: bool = False

    def view(self, world: World) -> dict[str, Any]:
        steps = self.scenario.steps
        status = "stopped" if self.stopped else "finished" if self.done >= len(steps) else "playing"
        return {"id": self.id, "name": self.scenario.name, "description": self.scenario.description,
                "seed": self.scenario.seed, "startedAt": world.iso(self.start), "end": self.scenario.end,
                "steps": len(steps), "done": self.done, "next": steps[self.done].at if self.done < len(steps) else None,
                "status": status, "errors": list(self.errors),
                "instances": [i.name for i in self.scenario.instances], "replies": self.replies}


@dataclass
class _Players:
    by_account: dict[str, list[Player]] = field(default_factory=dict)
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))


def _empty(players: _Players) -> None:
    for running in players.by_account.values():
        for player in running:
            player.stopped = True
    players.by_account.clear()
    players.seq = itertools.count(1)


def _listen(world: World, players: _Players) -> None:
    world.bus.subscribe(lambda record: _on_event(world, players, record))


_state = PerWorld(_Players, _empty, _listen)


def listed(world: World, account: str) -> list[Player]:
    return list(_state(world).by_account.get(account, []))


# --- setting up -------------------------------------------------------------------------------
def start(world: World, channels: Channels, scenario: Scenario, account_token: str | None = None) -> Player:
    """Apply the scenario's world (instances, contacts, faults) and schedule its timeline.

    Refused (:class:`ScenarioError`) before anything changes when an instance already exists.
    """
    from mockryze.core.accounts import caller_for
    from mockryze.testing.control import LocalControl

    with world.lock:
        account = caller_for(world, account_token).account
        for index, spec in enumerate(scenario.instances):
            if spec.name in account.instances:
                raise ScenarioError(f"instances/{index}/name", f"instance {spec.name!r} already exists")
            if len(account.instances) + index >= account.instance_limit:
                raise ScenarioError(f"instances/{index}", f"over the account's instance limit "
                                                          f"({account.instance_limit})")
            token = spec.inline.get("token")
            if isinstance(token, str) and world.token_in_use(token):
                raise ScenarioError(f"instances/{index}/settings/token", "token already in use")
        state = _state(world)
        player = Player(f"scn_{next(state.seq):06d}", scenario, LocalControl(world, channels), account.token,
                        world.now())
        try:
            _set_up(player, account_token)
        except ApiError as error:
            _undo(world, player)
            raise ScenarioError("(document)", f"{error.message} ({error.detail})" if error.detail
                                else error.message) from None
        state.by_account.setdefault(account.token, []).append(player)
        _schedule(world, player, account_token)
        return player


def _set_up(player: Player, token: str | None) -> None:
    control, scenario = player.control, player.scenario
    for spec in scenario.instances:
        control.create_instance(spec.name, account_token=token, **spec.inline)
        if spec.connected:
            control.connect(spec.name, account_token=token)
            control.scan(spec.name, spec.number, spec.push_name, account_token=token)
    for contact in scenario.contacts:
        book = dict(contact.book)
        if contact.read_delay is not None and book.get("receipts", "normal") == "normal":
            book["receipts"] = "unread"  # delivered by the pipeline; read when the contact's delay says
        for name in contact.instances:
            saved = control.invoke("contact", {"name": name}, {"number": contact.number, **book}, token)[1]
            player.contacts[(name, saved["contact"]["jid"])] = contact
    for fault in scenario.faults:
        if fault.at is None:
            _add_fault(player, fault.args, token)


def _undo(world: World, player: Player) -> None:
    from mockryze.instance import model as instances

    account = world.accounts[player.account]
    for spec in player.scenario.instances:
        made = account.instances.get(spec.name)
        if made is not None:
            instances.delete(world, made)
    faults.clear(world, player.account)


def _schedule(world: World, player: Player, token: str | None) -> None:
    for step in player.scenario.steps:
        world.schedule_at(player.start + step.at, _stepper(player, step, token))
    for fault in player.scenario.faults:
        added: list[str] = []
        if fault.at is not None:
            world.schedule_at(player.start + fault.at, _guarded(player, lambda f=fault, a=added: a.append(
                _add_fault(player, f.args, token))))
        if fault.until is not None:
            world.schedule_at(player.start + fault.until, _guarded(player, lambda a=added: _remove_faults(player, a)))


def _add_fault(player: Player, args: dict[str, Any], token: str | None) -> str:
    return str(player.control.invoke("add_fault", {}, dict(args), token)[1]["fault"]["id"])


def _remove_faults(player: Player, ids: list[str]) -> None:
    """``until``: the fault stops firing and stays listed with its counts (GET /__mock__/faults)."""
    for fault_id in ids:
        faults.switch_off(player.control.world, player.account, fault_id)


def _guarded(player: Player, action: Any) -> Any:
    def fire() -> None:
        if not player.stopped:
            action()
    return fire


# --- the timeline -----------------------------------------------------------------------------
def _stepper(player: Player, step: Step, token: str | None) -> Any:
    def fire() -> None:
        if player.stopped:
            return
        try:
            run_step(player, step, token)
        except (ApiError, ScenarioError) as error:
            detail = getattr(error, "detail", None)
            player.errors.append({"step": step.index, "at": step.at, "action": step.action,
                                  "message": f"{error}" + (f" ({detail})" if detail else "")})
        player.done += 1
    return fire


def run_step(player: Player, step: Step, token: str | None) -> None:
    control = player.control
    if step.action == "connect":
        assert step.instance is not None
        control.connect(step.instance, step.args.get("number"), account_token=token)
        return
    params = dict(step.params)
    if step.instance is not None:
        params["name"] = step.instance
    args = {k: _placeholder(player, step, v) for k, v in step.args.items()}
    control.invoke(step.action, params, args, token)


def _placeholder(player: Player, step: Step, value: Any) -> Any:
    """``$now``: the virtual time (ISO-8601); ``$last_sent`` / ``$last_received``: the id of the
    instance's newest outgoing / incoming message. Nested in objects and lists too."""
    if isinstance(value, dict):
        return {k: _placeholder(player, step, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholder(player, step, v) for v in value]
    if value == "$now":
        return player.control.world.iso()
    if value not in ("$last_sent", "$last_received") or step.instance is None:
        return value
    inst = player.control.world.accounts[player.account].instances.get(step.instance)
    wanted = "outgoing" if value == "$last_sent" else "incoming"
    found = next((m for m in reversed(inst.messages.values()) if m.direction == wanted), None) if inst else None
    if found is None:
        raise ScenarioError(f"steps/{step.index}", f"{value}: no {wanted} message yet")
    return found.id


# --- contacts that answer ---------------------------------------------------------------------
def _on_event(world: World, state: _Players, record: RecordedEvent) -> None:
    if record.event != "message.exchange":
        return
    players = state.by_account.get(record.account_token)
    if not players:
        return
    account = world.accounts.get(record.account_token)
    inst = account.instances.get(record.instance) if account else None
    newest = next(reversed(inst.messages.values()), None) if inst and inst.messages else None
    if inst is None or newest is None or newest.direction != "outgoing":
        return
    for player in players:
        contact = player.contacts.get((inst.name, newest.chat.jid))
        if contact is not None and not player.stopped and newest.id not in player.seen:
            player.seen.add(newest.id)
            _answer(world, player, inst, contact, newest)


def _answer(world: World, player: Player, inst: Instance, contact: ContactSpec, message: Message) -> None:
    if contact.read_delay is not None:
        delay = max(contact.read_delay, world.settings.receipt_delivered_delay)
        world.schedule(delay, _guarded(player, lambda: _read(player, inst, message)))
    for position, rule in enumerate(contact.rules):
        key = (contact.alias, position)
        if rule.times is not None and player.rule_uses.get(key, 0) >= rule.times:
            continue
        if rule.matches(message.content):
            player.rule_uses[key] = player.rule_uses.get(key, 0) + 1
            world.schedule(contact.typing + rule.after,
                           _guarded(player, lambda r=rule: _reply(player, inst, contact, r, message)))
            return


def _read(player: Player, inst: Instance, message: Message) -> None:
    if inst.messages.get(message.id) is message and message.status in ("sent", "delivered"):
        with contextlib.suppress(ApiError):  # the instance went offline meanwhile: no receipt, as on WhatsApp
            player.control.invoke("receipt", {"name": inst.name}, {"messageId": message.id, "status": "read"},
                                  inst.token)


def _reply(player: Player, inst: Instance, contact: ContactSpec, rule: ReplyRule, message: Message) -> None:
    body = {k: message.id if v == "$trigger" else v for k, v in rule.reply.items()}
    try:
        player.control.invoke("inbound", {"name": inst.name}, {"from": contact.number, **body}, inst.token)
        player.replies += 1
    except ApiError as error:
        player.errors.append({"step": -1, "at": player.control.world.now() - player.start,
                              "action": "reply", "message": f"{contact.alias}: {error} ({error.detail})"})
