"""Shared test helpers: every response the suite receives is checked against ``schemas/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockryze.core import schemas
from mockryze.http.app import ALL_ENDPOINTS
from mockryze.http.routing import Endpoint
from mockryze.testing.api import MockRyze


def _pattern(path: str) -> re.Pattern[str]:
    """``:instance`` and ``{param}`` match one segment (maybe empty); ``{param:path}`` the rest."""
    regex = re.escape(path)
    regex = re.sub(r"\\\{\w+:path\\\}", ".+", regex)
    regex = re.sub(r":instance|\\\{\w+\\\}", "[^/]*", regex)
    return re.compile(f"^{regex}/?$")


_ROUTES = [(spec, _pattern(spec.path)) for spec in ALL_ENDPOINTS]


def endpoint_for(method: str, path: str) -> Endpoint | None:
    for spec, pattern in _ROUTES:
        if spec.method == method and pattern.match(path):
            return spec
    return None


def schema_name_for(method: str, path: str, status: int) -> str:
    spec = endpoint_for(method, path)
    if spec is not None and status in spec.responses:
        return spec.responses[status]
    assert status >= 400, f"{method} {path} answered {status}, which its route does not document"
    return "common/error"


def check_response(response: httpx.Response) -> httpx.Response:
    """Validate a response body against the schema of its route and status (errors: the envelope)."""
    request = response.request
    assert response.headers.get("content-type", "").startswith("application/json"), response.text
    schemas.validate(schema_name_for(request.method, request.url.path, response.status_code), response.json())
    return response


class CheckedClient:
    """An httpx client whose every response is schema-checked before the test sees it."""

    def __init__(self, client: httpx.Client, token: str | None = None) -> None:
        self._client = client
        self.token = token

    def request(self, method: str, url: str, *, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        chosen = token if token is not None else self.token
        if chosen and not any(h.lower() in ("token", "authorization") for h in headers):
            headers["token"] = chosen
        return check_response(self._client.request(method, url, headers=headers, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)


@pytest.fixture
def api(ryze: MockRyze) -> Iterator[CheckedClient]:
    """The in-process app, authenticated with the default account token, responses schema-checked."""
    yield CheckedClient(ryze.client, ryze.account_token)


def error_of(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["success"] is False, body
    return response.status_code, body["error"]["message"]
