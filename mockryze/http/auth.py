"""Where a request carries its token: the three documented transports, and the control token's header."""

from __future__ import annotations

import hmac

from starlette.datastructures import Headers, QueryParams

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


def presents_control_token(headers: Headers, expected: str) -> bool:
    presented = headers.get(CONTROL_TOKEN_HEADER, "").encode("latin-1")  # the header's own bytes
    return hmac.compare_digest(presented, expected.encode("utf-8"))
