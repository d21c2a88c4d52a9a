"""``mockryze verify``: play a fixed, non-destructive probe set against a RyzeAPI (or any URL) and against
a fresh in-process mock side by side, and report the drift between the two answers.

Compared per probe: the status code, the envelope's top-level keys, the literal ``message`` /
``error.message`` / top-level ``status`` strings, and the shape of everything else (field names, JSON
types, and the format of strings: data URI, ISO time, JID, UUID, digits…). Values themselves (ids,
names, timestamps) are never compared. A list's items are compared when both sides have some.

The probes read; the only writes are refused ones (a send with no number) and a connect (a no-op on a
connected instance; a QR attempt that expires on a disconnected one). A real message is sent only with
``--allow-sends NUMBER``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import httpx

VERIFY_TEXT = "mockryze verify probe"
WEBHOOK_LABEL = "mockryze-verify"
NO_SUCH_INSTANCE = "mockryze-verify-no-such-instance"
INVALID_TOKEN = "mockryze-verify-invalid-token"
LITERAL_KEYS = ("message", "status")  # top-level strings compared as literals (error.message too)
FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("data-uri", re.compile(r"^data:[\w/+.-]+;base64,")),
    ("iso-time", re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")),
    ("jid", re.compile(r"^[\w.-]+@(s\.whatsapp\.net|g\.us|lid|newsletter|broadcast|c\.us)$")),
    ("uuid", re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)),
    ("url", re.compile(r"^https?://")),
    ("digits", re.compile(r"^\d+$")),
    ("empty", re.compile(r"^$")),
)


@dataclass(frozen=True)
class Probe:
    """One request of the fixed probe set; ``{name}`` in the path is the instance."""

    name: str
    method: str
    path: str  # with {name}
    route: str  # the route table's path (:instance), to name contract-table entries
    body: dict[str, Any] | None = None
    token: str = "account"  # account | invalid
    sends: bool = False  # sends a real message: only with --allow-sends
    why: str = ""


def _get(name: str, path: str, why: str = "") -> Probe:
    route = path.split("?")[0].replace("{name}", ":instance")
    return Probe(name, "GET", path, route, why=why)


PROBES: tuple[Probe, ...] = (
    _get("instance list", "/api/instance/list?instanceName={name}", "the instance as listed"),
    Probe("invalid token", "GET", "/api/instance/list", "/api/instance/list", token="invalid",
          why="401 and its literal"),
    Probe("unknown instance", "GET", f"/api/instance/getSettings/{NO_SUCH_INSTANCE}",
          "/api/instance/getSettings/:instance", why="404 and its literal"),
    _get("settings", "/api/instance/getSettings/{name}"),
    _get("proxy", "/api/instance/getProxy/{name}"),
    _get("s3", "/api/instance/getS3/{name}"),
    _get("webhooks", "/api/events/getWebhook/{name}"),
    _get("websocket", "/api/events/getWebsocket/{name}"),
    _get("own profile", "/api/profile/getAccount/{name}"),
    _get("privacy", "/api/profile/getPrivacy/{name}"),
    _get("contacts", "/api/chat/contacts/{name}"),
    _get("labels", "/api/chat/tag/{name}"),
    _get("message without id", "/api/chat/getMessage/{name}", "400: messageId is required"),
    _get("groups", "/api/group/list/{name}?includeMembers=false"),
    _get("newsletters", "/api/newsletter/list/{name}"),
    _get("chatwoot", "/api/chatwoot/list/{name}"),
    Probe("send without number", "POST", "/api/message/text/{name}", "/api/message/text/:instance", body={},
          why="refused: nothing is sent"),
    _get("connect", "/api/instance/connect/{name}", "connected: a no-op; otherwise a QR attempt that expires"),
    Probe("send text", "POST", "/api/message/text/{name}", "/api/message/text/:instance",
          body={"number": "{number}", "message": VERIFY_TEXT}, sends=True, why="only with --allow-sends"),
)


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class Drift:
    aspect: str  # status | keys | literal | shape
    where: str  # a JSON path ($ is the body)
    live: str
    mock: str

    def view(self) -> dict[str, str]:
        return {"aspect": self.aspect, "where": self.where, "live": self.live, "mock": self.mock}


@dataclass
class Outcome:
    probe: Probe
    live: Answer
    mock: Answer
    drift: list[Drift] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        behaviours = contract_entries(self.probe.method, self.probe.route)
        verdict = "contradicts" if self.drift else "confirms"
        return {
            "probe": self.probe.name, "method": self.probe.method, "path": self.probe.path,
            "route": f"{self.probe.method} {self.probe.route}",
            "status": {"live": self.live.status, "mock": self.mock.status},
            "drift": [d.view() for d in self.drift],
            "contract": {"verdict": verdict, "entries": behaviours},
        }


# --- comparing ------------------------------------------------------------------------------------
def string_format(text: str) -> str:
    return next((name for name, pattern in FORMATS if pattern.match(text)), "text")


def kind(value: Any) -> str:
    kinds: dict[type, str] = {bool: "boolean", int: "number", float: "number", str: "string", list: "array",
                              dict: "object", type(None): "null"}
    name = kinds.get(type(value), type(value).__name__)
    return f"string({string_format(value)})" if name == "string" else name


def compare(live: Answer, mock: Answer) -> list[Drift]:
    found: list[Drift] = []
    if live.status != mock.status:
        found.append(Drift("status", "", str(live.status), str(mock.status)))
    if isinstance(live.body, dict) and isinstance(mock.body, dict):
        if sorted(live.body) != sorted(mock.body):
            found.append(Drift("keys", "$", ", ".join(sorted(live.body)), ", ".join(sorted(mock.body))))
        for key in LITERAL_KEYS:
            _literal(found, f"$.{key}", live.body.get(key), mock.body.get(key))
        live_error, mock_error = live.body.get("error"), mock.body.get("error")
        if isinstance(live_error, dict) and isinstance(mock_error, dict):
            _literal(found, "$.error.message", live_error.get("message"), mock_error.get("message"))
    _shape(found, "$", live.body, mock.body, top=True)
    return found


def _literal(found: list[Drift], where: str, live: Any, mock: Any) -> None:
    if isinstance(live, str) and isinstance(mock, str) and live != mock:
        found.append(Drift("literal", where, live, mock))


def _shape(found: list[Drift], where: str, live: Any, mock: Any, top: bool = False) -> None:
    if kind(live) != kind(mock):
        found.append(Drift("shape", where, kind(live), kind(mock)))
        return
    if isinstance(live, dict) and isinstance(mock, dict):
        if not top and sorted(live) != sorted(mock):
            found.append(Drift("keys", where, ", ".join(sorted(live)), ", ".join(sorted(mock))))
        for key in sorted(live.keys() & mock.keys()):
            if not (top and key in LITERAL_KEYS):
                _shape(found, f"{where}.{key}", live[key], mock[key])
    elif isinstance(live, list) and isinstance(mock, list) and live and mock:
        _shape(found, f"{where}[]", live[0], mock[0])


# --- the contract table ---------------------------------------------------------------------------
@cache
def _contract() -> dict[tuple[str, str], list[dict[str, str]]]:
    text = resources.files("mockryze").joinpath("contract.json").read_text(encoding="utf-8")
    return {(r["method"], r["path"]): r.get("behaviours", []) for r in json.loads(text)["routes"]}


def contract_entries(method: str, route: str) -> list[dict[str, str]]:
    return [{"behaviour": b["behaviour"], "source": b["source"]} for b in _contract().get((method, route), [])]


# --- playing ----------------------------------------------------------------------------------------
Send = Callable[[Probe, str], Answer]


def http_sender(client: httpx.Client, account_token: str, instance: str, number: str | None) -> Send:
    def send(probe: Probe, token: str) -> Answer:
        body = None
        if probe.body is not None:
            body = {k: (number if v == "{number}" else v) for k, v in probe.body.items()}
        response = client.request(probe.method, probe.path.replace("{name}", instance), json=body,
                                  headers={"token": INVALID_TOKEN if probe.token == "invalid" else token})
        try:
            parsed: Any = response.json()
        except ValueError:
            parsed = response.text
        return Answer(response.status_code, parsed)

    return send


def instance_status(client: httpx.Client, account_token: str, instance: str) -> str | None:
    """The instance's status on the target (``connected``…), or None when it is not listed there."""
    body = client.get(f"/api/instance/list?instanceName={instance}", headers={"token": account_token}).json()
    for item in body.get("instances", []) if isinstance(body, dict) else []:
        if isinstance(item, dict) and item.get("name") == instance:
            status = item.get("status")
            return status if isinstance(status, str) else None
    return None


