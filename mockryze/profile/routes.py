"""HTTP face of RyzeAPI's profile module: the 5 ``/api/profile/*`` routes (own profile, another
person's profile, privacy settings)."""

from __future__ import annotations

from mockryze.core import literals
from mockryze.core.literals import (
    INVALID_BODY,
    INVALID_NUMBER,
    NOT_ON_WHATSAPP,
    PRIVACY_SETTING_REQUIRED,
    PROFILE_FIELD_REQUIRED,
    PROFILE_NOT_CONNECTED,
    RECIPIENT_NOT_SUPPORTED,
)
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance.routes import ON_INSTANCE
from mockryze.profile import actions


# --- handlers ---------------------------------------------------------------------------------
def get_account(ctx: Context) -> Result:
    number = ctx.query.get("number")
    person = actions.read_account(ctx.world, ctx.target, number if number else None)
    return 200, {"success": True, "message": literals.PROFILE_RETRIEVED, "profile": person.view()}


def update_account(ctx: Context) -> Result:
    changed = actions.update_account(ctx.world, ctx.target, ctx.body)
    return 200, {"success": True, "message": literals.PROFILE_UPDATED, "updatedFields": changed}


def get_privacy(ctx: Context) -> Result:
    settings = actions.read_privacy(ctx.target)
    return 200, {"success": True, "message": literals.PRIVACY_RETRIEVED, "settings": settings.view()}


def update_privacy(ctx: Context) -> Result:
    settings = actions.update_privacy(ctx.world, ctx.target, ctx.body)
    return 200, {"success": True, "message": literals.PRIVACY_UPDATED, "settings": settings.view()}


# --- the route table --------------------------------------------------------------------------
PREFIX = "/api/profile"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{PREFIX}/account/:instance", update_account, "Update own picture, name or About (partial)",
             request_schema="profile/account.request", responses={200: "profile/account.response"},
             errors=(*ON_INSTANCE, INVALID_BODY, PROFILE_FIELD_REQUIRED, PROFILE_NOT_CONNECTED)),
    Endpoint("GET", f"{PREFIX}/getAccount/:instance", get_account, "Own profile, or a contact's with ?number=",
             responses={200: "profile/getAccount.response"},
             errors=(*ON_INSTANCE, INVALID_NUMBER, RECIPIENT_NOT_SUPPORTED, NOT_ON_WHATSAPP, PROFILE_NOT_CONNECTED),
             query={"number": "phone (digits, +, spaces, dashes, brackets, or a JID) or LID; omitted: own profile"}),
    Endpoint("GET", f"{PREFIX}/getPrivacy/:instance", get_privacy, "Read the privacy settings",
             responses={200: "profile/getPrivacy.response"}, errors=(*ON_INSTANCE, PROFILE_NOT_CONNECTED)),
    Endpoint("GET", f"{PREFIX}/privacy/:instance", get_privacy, "Read the privacy settings (alias of getPrivacy)",
             responses={200: "profile/getPrivacy.response"}, errors=(*ON_INSTANCE, PROFILE_NOT_CONNECTED)),
    Endpoint("POST", f"{PREFIX}/privacy/:instance", update_privacy, "Update privacy settings (partial)",
             request_schema="profile/privacy.request", responses={200: "profile/privacy.response"},
             errors=(*ON_INSTANCE, INVALID_BODY, PRIVACY_SETTING_REQUIRED, PROFILE_NOT_CONNECTED)),
)
