"""Golden rows of RyzeAPI's newsletter module (``/api/newsletter/*``), from the reference's other-modules pages.

Texts the reference does not print are the mock's choice, written here as data and marked ``# inferred``.
"""

from __future__ import annotations

from typing import Any

from tests.contract.golden import Golden, Stage, connected, created, on_instance

CHANNEL = "120363000000000099@newsletter"  # followed by ``sales``
OTHER = "120363000000000098@newsletter"  # known, not followed
SUSPENDED = "120363000000000097@newsletter"
UNKNOWN = "120363000000000999@newsletter"
NOT_CONNECTED = ("NEWSLETTER_NOT_CONNECTED", 400, "Instance is not connected to WhatsApp")  # the module's own 400
INVALID = ("NEWSLETTER_INVALID_IDENTIFIER", 400,
           "Invalid newsletter identifier (use JID @newsletter or invite link/code)")
QUERY_REQUIRED = ("NEWSLETTER_IDENTIFIER_REQUIRED", 400,
                  "The 'identifier' query parameter is required (JID @newsletter or invite link/code)")


def channels(stage: Stage) -> None:
    stage.ryze.newsletter("sales", "News", jid=CHANNEL, following=True)
    stage.ryze.newsletter("sales", "Other", jid=OTHER)
    stage.ryze.newsletter("sales", "Gone", jid=SUSPENDED, state="suspended")


LIVE = (connected, channels)
ROUTES: dict[str, tuple[Any, int, str, str]] = {  # route -> (valid body, status, success literal, text)
    "POST /api/newsletter/create/sales": ({"name": "Release Notes", "description": "Product updates"}, 201,
                                          "NEWSLETTER_CREATED", "Newsletter created successfully"),  # inferred
    "GET /api/newsletter/list/sales": (None, 200, "newsletters_found", "1 newsletter(s) found"),  # inferred
    f"GET /api/newsletter/info/sales?identifier={CHANNEL}": (None, 200, "NEWSLETTER_INFO",
                                                              "Newsletter info retrieved"),
    "POST /api/newsletter/join/sales": ({"identifier": OTHER}, 200, "NEWSLETTER_JOINED",
                                        "Successfully joined newsletter"),  # inferred
    f"DELETE /api/newsletter/leave/sales?identifier={CHANNEL}": (None, 200, "NEWSLETTER_LEFT",
                                                                  "Successfully left newsletter"),
}


def path(route: str) -> str:
    return route.split("?")[0]


ROWS: list[Golden] = [
    *[Golden(literal, status, text, route, body, LIVE) for route, (body, status, literal, text) in ROUTES.items()],
    *[Golden(*NOT_CONNECTED, route, body, (created,)) for route, (body, *_) in ROUTES.items()],
    *[row for route, (body, *_) in ROUTES.items() for row in on_instance(path(route), body, LIVE)],
    Golden("NEWSLETTER_NAME_REQUIRED", 400, "The 'name' field is required", "POST /api/newsletter/create/sales",
           {"description": "x"}, LIVE),
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/newsletter/create/sales", b"{", LIVE),
    Golden(*QUERY_REQUIRED, "GET /api/newsletter/info/sales", given=LIVE),
    Golden(*INVALID, "GET /api/newsletter/info/sales?identifier=nope nope", given=LIVE),
    Golden("NEWSLETTER_INFO_NOT_FOUND", 400, "newsletter not found or no metadata returned",
           f"GET /api/newsletter/info/sales?identifier={UNKNOWN}", given=LIVE),
    Golden("NEWSLETTER_IDENTIFIER_FIELD_REQUIRED", 400,
           "The 'identifier' field is required (JID @newsletter or invite link/code)",
           "POST /api/newsletter/join/sales", {}, LIVE),
    Golden(*INVALID, "POST /api/newsletter/join/sales", {"identifier": "nope nope"}, LIVE),
    Golden("NEWSLETTER_JOIN_NOT_FOUND", 400, "newsletter not found", "POST /api/newsletter/join/sales",
           {"identifier": UNKNOWN}, LIVE),
    Golden("newsletter_follow_failed", 500, "failed to follow newsletter: newsletter is suspended",
           "POST /api/newsletter/join/sales", {"identifier": SUSPENDED}, LIVE),  # the reason: inferred
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/newsletter/join/sales", b"{", LIVE),
    Golden(*QUERY_REQUIRED, "DELETE /api/newsletter/leave/sales", given=LIVE),
    Golden(*INVALID, "DELETE /api/newsletter/leave/sales?identifier=nope nope", given=LIVE),
    Golden("NEWSLETTER_NOT_FOUND", 404, "newsletter not found",
           f"DELETE /api/newsletter/leave/sales?identifier={OTHER}",
           given=LIVE),
    # --- the control plane (mock-only) ---------------------------------------------------------------
    Golden("MOCK_NEWSLETTER_EXISTS", 409, "The instance already knows a newsletter with that JID or invite code",
           "POST /__mock__/instances/sales/newsletters", {"jid": CHANNEL}, LIVE, source="inferred"),
    Golden("MOCK_NEWSLETTER_NOT_FOLLOWED", 409, "The instance neither owns nor follows that newsletter",
           "POST /__mock__/instances/sales/newsletter-posts", {"newsletter": OTHER, "text": "hi"}, LIVE,
           source="inferred"),
]
