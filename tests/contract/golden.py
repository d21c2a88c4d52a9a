"""The golden contract rows: what RyzeAPI answers, written from the reference, never from the package.

A :class:`Golden` row is one documented answer: the literal it pins (by its name in the catalog
``mockryze/core/literals.py``), the HTTP status and the exact text, and a *recipe* that makes the
real app give it: what the world holds first (``given`` steps), which token, which request. The
rows drive ``test_golden.py`` one test each, so every row is reached by construction, and the test
fails when the recipe does not produce the row's status and text.

Each RyzeAPI module adds its own ``golden_<module>.py`` with a ``ROWS`` list; ``test_golden`` finds
every such file. Adding a row is one line::

    Golden("NOT_CONNECTED", 503, "Instance is not connected to WhatsApp", "POST /api/message/text/sales",
           body=TEXT)

Nothing here imports ``mockryze.core.literals``: a wrong catalog constant must disagree with these
texts, not agree with itself.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from mockryze.testing.api import MockRyze
from tests.conftest import check_response

ALICE = "5511987654321"  # a number on WhatsApp (every number is, unless a contact says otherwise)
UNKNOWN_MESSAGE = "3EB00123456789ABCDEF"


@dataclass
class Stage:
    """The world a row's request meets: the mock, the instance ``sales`` and values steps saved."""

    ryze: MockRyze
    tokens: dict[str, str] = field(default_factory=dict)  # token kind -> value
    saved: dict[str, str] = field(default_factory=dict)  # placeholders filled into bodies: {OURS}

    def call(self, method: str, path: str, token: str | None = "account", **kwargs: Any) -> httpx.Response:
        headers = {"token": self.tokens[token]} if token else {}
        return self.ryze.client.request(method, path, headers=headers, **kwargs)


Step = Callable[[Stage], None]


# --- given steps: what exists before the row's request ---------------------------------------------
def created(stage: Stage) -> None:
    """``sales`` exists, never connected."""
    stage.tokens["instance"] = stage.saved["TOKEN"] = stage.ryze.create_instance("sales").token


def connected(stage: Stage) -> None:
    """``sales`` exists and its QR code was scanned."""
    stage.tokens["instance"] = stage.saved["TOKEN"] = stage.ryze.create_instance("sales", connected=True).token


def waiting(stage: Stage) -> None:
    """A connect attempt of ``sales`` waits for its QR code to be scanned."""
    stage.ryze.connect("sales")


def network_lost(stage: Stage) -> None:
    """The phone of ``sales`` lost its connection."""
    stage.ryze.set_state("sales", "disconnected")


def other_instance(stage: Stage) -> None:
    """A second instance ``other`` of the same account; its token is the ``other`` kind."""
    stage.tokens["other"] = stage.ryze.create_instance("other").token


def sent_text(stage: Stage) -> None:
    """``sales`` sent a text to ALICE; its id fills ``{OURS}``."""
    response = stage.call("POST", "/api/message/text/sales", json={"number": ALICE, "message": "hi"})
    assert response.status_code == 200, response.text
    stage.saved["OURS"] = response.json()["data"]["messageId"]


def group(stage: Stage) -> None:
    """``sales`` is in the group ``120363000000000001@g.us`` with ALICE."""
    stage.ryze.create_group("sales", "Team", [ALICE], jid="120363000000000001@g.us")


def received(stage: Stage) -> None:
    """ALICE sent ``sales`` a text; its id fills ``{IN}``."""
    stage.saved["IN"] = str(stage.ryze.inbound("sales", from_=ALICE, text="hello")["id"])  # type: ignore[index]


def sent(kind: str, body: dict[str, Any], key: str) -> Step:
    """``sales`` sent a ``kind`` message to ALICE; its id fills ``{key}``."""
    def step(stage: Stage) -> None:
        body_now = _filled({"number": ALICE, **body}, stage.saved)
        response = stage.call("POST", f"/api/message/{kind}/sales", json=body_now)
        assert response.status_code == 200, response.text
        stage.saved[key] = response.json()["data"]["messageId"]
    return step


def tagged(stage: Stage) -> None:
    """``sales`` has the label ``VIP``; its id fills ``{TAG}``."""
    response = stage.call("POST", "/api/chat/tag/sales", json={"name": "VIP"})
    assert response.status_code == 200, response.text
    stage.saved["TAG"] = str(response.json()["tag"]["id"])


def call(request: str, body: Any = None, status: int = 200) -> Step:
    """A request made first (placeholders filled), which must get ``status``."""
    def step(stage: Stage) -> None:
        method, path = request.split(" ", 1)
        response = stage.call(method, _filled(path, stage.saved), json=_filled(body, stage.saved))
        assert response.status_code == status, response.text
    return step


def advance(seconds: float) -> Step:
    def step(stage: Stage) -> None:
        stage.ryze.advance(seconds)
    return step


def not_on_whatsapp(stage: Stage) -> None:
    stage.ryze.contact("sales", "5511900000000", on_whatsapp=False)


def spend(times: int, request: str = "GET /api/instance/list", token: str = "instance") -> Step:
    """The same token made ``times`` more requests this minute (whatever they were answered)."""
    def step(stage: Stage) -> None:
        method, path = request.split(" ", 1)
        for n in range(times):
            stage.call(method, path, token, json={"name": f"spent{n}"} if path == "/api/instance/new" else None)
    return step


