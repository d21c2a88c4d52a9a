"""Golden rows of RyzeAPI's chat module (``/api/chat/*``), from the reference's chat pages.

Texts the reference does not print are the mock's choice, written here as data and marked ``# inferred``.
"""

from __future__ import annotations

from typing import Any

from tests.contract.golden import (
    ALICE,
    UNKNOWN_MESSAGE,
    Golden,
    Stage,
    advance,
    call,
    connected,
    network_lost,
    on_instance,
    received,
    sent,
    sent_text,
    tagged,
)

GROUP = "120363000000000001@g.us"
NOT_CONNECTED = ("NOT_CONNECTED", 503, "Instance is not connected to WhatsApp")
LIVE = (connected,)
POLL = sent("poll", {"question": "When?", "options": ["Fri", "Sat"]}, "POLL")
MEDIA = sent("media", {"mediaType": "image", "mediaBase64": "aGVsbG8="}, "MEDIA")
ALL = (connected, sent_text, received, tagged, POLL, MEDIA)  # every placeholder a route's body may name


def other_sent(stage: Stage) -> None:
    """A second connected instance ``other`` sent a text; its id fills {THEIRS}."""
    other = stage.ryze.create_instance("other", connected=True)
    response = stage.ryze.client.post("/api/message/text/other", headers={"token": other.token},
                                      json={"number": ALICE, "message": "theirs"})
    assert response.status_code == 200, response.text
    stage.saved["THEIRS"] = response.json()["data"]["messageId"]


def chat(route: str, query: str = "") -> str:
    method, name = route.split(" ")
    return f"{method} /api/chat/{name}/sales{query}"


# route -> (a valid body, the world it needs): the success row and the shared refusals use them
ROUTES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    chat("GET contacts"): (None, LIVE),
    chat("GET contactsByLabel", "?refresh=true"): (None, LIVE),
    chat("GET tag"): (None, LIVE),
    chat("POST tag"): ({"name": "Wholesale", "color": 3}, LIVE),
    chat("DELETE tag", "?tagId={TAG}"): (None, ALL),
    chat("POST assignTag"): ({"number": ALICE, "tagId": "{TAG}"}, ALL),
    chat("DELETE assignTag", f"?number={ALICE}&tagId={{TAG}}"): (None, ALL),
    chat("POST archive"): ({"number": ALICE, "archive": True}, LIVE),
    chat("POST markRead"): ({"number": ALICE, "messageId": "{IN}"}, ALL),
    chat("POST markChatRead"): ({"number": ALICE, "read": True}, LIVE),
    chat("POST pin"): ({"number": ALICE, "pin": True}, LIVE),
    chat("POST pinChat"): ({"number": ALICE, "pin": True}, LIVE),
    chat("POST favorite"): ({"number": ALICE, "favorite": True}, LIVE),
    chat("POST mute"): ({"number": ALICE, "mute": True, "duration": "8h"}, LIVE),
    chat("POST block"): ({"number": ALICE, "block": True}, LIVE),
    chat("POST presence"): ({"number": ALICE, "state": "typing", "duration": 5}, LIVE),
    chat("DELETE deleteChat"): ({"number": ALICE, "deleteMedia": False}, LIVE),
    chat("GET getMessage", "?messageId={IN}"): (None, ALL),
    chat("POST history"): ({"number": ALICE, "count": 20}, ALL),
    chat("GET base64", "?messageId={MEDIA}"): (None, ALL),
    chat("GET status", "?messageId={OURS}"): (None, ALL),
    chat("GET poll", "?messageId={POLL}"): (None, ALL),
    chat("POST forward"): ({"messageId": "{IN}", "to": ALICE}, ALL),
    chat("POST edit"): ({"messageId": "{OURS}", "content": "Meeting at 4"}, ALL),
    chat("DELETE delete"): ({"messageId": "{OURS}", "deleteForEveryone": True}, ALL),
}
SUCCESS: dict[str, tuple[str, str]] = {  # route -> (literal, text)
    chat("GET contacts"): ("CONTACTS_RETRIEVED", "Contacts retrieved successfully"),  # inferred
    chat("GET contactsByLabel", "?refresh=true"): ("CHATS_BY_LABEL_RETRIEVED",
                                                   "Chats retrieved successfully"),  # inferred
    chat("GET tag"): ("TAGS_RETRIEVED", "Tags retrieved successfully"),
    chat("POST tag"): ("TAG_CREATED", "Tag created successfully"),
    chat("DELETE tag", "?tagId={TAG}"): ("TAG_DELETED", "Tag deleted successfully"),
    chat("POST assignTag"): ("TAG_ASSIGNED", "Tag assigned successfully"),
    chat("DELETE assignTag", f"?number={ALICE}&tagId={{TAG}}"): ("TAG_REMOVED", "Tag removed successfully"),
    chat("POST archive"): ("CHAT_ARCHIVED", "Chat archived successfully"),
    chat("POST markRead"): ("MESSAGE_MARKED_READ", "Message marked as read successfully"),
    chat("POST markChatRead"): ("CHAT_MARKED", "Chat marked as read successfully"),
    chat("POST pin"): ("CHAT_PINNED", "Chat pinned successfully"),
    chat("POST pinChat"): ("CHAT_PINNED", "Chat pinned successfully"),
    chat("POST favorite"): ("FAVORITE_SET", "Chat added to favorites successfully"),  # inferred
    chat("POST mute"): ("CHAT_MUTED_8H", "Chat muted for 8 hours"),
    chat("POST block"): ("CONTACT_BLOCKED", "Contact blocked successfully"),
    chat("POST presence"): ("PRESENCE_SENT", "Presence sent successfully"),  # inferred
    chat("DELETE deleteChat"): ("CHAT_DELETED", "Chat deleted successfully"),
    chat("GET getMessage", "?messageId={IN}"): ("MESSAGE_FOUND", "Message found"),
    chat("POST history"): ("HISTORY_RETRIEVED", "Messages retrieved successfully"),  # inferred
    chat("GET base64", "?messageId={MEDIA}"): ("BASE64_RETRIEVED", "Base64 retrieved successfully"),
    chat("GET status", "?messageId={OURS}"): ("MESSAGE_STATUS_RETRIEVED", "Message status retrieved successfully"),
    chat("GET poll", "?messageId={POLL}"): ("POLL_VOTES_RETRIEVED", "Poll votes retrieved successfully"),
    chat("POST forward"): ("MESSAGE_FORWARDED", "Message forwarded successfully"),
    chat("POST edit"): ("MESSAGE_EDITED", "Message edited successfully"),
    chat("DELETE delete"): ("DELETED_FOR_EVERYONE", "Message deleted for everyone"),
}
# routes that refuse a disconnected instance with the messages module's 503
NEEDS_CONNECTION = [r for r in ROUTES if r.split("/")[3].split("?")[0] not in
                    {"contacts", "history", "status", "poll"}]
