"""The live-vs-docs quirks as shipped: each quirk's value in either profile and its alternatives' sources.

Plain data, never read from ``mockryze.core.quirks``: ``GET /__mock__/quirks`` of a server started with each
profile must list exactly these (the sources are the labels of the contract table: a live observation, the
vendor's docs, what real clients expect).
"""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.testing.api import MockRyze
from tests.chat.test_labels_e2e import ANA, LabelWire, expected, wire  # noqa: F401 (wire: the fixture)

# quirk -> (live profile, docs profile, {value: source})
QUIRKS: dict[str, tuple[str, str, dict[str, str]]] = {
    "instance_state_auth": ("off", "on", {"off": "observed-live", "on": "documented"}),
    "message_layout": ("live", "docs", {"live": "observed-live", "docs": "documented"}),
    "connect_status": ("qr_code_generated", "qr", {"qr_code_generated": "observed-live", "qr": "documented"}),
    "qr_data_uri": ("off", "on", {"off": "observed-live", "on": "documented"}),
    "unconfigured_websocket": ("not_found", "not_found", {"not_found": "documented", "empty": "client-expects"}),
    "reply_field": ("on", "off", {"on": "client-expects", "off": "documented"}),
    "label_layout": ("live", "docs", {"live": "client-expects", "docs": "documented"}),
    "group_flow_layout": ("live", "docs", {"live": "client-expects", "docs": "documented"}),
    "group_sender_jid": ("lid", "phone", {"lid": "observed-live", "phone": "documented"}),
}


def listing(**settings: Any) -> dict[str, Any]:
    with MockRyze(**settings) as ryze:
        response = ryze.client.get("/__mock__/quirks", headers={"token": ryze.account_token})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("profile", ["live", "docs"])
def test_each_profile_is_the_golden_bundle(profile: str) -> None:
    body = listing(profile=profile)
    assert (body["profile"], body["count"]) == (profile, len(QUIRKS))
    listed = {q["name"]: (q["value"], q["profiles"]["live"], q["profiles"]["docs"], q["setBy"],
                          {v["value"]: v["source"] for v in q["values"]}) for q in body["quirks"]}
    assert listed == {name: (live if profile == "live" else docs, live, docs, "profile", sources)
                      for name, (live, docs, sources) in QUIRKS.items()}


def test_a_server_quirk_is_listed_as_set_by_the_server() -> None:
    body = listing(quirks="label_layout=docs,,connect_status=qr")  # an empty pair is skipped, not the end
    values = {q["name"]: (q["value"], q["setBy"]) for q in body["quirks"]}
    assert values["label_layout"] == ("docs", "server") and values["connect_status"] == ("qr", "server")
    assert values["message_layout"] == ("live", "profile")


def label_frames(wire: LabelWire) -> tuple[str, list[Any]]:  # noqa: F811
    tag = wire.post("/api/chat/tag/sales", {"name": "Atacado", "color": 3})["tag"]["id"]
    wire.post("/api/chat/assignTag/sales", {"number": ANA, "tagId": tag})
    wire.delete("/api/chat/assignTag/sales", number=ANA, tagId=tag)
    wire.delete("/api/chat/tag/sales", tagId=tag)
    _hooks, frames = wire.both_until(4)
    return tag, [frame["data"] for frame in frames]


@pytest.mark.ryze(webhook_timeout=0.5, quirks={"label_layout": "docs"})
def test_the_label_layout_quirk_alone_turns_label_updates_to_the_catalogs_layout(wire: LabelWire) -> None:  # noqa: F811
    assert wire.ryze.settings.profile == "live"
    tag, data = label_frames(wire)
    assert data == expected("docs", tag)


@pytest.mark.ryze(webhook_timeout=0.5, profile="docs", quirks={"label_layout": "live"})
def test_the_label_layout_quirk_alone_keeps_the_live_layout_under_the_docs_profile(wire: LabelWire) -> None:  # noqa: F811
    tag, data = label_frames(wire)
    assert data == expected("live", tag)


@pytest.mark.parametrize(("profile", "quirk"), [("live", "docs"), ("docs", "live")])
def test_the_group_flow_layout_quirk_alone_decides_the_group_flow_layout(profile: str, quirk: str) -> None:
    with MockRyze(profile=profile, quirks={"group_flow_layout": quirk}) as ryze:
        ryze.create_instance("sales", connected=True)
        made = ryze.client.post("/api/group/create/sales", headers={"token": ryze.account_token},
                                json={"name": "Ops", "participants": ["5511987654321"]})
        assert made.status_code == 201, made.text
        flows = [event["data"] for event in ryze.events("sales", "group.flow")]
    assert flows
    # live: `type` + participant objects + `groupName`; docs (the vendor's catalog): `groupJid` + `action`
    assert all(("type" in data, "action" in data) == ((True, False) if quirk == "live" else (False, True))
               for data in flows), flows
