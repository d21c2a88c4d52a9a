"""Where a request carries its token: the three documented transports, and the control token's header."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers, QueryParams
from starlette.types import Scope

CONTROL_TOKEN_HEADER = "X-Mockryze-Control-Token"  # apart from ``token``, which names the account acted for


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


_SCOPE_KEY = "mockryze.token"  # the token a request presented, found once per request (its scope carries it)


def scope_token(scope: Scope) -> str | None:
    """:func:`presented_token` read straight off the raw ASGI headers (no ``Headers`` built), once per request."""
    if _SCOPE_KEY in scope:
        found: str | None = scope[_SCOPE_KEY]
        return found
    token = authorization = None
    for name, value in scope["headers"]:
        if name == b"token" and token is None:
            token = value.decode("latin-1")
        elif name == b"authorization" and authorization is None:
            authorization = value.decode("latin-1")
    if not token:
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            token = credentials.strip()
        else:
            query = scope.get("query_string", b"")
            token = (QueryParams(query).get("token") or None) if query else None
    scope[_SCOPE_KEY] = token
    return token


def presents_control_token(headers: Headers, expected: str) -> bool:
    presented = headers.get(CONTROL_TOKEN_HEADER, "").encode("latin-1")  # the header's own bytes
    return hmac.compare_digest(presented, expected.encode("utf-8"))
