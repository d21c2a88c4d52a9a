"""Every golden row, driven through HTTP; and nothing in the catalog or the route table left unpinned.

Each row of every ``tests/contract/golden_*.py`` is one test: the row's recipe builds a fresh world,
sends its request and must get the row's status and exact text. The checks below fail when the
catalog holds a literal no row names, or a route (or one of the refusals it declares) has no row,
and list exactly what is missing, so pinning a new module is adding rows to its golden file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter
from typing import Any

import pytest

import tests.contract as package
from mockryze.core import literals
from mockryze.http.app import ALL_ENDPOINTS
from tests.conftest import endpoint_for
from tests.contract.golden import Golden, answer, found, stage_for

GOLDEN_MODULES = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if m.name.startswith("golden_"))
MODULES = [importlib.import_module(f"tests.contract.{name}") for name in GOLDEN_MODULES]
ROWS: list[Golden] = [row for module in MODULES for row in getattr(module, "ROWS", [])]
# (route, literal) pairs a route declares but cannot answer, each with its reason (golden_*.UNREACHABLE)
UNREACHABLE: dict[tuple[str, str], str] = {k: v for m in MODULES for k, v in getattr(m, "UNREACHABLE", {}).items()}

# Catalog entries no HTTP request can produce in-process, each pinned here by value instead, with why.
BY_VALUE: dict[str, tuple[tuple[int, str] | str, str]] = {
    "INTERNAL_ERROR": ((500, "Internal server error"), "only an unexpected crash answers it"),
    "SERVER_SHUTTING_DOWN": ((503, "Server is shutting down"), "needs a request in flight at SIGTERM"),
    "REQUEST_TIMEOUT": ((408, "Request timeout"), "needs a client that stalls its body for 30 real seconds"),
    "DELIVERY_NOT_RESENT": ("not resent: the server stopped while this delivery was being sent, so whether the "
                            "receiver got it is unknown; redeliver it from the journal if it did not",
                            "journaled after a --state restart finds a POST under way (tests/core/test_state.py)"),
}


def catalog() -> dict[str, Any]:
    """Every literal the catalog holds, by name: error pairs, texts, per-profile tables, text builders."""
    def is_entry(name: str, value: Any) -> bool:
        if name.startswith("_") or name in {"ErrorLiteral", "NamedTuple", "annotations"}:
            return False
        if callable(value) and not isinstance(value, tuple):
            return getattr(value, "__module__", "") == literals.__name__
        return isinstance(value, str | dict | tuple)
    return {name: value for name, value in vars(literals).items() if is_entry(name, value)}


def literal_name(error: Any) -> str:
    """The catalog name of a declared refusal; a text built by a catalog function (``unsupported_forward``)
    is declared with ``<placeholders>`` and named by the fixed text before the first one."""
    name = next((name for name, value in catalog().items() if value is error), None)
    return name if name is not None else f"{error[0]} {error[1].split('<')[0]}"


def _row_names(row: Golden) -> set[str]:
    """What a row pins: its literal's name, and (for built texts) its status and the text's fixed head."""
    names = {row.literal}
    if row.text is not None:
        names |= {f"{row.status} {row.text[:n]}" for n in range(len(row.text) + 1)}
    return names


def test_golden_rows_are_distinct() -> None:
    repeated = [row_id for row_id, count in Counter(row.id for row in ROWS).items() if count > 1]
    assert not repeated, f"golden rows with the same id (add a note=…): {repeated}"


def test_every_catalog_literal_is_named_by_a_golden_row() -> None:
    named = {row.literal for row in ROWS} | set(BY_VALUE)
    unpinned = sorted(set(catalog()) - named)
    assert not unpinned, (
        "catalog literals no golden row names — add a row to tests/contract/golden_<module>.py for each:\n  "
        + "\n  ".join(f"{name} = {catalog()[name]!r}" for name in unpinned))


def test_every_golden_row_names_a_catalog_literal() -> None:
    """Rows that pin something outside the catalog say so with a dotted name (``state.loggedout``)."""
    unknown = sorted({row.literal for row in ROWS if "." not in row.literal} - set(catalog()))
    assert not unknown, f"golden rows naming no catalog literal (renamed? removed?): {unknown}"


def test_the_catalog_holds_the_golden_texts() -> None:
    """The constant a row names holds the row's text (so the name is honest; the rows above test HTTP)."""
    wrong = []
    for row in ROWS:
        value = catalog().get(row.literal)
        if isinstance(value, tuple):
            if (value[0], value[1]) != (row.status, row.text):
                wrong.append(f"{row.literal} = {tuple(value)!r}, golden {row.status} {row.text!r}")
        elif isinstance(value, str) and value != row.text and not (row.text or "").startswith(f"{value}: "):
            # a text the route extends with counts (``Participants updated: 1 of 1``) pins its head
            wrong.append(f"{row.literal} = {value!r}, golden {row.text!r}")
    for name, (pair, _why) in BY_VALUE.items():
        held = catalog()[name]
        if (tuple(held) if isinstance(held, tuple) else held) != pair:
            wrong.append(f"{name} = {tuple(catalog()[name])!r}, golden {pair!r}")
    assert not wrong, "\n".join(wrong)


def _route_key(method: str, path: str) -> str:
    return f"{method} {path.replace(':instance', 'sales')}"


def _row_route(row: Golden) -> str:
    """The route a row's request reaches (``…/ghost`` and an empty name reach the ``…/sales`` route)."""
    method, target = row.request.split(" ", 1)
    spec = endpoint_for(method, target.split("?")[0])
    return _route_key(spec.method, spec.path) if spec else f"{method} {target.split('?')[0]}"


API_ROUTES = [spec for spec in ALL_ENDPOINTS if spec.path.startswith("/api/")]


def test_every_route_has_a_golden_success_row() -> None:
    succeeded = {_row_route(row) for row in ROWS if row.status < 400}
    missing = sorted({_route_key(s.method, s.path) for s in API_ROUTES} - succeeded)
    assert not missing, "routes with no golden success row:\n  " + "\n  ".join(missing)


def test_every_refusal_a_route_declares_has_a_golden_row() -> None:
    pinned = {(_row_route(row), name) for row in ROWS for name in _row_names(row)}
    missing = sorted(f"{_route_key(s.method, s.path)}: {literal_name(error)} {tuple(error)!r}"
                     for s in API_ROUTES for error in s.errors
                     if (_route_key(s.method, s.path), literal_name(error)) not in pinned | set(UNREACHABLE))
    assert not missing, "declared refusals with no golden row on their route:\n  " + "\n  ".join(missing)


# The rows run last: the checks above fail in an instant, which mutation testing (-x) relies on.
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_golden_row(row: Golden) -> None:
    ryze, stage = stage_for(row)
    with ryze:
        status, body, headers = answer(row, stage)
    present, text = found(body, row.where)
    assert (status, text if present else None) == (row.status, row.text), \
        f"{row.id}: expected {row.status} {row.text!r} at {row.where}, got {status} {body}"
    if row.text is None:
        assert not present, f"{row.id}: {row.where} should be absent, got {text!r}"
    if row.detail is not None:
        assert headers.get("x-mockryze-detail") == row.detail
