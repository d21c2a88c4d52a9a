"""Per-token rate limits (sliding window) with the documented ``X-RateLimit-*`` headers.

The headers are on every response under /api/ and /ws/; ``rate_limits`` off only stops the 429s.

The limiter's memory is bounded by who is calling now, not by who ever called: a token that does not
authenticate keeps no window of its own (requests without a valid token share one per client address),
and windows whose last request has left them are dropped.
"""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockryze.core import literals
from mockryze.core.settings import Settings
from mockryze.http.auth import scope_token
from mockryze.http.envelope import error_body

CREATE_ROUTE = ("POST", "/api/instance/new")
LIMITED_PREFIXES = ("/api/", "/ws/")


class RateLimiter:
    def __init__(self, settings: Settings, now: Callable[[], float], authenticates: Callable[[str], bool]) -> None:
        self.settings = settings
        self.now = now
        self.authenticates = authenticates  # whether a token is one of the world's (an account's or an instance's)
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._next_sweep = -math.inf
        self._lock = threading.Lock()

    def limit_for(self, bucket: str) -> int:
        return self.settings.rate_limit_create if bucket == "create" else self.settings.rate_limit_global

    def key_for(self, token: str | None, client_address: str) -> str:
        """The window a request counts in: its token's, or, without a valid token, its client address's."""
        return token if token and self.authenticates(token) else f"anonymous:{client_address}"

    def hit(self, key: str, bucket: str) -> tuple[bool, dict[str, str]]:
        """Count one request; returns (allowed, headers)."""
        now, window, limit = self.now(), self.settings.rate_window, self.limit_for(bucket)
        with self._lock:
            self._sweep(now, window)
            hits = self._hits.setdefault((key, bucket), deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            counted = len(hits) < limit  # over the limit nothing is counted, so a window holds at most `limit`
            if counted:
                hits.append(now)
            allowed = counted or not self.settings.rate_limits
            reset = math.ceil((hits[0] if hits else now) + window)
            remaining = max(limit - len(hits), 0)
        headers = {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
        }
        if not allowed:
            headers["Retry-After"] = str(max(math.ceil(reset - now), 1))
        return allowed, headers

    def _sweep(self, now: float, window: float) -> None:
        """Drop the windows no request is left in; once per window length, so each request pays O(1) on average."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + window
        self._hits = {key: hits for key, hits in self._hits.items() if hits and hits[-1] > now - window}

    def tracked(self) -> int:
        """How many windows the limiter holds (one per active token and bucket, one per anonymous client)."""
        with self._lock:
            return len(self._hits)

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


class RateLimitMiddleware:
    """Pure ASGI middleware: counts every request under /api/ and /ws/, answers 429 over an enforced limit."""

    def __init__(self, app: ASGIApp, limiter: Callable[[], RateLimiter | None]) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter()
        limited = scope["type"] in ("http", "websocket") and scope["path"].startswith(LIMITED_PREFIXES)
        if limiter is None or not limited:
            await self.app(scope, receive, send)
            return
        token = scope_token(scope)
        client = scope.get("client") or ("local", 0)
        key = limiter.key_for(token, str(client[0]))
        bucket = "create" if (scope.get("method"), scope["path"].rstrip("/")) == CREATE_ROUTE else "global"
        allowed, headers = limiter.hit(key, bucket)
        raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if not allowed:
            await _reject(scope, send, raw_headers)
            return
        await self.app(scope, receive, with_headers(send, raw_headers))


def with_headers(send: Send, headers: list[tuple[bytes, bytes]]) -> Send:
    """``send`` with ``headers`` appended to the response's start."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":  # a header the app set itself (a fault's 429) wins
            present = {name.lower() for name, _ in message.get("headers", [])}
            message = {**message, "headers": list(message.get("headers", []))
                       + [(name, value) for name, value in headers if name not in present]}
        await send(message)

    return send_with_headers


async def _reject(scope: Scope, send: Send, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps(error_body(literals.RATE_LIMITED.message)).encode()
    start_type = "http.response.start" if scope["type"] == "http" else "websocket.http.response.start"
    body_type = "http.response.body" if scope["type"] == "http" else "websocket.http.response.body"
    await send({
        "type": start_type,
        "status": literals.RATE_LIMITED.status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *headers],
    })
    await send({"type": body_type, "body": body})
