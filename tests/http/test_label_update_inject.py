"""``label.update`` in the shapes real clients document (no ``timestamp``): accepted by the inject
route and by ``validate_event``; the schema's own examples stay valid."""

from __future__ import annotations

from typing import Any

import pytest

from mockryze.core import schemas
from mockryze.testing.api import MockRyze

EDIT = {"type": "edit", "labelId": "4", "name": "Pós-venda", "color": 6, "deleted": False}
CHAT = {"type": "chat", "labelId": "4", "chatJid": "5531977776666@s.whatsapp.net", "action": "add"}


@pytest.mark.parametrize("data", [EDIT, CHAT], ids=["edit", "chat"])
def test_the_documented_label_payloads_are_injected_as_given(ryze: MockRyze, data: dict[str, Any]) -> None:
    ryze.create_instance("sales", connected=True)
    response = ryze.client.post("/__mock__/instances/sales/events", json={"event": "label.update", "data": data})
    assert response.status_code == 201, response.text
    assert response.json()["envelope"]["data"] == data


@pytest.mark.parametrize("data", [EDIT, CHAT], ids=["edit", "chat"])
def test_validate_event_accepts_them_without_a_timestamp(data: dict[str, Any]) -> None:
    schemas.validate_event({"event": "label.update", "data": data,
                            "instanceData": {"baseUrl": "http://127.0.0.1:8080", "instance": "sales", "token": "t"}})


def test_the_schema_examples_stay_valid() -> None:
    examples = schemas.schema("events/label.update")["examples"]
    assert examples
    for example in examples:
        schemas.validate_event(example)
