"""Fill in ``examples`` of the response schemas that have none, from mockryze's own answers.

The OpenAPI document shows each schema's ``examples`` on its operations (and ``prism mock`` answers with
them), so every request and response schema a route names should carry one. Request examples are written
by hand; response examples are what mockryze really answers: this script drives every route once, in
the token-matrix world (``tests/http/test_token_matrix_all.py``) with a fixed seed, plus a tour of the
control plane, and writes the first answer per schema into the schema files that lack examples. It never
changes an existing example.

    python scripts/schema_examples.py           # write the missing ones (make examples)
    python scripts/schema_examples.py --check   # list the schemas still without examples; exit 1 if any
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from mockryze.core import schemas  # noqa: E402
from mockryze.http.app import ALL_ENDPOINTS, CONTROL, EMULATED  # noqa: E402
from mockryze.http.routing import Endpoint  # noqa: E402
from mockryze.openapi import _path as openapi_path  # noqa: E402
from mockryze.testing.api import MockRyze  # noqa: E402
from tests.conftest import schema_name_for  # noqa: E402
from tests.http.test_token_matrix_all import (  # noqa: E402
    TARGET,
    build_world,
    example_body,
    path_of,
    prepare,
    request_params,
)

SEED = 7
NUMBER = "5511987654321"


def needed() -> list[str]:
    """The request and response schemas the route table names, without ``examples``."""
    names = {n for spec in ALL_ENDPOINTS for n in [*spec.responses.values(), spec.request_schema] if n}
    return sorted(n for n in names | {"common/error"} if not schemas.schema(n).get("examples"))


def drive(spec: Endpoint, record: dict[str, Any]) -> None:
    """One owner's request with the route's first request example, in a fresh world."""
    with MockRyze(seed=SEED) as ryze:
        ryze.client.event_hooks["response"].append(recorder(record))
        matrix = build_world(ryze)
        body = prepare(matrix, spec, example_body(spec))
        kwargs: dict[str, Any] = {"json": body} if body is not None else {}
        ryze.client.request(spec.method, path_of(spec), headers={"token": matrix.owner},
                            params=request_params(matrix, spec), **kwargs)


def control_tour(record: dict[str, Any]) -> None:
    """Each control-plane route once, in an order in which each succeeds."""
    with MockRyze(seed=SEED) as ryze:
        client = ryze.client
        client.event_hooks["response"].append(recorder(record))
        client.headers["token"] = ryze.account_token
        matrix = build_world(ryze)
        base = f"/__mock__/instances/{TARGET}"
        sent = client.post(f"/api/message/text/{TARGET}", json={"number": NUMBER, "message": "hello"}).json()
        calls: list[tuple[str, str, dict[str, Any] | None]] = [
            ("GET", "/__mock__/clock", None), ("POST", "/__mock__/clock", {"advance": 60}),
            ("GET", "/__mock__/contract", None), ("GET", "/__mock__/quirks", None),
            ("GET", base, None), ("POST", base + "/contacts", {"number": NUMBER, "name": "Ana Souza"}),
            ("POST", base + "/groups", {"subject": "Team", "participants": [NUMBER]}),
            ("POST", base + "/inbound", schemas.schema("mock/inbound.request")["examples"][0]),
            ("POST", base + "/receipts", {"messageId": sent["data"]["messageId"], "status": "read"}),
            ("POST", base + "/calls", {"from": NUMBER}),
            ("GET", base + "/messages", None), ("GET", "/__mock__/events", None),
            ("POST", base + "/events", schemas.schema("mock/event.request")["examples"][0]),
            ("GET", base + "/websocket-clients", None),
            ("POST", "/__mock__/inbox/demo", {"hello": "world"}), ("POST", "/__mock__/inbox/demo/a/b", {"x": 1}),
            ("GET", "/__mock__/inbox/demo", None), ("DELETE", "/__mock__/inbox/demo", None),
            ("POST", base + "/addressBook", {"contacts": [{"number": NUMBER, "name": "Ana Souza"}]}),
            ("GET", base + "/chats", None), ("GET", base + "/labels", None), ("GET", base + "/contacts", None),
            ("GET", "/__mock__/requests", None), ("DELETE", "/__mock__/requests", None),
            ("POST", "/__mock__/accounts", {"instanceLimit": 10}),
        ]
        for method, path, body in calls:
            client.request(method, path, json=body)
        webhook = {"url": ryze.inbox_url("hooks"), "enabled": True, "events": ["message.exchange"]}
        client.post(f"/api/events/webhook/{TARGET}", json=webhook)
        ryze.inbound(TARGET, from_=NUMBER, text="for the webhook")
        ryze.settle_deliveries()
        deliveries = client.get("/__mock__/deliveries").json()
        for delivery in deliveries.get("deliveries", [])[:1]:
            client.post(f"/__mock__/deliveries/{delivery['id']}/redeliver")
        client.post(base + "/state", json={"state": "disconnected"})
        client.get(f"/api/instance/connect/{TARGET}")
        client.post(base + "/scan", json={})
        client.post("/__mock__/reset")
    with MockRyze(seed=SEED) as ryze:  # verbs added since: their request example, aimed at a connected instance
        ryze.client.event_hooks["response"].append(recorder(record))
        ryze.create_instance(TARGET, connected=True)
        for spec in CONTROL:
            if not all(name in record for name in spec.responses.values()):
                body = schemas.schema(spec.request_schema)["examples"][0] if spec.request_schema else None
                path = openapi_path(spec).format(name=TARGET, key="demo", id="dlv_000001", suffix="a/b")
                ryze.client.request(spec.method, path, json=body, headers={"token": ryze.account_token})
        assert matrix.owner


def recorder(record: dict[str, Any]) -> Any:
    def hook(response: httpx.Response) -> None:
        response.read()
        request = response.request
        try:
            name = schema_name_for(request.method, request.url.path, response.status_code)
        except (AssertionError, KeyError, LookupError):
            return
        body = response.json()
        if name not in record and not schemas.errors(name, body):
            record[name] = body
    return hook


def shortened(example: Any, limit: int = 4000) -> Any:
    """A large answer (the contract table, every quirk) keeps its first two items per list."""
    if len(json.dumps(example)) <= limit:
        return example

    def cut(node: Any) -> Any:
        if isinstance(node, list):
            return [cut(v) for v in node[:2]]
        if isinstance(node, dict):
            return {k: cut(v) for k, v in node.items()}
        return node
    return cut(example)


def write(name: str, example: Any) -> None:
    path = ROOT / "schemas" / f"{name}.json"
    document = json.loads(path.read_text())
    document["examples"] = [example]
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only list schemas without examples")
    missing = needed()
    if parser.parse_args().check:
        for name in missing:
            print(f"no examples: schemas/{name}.json")
        return 1 if missing else 0
    record: dict[str, Any] = {}
    for spec in EMULATED:
        drive(spec, record)
    control_tour(record)
    for name in missing:
        if name in record:
            write(name, shortened(record[name]))
            print(f"wrote an example into schemas/{name}.json")
    left = [name for name in missing if name not in record]
    for name in left:
        print(f"still no example (write one by hand): schemas/{name}.json")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
