"""Mock-only verbs: each is declared once, as a :class:`Verb` row, and reached three ways.

- over HTTP, as a ``/__mock__`` route (the row becomes an :class:`Endpoint`);
- in-process, by :class:`mockryze.testing.control.LocalControl` (same validation, same code);
- remotely, by :class:`mockryze.testing.control.RemoteControl` (the row says which request to send).

A verb's ``run`` receives a :class:`Call` (who it acts for, the path parameters and the JSON
arguments: the body of a POST, the query of a GET) and answers ``(status, payload)``, exactly what
the HTTP route answers; the Python API returns the payload's ``result`` member. A TokenInstance
caller sees only its own instance: :meth:`Call.target` and :meth:`Call.instance_filter` enforce it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockryze.core import literals
from mockryze.core.accounts import Caller, caller_for, target_instance
from mockryze.core.errors import ApiError
from mockryze.core.literals import ErrorLiteral
from mockryze.http.auth import CONTROL_TOKEN_HEADER, presents_control_token
from mockryze.http.routing import Context, Endpoint, Result

if TYPE_CHECKING:
    from mockryze.core.world import Account, World
    from mockryze.events.channels import Channels
    from mockryze.instance.model import Instance

MOCK_PREFIX = "/__mock__"


@dataclass(frozen=True)
class Call:
    """One invocation of a verb, however it arrived."""

    world: World
    channels: Channels
    caller: Caller  # the account it acts for, and the instance when the token is a TokenInstance
    params: dict[str, str]  # path parameters: {name}, {id}, {key}
    args: dict[str, Any]  # the JSON body (POST / DELETE) or the query parameters (GET)

    @property
    def account(self) -> Account:
        return self.caller.account

    @property
    def name(self) -> str:
        return self.params["name"]

    def target(self) -> Instance:
        """The ``{name}`` instance, refused as the API refuses its ``:instance`` (404 / 403)."""
        return target_instance(self.caller, self.name)

    def instance_filter(self) -> str | None:
        """A list verb's ``instance`` filter: a TokenInstance lists its own instance, and naming another is 403."""
        named: str | None = self.args.get("instance") or None
        own = self.caller.instance
        if own is None:
            return named
        if named is not None and named != own.name:
            raise ApiError(literals.TOKEN_INSTANCE_MISMATCH)
        return own.name

    def sees(self, account_token: str, instance: str) -> bool:
        """Whether the caller may see something of ``instance`` in the account ``account_token``."""
        own = self.caller.instance
        return account_token == self.account.token and (own is None or own.name == instance)


@dataclass(frozen=True)
class Verb:
    """One row of the control plane: the Python verb, its HTTP route and what it answers."""

    name: str  # the Control method that reaches it
    method: str
    path: str  # under /__mock__, e.g. /instances/{name}/scan
    run: Callable[[Call], tuple[int, dict[str, Any]]]
    summary: str
    result: str | None  # the payload member the Python API returns (None: the whole payload)
    request_schema: str | None = None
    responses: dict[int, str] = field(default_factory=dict)
    errors: tuple[ErrorLiteral, ...] = ()
    query: dict[str, str] = field(default_factory=dict)
    scoped: bool = True  # acts for the account named by the ``token`` header; False: the whole world
    keyed: bool = False  # the path's {key} is the capability: open even when a control token is set

    @property
    def own_read(self) -> bool:
        """A read of one account or instance: its own token is enough, even when a control token is set."""
        return self.scoped and self.method == "GET"

    def caller(self, world: World, token: str | None) -> Caller:
        return caller_for(world, token if self.scoped else None)

    def endpoint(self) -> Endpoint:
        gated = () if self.keyed or literals.INVALID_TOKEN in self.errors else (literals.INVALID_TOKEN,)
        return Endpoint(self.method, MOCK_PREFIX + self.path, _handler(self), self.summary, auth="none",
                        request_schema=self.request_schema, responses=self.responses,
                        errors=(*gated, *self.errors), tag="mock", query=self.query)


def _handler(verb: Verb) -> Callable[[Context], Result]:
    def handle(ctx: Context) -> Result:
        args = dict(ctx.query) if verb.method == "GET" else ctx.body
        caller = _authorize(verb, ctx)
        params = {k: str(v) for k, v in ctx.request.path_params.items()}
        call = Call(ctx.world, ctx.request.app.state.channels, caller, params, args)
        return verb.run(call)

    handle.__name__ = verb.name
    return handle


def _authorize(verb: Verb, ctx: Context) -> Caller:
    """Who the call acts for; with ``--control-token`` set, refused unless the request presents it
    (or, for a read of one account or instance, that account's or instance's own token)."""
    token = ctx.request.headers.get("token")
    caller = verb.caller(ctx.world, token)
    required = ctx.world.settings.control_token
    if (required is None or verb.keyed or (verb.own_read and token)
            or presents_control_token(ctx.request.headers, required)):
        return caller
    raise ApiError(literals.INVALID_TOKEN, f"the control plane needs the control token in {CONTROL_TOKEN_HEADER}")


def ok(message: str, **members: Any) -> dict[str, Any]:
    """The control plane's success envelope."""
    return {"success": True, "message": message, **members}


def listing(key: str, items: list[Any]) -> dict[str, Any]:
    return {"success": True, "count": len(items), key: items}
