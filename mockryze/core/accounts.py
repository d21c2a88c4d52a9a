"""Who is calling (an account or one of its instances, by token) and which instance it may touch."""

from __future__ import annotations

from dataclasses import dataclass

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.world import Account, World
from mockryze.instance import model as instances
from mockryze.instance.model import Instance


@dataclass(frozen=True)
class Caller:
    account: Account
    instance: Instance | None = None  # set when the token is a TokenInstance

    @property
    def is_account(self) -> bool:
        return self.instance is None


def authenticate(world: World, token: str | None) -> Caller:
    if token:
        account = world.accounts.get(token)
        if account is not None:
            return Caller(account)
        owned = world.instance_by_token(token)
        if owned is not None:
            return Caller(owned.account, owned)
    raise ApiError(literals.INVALID_TOKEN)


def require_account_token(caller: Caller) -> None:
    """Create and delete take the TokenAccount only; a TokenInstance gets 401 (documented on delete)."""
    if not caller.is_account:
        raise ApiError(literals.INVALID_TOKEN, "this route needs the TokenAccount")


def target_instance(caller: Caller, name: str) -> Instance:
    """The ``:instance`` the caller may act on, or the documented refusal."""
    found = instances.find(caller.account, name)  # 400 empty name / 404 unknown in this account
    if caller.instance is not None and caller.instance is not found:
        raise ApiError(literals.TOKEN_INSTANCE_MISMATCH)
    return found


def caller_for(world: World, token: str | None) -> Caller:
    """Who a control-plane call acts for: a TokenAccount / TokenInstance, or the default account."""
    return Caller(world.default_account) if not token else authenticate(world, token)


def account_for(world: World, token: str | None) -> Account:
    """The account a control-plane call acts for: a TokenAccount / TokenInstance, or the default one."""
    return caller_for(world, token).account