NUMBERED = [r for r, (body, _) in ROUTES.items() if isinstance(body, dict) and "number" in body
            and "favorite" not in r]


def body_of(route: str, **change: Any) -> Any:
    body = ROUTES[route][0]
    return {k: v for k, v in {**body, **change}.items() if v is not None}


def success(route: str) -> Golden:
    body, given = ROUTES[route]
    literal, text = SUCCESS[route]
    return Golden(literal, 200, text, route, body, given)


def number_refusals(route: str) -> list[Golden]:
    given = ROUTES[route][1]
    return [
        Golden("NUMBER_REQUIRED", 400, "Number is required", route, body_of(route, number=None), given),
        Golden("INVALID_NUMBER", 400, "Invalid number format", route, body_of(route, number="55ab"), given,
               source="inferred"),
    ]


def path(route: str) -> str:
    return route.split("?")[0]


# Refusals a route declares that no request can get from it, and why.
UNREACHABLE: dict[tuple[str, str], str] = {
    **{(path(chat(route)), "INVALID_BODY"): "this page documents `Invalid request body: <detail>` (rows above)"
       for route in ("POST history",)},
    (path(chat("POST favorite")), "NUMBER_REQUIRED"):
        "with neither `number` nor `messageId` the route answers `Either number or messageId is required`",
}

