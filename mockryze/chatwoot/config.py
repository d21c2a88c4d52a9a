"""The one Chatwoot integration row of an instance.

Fed by the inline ``chatwoot*`` fields of ``POST /api/instance/new`` (``from_inline``) and by
``POST /api/chatwoot/set`` (``activated``); the instance list summarises it (``view``) and
``GET /api/chatwoot/list`` shows it whole (``row``). The mock never calls a Chatwoot server: an
activation with every required field succeeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar

STATUSES = ("active", "paused", "error")


def _json(name: str, default: Any) -> Any:
    """A field and its JSON name (the camelCase of the instance module)."""
    return field(default=default, metadata={"json": name})


@dataclass(frozen=True)
class ChatwootConfig:
    """The Chatwoot block as requested (None: not sent) and the outcome of its activation."""

    enabled: bool | None = _json("enabled", None)
    base_url: str | None = _json("baseUrl", None)
    account_id: int | None = _json("accountId", None)
    api_token: str | None = field(default=None, repr=False, metadata={"json": "apiToken"})
    inbox_name: str | None = _json("inboxName", None)
    sign_messages: bool | None = _json("signMessages", None)
    ignore_groups: bool | None = _json("ignoreGroups", None)
    start_as_pending: bool | None = _json("startAsPending", None)
    reopen_resolved: bool | None = _json("reopenResolved", None)
    status: str | None = None  # "active" | "paused" | "error"; None: no integration row
    error: str | None = None  # last_error
    integration_id: str = ""  # bridge_integration_id ("" until provisioned)
    inbox_id: int = 0  # chatwoot_inbox_id (0 until provisioned)
    created_at: float | None = None

    JSON: ClassVar[Mapping[str, str]]
    INLINE: ClassVar[Mapping[str, str]] = {
        "chatwootEnabled": "enabled", "chatwootBaseUrl": "baseUrl", "chatwootAccountId": "accountId",
        "chatwootApiToken": "apiToken", "chatwootInboxName": "inboxName", "chatwootSignMessages": "signMessages",
        "chatwootIgnoreGroups": "ignoreGroups", "chatwootStartAsPending": "startAsPending",
        "chatwootReopenResolved": "reopenResolved",
    }

    @classmethod
    def from_inline(cls, values: Mapping[str, Any]) -> ChatwootConfig:
        status, error = _chatwoot_activation(values) if values.get("enabled") else (None, None)
        return cls(**{attr: values[name] for name, attr in cls.JSON.items() if name in values},
                   status=status, error=error)

    @classmethod
    def activated(cls, body: Mapping[str, Any], integration_id: str, inbox_id: int, now: float) -> ChatwootConfig:
        """The row ``POST /api/chatwoot/set`` provisions from its (validated) body."""
        return cls(enabled=True, base_url=str(body["chatwootBaseUrl"]).rstrip("/"),
                   account_id=body["chatwootAccountId"], api_token=body["chatwootApiToken"],
                   inbox_name=body["inboxName"], sign_messages=body.get("signMessages", False),
                   ignore_groups=body.get("ignoreGroups", False), start_as_pending=body.get("startAsPending", False),
                   reopen_resolved=body.get("reopenResolved", False), status="active", integration_id=integration_id,
                   inbox_id=inbox_id, created_at=now)

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def exists(self) -> bool:
        """Whether the instance has an integration row (an activation was attempted and not deleted)."""
        return self.status is not None

    def provisioned(self, integration_id: Callable[[], str], inbox_id: Callable[[], int],
                    created_at: float) -> ChatwootConfig:
        """This row with the ids an inline activation got from the bridge (drawn once, when first read)."""
        if self.integration_id or self.status == "error":
            return self if self.created_at is not None else replace(self, created_at=created_at)
        return replace(self, integration_id=integration_id(), inbox_id=inbox_id(), created_at=created_at)

    def reported(self, status: str, last_error: str | None) -> ChatwootConfig:
        """The bridge's health report: ``status`` and ``last_error`` overwrite the stored ones."""
        return replace(self, status=status, error=last_error or None)

    def view(self) -> dict[str, Any]:
        """The instance's summary: the fields sent (never the API token), ``enabled`` (an activated
        integration, paused or not), then the activation outcome."""
        sent = {name: getattr(self, attr) for name, attr in self.JSON.items()
                if name != "apiToken" and getattr(self, attr) is not None}
        view = {**sent, "enabled": self.status in ("active", "paused")}
        if self.status:
            view["status"] = self.status
        if self.error:
            view["error"] = self.error
        return view

    def row(self, instance: str, iso: Callable[[float], str]) -> dict[str, Any]:
        """As ``GET /api/chatwoot/list`` shows it: snake_case, no ``success``."""
        return {
            "instance_name": instance, "status": self.status, "bridge_integration_id": self.integration_id,
            "chatwoot_base_url": self.base_url or "", "chatwoot_account_id": self.account_id or 0,
            "chatwoot_api_token": self.api_token or "", "chatwoot_inbox_id": self.inbox_id,
            "chatwoot_inbox_name": self.inbox_name or "", "last_error": self.error or "",
            "created_at": iso(self.created_at or 0.0), "sign_messages": bool(self.sign_messages),
            "ignore_groups": bool(self.ignore_groups), "start_as_pending": bool(self.start_as_pending),
            "reopen_resolved": bool(self.reopen_resolved),
        }


ChatwootConfig.JSON = {f.metadata["json"]: f.name for f in fields(ChatwootConfig) if "json" in f.metadata}


def _chatwoot_activation(values: Mapping[str, Any]) -> tuple[str, str | None]:
    """(status, error) of an enabled Chatwoot block."""
    missing = [name for name in ("baseUrl", "accountId", "apiToken") if values.get(name) in (None, "")]
    if "accountId" not in missing and values["accountId"] <= 0:
        missing.append("accountId")
    if not missing:
        return "active", None
    # Inferred text: the real one comes from Chatwoot, which the mock never calls.
    names = ", ".join(f"chatwoot{name[0].upper()}{name[1:]}" for name in missing)
    return "error", f"chatwoot activation failed: {names} missing or invalid"
