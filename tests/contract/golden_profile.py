"""Golden rows of RyzeAPI's profile module (``/api/profile/*``), from the reference's other-modules pages.

Texts the reference does not print are the mock's choice, written here as data and marked ``# inferred``.
"""

from __future__ import annotations

from typing import Any

from tests.contract.golden import ALICE, Golden, connected, created, not_on_whatsapp, on_instance

LIVE = (connected,)
ACCOUNT = {"profileName": "Loja Centro", "profileStatus": "Seg–Sex 9h–18h"}
PRIVACY = {"visibility": {"lastSeen": "contacts", "online": "match_last_seen"}, "privacy": {"readReceipts": "none"}}
NOT_CONNECTED = ("PROFILE_NOT_CONNECTED", 400, "Instance is not connected to WhatsApp")  # the module's own 400

ROUTES: dict[str, tuple[Any, str, str]] = {  # route -> (valid body, success literal, text)
    "POST /api/profile/account/sales": (ACCOUNT, "PROFILE_UPDATED", "Profile updated successfully"),  # inferred
    "GET /api/profile/getAccount/sales": (None, "PROFILE_RETRIEVED", "Profile retrieved successfully"),  # inferred
    "GET /api/profile/getPrivacy/sales": (None, "PRIVACY_RETRIEVED", "Privacy settings retrieved successfully"),
    "GET /api/profile/privacy/sales": (None, "PRIVACY_RETRIEVED", "Privacy settings retrieved successfully"),
    "POST /api/profile/privacy/sales": (PRIVACY, "PRIVACY_UPDATED",
                                        "Privacy settings updated successfully"),  # inferred
}

ROWS: list[Golden] = [
    *[Golden(literal, 200, text, route, body, LIVE) for route, (body, literal, text) in ROUTES.items()],
    *[Golden(*NOT_CONNECTED, route, body, (created,)) for route, (body, _, _) in ROUTES.items()],
    *[row for route, (body, _, _) in ROUTES.items() for row in on_instance(route, body, LIVE)],
    Golden("PROFILE_FIELD_REQUIRED", 400,
           "At least one of profilePicture, profileName or profileStatus is required",  # inferred
           "POST /api/profile/account/sales", {}, LIVE),
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/profile/account/sales", b"{", LIVE),
    Golden("PROFILE_RETRIEVED", 200, "Profile retrieved successfully",
           f"GET /api/profile/getAccount/sales?number={ALICE}",
           given=LIVE, note="a contact's"),  # inferred
    Golden("INVALID_NUMBER", 400, "Invalid number format", "GET /api/profile/getAccount/sales?number=55ab", given=LIVE),
    Golden("NOT_ON_WHATSAPP", 400, "Number not registered on WhatsApp",
           "GET /api/profile/getAccount/sales?number=5511900000000", given=(connected, not_on_whatsapp)),
    Golden("RECIPIENT_NOT_SUPPORTED", 400, "Recipient type not supported by this route",
           "GET /api/profile/getAccount/sales?number=120363000000000001@g.us", given=LIVE),
    Golden("AT_LEAST_ONE_SETTING", 400, "At least one setting must be provided", "POST /api/profile/privacy/sales",
           {}, LIVE),
    Golden("PRIVACY_SETTING_REQUIRED", 400, "At least one setting must be provided", "POST /api/profile/privacy/sales",
           {"visibility": {}}, LIVE, note="empty groups"),
    Golden("INVALID_BODY", 400, "Invalid request body", "POST /api/profile/privacy/sales", b"{", LIVE),
]
