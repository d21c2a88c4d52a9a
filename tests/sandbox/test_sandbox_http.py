"""How the sandbox is served: content negotiation at ``/``, content types, caching, ``--sandbox off``."""

from __future__ import annotations

import re

import pytest

from mockryze import sandbox
from mockryze.core import literals, schemas
from mockryze.testing.api import MockRyze
from tests.conftest import error_of

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
ASSET_BUDGET = 200 * 1024


def test_a_browser_at_the_root_gets_the_page_and_api_clients_keep_the_json_index(ryze: MockRyze) -> None:
    page = ryze.client.get("/", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>mockryze sandbox</title>" in page.text
    assert page.headers["vary"] == "Accept"
    for accept in ("*/*", "application/json", None):
        headers = {"Accept": accept} if accept else {}
        index = ryze.client.get("/", headers=headers)
        assert index.headers["content-type"] == "application/json"
        assert index.headers["vary"] == "Accept"
        schemas.validate("mock/index.response", index.json())


@pytest.mark.parametrize("path", ["/sandbox/", "/sandbox"])
def test_the_sandbox_path_serves_the_page_to_anyone(ryze: MockRyze, path: str) -> None:
    page = ryze.client.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.content == ryze.client.get("/", headers=BROWSER).content


def test_assets_are_linked_by_content_hash_typed_and_cached_for_good(ryze: MockRyze) -> None:
    page = ryze.client.get("/sandbox/").text
    linked = re.findall(r'(?:src|href)="(/sandbox/static/[^"?]+)\?v=(\w+)"', page)
    assert {path for path, _ in linked} == {"/sandbox/static/app.js", "/sandbox/static/app.css"}
    assert {version for _, version in linked} == {sandbox.asset_version()}
    types = {"/sandbox/static/app.js": "text/javascript; charset=utf-8",
             "/sandbox/static/app.css": "text/css; charset=utf-8"}
    for path, version in linked:
        asset = ryze.client.get(f"{path}?v={version}")
        assert asset.status_code == 200
        assert asset.headers["content-type"] == types[path]
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        again = ryze.client.get(path, headers={"If-None-Match": asset.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_the_page_is_revalidated_by_etag(ryze: MockRyze) -> None:
    first = ryze.client.get("/sandbox/")
    assert ryze.client.get("/sandbox/", headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert ryze.client.get("/sandbox/", headers={"If-None-Match": '"stale"'}).status_code == 200


def test_no_cdn_and_the_whole_page_stays_small(ryze: MockRyze) -> None:
    page = ryze.client.get("/sandbox/").text
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # works offline: nothing from elsewhere
    total = len(sandbox.page().body) + sum(len(asset.body) for asset in sandbox.assets().values())
    assert total <= ASSET_BUDGET, f"{total} bytes of sandbox assets (budget {ASSET_BUDGET})"


def test_an_unknown_asset_is_the_route_not_found_envelope(ryze: MockRyze) -> None:
    assert error_of(ryze.client.get("/sandbox/static/nope.js")) == literals.ROUTE_NOT_FOUND
    assert error_of(ryze.client.get("/sandbox/static/index.html")) == literals.ROUTE_NOT_FOUND


def test_config_offers_the_default_account_and_the_qr_timers(ryze: MockRyze) -> None:
    config = ryze.client.get("/sandbox/config.json")
    assert config.headers["cache-control"] == "no-store"
    assert config.json() == {"version": ryze.client.get("/").json()["version"],
                             "defaultAccountToken": ryze.account_token, "controlTokenRequired": False,
                             "qrRotateSeconds": 20.0, "qrTimeoutSeconds": 60.0}


@pytest.mark.ryze(control_token="s3cret")
def test_behind_a_control_token_the_page_does_not_hand_out_the_account(ryze: MockRyze) -> None:
    config = ryze.client.get("/sandbox/config.json").json()
    assert config["defaultAccountToken"] is None and config["controlTokenRequired"] is True


@pytest.mark.ryze(sandbox=False)
def test_sandbox_off_serves_nothing_extra(ryze: MockRyze) -> None:
    assert ryze.client.get("/", headers=BROWSER).headers["content-type"] == "application/json"
    for path in ("/sandbox/", "/sandbox", "/sandbox/config.json", "/sandbox/static/app.js"):
        assert error_of(ryze.client.get(path)) == literals.ROUTE_NOT_FOUND
