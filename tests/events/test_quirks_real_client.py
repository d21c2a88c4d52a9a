"""Regression: a small bot written the way the real clients are, run against the mock over real sockets.

Like the clients the field reports come from, the bot provisions its webhook with a shared secret and
refuses (401) any delivery whose ``Authorization`` is not that secret, reads a quoted reply from
``data.reply`` of the flat ``message.exchange`` layout, and drops inbound media whose bytes do not start
with the magic number of their declared MIME type. Under the quirk ``instance_state_auth=on`` every
delivery passes its check; under the live default the ``instance.state`` ones (and only those) fail it.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from mockryze.testing.api import MockRyze

SECRET = "Bearer bot-4f1c9e"
ALICE = "5511987654321"
MAGIC: dict[str, tuple[int, bytes]] = {  # MIME type -> (offset, magic bytes), as file(1) checks them
    "image/jpeg": (0, b"\xff\xd8\xff"), "image/png": (0, b"\x89PNG\r\n\x1a\n"), "image/webp": (8, b"WEBP"),
    "audio/ogg": (0, b"OggS"), "video/mp4": (4, b"ftyp"), "application/pdf": (0, b"%PDF-"),
}
# What the default inbound file of each kind declares: image, sticker, voice note, video, document.
FILES = ("image/jpeg", "image/webp", "audio/ogg; codecs=opus", "video/mp4", "application/pdf")


@dataclass
class Bot:
    """What the bot's webhook handler saw and decided."""

    refused: list[str] = field(default_factory=list)  # events refused for a wrong or missing Authorization
    states: list[str] = field(default_factory=list)
    quotes: list[tuple[str, str]] = field(default_factory=list)  # (quoted message id, quoted text)
    media: dict[str, bool] = field(default_factory=dict)  # MIME type -> its bytes matched it
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, authorization: str | None, body: dict[str, Any]) -> int:
        with self.lock:
            if authorization != SECRET:
                self.refused.append(body["event"])
                return 401
            data = body["data"]
            if body["event"] == "instance.state":
                self.states.append(data["state"])
            elif body["event"] == "message.exchange" and data["direction"] == "incoming":
                self._incoming(data)
            return 200

    def _incoming(self, data: dict[str, Any]) -> None:
        if data.get("reply"):  # the quoted message, as the real clients read it
            self.quotes.append((data["reply"]["message_id"], data["reply"]["text"]))
        media = data["message"].get("media")
        if media and media.get("base64"):
            offset, magic = MAGIC[media["mimeType"].split(";")[0]]
            raw = base64.b64decode(media["base64"])
            self.media[media["mimeType"]] = raw[offset:offset + len(magic)] == magic


class _Handler(BaseHTTPRequestHandler):
    server: _BotServer

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = self.server.bot.handle(self.headers.get("Authorization"), json.loads(raw))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _BotServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, bot: Bot) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bot = bot


def run_bot_session(ryze: MockRyze) -> tuple[Bot, str]:
    """Boot provisioning, QR scan, a conversation with a quoted reply and one inbound file of each kind;
    returns what the bot saw and the id of the message the contact quoted."""
    bot = Bot()
    server = _BotServer(bot)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=ryze.serve(), headers={"token": ryze.account_token}, timeout=10) as http:
            assert http.post("/api/instance/new", json={"name": "bot"}).status_code == 201
            hook = {"enabled": True, "url": f"http://127.0.0.1:{server.server_address[1]}/ryze",
                    "authorization": SECRET, "mediaBase64": True,
                    "events": ["instance.state", "message.exchange"]}
            assert http.post("/api/events/webhook/bot", json=hook).status_code == 200
            assert http.get("/api/instance/connect/bot").status_code == 200
            ryze.scan("bot", "5511912345678")
            asked = ryze.inbound("bot", from_=ALICE, text="Vocês entregam hoje?")
            assert asked is not None
            sent = http.post("/api/message/text/bot", json={"number": ALICE, "message": "Entregamos até 18h"})
            answer_id = sent.json()["data"]["messageId"]
            ryze.inbound("bot", from_=ALICE, text="Perfeito", replyTo=answer_id)
            for kind in ("image", "sticker", "audio", "video", "document"):
                ryze.inbound("bot", from_=ALICE, type=kind)
            ryze.settle_deliveries()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return bot, answer_id


@pytest.mark.ryze(quirks={"instance_state_auth": "on"})
def test_a_real_style_bot_accepts_every_delivery_when_instance_state_carries_authorization(ryze: MockRyze) -> None:
    bot, answer_id = run_bot_session(ryze)
    assert bot.refused == []
    assert bot.states[0] == "qr_ready" and "connected" in bot.states
    assert bot.quotes == [(answer_id, "Entregamos até 18h")]
    assert bot.media == dict.fromkeys(FILES, True)
    assert {d["event"] for d in ryze.deliveries(status="dead")} == set()


def test_under_the_live_default_the_same_bot_refuses_only_instance_state(ryze: MockRyze) -> None:
    bot, answer_id = run_bot_session(ryze)
    assert bot.refused and set(bot.refused) == {"instance.state"}
    assert bot.states == []
    assert bot.quotes == [(answer_id, "Entregamos até 18h")]
    assert bot.media == dict.fromkeys(FILES, True)
    assert {d["event"] for d in ryze.deliveries(status="dead")} == {"instance.state"}
