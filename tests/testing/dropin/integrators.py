"""RyzeAPI clients written the way integrators write them: the real base URL hard-coded, the HTTP
client object made at import time, the event stream on ``wss://ryzeapi.cloud/ws/<instance>``.
Nothing here knows about mockryze; the tests run them against the mock unchanged."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import httpx
import requests
import websockets
from websockets.sync.client import connect as ws_connect_sync

RYZE_URL = "https://ryzeapi.cloud"
RYZE_WS = "wss://ryzeapi.cloud/ws"
MENU_PDF = "https://files.example.org/menu.pdf"
PIXEL_PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

class SyncRoutes:
    """The calls a sync bot makes, each over the bot's own ``_call`` (its HTTP library)."""

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    def create_instance(self, name: str) -> Any:
        return self._call("POST", "/api/instance/new", json={"name": name, "websocketEnabled": True})

    def connect(self, name: str) -> Any:
        return self._call("GET", f"/api/instance/connect/{name}")

    def send_text(self, name: str, number: str, text: str) -> Any:
        return self._call("POST", f"/api/message/text/{name}", json={"number": number, "message": text})

    def send_media(self, name: str, number: str) -> Any:
        return self._call("POST", f"/api/message/media/{name}",
                          json={"number": number, "mediaType": "document", "mediaUrl": MENU_PDF})

    def instances(self) -> Any:
        return self._call("GET", "/api/instance/list")

    def on_open(self) -> None:  # the tests' hook: something happens once the stream is open
        pass


class AsyncRoutes:
    """The calls an asyncio bot makes, each over the bot's own ``_call``."""

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def create_instance(self, name: str) -> Any:
        return await self._call("POST", "/api/instance/new", json={"name": name, "websocketEnabled": True})

    async def connect(self, name: str) -> Any:
        return await self._call("GET", f"/api/instance/connect/{name}")

    async def send_text(self, name: str, number: str, text: str) -> Any:
        return await self._call("POST", f"/api/message/text/{name}", json={"number": number, "message": text})

    async def send_media(self, name: str, number: str) -> Any:
        return await self._call("POST", f"/api/message/media/{name}",
                                json={"number": number, "mediaType": "image", "mediaBase64": PIXEL_PNG})

    async def instances(self) -> Any:
        return await self._call("GET", "/api/instance/list")

    def on_open(self) -> None:  # the tests' hook: something happens once the stream is open
        pass


# --- httpx, sync: one client for the whole app --------------------------------------------------
_http = httpx.Client(base_url=RYZE_URL, timeout=10.0)


class HttpxRyze(SyncRoutes):
    def __init__(self, token: str) -> None:
        self.token = token

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = _http.request(method, path, headers={"token": self.token}, **kwargs)
        response.raise_for_status()
        return response.json()

    def next_event(self, name: str) -> dict[str, Any]:  # httpx has no WebSocket: the sync websockets client
        with ws_connect_sync(f"{RYZE_WS}/{name}", additional_headers={"token": self.token}) as ws:
            self.on_open()
            return dict(json.loads(ws.recv(timeout=10)))


# --- httpx, async, with its own transport (retries) ---------------------------------------------
_ahttp = httpx.AsyncClient(base_url=RYZE_URL, transport=httpx.AsyncHTTPTransport(retries=3), timeout=10.0)


class AsyncHttpxRyze(AsyncRoutes):
    def __init__(self, token: str) -> None:
        self.token = token

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await _ahttp.request(method, path, headers={"token": self.token}, **kwargs)
        response.raise_for_status()
        return response.json()

    async def next_event(self, name: str) -> dict[str, Any]:  # the asyncio websockets client
        async with websockets.connect(f"{RYZE_WS}/{name}?token={self.token}") as ws:
            self.on_open()
            return dict(json.loads(await asyncio.wait_for(ws.recv(), 10)))


# --- requests: a module-level Session ------------------------------------------------------------
_session = requests.Session()
_session.headers["User-Agent"] = "my-bot/1.0"


class RequestsRyze(SyncRoutes):
    def __init__(self, token: str) -> None:
        self.token = token

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"token": self.token, **kwargs.pop("headers", {})}
        response = _session.request(method, RYZE_URL + path, headers=headers, timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def send_text(self, name: str, number: str, text: str) -> Any:
        return self._call("POST", f"/api/message/text/{name}", data=json.dumps({"number": number, "message": text}),
                          headers={"Content-Type": "application/json"})

    def next_event(self, name: str) -> dict[str, Any]:
        with ws_connect_sync(f"{RYZE_WS}/{name}?token={self.token}") as ws:
            self.on_open()
            return dict(json.loads(ws.recv(timeout=10)))


# --- aiohttp: one ClientSession per client object, made on first use inside the loop -------------
class AiohttpRyze(AsyncRoutes):
    def __init__(self, token: str) -> None:
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(base_url=RYZE_URL, headers={"token": self.token})
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        async with self.session.request(method, path, **kwargs) as response:
            response.raise_for_status()
            return await response.json()

    async def next_event(self, name: str) -> dict[str, Any]:
        async with self.session.ws_connect(f"{RYZE_WS}/{name}") as ws:
            self.on_open()
            message = await ws.receive(timeout=10)
            assert message.type == aiohttp.WSMsgType.TEXT, message
            return dict(message.json())


# Module-level objects made at import time, before any mock exists.
bot_clients = {"httpx": HttpxRyze, "httpx-async": AsyncHttpxRyze, "requests": RequestsRyze, "aiohttp": AiohttpRyze}
