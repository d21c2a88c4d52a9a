"""HTTP face of RyzeAPI's instance module: the 12 ``/api/instance/*`` routes."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import segno

from mockryze.core import literals, quirks
from mockryze.core.errors import ApiError
from mockryze.core.literals import (
    AT_LEAST_ONE_SETTING,
    INSTANCE_NAME_REQUIRED,
    INSTANCE_NAME_TAKEN,
    INSTANCE_NOT_FOUND,
    INVALID_BODY,
    INVALID_PHONE_NUMBER,
    INVALID_TOKEN,
    NO_SAVED_SESSION,
    QUOTA_EXCEEDED,
    RATE_LIMITED,
    TOKEN_IN_USE,
    TOKEN_INSTANCE_MISMATCH,
)
from mockryze.core.world import World
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance import model as instances
from mockryze.instance.config import S3Config
from mockryze.instance.model import INLINE_BLOCKS, Instance, view_of


@lru_cache(maxsize=64)
def qr_png_base64(payload: str) -> str:
    """A real QR code of ``payload`` as a base64 PNG (rendered once per payload)."""
    buffer = io.BytesIO()
    # A fixed mask: still a valid QR code, and 4 ms instead of ~20 ms spent choosing the best one.
    segno.make(payload, error="l", micro=False, mask=0).save(buffer, kind="png", scale=4, border=4)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


# --- handlers ---------------------------------------------------------------------------------


def create(ctx: Context) -> Result:
    assert ctx.caller is not None
    inst, blocks = instances.create(ctx.world, ctx.caller.account, ctx.body)
    payload: dict[str, Any] = {
        "success": True, "message": literals.INSTANCE_CREATED,
        "instance": inst.view(ctx.world),
        # The auth guide says the new token is in data.token, the create page says instance.token:
        # both are sent so clients written against either page work (the two doc pages disagree).
        "data": {"token": inst.token},
    }
    payload.update({name: INLINE_BLOCKS[name].echo(block) for name, block in blocks.items()})
    return 201, payload


def list_instances(ctx: Context) -> Result:
    assert ctx.caller is not None
    account = ctx.caller.account
    if ctx.caller.instance is not None:
        found = [ctx.caller.instance]  # a TokenInstance sees only itself; the filter is ignored
    else:
        names = [n.strip() for n in ctx.query.get("instanceName", "").split(",") if n.strip()]
        found = [account.instances[n] for n in names if n in account.instances] if names \
            else list(account.instances.values())
        if len(names) == 1 and not found:
            raise ApiError(INSTANCE_NOT_FOUND)
    items = [inst.list_item(ctx.world) for inst in found]
    return 200, {"success": True, "message": literals.instances_found(len(items)), "instances": items,
                 "meta": {"total": len(items)}}


def connect(ctx: Context) -> Result:
    inst = ctx.target
    number = ctx.query.get("number")
    pending = instances.connect(ctx.world, inst, number if number not in (None, "") else None)
    if pending is None:
        return 200, {"success": True, "message": literals.ALREADY_CONNECTED, "status": literals.STATUS_CONNECTED}
    if pending.kind == "pairing":
        return 200, {"success": True, "message": literals.PAIRING_CODE_GENERATED, "pairingCode": pending.code,
                     "status": literals.STATUS_PAIRING}
    shown = inst.account.quirks  # quirks qr_data_uri and connect_status (live vs docs)
    png = qr_png_base64(pending.code)
    return 200, {
        "success": True, "message": literals.QR_CODE_GENERATED, "qrCode": pending.code,
        "qrCodeBase64": "data:image/png;base64," + png if shown.qr_data_uri == quirks.ON else png,
        "status": shown.connect_status,
    }


def reconnect(ctx: Context) -> Result:
    instances.reconnect(ctx.world, ctx.target)
    return 200, {"success": True, "message": literals.RECONNECT_INITIATED, "status": literals.STATUS_CONNECTING}


def logout(ctx: Context) -> Result:
    instances.logout(ctx.world, ctx.target)
    return 200, {"success": True, "message": literals.LOGGED_OUT, "instance": {"status": "loggedout"}}


def delete(ctx: Context) -> Result:
    instances.delete(ctx.world, ctx.target)
    return 200, {"success": True, "message": literals.DELETED, "instance": {"status": "deleted"}}


@dataclass(frozen=True)
class BlockRoutes:
    """The read and the write route of one configuration block, the Instance attribute ``name``."""

    name: str
    retrieved: str | None  # the read's message (getS3 answers none)
    updated: str
    update: Callable[[World, Instance, dict[str, Any]], None]
    echo: Callable[[Any], dict[str, Any]] = view_of  # how the write answers with the new block

    def read(self, ctx: Context) -> Result:
        head: dict[str, Any] = {"success": True, "message": self.retrieved} if self.retrieved else {"success": True}
        return 200, {**head, self.name: getattr(ctx.target, self.name).view()}

    def write(self, ctx: Context) -> Result:
        inst = ctx.target
        self.update(ctx.world, inst, ctx.body)
        return 200, {"success": True, "message": self.updated, self.name: self.echo(getattr(inst, self.name))}


SETTINGS = BlockRoutes("settings", literals.SETTINGS_RETRIEVED, literals.SETTINGS_UPDATED, instances.update_settings)
PROXY = BlockRoutes("proxy", literals.PROXY_RETRIEVED, literals.PROXY_UPDATED, instances.update_proxy)
S3 = BlockRoutes("s3", None, literals.S3_UPDATED, instances.update_s3, echo=S3Config.echo)


# --- the route table --------------------------------------------------------------------------
AUTH_ERRORS = (INVALID_TOKEN, RATE_LIMITED)
ON_INSTANCE = (*AUTH_ERRORS, INSTANCE_NAME_REQUIRED, TOKEN_INSTANCE_MISMATCH, INSTANCE_NOT_FOUND)
INSTANCE_PATH = "/api/instance"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{INSTANCE_PATH}/new", create, "Create an instance", auth="account",
             request_schema="instance/new.request", responses={201: "instance/new.response"},
             errors=(*AUTH_ERRORS, INVALID_BODY, INSTANCE_NAME_REQUIRED, QUOTA_EXCEEDED, INSTANCE_NAME_TAKEN,
                     TOKEN_IN_USE)),
    Endpoint("GET", f"{INSTANCE_PATH}/list", list_instances, "List instances (and poll their state)",
             responses={200: "instance/list.response"}, errors=(*AUTH_ERRORS, INSTANCE_NOT_FOUND),
             query={"instanceName": "one name or several comma-separated (ignored with a TokenInstance)"}),
    Endpoint("GET", f"{INSTANCE_PATH}/connect/:instance", connect, "Connect by QR code, or pairing code with ?number=",
             responses={200: "instance/connect.response"}, errors=(*ON_INSTANCE, INVALID_PHONE_NUMBER),
             query={"number": "phone in international format: pairing code instead of QR",
                    "history": "days of history to sync on first pairing"}),
    Endpoint("POST", f"{INSTANCE_PATH}/reconnect/:instance", reconnect, "Reconnect with the saved session",
             responses={200: "instance/reconnect.response"}, errors=(*ON_INSTANCE, NO_SAVED_SESSION)),
    Endpoint("DELETE", f"{INSTANCE_PATH}/logout/:instance", logout, "Log out (keep the instance)",
             responses={200: "instance/logout.response"}, errors=ON_INSTANCE),
    Endpoint("DELETE", f"{INSTANCE_PATH}/delete/:instance", delete, "Delete the instance", auth="account",
             responses={200: "instance/delete.response"}, errors=ON_INSTANCE),
    Endpoint("GET", f"{INSTANCE_PATH}/getSettings/:instance", SETTINGS.read, "Read settings",
             responses={200: "instance/getSettings.response"}, errors=ON_INSTANCE),
    Endpoint("POST", f"{INSTANCE_PATH}/settings/:instance", SETTINGS.write, "Update settings (partial)",
             request_schema="instance/settings.request", responses={200: "instance/settings.response"},
             errors=(*ON_INSTANCE, INVALID_BODY, AT_LEAST_ONE_SETTING)),
    Endpoint("GET", f"{INSTANCE_PATH}/getProxy/:instance", PROXY.read, "Read the proxy",
             responses={200: "instance/getProxy.response"}, errors=ON_INSTANCE),
    Endpoint("POST", f"{INSTANCE_PATH}/proxy/:instance", PROXY.write, "Set or remove the proxy",
             request_schema="instance/proxy.request", responses={200: "instance/proxy.response"},
             errors=(*ON_INSTANCE, INVALID_BODY)),
    Endpoint("GET", f"{INSTANCE_PATH}/getS3/:instance", S3.read, "Read the S3 configuration",
             responses={200: "instance/getS3.response"}, errors=ON_INSTANCE),
    Endpoint("POST", f"{INSTANCE_PATH}/s3/:instance", S3.write, "Set the S3 configuration",
             request_schema="instance/s3.request", responses={200: "instance/s3.response"},
             errors=(*ON_INSTANCE, INVALID_BODY)),
)
