"""The instance module's configuration blocks: settings, proxy, S3 (Chatwoot's: mockryze.chatwoot.config).

Each block is built from a validated request body (``from_body``) or from the inline fields of
``POST /api/instance/new`` (``from_inline``, after ``INLINE`` renamed them), and renders the JSON
the routes answer (``view``). Secrets (proxy password, S3 secret key) are kept
but never rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from typing import Any, ClassVar, Self


def _json(name: str, default: Any) -> Any:
    """A field and its JSON name."""
    return field(default=default, metadata={"json": name})


@dataclass(frozen=True)
class Settings:
    auto_reject_calls: bool = _json("autoRejectCalls", False)
    call_reject_message: str = _json("callRejectMessage", "")
    ignore_group_messages: bool = _json("ignoreGroupMessages", False)
    keep_online_status: bool = _json("keepOnlineStatus", False)
    auto_read_messages: bool = _json("autoReadMessages", False)
    disable_history_sync: bool = _json("disableHistorySync", True)
    ignore_status: bool = _json("ignoreStatus", False)

    JSON: ClassVar[Mapping[str, str]]  # JSON name -> attribute, in the order views list them
    INLINE: ClassVar[Mapping[str, str]]  # the create body takes the same names

    @classmethod
    def from_inline(cls, values: Mapping[str, Any]) -> Settings:
        return cls(**{attr: values[name] for name, attr in cls.JSON.items() if name in values})

    def updated(self, changes: Mapping[str, Any]) -> Settings:
        """These settings with the named ``changes`` applied (other names are ignored): a partial update."""
        return replace(self, **{attr: changes[name] for name, attr in self.JSON.items() if name in changes})

    def view(self) -> dict[str, Any]:
        return dict(zip(self.JSON, _SETTINGS_VALUES(self), strict=True))


Settings.JSON = {f.metadata["json"]: f.name for f in fields(Settings)}
_SETTINGS_VALUES = attrgetter(*Settings.JSON.values())
Settings.INLINE = {name: name for name in Settings.JSON}


@dataclass(frozen=True)
class _Switch:
    """A block that is either off (every field at its default) or on with the fields of a body, which
    must then have the ``REQUIRED`` ones. Inline, an enabled block missing one is stored disabled
    (the docs: a failed sub-block "appears with enabled: false"; creation is never aborted)."""

    enabled: bool = False
    REQUIRED: ClassVar[tuple[str, ...]]

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> Self:
        return cls._enabled(body) if body.get("enabled") else cls()

    @classmethod
    def _enabled(cls, body: Mapping[str, Any]) -> Self:
        raise NotImplementedError

    @classmethod
    def from_inline(cls, values: Mapping[str, Any]) -> Self:
        complete = all(values.get(name) not in (None, "") for name in cls.REQUIRED)
        return cls.from_body(values) if complete else cls()


@dataclass(frozen=True)
class ProxyConfig(_Switch):
    host: str | None = None
    port: str | None = None
    protocol: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    REQUIRED = ("host", "port", "protocol")
    INLINE: ClassVar[Mapping[str, str]] = {
        "proxyEnabled": "enabled", "proxyHost": "host", "proxyPort": "port",
        "proxyProtocol": "protocol", "proxyUsername": "username", "proxyPassword": "password",
    }

    @classmethod
    def _enabled(cls, body: Mapping[str, Any]) -> ProxyConfig:
        return cls(True, body.get("host"), body.get("port"), body.get("protocol"), body.get("username"),
                   body.get("password"))

    def view(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "host": self.host, "port": self.port, "protocol": self.protocol,
                "username": self.username}


@dataclass(frozen=True)
class S3Config(_Switch):
    region: str | None = None
    bucket: str | None = None
    access_key: str | None = None
    secret_key: str | None = field(default=None, repr=False)
    endpoint: str | None = None  # "" once enabled without one
    path_prefix: str | None = None

    REQUIRED = ("region", "bucket", "accessKey", "secretKey")
    INLINE: ClassVar[Mapping[str, str]] = {
        "s3Enabled": "enabled", "s3Region": "region", "s3Bucket": "bucket", "s3AccessKey": "accessKey",
        "s3SecretKey": "secretKey", "s3Endpoint": "endpoint", "s3PathPrefix": "pathPrefix",
    }

    @classmethod
    def _enabled(cls, body: Mapping[str, Any]) -> S3Config:
        return cls(True, body.get("region"), body.get("bucket"), body.get("accessKey"), body.get("secretKey"),
                   body.get("endpoint") or "", body.get("pathPrefix"))

    def view(self) -> dict[str, Any]:
        """As ``GET /api/instance/getS3`` and the list show it: ``secretKey`` present, always null."""
        return {"enabled": self.enabled, "region": self.region, "bucket": self.bucket, "accessKey": self.access_key,
                "secretKey": None, "endpoint": self.endpoint, "pathPrefix": self.path_prefix}

    def echo(self) -> dict[str, Any]:
        """As a write answers it: no ``secretKey`` at all."""
        return {k: v for k, v in self.view().items() if k != "secretKey"}
