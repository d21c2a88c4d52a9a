"""aiohttp: ``ClientSession._request``, which every call goes through, ``ws_connect`` included.

An intercepted URL is sent to the world's loopback server (plain ``http``/``ws`` on 127.0.0.1), so
aiohttp's own protocol code runs unchanged; the response still names the URL the code asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from typing import Any

import aiohttp
from yarl import URL

from mockryze.testing.intercept.registry import Patch, route

Request = Callable[..., Coroutine[Any, Any, aiohttp.ClientResponse]]
SECURE = {"https": "http", "wss": "ws"}


def _wrap(original: Request) -> Request:
    async def _request(self: aiohttp.ClientSession, method: str, str_or_url: Any, **kwargs: Any
                       ) -> aiohttp.ClientResponse:
        asked = self._build_url(str_or_url)
        gateway = route(asked.host, asked.port if asked.explicit_port else None)
        if gateway is None:
            return await original(self, method, str_or_url, **kwargs)
        host, port = gateway.loopback()
        local = URL.build(scheme=SECURE.get(asked.scheme, asked.scheme), host=host, port=port,
                          path=asked.raw_path, query_string=asked.raw_query_string, encoded=True)
        kwargs.pop("server_hostname", None)
        kwargs["proxy"] = None
        response = await original(self, method, local, **kwargs)
        with contextlib.suppress(AttributeError):  # the code under test sees the URL it asked for
            response._url = response._real_url = asked
        return response

    return _request


def patches() -> list[Patch]:
    return [Patch(aiohttp.ClientSession, "_request", _wrap)]
