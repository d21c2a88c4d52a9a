"""The scenario format: YAML and JSON, checked against schemas/scenario.json and beyond, refused with
the failing field's path, never half-applied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockryze.core import literals
from mockryze.scenarios import loader
from mockryze.scenarios.loader import ScenarioError
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

SHIPPED = sorted(Path(__file__).parents[2].joinpath("scenarios").glob("*.yaml"))
M = "/__mock__"
MINIMAL: dict[str, Any] = {
    "name": "tiny", "instances": [{"name": "desk"}],
    "contacts": [{"id": "ana", "number": "5511912345678", "replies": [{"match": {"text": "oi"},
                                                                        "reply": {"type": "text", "text": "olá"}}]}],
    "steps": [{"at": 3, "inbound": {"from": "ana", "type": "text", "text": "Oi"}}],
}


def test_every_shipped_scenario_is_valid() -> None:
    assert {p.stem for p in SHIPPED} >= {"support-desk", "order-bot-buttons", "group-onboarding",
                                          "ban-and-recovery", "flaky-network"}
    for path in SHIPPED:
        assert loader.load(path).name == path.stem


def test_yaml_and_json_files_give_the_same_scenario(tmp_path: Path) -> None:
    as_json = tmp_path / "tiny.json"
    as_json.write_text(json.dumps(MINIMAL))
    as_yaml = tmp_path / "tiny.yaml"
    as_yaml.write_text("name: tiny\ninstances: [{name: desk}]\ncontacts:\n  - id: ana\n    number: '5511912345678'\n"
                       "    replies: [{match: {text: oi}, reply: {type: text, text: olá}}]\n"
                       "steps:\n  - at: 3\n    inbound: {from: ana, type: text, text: Oi}\n")
    assert loader.load(as_json) == loader.load(as_yaml) == loader.load(MINIMAL)


def with_change(path: str, value: Any) -> dict[str, Any]:
    document = json.loads(json.dumps(MINIMAL))
    *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
    node = document
    for part in parents:
        node = node[part]
    node[last] = value
    return document


@pytest.mark.parametrize(("path", "value", "where"), [
    ("name", 5, "name"),
    ("steps/0/at", -1, "steps/0/at"),
    ("steps/0/inbound/type", "telegram", "steps/0/inbound/type"),
    ("steps/0/inbound/from", "bob", "steps/0/inbound/from"),
    ("contacts/0/receipts", "sometimes", "contacts/0/receipts"),
    ("contacts/0/replies/0/match", {"regex": "(unclosed"}, "contacts/0/replies/0/match/regex"),
    ("contacts/0/replies/0/reply", {"type": "hologram"}, "contacts/0/replies/0/reply/type"),
    ("contacts/0/instance", "nowhere", "contacts/0/instance"),
    ("instances/0/webhook", {"url": 7}, "instances/0/webhook/url"),
    ("faults", [{"fault": "gremlins"}], "faults/0/fault"),
    ("faults", [{"fault": "slow", "at": 10, "until": 5}], "faults/0/until"),
])
def test_a_bad_field_is_refused_with_its_path(path: str, value: Any, where: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        loader.load(with_change(path, value))
    assert refused.value.path == where, str(refused.value)


def test_an_unknown_action_is_named() -> None:
    with pytest.raises(ScenarioError) as refused:
        loader.load(with_change("steps/0", {"at": 1, "teleport": {}}))
    assert refused.value.path == "steps/0/teleport"
    assert "unknown action" in refused.value.reason


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(ScenarioError) as refused:
        loader.load(evil)
    assert refused.value.path == "(document)"


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("name: bomb\n" + "\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match="too large"):
        loader.load(bomb)


def snapshot(api: CheckedClient) -> list[Any]:
    return [api.get(f"{M}/events").json(), api.get("/api/instance/list").json()["instances"],
            api.get(f"{M}/faults").json(), api.get(f"{M}/scenarios").json(), api.get(f"{M}/clock").json()]


def test_a_refused_scenario_changes_nothing(api: CheckedClient, ryze: MockRyze) -> None:
    ryze.create_instance("desk2", connected=True)
    before = snapshot(api)
    half = {**MINIMAL, "instances": [{"name": "fresh"}, {"name": "desk2"}],  # the second one exists
            "faults": [{"fault": "server_error"}], "steps": []}
    response = api.post(f"{M}/scenarios", json=half)
    assert error_of(response) == literals.INVALID_BODY
    assert "instances/1/name" in response.headers["x-mockryze-detail"]
    assert snapshot(api) == before


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=20)
KEYS = st.sampled_from(["name", "instances", "contacts", "steps", "faults", "seed", "duration", "description"])


def mutated(document: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """MINIMAL with one value somewhere replaced by arbitrary JSON."""
    document = json.loads(json.dumps(document))
    node: Any = document
    for _ in range(data.draw(st.integers(0, 4))):
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        containers = [(k, v) for k, v in children if isinstance(v, dict | list) and v]
        if not containers:
            break
        _, node = data.draw(st.sampled_from(containers))
    if isinstance(node, dict):
        node[data.draw(st.sampled_from(sorted(node)) | st.text(max_size=6))] = data.draw(JSON)
    elif isinstance(node, list) and node:
        node[data.draw(st.integers(0, len(node) - 1))] = data.draw(JSON)
    return document


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_documents_never_crash_the_loader(data: st.DataObject) -> None:
    document = data.draw(st.one_of(st.dictionaries(KEYS, JSON, max_size=5), st.builds(lambda: None).map(
        lambda _: mutated(MINIMAL, data))))
    try:
        loader.load(document)
    except ScenarioError as refused:
        assert refused.path and refused.reason


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_generated_files_never_crash_the_loader(raw: bytes) -> None:
    try:
        loader.parse(raw)
    except ScenarioError as refused:
        assert refused.path == "(document)"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_generated_bad_documents_never_half_apply(data: st.DataObject) -> None:
    with MockRyze(seed=1) as ryze:
        api = CheckedClient(ryze.client, ryze.account_token)
        before = snapshot(api)
        document = mutated(MINIMAL, data)
        try:
            json.dumps(document, allow_nan=False)
        except ValueError:  # inf / nan: not something a client can send
            return
        response = api.post(f"{M}/scenarios", json=document)
        if response.status_code == 201:
            return
        assert error_of(response) == literals.INVALID_BODY
        assert snapshot(api) == before


def test_the_readme_scenario_is_valid() -> None:
    import re

    readme = (Path(__file__).parents[2] / "README.md").read_text("utf-8")
    found = re.search(r"```yaml\n(name: support-desk.*?)```", readme, re.S)
    assert found is not None
    scenario = loader.load(loader.parse(found.group(1)))
    assert [c.alias for c in scenario.contacts] == ["ana"] and len(scenario.faults) == 1


def test_over_the_instance_limit_is_refused_before_anything(api: CheckedClient, ryze: MockRyze) -> None:
    before = snapshot(api)
    many = {"name": "crowd", "instances": [{"name": f"i{n}"} for n in range(ryze.settings.instance_limit + 1)]}
    response = api.post(f"{M}/scenarios", json=many)
    assert error_of(response) == literals.INVALID_BODY
    assert f"instances/{ryze.settings.instance_limit}" in response.headers["x-mockryze-detail"]
    assert snapshot(api) == before
