"""``GET /docs``: Swagger UI over ``/openapi.json``, every asset served from the package (works offline)."""

from __future__ import annotations

import re

from mockryze.docs import ASSETS, SWAGGER_UI_VERSION
from mockryze.modules import MOCK_TAG
from mockryze.testing.api import MockRyze


def test_docs_page_loads_swagger_ui_from_the_package_only(ryze: MockRyze) -> None:
    page = ryze.client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'url: "/openapi.json"' in page.text
    linked = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert linked and all(link.startswith("/docs/static/") for link in linked), linked  # no CDN
    for link in linked:
        asset = ryze.client.get(link)
        assert asset.status_code == 200, link
        assert asset.headers["content-type"] == ASSETS[link.rsplit("/", 1)[1]]
    bundle = ryze.client.get("/docs/static/swagger-ui-bundle.js").text
    assert "SwaggerUIBundle" in bundle and SWAGGER_UI_VERSION in bundle
    assert "http://" not in page.text and "https://" not in page.text


def test_only_the_shipped_assets_are_served(ryze: MockRyze) -> None:
    for name in ("README.md", "..%2F__init__.py", "..%2F..%2Fpyproject.toml", "nope.js"):
        assert ryze.client.get(f"/docs/static/{name}").status_code == 404, name


def test_the_control_plane_is_its_own_tag(ryze: MockRyze) -> None:
    document = ryze.client.get("/openapi.json").json()
    tags = {tag["name"]: tag["description"] for tag in document["tags"]}
    assert tags[MOCK_TAG[0]] == MOCK_TAG[1]
    control = {op["tags"][0] for path, ops in document["paths"].items() for op in ops.values()
               if path.startswith("/__mock__/")}
    api = {op["tags"][0] for path, ops in document["paths"].items() for op in ops.values()
           if path.startswith("/api/")}
    assert control == {MOCK_TAG[0]} and MOCK_TAG[0] not in api


def test_the_docs_page_is_labelled_mock_only_in_the_contract(ryze: MockRyze) -> None:
    table = ryze.client.get("/__mock__/contract").json()
    (row,) = [row for row in table["routes"] if (row["method"], row["path"]) == ("GET", "/docs")]
    assert [b["source"] for b in row["behaviours"]] == ["inferred"]
    assert row["behaviours"][0]["behaviour"].startswith("mock-only")
