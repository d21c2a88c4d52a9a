"""What only a mock does: the control plane, shared by ``/__mock__/*`` and the Python API.

These functions drive the world the way the phone, WhatsApp or the test author would; they never
bypass the rules the emulated API enforces.
"""

from __future__ import annotations

from typing import Any

from mockryze import instance
from mockryze.events import RecordedEvent
from mockryze.http.auth import authenticate
from mockryze.instance import Instance
from mockryze.world import Account, World


def account_for(world: World, token: str | None) -> Account:
    """The account a control call acts for: a TokenAccount / TokenInstance, or the default one."""
    return world.default_account if not token else authenticate(world, token).account


def add_account(world: World, token: str | None = None, instance_limit: int | None = None) -> Account:
    return world.add_account(token, instance_limit)


def scan(
    world: World, account: Account, name: str, number: str | None = None, push_name: str | None = None
) -> Instance:
    target = instance.find(account, name)
    instance.scan(world, target, number, push_name)
    return target


def set_state(world: World, account: Account, name: str, state: str) -> Instance:
    target = instance.find(account, name)
    instance.phone_side_change(world, target, state)
    return target


def events(world: World, account: Account, name: str | None = None, event: str | None = None) -> list[RecordedEvent]:
    return world.bus.records(account_token=account.token, instance=name or None, event=event or None)


def move_clock(world: World, advance: float | None = None, freeze: bool | None = None) -> None:
    if freeze is True:
        world.clock.freeze()
    elif freeze is False:
        world.clock.unfreeze()
    if advance:
        world.clock.advance(advance)
    world.run_due()


def instance_view(inst: Instance) -> dict[str, Any]:
    return {
        "name": inst.name, "status": inst.state.rest, "state": inst.state.value, "numberJid": inst.jid,
        "pushName": inst.push_name, "hasSession": inst.has_session,
    }
