"""The live-vs-docs quirks as shipped: each quirk's value in either profile and its alternatives' sources.

Plain data, never read from ``mockryze.core.quirks``: ``GET /__mock__/quirks`` of a server started with each
profile must list exactly these (the sources are the labels of the contract table: a live observation, the
vendor's docs, what real clients expect).
"""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.testing.api import MockRyze

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
    body = listing(quirks="label_layout=docs,connect_status=qr")
    values = {q["name"]: (q["value"], q["setBy"]) for q in body["quirks"]}
    assert values["label_layout"] == ("docs", "server") and values["connect_status"] == ("qr", "server")
    assert values["message_layout"] == ("live", "profile")
