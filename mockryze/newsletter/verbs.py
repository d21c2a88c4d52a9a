"""The newsletter module's mock-only verbs: a channel someone else owns, and what the instance knows."""

from __future__ import annotations

from typing import Any

from mockryze.core import literals
from mockryze.core.literals import INSTANCE_NOT_FOUND, INVALID_BODY, INVALID_TOKEN, TOKEN_INSTANCE_MISMATCH
from mockryze.http.verbs import Call, Verb, listing, ok
from mockryze.messages.verbs import message_view
from mockryze.newsletter import model
from mockryze.newsletter.model import ForeignChannel, NewsletterChannel

ON_NAME = (INVALID_TOKEN, INSTANCE_NOT_FOUND, TOKEN_INSTANCE_MISMATCH)


def channel_view(channel: NewsletterChannel) -> dict[str, Any]:
    """A channel as the control plane shows it: everything, the instance's role included."""
    return {"jid": channel.jid, "name": channel.name, "description": channel.description, "state": channel.state,
            "subscriberCount": channel.subscriber_count, "pictureUrl": channel.picture_url,
            "inviteCode": channel.invite_code, "inviteLink": channel.invite_link, "role": channel.role}


def foreign(call: Call) -> tuple[int, dict[str, Any]]:
    args = call.args
    spec = ForeignChannel(name=args.get("name"), description=args.get("description"), jid=args.get("jid"),
                          invite_code=args.get("inviteCode"), state=args.get("state", "active"),
                          subscriber_count=args.get("subscriberCount"), picture_url=args.get("pictureUrl"),
                          following=bool(args.get("following", False)))
    made = model.add_foreign(call.world, call.target(), spec)
    return 201, ok("Newsletter created", channel=channel_view(made))


def known(call: Call) -> tuple[int, dict[str, Any]]:
    return 200, listing("newsletters", [channel_view(c) for c in call.target().newsletters.values()])


def post(call: Call) -> tuple[int, dict[str, Any]]:
    received = model.post(call.world, call.target(), call.args["newsletter"], call.args.get("text"))
    return 201, {**ok("Message received"), "ignored": False, "data": message_view(call.world, received)}


VERBS: tuple[Verb, ...] = (
    Verb("newsletter", "POST", "/instances/{name}/newsletters", foreign,
         "A channel someone else owns: the instance can find it by JID, link or code (and follows it with "
         "following: true)", result="channel", request_schema="mock/newsletter.request",
         responses={201: "mock/newsletter.response"},
         errors=(*ON_NAME, INVALID_BODY, literals.NEWSLETTER_INVALID_IDENTIFIER, literals.MOCK_NEWSLETTER_EXISTS)),
    Verb("newsletters", "GET", "/instances/{name}/newsletters", known,
         "Every channel the instance knows (owned, followed, or only looked up / left) and its role",
         result="newsletters", responses={200: "mock/newsletters.response"}, errors=ON_NAME),
    Verb("newsletter_post", "POST", "/instances/{name}/newsletter-posts", post,
         "An admin posts a text in a channel the instance owns or follows (message.exchange, chat.type newsletter)",
         result="data", request_schema="mock/newsletter-post.request",
         responses={201: "mock/inbound.response"},
         errors=(*ON_NAME, INVALID_BODY, literals.NEWSLETTER_INVALID_IDENTIFIER, literals.MOCK_NEWSLETTER_NOT_FOLLOWED,
                 literals.NOT_CONNECTED)),
)