def webhooks(count: int) -> Step:
    """``sales`` has ``count`` enabled webhooks (labels w0, w1, …)."""
    def step(stage: Stage) -> None:
        for n in range(count):
            body = {"label": f"w{n}", "enabled": True, "url": f"https://hooks.example.org/{n}"}
            assert stage.call("POST", "/api/events/webhook/sales", json=body).status_code == 200
    return step


def websocket(stage: Stage) -> None:
    assert stage.call("POST", "/api/events/websocket/sales", json={"enabled": True}).status_code == 200


def logged_out(stage: Stage) -> None:
    assert stage.call("DELETE", "/api/instance/logout/sales").status_code == 200



# --- the row --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Golden:
    """One documented answer and the recipe that makes the app give it.

    ``literal``: the catalog name it pins (``NOT_CONNECTED``; a function's name for a built text).
    ``text``: the exact expected text at ``at`` (``None``: that key must be absent).
    ``at``: where the text is: ``error.message`` for refusals, ``message`` for successes, or a
    dotted path such as ``status`` / ``instance.status``.
    ``request``: ``"METHOD /path?query"``; ``transport="ws"`` opens a WebSocket instead.
    """

    literal: str
    status: int
    text: str | None
    request: str
    body: Any = None  # JSON (placeholders such as {OURS} filled from the stage), or raw bytes
    given: tuple[Step, ...] = (created,)
    token: str | None = "account"  # account | instance | other | bad | None (no token)
    at: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    transport: str = "http"
    source: str = "documented"  # documented | observed-live | client-expects | inferred
    note: str = ""  # what makes the row distinct (part of its test id)
    detail: str | None = None  # the X-Mockryze-Detail header the mock adds to a refusal, when pinned

    @property
    def where(self) -> str:
        return self.at or ("error.message" if self.status >= 400 else "message")

    @property
    def id(self) -> str:
        return f"{self.literal}:{self.request}" + (f":{self.note}" if self.note else "")


class _Lenient(dict[str, str]):
    """Placeholders no step saved stay as they are (a request refused before it reads its body)."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _filled(body: Any, saved: dict[str, str]) -> Any:
    if isinstance(body, str):
        return body.format_map(_Lenient(saved)) if "{" in body else body
    if isinstance(body, dict):
        return {k: _filled(v, saved) for k, v in body.items()}
    if isinstance(body, list):
        return [_filled(v, saved) for v in body]
    return body


def stage_for(row: Golden) -> tuple[MockRyze, Stage]:
    ryze = MockRyze(**row.settings)
    stage = Stage(ryze, {"account": ryze.account_token, "bad": "not-a-token-of-anyone"},
                  {"ACCOUNT": ryze.account_token})
    for step in row.given:
        step(stage)
    return ryze, stage


def answer(row: Golden, stage: Stage) -> tuple[int, Any, dict[str, str]]:
    """Send the row's request; the status, the JSON body and the headers that came back."""
    method, target = row.request.split(" ", 1)
    target = _filled(target, stage.saved)
    headers = dict(row.headers)
    if row.token is not None:
        headers["token"] = stage.tokens[row.token]
    if row.transport == "ws":
        return (*_websocket_refusal(stage.ryze, target, headers), {})
    body = _filled(row.body, stage.saved)
    content = body if isinstance(body, bytes) else None if body is None else json.dumps(body).encode()
    if content is not None:
        headers.setdefault("content-type", "application/json")
    response = check_response(stage.ryze.client.request(method, target, headers=headers, content=content))
    return response.status_code, response.json(), dict(response.headers)


def _websocket_refusal(ryze: MockRyze, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient, WebSocketDenialResponse
        client = TestClient(ryze.app)
    try:
        with client.websocket_connect(path, headers=headers):
            return 101, None
    except WebSocketDenialResponse as denial:
        return denial.status_code, denial.json()


def found(body: Any, path: str) -> tuple[bool, Any]:
    """(present, value) at a dotted path of a JSON body."""
    for key in path.split("."):
        if not isinstance(body, dict) or key not in body:
            return False, None
        body = body[key]
    return True, body


# --- refusals every `:instance` route shares ------------------------------------------------------
def on_instance(request: str, body: Any = None, given: tuple[Step, ...] = (created,),
                account_only: bool = False,
                not_found: tuple[str, str] = ("INSTANCE_NOT_FOUND", "Instance not found")) -> list[Golden]:
    """The guide's refusals of a route with ``:instance`` in its path, spelled ``…/sales``: no token,
    a wrong token, an empty or unknown name, another instance's token (401 on TokenAccount-only
    routes), over the per-token limit."""
    method, path = request.split(" ", 1)
    assert path.endswith("/sales"), path
    head = path[: -len("sales")]
    return [
        Golden("INVALID_TOKEN", 401, "Invalid token", request, body, given, token="bad"),
        Golden("INVALID_TOKEN", 401, "Invalid token", request, body, given, token=None, note="no token"),
        Golden(not_found[0], 404, not_found[1], f"{method} {head}ghost", body, given),
        Golden("INSTANCE_NAME_REQUIRED", 400, "Instance name is required", f"{method} {head}", body, given),
        Golden("INVALID_TOKEN", 401, "Invalid token", request, body, (*given, other_instance), token="other",
               note="TokenAccount only") if account_only else
        Golden("TOKEN_INSTANCE_MISMATCH", 403, "Instance token does not match this instance", request, body,
               (*given, other_instance), token="other", source="inferred"),
        Golden("RATE_LIMITED", 429, "Rate limit exceeded. Try again later.", request, body,
               (given[0], spend(1, request.split("?")[0], "account")),
               settings={"rate_limits": True, "rate_limit_global": 1}),
    ]