ROWS: list[Golden] = [
    *[success(route) for route in ROUTES],
    *[Golden(*NOT_CONNECTED, route, ROUTES[route][0], (*ROUTES[route][1], network_lost))
      for route in NEEDS_CONNECTION],
    *[row for route in NUMBERED for row in number_refusals(route)],
    Golden("INVALID_NUMBER", 400, "Invalid number format", chat("POST favorite"), {"number": "55ab"}, LIVE),
    *[row for route, (body, given) in ROUTES.items() for row in on_instance(path(route), body, given)],
    # --- contacts ---------------------------------------------------------------------------------
    Golden("CONTACT_RETRIEVED", 200, "Contact retrieved successfully", chat("GET contacts", f"?number={ALICE}"),
           given=LIVE),  # inferred
    Golden("INVALID_NUMBER", 400, "Invalid number format", chat("GET contacts", "?number=55ab"), given=LIVE),
    # --- labels -----------------------------------------------------------------------------------
    Golden("TAG_NAME_REQUIRED", 400, "Tag name is required", chat("POST tag"), {"name": ""}, LIVE),
    Golden("TAG_ID_QUERY_REQUIRED", 400, "tagId query parameter is required", chat("DELETE tag"), given=LIVE),
    Golden("TAG_NOT_FOUND", 404, "Tag not found", chat("DELETE tag", "?tagId=999"), given=LIVE),
    Golden("TAG_ID_REQUIRED", 400, "tagId is required", chat("POST assignTag"), {"number": ALICE}, LIVE),
    Golden("TAG_NOT_FOUND", 404, "Tag not found", chat("POST assignTag"), {"number": ALICE, "tagId": "999"}, LIVE),
    Golden("NUMBER_QUERY_REQUIRED", 400, "number query parameter is required",
           chat("DELETE assignTag", "?tagId={TAG}"), given=ALL),
    Golden("TAG_ID_QUERY_REQUIRED", 400, "tagId query parameter is required",
           chat("DELETE assignTag", f"?number={ALICE}"), given=ALL),
    Golden("TAG_NOT_FOUND", 404, "Tag not found", chat("DELETE assignTag", f"?number={ALICE}&tagId=999"),
           given=ALL),
    Golden("INVALID_NUMBER", 400, "Invalid number format", chat("DELETE assignTag", "?number=55ab&tagId={TAG}", ),
           given=ALL),
    # --- chat state -------------------------------------------------------------------------------
    Golden("CHAT_ARCHIVED", 200, "Chat unarchived successfully", chat("POST archive"),
           {"number": ALICE, "archive": False}, LIVE, note="unarchive"),
    Golden("CHAT_MARKED", 200, "Chat marked as unread successfully", chat("POST markChatRead"),
           {"number": ALICE, "read": False}, LIVE, note="unread"),
    Golden("CHAT_PINNED", 200, "Chat unpinned successfully", chat("POST pin"), {"number": ALICE, "pin": False},
           LIVE, note="unpin"),
    Golden("PIN_LIMIT", 400, "You can only pin up to 3 chats", chat("POST pin"), {"number": ALICE, "pin": True},
           (connected, *[call("POST /api/chat/pin/sales", {"number": f"551198765000{n}", "pin": True})
                         for n in range(3)])),  # inferred
    Golden("PIN_LIMIT", 400, "You can only pin up to 3 chats", chat("POST pinChat"), {"number": ALICE, "pin": True},
           (connected, *[call("POST /api/chat/pinChat/sales", {"number": f"551198765000{n}", "pin": True})
                         for n in range(3)])),  # inferred
    Golden("FAVORITE_SET", 200, "Chat removed from favorites successfully", chat("POST favorite"),
           {"number": ALICE, "favorite": False}, LIVE, note="chat, removed"),  # inferred
    Golden("FAVORITE_SET", 200, "Message added to favorites successfully", chat("POST favorite"),
           {"messageId": "{IN}", "favorite": True}, ALL, note="message"),  # inferred
    Golden("FAVORITE_SET", 200, "Message removed from favorites successfully", chat("POST favorite"),
           {"messageId": "{IN}", "favorite": False}, ALL, note="message, removed"),  # inferred
    Golden("NUMBER_OR_MESSAGE_ID_REQUIRED", 400, "Either number or messageId is required", chat("POST favorite"),
           {"favorite": True}, LIVE),
    Golden("MESSAGE_NOT_FOUND", 404, "Message not found", chat("POST favorite"),
           {"messageId": UNKNOWN_MESSAGE, "favorite": True}, LIVE),
    Golden("CHAT_MUTED_1W", 200, "Chat muted for 1 week", chat("POST mute"),
           {"number": ALICE, "mute": True, "duration": "1w"}, LIVE),
    Golden("CHAT_MUTED_FOREVER", 200, "Chat muted permanently", chat("POST mute"),
           {"number": ALICE, "mute": True, "duration": "forever"}, LIVE),
    Golden("CHAT_UNMUTED", 200, "Chat notifications unmuted successfully", chat("POST mute"),
           {"number": ALICE, "mute": False}, LIVE),
    Golden("INVALID_DURATION", 400, "Invalid duration: use 8h, 8 hours, 1w, 7d, 1 week, always, forever or permanent",
           chat("POST mute"), {"number": ALICE, "mute": True, "duration": "3d"}, LIVE),  # inferred
    Golden("CONTACT_BLOCKED", 200, "Contact unblocked successfully", chat("POST block"),
           {"number": ALICE, "block": False}, LIVE, note="unblock"),
    Golden("GROUPS_NOT_BLOCKABLE", 400, "Only individual contacts can be blocked", chat("POST block"),
           {"number": GROUP, "block": True}, LIVE),  # inferred
    Golden("STATE_REQUIRED", 400, "State is required. Use 'typing', 'recording', or 'pause'", chat("POST presence"),
           {"number": ALICE}, LIVE),
    Golden("INVALID_STATE", 400, "Invalid state. Use 'typing', 'recording', or 'pause'", chat("POST presence"),
           {"number": ALICE, "state": "dancing"}, LIVE),
    Golden("CHAT_DELETED", 200, "Chat deleted successfully (including media)", chat("DELETE deleteChat"),
           {"number": ALICE, "deleteMedia": True}, LIVE, note="with media"),
    # --- messages ---------------------------------------------------------------------------------
    Golden("MESSAGE_ID_REQUIRED", 400, "messageId is required", chat("POST markRead"), {"number": ALICE}, ALL),
    Golden("SENDER_REQUIRED_IN_GROUPS", 400, "sender is required for group messages", chat("POST markRead"),
           {"number": GROUP, "messageId": "{IN}"}, ALL),
    Golden("MESSAGE_ID_REQUIRED_GET", 400, "Message ID is required (use ?messageId=<message-id>)",
           chat("GET getMessage"), given=ALL),
    Golden("MESSAGE_NOT_FOUND", 404, "Message not found", chat("GET getMessage", f"?messageId={UNKNOWN_MESSAGE}"),
           given=ALL),
    Golden("INVALID_BODY", 400, "Invalid request body", chat("POST block"), b"{", LIVE),  # this page: no suffix
    Golden("INVALID_BODY", 400, "Invalid request body", chat("POST presence"), b"{", LIVE),
    Golden("invalid_body_detail", 400, "Invalid request body: malformed JSON: Expecting value: line 1 column 2 "
           "(char 1)", chat("POST history"), b"[", ALL),
    Golden("INVALID_FROM_DATE", 400,
           "invalid 'from' date format. Use ISO 8601 format (e.g., '2026-02-16T18:32:39Z')", chat("POST history"),
           {"number": ALICE, "from": "yesterday"}, ALL),
    Golden("INVALID_TO_DATE", 400,
           "invalid 'to' date format. Use ISO 8601 format (e.g., '2026-02-16T18:32:39Z')", chat("POST history"),
           {"number": ALICE, "to": "tomorrow"}, ALL),
    Golden("MESSAGE_ID_QUERY_REQUIRED", 400, "messageId query parameter is required", chat("GET base64"), given=ALL),
    Golden("NO_MEDIA", 404, "Message not found or no media available", chat("GET base64", "?messageId={IN}"),
           given=ALL),
    Golden("STATUS_FOUND", 200, "found", chat("GET getMessage", "?messageId={IN}"), given=ALL, at="status"),
    Golden("MESSAGE_ID_QUERY_REQUIRED", 400, "messageId query parameter is required", chat("GET status"), given=ALL),
    Golden("MESSAGE_NOT_FOUND", 404, "Message not found", chat("GET status", f"?messageId={UNKNOWN_MESSAGE}"),
           given=ALL),
    Golden("MESSAGE_ID_QUERY_REQUIRED", 400, "messageId query parameter is required", chat("GET poll"), given=ALL),
    Golden("POLL_NOT_FOUND", 404, "Poll not found", chat("GET poll", "?messageId={OURS}"), given=ALL),
    Golden("INVALID_BODY", 400, "Invalid request body", chat("POST forward"), b"[", ALL),
    Golden("MESSAGE_ID_REQUIRED", 400, "messageId is required", chat("POST forward"), {"to": ALICE}, ALL),
    Golden("TO_REQUIRED", 400, "to is required", chat("POST forward"), {"messageId": "{IN}"}, ALL),
    Golden("MESSAGE_NOT_FOUND", 404, "Message not found", chat("POST forward"),
           {"messageId": UNKNOWN_MESSAGE, "to": ALICE}, ALL),
    Golden("INVALID_NUMBER", 400, "Invalid number format", chat("POST forward"), {"messageId": "{IN}", "to": "55ab"},
           ALL),
    Golden("NOT_ON_WHATSAPP", 400, "Number not registered on WhatsApp", chat("POST forward"),
           {"messageId": "{IN}", "to": "5511900000000"},
           (*ALL, lambda stage: stage.ryze.contact("sales", "5511900000000", on_whatsapp=False))),
    Golden("RECIPIENT_NOT_SUPPORTED", 400, "Recipient type not supported by this route", chat("POST forward"),
           {"messageId": "{IN}", "to": "status@broadcast"}, ALL),
    Golden("GROUP_NOT_FOUND", 404, "Group not found", chat("POST forward"),
           {"messageId": "{IN}", "to": "120363000000000999@g.us"}, ALL),
    Golden("unsupported_forward", 500, "unsupported message type for forwarding: poll", chat("POST forward"),
           {"messageId": "{POLL}", "to": ALICE}, ALL),
    Golden("unsupported_forward", 500, "unsupported message type for forwarding: reaction", chat("POST forward"),
           {"messageId": "{REACT}", "to": ALICE},
           (*ALL, sent("reaction", {"messageId": "{OURS}", "reaction": "👍", "fromMe": True}, "REACT")),
           note="reaction"),
    Golden("unsupported_forward", 500, "unsupported message type for forwarding: interactive", chat("POST forward"),
           {"messageId": "{BUTTON}", "to": ALICE},
           (*ALL, sent("button", {"contentText": "Help?", "buttons": [{"id": "s", "displayText": "S"}]}, "BUTTON")),
           note="interactive"),
    Golden("MESSAGE_OTHER_INSTANCE", 404, "Message does not belong to this instance",
           chat("GET status", "?messageId={THEIRS}"), given=(*ALL, other_sent)),  # inferred
    Golden("INVALID_BODY", 400, "Invalid request body", chat("POST edit"), b"[", ALL),
    Golden("MESSAGE_ID_REQUIRED", 400, "messageId is required", chat("POST edit"), {"content": "x"}, ALL),
    Golden("CONTENT_REQUIRED", 400, "content is required", chat("POST edit"), {"messageId": "{OURS}"}, ALL),
    Golden("EDIT_TOO_OLD", 400, "message too old to edit", chat("POST edit"),
           {"messageId": "{OURS}", "content": "late"}, (*ALL, advance(16 * 60))),  # inferred
    Golden("EDIT_NOT_OWN_TEXT", 400, "can only edit text messages sent by this instance", chat("POST edit"),
           {"messageId": "{IN}", "content": "x"}, ALL),  # inferred
    Golden("MESSAGE_NOT_FOUND", 404, "Message not found", chat("POST edit"),
           {"messageId": UNKNOWN_MESSAGE, "content": "x"}, ALL),
    Golden("DELETED_FOR_ME", 200, "Message deleted for me", chat("DELETE delete"),
           {"messageId": "{OURS}", "deleteForEveryone": False}, ALL),  # inferred
    Golden("INVALID_BODY", 400, "Invalid request body", chat("DELETE delete"), b"[", ALL),
    Golden("INVALID_BODY", 400, "Invalid request body", chat("DELETE deleteChat"), b"[", LIVE),
    Golden("MESSAGE_ID_REQUIRED_DELETE", 400, "MessageID is required", chat("DELETE delete"), {}, ALL),
    Golden("MESSAGE_NOT_FOUND_LOWER", 404, "message not found", chat("DELETE delete"),
           {"messageId": UNKNOWN_MESSAGE}, ALL),
]
