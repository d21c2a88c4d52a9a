"""Where a request carries its token: the three documented transports."""

from __future__ import annotations

from starlette.datastructures import Headers, QueryParams


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
