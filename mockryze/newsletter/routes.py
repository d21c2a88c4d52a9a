"""HTTP face of RyzeAPI's newsletter module (WhatsApp Channels): the 5 ``/api/newsletter/*`` routes."""

from __future__ import annotations

from mockryze.core import literals
from mockryze.core.literals import (
    INVALID_BODY,
    NEWSLETTER_IDENTIFIER_FIELD_REQUIRED,
    NEWSLETTER_IDENTIFIER_REQUIRED,
    NEWSLETTER_INFO_NOT_FOUND,
    NEWSLETTER_INVALID_IDENTIFIER,
    NEWSLETTER_JOIN_NOT_FOUND,
    NEWSLETTER_NAME_REQUIRED,
    NEWSLETTER_NOT_CONNECTED,
    NEWSLETTER_NOT_FOUND,
)
from mockryze.http.routing import Context, Endpoint, Result
from mockryze.instance.routes import ON_INSTANCE
from mockryze.newsletter import model

IDENTIFIER = {"identifier": "JID (…@newsletter), full link (https://whatsapp.com/channel/<code>) or code"}


# --- handlers ---------------------------------------------------------------------------------
def create(ctx: Context) -> Result:
    channel = model.create(ctx.world, ctx.target, ctx.body["name"], ctx.body.get("description", ""))
    return 201, {"success": True, "message": literals.NEWSLETTER_CREATED, "channel": channel.view()}


def list_channels(ctx: Context) -> Result:
    model.require_connected(ctx.target)
    channels = [c.view() for c in model.followed(ctx.target)]
    return 200, {"success": True, "message": literals.newsletters_found(len(channels)), "channels": channels}


def info(ctx: Context) -> Result:
    channel = model.info(ctx.target, ctx.query.get("identifier"))
    return 200, {"success": True, "message": literals.NEWSLETTER_INFO, "channel": channel.view()}


def join(ctx: Context) -> Result:
    channel = model.join(ctx.target, ctx.body.get("identifier"))
    return 200, {"success": True, "message": literals.NEWSLETTER_JOINED, "channelJid": channel.jid}


def leave(ctx: Context) -> Result:
    channel = model.leave(ctx.target, ctx.query.get("identifier"))  # a JSON body is ignored
    return 200, {"success": True, "message": literals.NEWSLETTER_LEFT, "channelJid": channel.jid}


# --- the route table --------------------------------------------------------------------------
PREFIX = "/api/newsletter"
IDENTIFIED = (NEWSLETTER_INVALID_IDENTIFIER, NEWSLETTER_NOT_CONNECTED)

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("POST", f"{PREFIX}/create/:instance", create, "Create a channel (the instance owns it)",
             request_schema="newsletter/create.request", responses={201: "newsletter/create.response"},
             errors=(*ON_INSTANCE, INVALID_BODY, NEWSLETTER_NAME_REQUIRED, NEWSLETTER_NOT_CONNECTED)),
    Endpoint("GET", f"{PREFIX}/list/:instance", list_channels, "List the channels the instance owns or follows",
             responses={200: "newsletter/list.response"}, errors=(*ON_INSTANCE, NEWSLETTER_NOT_CONNECTED)),
    Endpoint("GET", f"{PREFIX}/info/:instance", info, "A channel's details (followed or not)",
             responses={200: "newsletter/info.response"}, query=IDENTIFIER,
             errors=(*ON_INSTANCE, NEWSLETTER_IDENTIFIER_REQUIRED, *IDENTIFIED, NEWSLETTER_INFO_NOT_FOUND)),
    Endpoint("POST", f"{PREFIX}/join/:instance", join, "Follow a channel",
             request_schema="newsletter/join.request", responses={200: "newsletter/join.response"},
             errors=(*ON_INSTANCE, INVALID_BODY, NEWSLETTER_IDENTIFIER_FIELD_REQUIRED, *IDENTIFIED,
                     NEWSLETTER_JOIN_NOT_FOUND, literals.newsletter_follow_failed("newsletter is suspended"))),
    Endpoint("DELETE", f"{PREFIX}/leave/:instance", leave, "Unfollow a channel", query=IDENTIFIER,
             responses={200: "newsletter/leave.response"},
             errors=(*ON_INSTANCE, NEWSLETTER_IDENTIFIER_REQUIRED, *IDENTIFIED, NEWSLETTER_NOT_FOUND)),
)