class Receiver:
    """A local webhook receiver for ``--webhook-receiver``: every JSON body POSTed to it, in order."""

    def __init__(self, host: str, port: int) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        bodies: list[Any] = []
        self.bodies = bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    bodies.append(json.loads(raw))
                except ValueError:
                    bodies.append(raw.decode("utf-8", "replace"))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def by_event(bodies: list[Any]) -> dict[str, Any]:
    """The first envelope of each event type."""
    found: dict[str, Any] = {}
    for body in bodies:
        if isinstance(body, dict) and isinstance(body.get("event"), str):
            found.setdefault(body["event"], body)
    return found


EVENTS_PROBE = Probe("webhook events", "POST", "/api/events/webhook/{name}", "/api/events/webhook/:instance",
                     why="payload shapes of the events the probes caused, per event type")


def run(live: httpx.Client, account_token: str, instance: str, allow_sends: str | None = None,
        mock_options: dict[str, Any] | None = None, webhook_receiver: str | None = None,
        webhook_listen: tuple[str, int] | None = None, event_wait: float = 10.0) -> list[Outcome]:
    """Play every probe on ``live`` and on a fresh mock whose instance mirrors the live one's state.
    With ``webhook_receiver`` (a URL the live service reaches, served by this process on
    ``webhook_listen``), a webhook labelled ``mockryze-verify`` is set on both sides before the probes
    that cause events, and disabled after them; the events' shapes are compared too."""
    from mockryze.testing.api import MockRyze

    status = instance_status(live, account_token, instance)
    captured: list[Any] = []

    async def capture(request: Any, /) -> int:
        captured.append(json.loads(request.body))
        return 200

    receiver = Receiver(*webhook_listen) if webhook_receiver and webhook_listen else None
    options = {**(mock_options or {}), **({"webhook_transport": capture} if webhook_receiver else {})}
    try:
        with MockRyze(seed=0, intercept=False, **options) as ryze:
            ryze.create_instance(instance, connected=status == "connected")
            mock_send = http_sender(ryze.client, ryze.account_token, instance, allow_sends)
            live_send = http_sender(live, account_token, instance, allow_sends)
            outcomes = []
            for probe in PROBES:
                if probe.sends and not allow_sends:
                    continue
                if probe.name == "connect" and webhook_receiver:
                    _webhook(live, account_token, instance, webhook_receiver, True)
                    _webhook(ryze.client, ryze.account_token, instance, "http://verify.test/hook", True)
                live_answer = live_send(probe, account_token)
                mock_answer = mock_send(probe, ryze.account_token)
                outcomes.append(Outcome(probe, live_answer, mock_answer, compare(live_answer, mock_answer)))
            if webhook_receiver:
                ryze.settle_deliveries()
                wanted = set(by_event(captured))
                deadline = time.monotonic() + event_wait
                while receiver is not None and time.monotonic() < deadline and not wanted <= set(
                        by_event(receiver.bodies)):
                    time.sleep(0.05)
                _webhook(live, account_token, instance, webhook_receiver, False)
                live_events = Answer(200, by_event(receiver.bodies if receiver else []))
                mock_events = Answer(200, by_event(captured))
                outcomes.append(Outcome(EVENTS_PROBE, live_events, mock_events, compare(live_events, mock_events)))
    finally:
        if receiver is not None:
            receiver.close()
    return outcomes


