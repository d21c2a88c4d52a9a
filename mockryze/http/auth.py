"""Who is calling: the token (three documented transports) and what it may touch."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers, QueryParams

from mockryze import catalog, instance
from mockryze.errors import ApiError
from mockryze.instance import Instance
from mockryze.world import Account, World


def presented_token(headers: Headers, query: QueryParams) -> str | None:
    """``token`` header, then ``Authorization: Bearer``, then ``?token=`` (precedence inferred)."""
    token = headers.get("token")
    if token:
        return token
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return query.get("token") or None


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
    raise ApiError(catalog.INVALID_TOKEN)


def require_account_token(caller: Caller) -> None:
    """Create and delete take the TokenAccount only; a TokenInstance gets 401 (documented on delete)."""
    if not caller.is_account:
        raise ApiError(catalog.INVALID_TOKEN, "this route needs the TokenAccount")


def target_instance(caller: Caller, name: str) -> Instance:
    """The ``:instance`` the caller may act on, or the documented refusal."""
    found = instance.find(caller.account, name)  # 400 empty name / 404 unknown in this account
    if caller.instance is not None and caller.instance is not found:
        raise ApiError(catalog.TOKEN_INSTANCE_MISMATCH)
    return found
