"""HTTP face of RyzeAPI's Chatwoot module: the 3 ``/api/chatwoot/*`` routes.

Their success bodies are bare objects (no ``success`` member); refusals keep the usual envelope, in
the module's own wording (``instance not found``, ``invalid body: …``).
"""

from __future__ import annotations

from mockryze.chatwoot import model
from mockryze.core import literals
from mockryze.core.literals import (
    CHATWOOT_GATEWAY_OFF,
    CHATWOOT_GATEWAY_OFF_HINTED,
    CHATWOOT_INSTANCE_NOT_FOUND,
    CHATWOOT_NOT_CONFIGURED,
    CHATWOOT_NOTHING_TO_DELETE,
    INSTANCE_NAME_REQUIRED,
    INVALID_TOKEN,
    RATE_LIMITED,
    TOKEN_INSTANCE_MISMATCH,
)
from mockryze.http.routing import Context, Endpoint, Result


# --- handlers ---------------------------------------------------------------------------------
def set_integration(ctx: Context) -> Result:
    row = model.activate(ctx.world, ctx.target, ctx.body)
    return 201, {"instance": ctx.target.name, "status": row.status,
                 "bridge_integration_id": row.integration_id, "message": literals.CHATWOOT_ACTIVATED}


def list_integration(ctx: Context) -> Result:
    row = model.stored(ctx.world, ctx.target, CHATWOOT_NOT_CONFIGURED)
    return 200, row.row(ctx.target.name, ctx.world.iso)


def delete_integration(ctx: Context) -> Result:
    model.deactivate(ctx.world, ctx.target)
    return 200, {"message": literals.CHATWOOT_DEACTIVATED}


# --- the route table --------------------------------------------------------------------------
PREFIX = "/api/chatwoot"
ON_INSTANCE = (INVALID_TOKEN, RATE_LIMITED, INSTANCE_NAME_REQUIRED, TOKEN_INSTANCE_MISMATCH,
               CHATWOOT_INSTANCE_NOT_FOUND)

# What set answers when the Chatwoot server refuses (the control plane's chatwoot_server verb).
CHATWOOT_REFUSALS = tuple(literals.chatwoot_refused(answer, "<chatwootBaseUrl>", 0, "<detail>")
                          for answer in model.ANSWERS if answer != "ok")

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{PREFIX}/set/:instance", set_integration, "Activate (or re-provision) the Chatwoot integration",
             request_schema="chatwoot/set.request", responses={201: "chatwoot/set.response"},
             errors=(*ON_INSTANCE, literals.chatwoot_invalid_body("<detail>"), *CHATWOOT_REFUSALS,
                     CHATWOOT_GATEWAY_OFF),
             respell=model.respell, gate=model.gate(CHATWOOT_GATEWAY_OFF),
             body_aliases=(("chatwootInboxName", "inboxName"),)),
    Endpoint("GET", f"{PREFIX}/list/:instance", list_integration, "The Chatwoot integration's stored row",
             responses={200: "chatwoot/list.response"},
             errors=(*ON_INSTANCE, CHATWOOT_NOT_CONFIGURED, CHATWOOT_GATEWAY_OFF_HINTED),
             respell=model.respell, gate=model.gate(CHATWOOT_GATEWAY_OFF_HINTED)),
    Endpoint("DELETE", f"{PREFIX}/delete/:instance", delete_integration, "Deactivate the Chatwoot integration",
             responses={200: "chatwoot/delete.response"},
             errors=(*ON_INSTANCE, CHATWOOT_NOTHING_TO_DELETE, CHATWOOT_GATEWAY_OFF),
             respell=model.respell, gate=model.gate(CHATWOOT_GATEWAY_OFF)),
)