def _webhook(client: httpx.Client, token: str, instance: str, url: str, enabled: bool) -> None:
    client.post(f"/api/events/webhook/{instance}", headers={"token": token},
                json={"label": WEBHOOK_LABEL, "enabled": enabled, "url": url})


# --- reporting ----------------------------------------------------------------------------------------
def report_json(outcomes: list[Outcome], base_url: str, instance: str) -> dict[str, Any]:
    return {"baseUrl": base_url, "instance": instance, "probes": [o.view() for o in outcomes],
            "drifted": sum(1 for o in outcomes if o.drift)}


def report_table(outcomes: list[Outcome]) -> str:
    rows = [("probe", "live", "mock", "aspect", "where", "live says", "mock says")]
    for o in outcomes:
        if not o.drift:
            rows.append((o.probe.name, str(o.live.status), str(o.mock.status), "ok", "", "", ""))
        for d in o.drift:
            rows.append((o.probe.name, str(o.live.status), str(o.mock.status), d.aspect, d.where,
                         _cut(d.live), _cut(d.mock)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    drifted = sum(1 for o in outcomes if o.drift)
    lines.append(f"\n{len(outcomes)} probes, {drifted} drifted" + ("" if drifted else ": no drift"))
    return "\n".join(lines)


def _cut(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
