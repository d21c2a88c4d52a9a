"""HTTP face of RyzeAPI's chat module: its ``Endpoint`` rows and their thin handlers.

Routes: ``/api/chat/*``.
"""

from __future__ import annotations

from typing import Any

from mockryze.chat import model
from mockryze.core.literals import NOT_CONNECTED
from mockryze.core.world import World
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance.routes import ON_INSTANCE

# Success messages are RyzeAPI's own wording: once known, they belong in mockryze/core/literals.py.
EXAMPLE_FOUND = "Example found"


def example_view(world: World, found: model.Example) -> dict[str, Any]:
    return {"instance": found.instance, "status": found.status, "checkedAt": world.iso(found.checked_at)}


# --- handlers ---------------------------------------------------------------------------------
def get_example(ctx: Context) -> Result:
    assert ctx.instance is not None  # the wrapper resolved it (the route has :instance)
    found = model.example(ctx.world, ctx.instance)
    return 200, {"success": True, "message": EXAMPLE_FOUND, "example": example_view(ctx.world, found)}


# --- the route table --------------------------------------------------------------------------
PREFIX = "/api/chat"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", f"{PREFIX}/example/:instance", get_example, "Read the example record (scaffolded)",
             responses={200: "chat/example.response"}, errors=(*ON_INSTANCE, NOT_CONNECTED)),
)
