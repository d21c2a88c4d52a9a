"""requests: ``HTTPAdapter.send``, the one place every Session (and ``requests.get``) sends from.

An intercepted request runs the world's app in-process; the answer is built into a
``requests.Response`` by the adapter's own ``build_response``, as for a real socket.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3 import HTTPHeaderDict, HTTPResponse
from urllib3.util import parse_url

from mockryze.testing.intercept.registry import Patch, route

Send = Callable[..., requests.Response]


def _body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    if hasattr(body, "read"):  # a file
        data = body.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return b"".join(part.encode("utf-8") if isinstance(part, str) else bytes(part) for part in body)  # a generator


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _wrap(original: Send) -> Send:
    def send(self: HTTPAdapter, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        url = parse_url(request.url or "")
        gateway = route(url.host, url.port)
        if gateway is None:
            return original(self, request, *args, **kwargs)
        headers = [(k, v if isinstance(v, str) else v.decode("latin-1")) for k, v in request.headers.items()]
        asked = httpx.Request(request.method or "GET", request.url or "", headers=headers, content=_body(request.body))
        answer = gateway.sync_transport.handle_request(asked)
        answered = HTTPHeaderDict()
        for name, value in answer.headers.multi_items():
            answered.add(name, value)
        raw = HTTPResponse(body=io.BytesIO(answer.content), headers=answered,
                           status=answer.status_code, reason=_reason(answer.status_code),
                           preload_content=False, decode_content=False)
        return self.build_response(request, raw)

    return send


def patches() -> list[Patch]:
    return [Patch(HTTPAdapter, "send", _wrap)]
