"""The event catalog schemas (``schemas/events/``): their examples validate, bad payloads are refused.

Every ``events/*`` schema carries an ``examples`` array of complete envelopes; each must pass both its
own schema and :func:`mockryze.schemas.validate_event`. Hand-made mutations of those examples check
that the schemas really refuse what the contract excludes (epoch or offset-less timestamps, JIDs
without domain, unknown enum values, the other ``message.exchange`` layout, unknown keys).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

from mockryze.core import schemas
from mockryze.core.schemas import SchemaViolation

Doc = dict[str, Any]
Mutation = Callable[[Doc], None]
Predicate = Callable[[Doc], bool]

EVENT_SCHEMAS = [n for n in schemas.names() if n.startswith("events/")]
LIVE = "events/message.exchange.live"
DOCS = "events/message.exchange.docs"
EXCHANGE = "events/message.exchange"

MESSAGE_VARIANTS = {
    "text", "image", "video", "audio", "document", "sticker", "location", "contact", "reaction", "poll",
    "poll_update", "buttons_response", "list_response", "message_edit", "message_revoke",
    "buttons", "list", "interactive", "pix",  # outgoing interactive sends (button, list, carousel/form, pix routes)
    "event",  # the client-expected event route (a WhatsApp event invitation)
}
MEDIA_KINDS = {"image", "video", "ptv", "audio", "ptt", "document", "sticker"}
STATUSES = {"sent", "delivered", "read", "played", "read_self", "played_self", "sender", "retry", "inactive",
            "server_error"}
GROUP_FLOW_TYPES = {"joined", "left", "promoted", "demoted", "name", "description", "announce", "locked", "delete"}
CALL_STATUSES = {"offer", "accepted", "rejected", "terminated", "notification", "latency"}
EPOCH = 1767268800


# --- helpers ----------------------------------------------------------------------------------
def examples(name: str) -> list[Doc]:
    found: list[Doc] = schemas.schema(name).get("examples", [])
    return found


def message(example: Doc) -> Doc:
    """``data.message`` in either layout."""
    inner: Doc = example["data"]["message"]
    return inner


def kind(example: Doc) -> str:
    return str(message(example)["type"])


def media_kind(example: Doc) -> str | None:
    media = message(example).get("media")
    return str(media["type"]) if isinstance(media, dict) else None


def chat(example: Doc) -> Doc:
    """The chat object in either ``message.exchange`` layout."""
    data: Doc = example["data"]
    return data["chat"] if "chat" in data else data["message"]["chat"]  # type: ignore[no-any-return]


def first(name: str, predicate: Predicate = lambda _: True) -> Doc:
    for example in examples(name):
        if predicate(example):
            return copy.deepcopy(example)
    raise AssertionError(f"{name} has no example matching the predicate")


def is_kind(wanted: str) -> Predicate:
    return lambda example: kind(example) == wanted


def has_media(wanted: str) -> Predicate:
    return lambda example: media_kind(example) == wanted


def field_is(key: str, value: Any) -> Predicate:
    return lambda example: example["data"].get(key) == value


def _parent(doc: Doc, path: tuple[str | int, ...]) -> tuple[Any, str | int]:
    node: Any = doc
    for key in path[:-1]:
        node = node[key]
    return node, path[-1]


def put(*path: str | int, value: Any) -> Mutation:
    def apply(doc: Doc) -> None:
        parent, key = _parent(doc, path)
        parent[key] = value

    return apply


def drop(*path: str | int) -> Mutation:
    def apply(doc: Doc) -> None:
        parent, key = _parent(doc, path)
        del parent[key]

    return apply


def rename(*path: str | int, to: str) -> Mutation:
    def apply(doc: Doc) -> None:
        parent, key = _parent(doc, path)
        parent[to] = parent.pop(key)

    return apply


def assert_rejected(name: str, document: Doc) -> None:
    assert schemas.errors(name, document), f"{name} accepted {document!r}"
    with pytest.raises(SchemaViolation):
        schemas.validate_event(document)


# --- every schema, every example ----------------------------------------------------------------
def test_the_catalog_has_one_schema_per_event_type() -> None:
    expected = {"events/envelope", "events/instance.state", EXCHANGE, LIVE, DOCS, "events/message.status",
                "events/group.flow", "events/call.update", "events/label.update"}
    assert expected <= set(EVENT_SCHEMAS)


@pytest.mark.parametrize("name", EVENT_SCHEMAS)
def test_schema_is_well_formed_and_has_examples(name: str) -> None:
    from jsonschema import Draft202012Validator

    document = schemas.schema(name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"] == f"{schemas.BASE_URI}{name}.json"
    assert isinstance(document.get("examples"), list) and document["examples"], f"{name} has no examples"


EXAMPLE_PARAMS = [
    pytest.param(name, example, id=f"{name.removeprefix('events/')}[{index}]")
    for name in EVENT_SCHEMAS
    for index, example in enumerate(examples(name))
]


@pytest.mark.parametrize(("name", "example"), EXAMPLE_PARAMS)
def test_example_validates(name: str, example: Doc) -> None:
    schemas.validate(name, example)
    schemas.validate_event(example)
    if name != "events/envelope":
        assert name.removeprefix("events/").startswith(example["event"])


# --- message.exchange: the two layouts ---------------------------------------------------------
@pytest.mark.parametrize(
    ("other", "example"),
    [pytest.param(DOCS, e, id=f"live[{i}]") for i, e in enumerate(examples(LIVE))]
    + [pytest.param(LIVE, e, id=f"docs[{i}]") for i, e in enumerate(examples(DOCS))],
)
def test_a_layout_example_is_refused_by_the_other_layout(other: str, example: Doc) -> None:
    assert schemas.errors(other, example)
    schemas.validate(EXCHANGE, example)


@pytest.mark.parametrize("layout", [LIVE, DOCS])
def test_layout_examples_cover_every_variant(layout: str) -> None:
    found = examples(layout)
    assert {kind(e) for e in found} == MESSAGE_VARIANTS
    assert {media_kind(e) for e in found} - {None} == MEDIA_KINDS
    assert any(message(e).get("context") for e in found), "quoted reply"
    assert any(message(e).get("contacts") for e in found), "several contacts"
    assert any(kind(e) == "reaction" and message(e)["reaction"]["text"] == "" for e in found), "reaction removed"
    assert any(kind(e) == "reaction" and message(e)["reaction"]["text"] for e in found), "reaction added"
    assert any(m.get("isVoiceNote") for e in found if (m := message(e).get("media"))), "voice note"
    groups = [e for e in found if chat(e)["type"] == "group"]
    assert any(chat(e)["jid"].endswith("@g.us") for e in groups)
    mentions = [e["data"].get("mentions") or message(e).get("mentions") for e in groups]
    assert any(mentions), "group message with mentions"
    assert {e["data"].get("direction") or message(e)["direction"] for e in found} == {"incoming", "outgoing"}
    interactive = [message(e) for e in found if kind(e) == "interactive"]
    assert any("carousel" in m for m in interactive) and any("form" in m for m in interactive), "carousel and form"
    assert any("buttonParams" in m.get("form", {}) for m in interactive), "form from raw buttonParamsJSON"
    assert any(kind(e) == "buttons" and message(e).get("media") for e in found), "buttons with a media header"
    stories = [e for e in found if chat(e)["type"] == "broadcast"]
    assert {kind(e) for e in stories} >= {"text", "image"}, "text and media stories"
    assert any(message(e).get("story") for e in stories), "styled text story"


@pytest.mark.parametrize("layout", [LIVE, DOCS])
def test_each_message_type_has_its_variant_definition(layout: str) -> None:
    document = schemas.schema(layout)
    declared = set(schemas.schema(EXCHANGE)["$defs"]["messageType"]["enum"])
    assert declared == MESSAGE_VARIANTS
    assert {k.removeprefix("variant.") for k in document["$defs"] if k.startswith("variant.")} == declared


class Case(NamedTuple):
    schema: str
    base: Callable[[], Doc]
    mutate: Mutation


def live(predicate: Predicate = lambda _: True) -> Callable[[], Doc]:
    return lambda: first(LIVE, predicate)


def docs(predicate: Predicate = lambda _: True) -> Callable[[], Doc]:
    return lambda: first(DOCS, predicate)


def event(name: str, predicate: Predicate = lambda _: True) -> Callable[[], Doc]:
    return lambda: first(name, predicate)


def private_text(example: Doc) -> bool:
    return kind(example) == "text" and chat(example)["type"] == "private"


MSG = ("data", "message")
STATUS, GROUP, CALL, LABEL, STATE = (f"events/{n}" for n in ("message.status", "group.flow", "call.update",
                                                              "label.update", "instance.state"))
A_JID = "5511987654321@s.whatsapp.net"
NEGATIVE: dict[str, Case] = {
    # live layout
    "live-missing-timestamp": Case(LIVE, live(), drop("data", "timestamp")),
    "live-epoch-timestamp": Case(LIVE, live(), put("data", "timestamp", value=EPOCH)),
    "live-epoch-string-timestamp": Case(LIVE, live(), put("data", "timestamp", value=str(EPOCH))),
    "live-timestamp-without-offset": Case(LIVE, live(), put("data", "timestamp", value="2026-01-01T09:00:00")),
    "live-chat-jid-without-domain": Case(LIVE, live(), put("data", "chat", "jid", value="5511987654321")),
    "live-sender-jid-without-domain": Case(LIVE, live(), put("data", "sender", "jid", value="5511987654321")),
    "live-content-as-object": Case(LIVE, live(), put(*MSG, "content", value={"text": "Oi"})),
    "live-unknown-data-key": Case(LIVE, live(), put("data", "pushName", value="Carla")),
    "live-unknown-message-key": Case(LIVE, live(), put(*MSG, "quoted", value=None)),
    "live-unknown-message-type": Case(LIVE, live(), put(*MSG, "type", value="templateMessage")),
    "live-missing-always-present-key": Case(LIVE, live(), drop(*MSG, "reaction")),
    "live-docs-mime-key": Case(LIVE, live(has_media("image")), rename(*MSG, "media", "mimeType", to="mimetype")),
    "live-image-without-media": Case(LIVE, live(is_kind("image")), put(*MSG, "media", value=None)),
    "live-media-type-suffix": Case(LIVE, live(has_media("image")), put(*MSG, "media", "type", value="imageMessage")),
    "live-media-type-mismatch": Case(LIVE, live(has_media("image")), put(*MSG, "media", "type", value="video")),
    "live-voice-note-flag-off": Case(LIVE, live(has_media("ptt")), put(*MSG, "media", "isVoiceNote", value=False)),
    "live-reaction-without-block": Case(LIVE, live(is_kind("reaction")), put(*MSG, "reaction", value=None)),
    "live-reaction-target-not-an-id": Case(LIVE, live(is_kind("reaction")),
                                           put(*MSG, "reaction", "messageId", value="not-an-id")),
    "live-edit-without-isEdit": Case(LIVE, live(is_kind("message_edit")), put(*MSG, "isEdit", value=False)),
    "live-text-with-isEdit": Case(LIVE, live(), put(*MSG, "isEdit", value=True)),
    "live-buttons-without-interactive": Case(LIVE, live(is_kind("buttons_response")), drop(*MSG, "interactive")),
    "live-list-row-id-spelling": Case(LIVE, live(is_kind("list_response")),
                                      put(*MSG, "interactive", "selectedReply", value={"selectedRowId": "x"})),
    "live-text-with-location-block": Case(LIVE, live(), put(*MSG, "location", value={"latitude": 1, "longitude": 2})),
    "live-poll-with-one-option": Case(LIVE, live(is_kind("poll")), put(*MSG, "poll", "options", value=[{"name": "x"}])),
    "live-revoke-with-content": Case(LIVE, live(is_kind("message_revoke")), put(*MSG, "content", value="x")),
    "live-group-chat-with-user-jid": Case(LIVE, live(lambda e: chat(e)["type"] == "group"),
                                          put("data", "chat", "jid", value=A_JID)),
    "live-mentions-in-private-chat": Case(LIVE, live(private_text),
                                          put("data", "mentions", value={"mentionedUsers": [A_JID]})),
    "live-mention-without-domain": Case(LIVE, live(lambda e: "mentions" in e["data"]),
                                        put("data", "mentions", "mentionedUsers", value=["5511912345678"])),
    "live-incoming-with-api-source": Case(LIVE, live(field_is("direction", "incoming")),
                                          put(*MSG, "source", value="api")),
    "live-recipient-as-string": Case(LIVE, live(), put("data", "recipient", value=A_JID)),
    "live-buttons-four-buttons": Case(LIVE, live(is_kind("buttons")), put(*MSG, "buttons", "buttons", value=[
        {"type": "REPLY", "id": f"b{i}", "title": "x"} for i in range(4)])),
    "live-buttons-without-block": Case(LIVE, live(is_kind("buttons")), drop(*MSG, "buttons")),
    "live-list-with-buttons-block": Case(LIVE, live(is_kind("list")),
                                         put(*MSG, "buttons", value={"text": "x", "buttons": []})),
    "live-interactive-carousel-and-form": Case(LIVE, live(lambda e: "carousel" in message(e)),
                                               put(*MSG, "form", value={"text": "x", "flowToken": "t",
                                                                        "buttonParams": {}})),
    "live-carousel-docs-mime-key": Case(LIVE, live(lambda e: "carousel" in message(e)),
                                        rename(*MSG, "carousel", "cards", 0, "header", "media", "mimeType",
                                               to="mimetype")),
    "live-pix-unknown-key-type": Case(LIVE, live(is_kind("pix")), put(*MSG, "pix", "keyType", value="BOLETO")),
    "live-broadcast-chat-with-user-jid": Case(LIVE, live(lambda e: chat(e)["type"] == "broadcast"),
                                              put("data", "chat", "jid", value=A_JID)),
    "live-story-on-image": Case(LIVE, live(lambda e: chat(e)["type"] == "broadcast" and kind(e) == "image"),
                                put(*MSG, "story", value={"font": "serif"})),
    "live-story-bad-color": Case(LIVE, live(lambda e: bool(message(e).get("story"))),
                                 put(*MSG, "story", "backgroundColor", value="blue")),
    "live-event-without-block": Case(LIVE, live(is_kind("event")), drop(*MSG, "event")),
    "live-event-start-without-offset": Case(LIVE, live(is_kind("event")),
                                            put(*MSG, "event", "startAt", value="2026-01-10T19:00:00")),
    "live-event-without-flags": Case(LIVE, live(is_kind("event")), drop(*MSG, "event", "isCanceled")),
    "live-text-with-event-block": Case(LIVE, live(private_text), put(*MSG, "event", value={"name": "x"})),
    # docs layout
    "docs-event-without-content": Case(DOCS, docs(is_kind("event")), drop(*MSG, "content")),
    "docs-event-unknown-field": Case(DOCS, docs(is_kind("event")), put(*MSG, "event", "guests", value=[])),
    "docs-missing-timestamp": Case(DOCS, docs(), drop(*MSG, "timestamp")),
    "docs-epoch-timestamp": Case(DOCS, docs(), put(*MSG, "timestamp", value=EPOCH)),
    "docs-content-as-string": Case(DOCS, docs(), put(*MSG, "content", value="Vocês abrem no feriado?")),
    "docs-bare-number-chat-jid": Case(DOCS, docs(), put(*MSG, "chat", "jid", value="5511987654321")),
    "docs-routing-on-data": Case(DOCS, docs(), put("data", "direction", value="incoming")),
    "docs-unknown-message-key": Case(DOCS, docs(), put(*MSG, "isForwarded", value=False)),
    "docs-live-mime-key": Case(DOCS, docs(has_media("image")), rename(*MSG, "media", "mimetype", to="mimeType")),
    "docs-null-block": Case(DOCS, docs(), put(*MSG, "media", value=None)),
    "docs-text-without-content": Case(DOCS, docs(is_kind("text")), drop(*MSG, "content")),
    "docs-unknown-message-type": Case(DOCS, docs(), put(*MSG, "type", value="poll-update")),
    "docs-incoming-with-source": Case(DOCS, docs(), put(*MSG, "source", value="api")),
    "docs-list-without-content": Case(DOCS, docs(is_kind("list")), drop(*MSG, "content")),
    "docs-carousel-live-mime-key": Case(DOCS, docs(lambda e: "carousel" in message(e)),
                                        rename(*MSG, "carousel", "cards", 0, "header", "media", "mimetype",
                                               to="mimeType")),
    "docs-form-params-and-type": Case(DOCS, docs(lambda e: "buttonParams" in message(e).get("form", {})),
                                      put(*MSG, "form", "formType", value="contact_details")),
    "docs-broadcast-chat-with-lid": Case(DOCS, docs(lambda e: chat(e)["type"] == "broadcast"),
                                         put(*MSG, "chat", "lid", value="123456789012345@lid")),
    # message.status
    "status-missing-timestamp": Case(STATUS, event(STATUS), drop("data", "timestamp")),
    "status-epoch-timestamp": Case(STATUS, event(STATUS), put("data", "timestamp", value=EPOCH)),
    "status-unknown-value": Case(STATUS, event(STATUS), put("data", "status", value="failed")),
    "status-rest-vocabulary": Case(STATUS, event(STATUS), put("data", "status", value="received")),
    "status-no-ids": Case(STATUS, event(STATUS), put("data", "messageIds", value=[])),
    "status-too-many-ids": Case(STATUS, event(STATUS), put("data", "messageIds",
                                                           value=[f"3EB0{i:016X}" for i in range(257)])),
    "status-chat-jid-without-domain": Case(STATUS, event(STATUS), put("data", "chat", "jid", value="5511987654321")),
    "status-recipient-as-jid": Case(STATUS, event(STATUS), put("data", "recipient", value=A_JID)),
    "status-messageSender-in-private-chat": Case(STATUS, event(STATUS, lambda e: e["data"]["chat"]["type"] != "group"),
                                                 put("data", "messageSender", value=A_JID)),
    "status-unknown-data-key": Case(STATUS, event(STATUS), put("data", "id", value="x")),
    # group.flow
    "group-missing-timestamp": Case(GROUP, event(GROUP), drop("data", "timestamp")),
    "group-epoch-timestamp": Case(GROUP, event(GROUP), put("data", "timestamp", value=str(EPOCH))),
    "group-unknown-type": Case(GROUP, event(GROUP), put("data", "type", value="add")),
    "group-action-form": Case(GROUP, event(GROUP), rename("data", "type", to="action")),
    "group-jid-without-domain": Case(GROUP, event(GROUP), put("data", "groupJid", value="120363012345678901")),
    "group-participant-without-domain": Case(GROUP, event(GROUP),
                                             put("data", "participants", 0, "jid", value="5511987654321")),
    "group-participants-as-strings": Case(GROUP, event(GROUP), put("data", "participants", value=[A_JID])),
    "group-joined-without-participants": Case(GROUP, event(GROUP, field_is("type", "joined")),
                                              put("data", "participants", value=[])),
    "group-name-with-foreign-field": Case(GROUP, event(GROUP, field_is("type", "name")),
                                          put("data", "announce", value=True)),
    "group-announce-without-value": Case(GROUP, event(GROUP, field_is("type", "announce")), drop("data", "announce")),
    "group-unknown-data-key": Case(GROUP, event(GROUP), put("data", "value", value="x")),
    # call.update
    "call-missing-timestamp": Case(CALL, event(CALL), drop("data", "timestamp")),
    "call-epoch-timestamp": Case(CALL, event(CALL), put("data", "timestamp", value=EPOCH)),
    "call-unknown-status": Case(CALL, event(CALL), put("data", "status", value="ringing")),
    "call-from-without-domain": Case(CALL, event(CALL), put("data", "from", value="5511987654321")),
    "call-group-flag-on-private-chat": Case(CALL, event(CALL, field_is("isGroup", False)),
                                            put("data", "isGroup", value=True)),
    "call-unknown-data-key": Case(CALL, event(CALL), put("data", "callId", value="x")),
    # label.update
    "label-epoch-timestamp": Case(LABEL, event(LABEL), put("data", "timestamp", value=EPOCH)),
    "label-color-out-of-range": Case(LABEL, event(LABEL, field_is("type", "edit")), put("data", "color", value=11)),
    "label-numeric-id": Case(LABEL, event(LABEL), put("data", "labelId", value=5)),
    "label-unknown-action": Case(LABEL, event(LABEL, field_is("type", "chat")), put("data", "action", value="deleted")),
    "label-chat-jid-without-domain": Case(LABEL, event(LABEL, field_is("type", "chat")),
                                          put("data", "chatJid", value="5511987654321")),
    "label-edit-with-chat-fields": Case(LABEL, event(LABEL, field_is("type", "edit")),
                                        put("data", "chatJid", value=A_JID)),
    "label-unknown-data-key": Case(LABEL, event(LABEL, field_is("type", "chat")), put("data", "labelNm", value="V")),
    # instance.state (schema kept as written; two checks for symmetry)
    "state-missing-timestamp": Case(STATE, event(STATE), drop("data", "timestamp")),
    "state-unknown-value": Case(STATE, event(STATE), put("data", "state", value="open")),
}


@pytest.mark.parametrize("case", NEGATIVE.values(), ids=NEGATIVE.keys())
def test_bad_payload_is_rejected(case: Case) -> None:
    document = case.base()
    schemas.validate(case.schema, document)  # the untouched base is fine ...
    case.mutate(document)
    assert_rejected(case.schema, document)  # ... the mutation is not
    if case.schema in (LIVE, DOCS):
        assert schemas.errors(EXCHANGE, document)


# --- coverage of the other catalogs ------------------------------------------------------------
def test_status_examples_cover_every_status() -> None:
    found = examples("events/message.status")
    assert {e["data"]["status"] for e in found} == STATUSES
    assert any("messageSender" in e["data"] for e in found)


def test_group_flow_examples_cover_every_type() -> None:
    declared = set(schemas.schema("events/group.flow")["properties"]["data"]["properties"]["type"]["enum"])
    assert declared >= GROUP_FLOW_TYPES
    assert {e["data"]["type"] for e in examples("events/group.flow")} == declared


def test_call_examples_cover_every_status() -> None:
    found = examples("events/call.update")
    assert {e["data"]["status"] for e in found} == CALL_STATUSES
    assert {e["data"]["isGroup"] for e in found} == {True, False}


def test_label_examples_cover_every_action() -> None:
    found = [e["data"] for e in examples("events/label.update")]
    shapes = {(d["type"], d.get("action", d.get("deleted"))) for d in found}
    assert shapes == {("edit", False), ("edit", True), ("chat", "add"), ("chat", "remove"),
                      ("edit", "updated"), ("edit", "deleted")}
