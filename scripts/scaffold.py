"""Scaffold a RyzeAPI module: ``python scripts/scaffold.py chat`` (``make scaffold MODULE=chat``).

Creates ``mockryze/<name>/`` (model, routes with one example route, verbs), the example route's response
schema, a test of that route, and registers the module: its ``Module(...)`` line in ``mockryze/modules.py``
and a contract row (source ``inferred``) in ``mockryze/contract.json``. The result passes the whole suite
as generated; replace the example with the module's real routes.

Nothing is written when the name is refused or with ``--dry-run``.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = "mockryze/modules.py"
CONTRACT = "mockryze/contract.json"
MAX_NAME, MAX_PREFIX, MAX_DESCRIPTION = 30, 50, 100  # so that every generated line stays within 120 columns
LINE_LENGTH = 120
NAME = re.compile(r"[a-z][a-z0-9_]*")
PREFIX = re.compile(r"(/[A-Za-z0-9_.~-]+)+")
FIRST_PARTY_IMPORT = re.compile(r"^from (mockryze[\w.]*) import (.+)$")
MODULES_OPEN = "MODULES: tuple[Module, ...] = ("

INIT = '''"""$summary.

``model.py`` holds what the module stores and the rules it enforces, ``routes.py`` its ``Endpoint``
rows and thin handlers, ``verbs.py`` its mock-only ``/__mock__`` verbs; ``mockryze/modules.py``
registers it.
"""
'''

MODEL = '''"""RyzeAPI's $name module, as a model: what it stores and the rules it enforces.

Every function takes the world and plain values and raises :class:`ApiError` with a literal of
:mod:`mockryze.core.literals` when it refuses; a refusal changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.core.world import World
from mockryze.instance.lifecycle import State
from mockryze.instance.model import Instance


@dataclass(frozen=True)
class Example:
    """A record of the module (the scaffold's example: replace it with what the module keeps)."""

    instance: str
    status: str
    checked_at: float  # epoch seconds on the world's clock; a route renders it with world.iso()


def example(world: World, inst: Instance) -> Example:
    """The example record of ``inst``; refused while the instance has no WhatsApp session."""
    if inst.state is not State.CONNECTED:
        raise ApiError(literals.NOT_CONNECTED, f"instance is {inst.state.rest}")
    return Example(instance=inst.name, status=inst.state.rest, checked_at=world.now())
'''

ROUTES = '''"""HTTP face of RyzeAPI's $name module: its ``Endpoint`` rows and their thin handlers.

Routes: ``$prefix/*``.
"""

from __future__ import annotations

$imports

# Success messages are RyzeAPI's own wording: once known, they belong in mockryze/core/literals.py.
EXAMPLE_FOUND = "Example found"


def example_view(world: World, found: model.Example) -> dict[str, Any]:
    return {"instance": found.instance, "status": found.status, "checkedAt": world.iso(found.checked_at)}


# --- handlers ---------------------------------------------------------------------------------
def get_example(ctx: Context) -> Result:
    assert ctx.instance is not None  # the wrapper resolved it (the route has :instance)
    found = model.example(ctx.world, ctx.instance)
    return 200, {"success": True, "message": EXAMPLE_FOUND, "example": example_view(ctx.world, found)}


# --- the route table --------------------------------------------------------------------------
PREFIX = "$prefix"

ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", f"{PREFIX}/example/:instance", get_example, "Read the example record (scaffolded)",
             responses={200: "$name/example.response"}, errors=(*ON_INSTANCE, NOT_CONNECTED)),
)
'''

ROUTES_IMPORTS = (
    "from typing import Any",
    "",
    "from mockryze.core.literals import NOT_CONNECTED",
    "from mockryze.core.world import World",
    "from mockryze.http.routing import Context, Endpoint, Result",
    "from mockryze.instance.routes import ON_INSTANCE",
    "from mockryze.$name import model",
)

VERBS = '''"""The $name module's mock-only verbs (none yet).

A verb is what a test makes the phone or WhatsApp do: one row with the Control method that reaches it,
its ``/__mock__`` route, the code it runs and what it answers (see mockryze/http/verbs.py).
"""

from __future__ import annotations

from mockryze.http.verbs import Verb

# A row also needs a method on mockryze.testing.control.Control calling
# ``self._result("<verb name>", params, args, account_token)`` (tests/testing/test_control.py checks
# there is one) and a row for its route in mockryze/contract.json. For example:
#
#     def touch(call: Call) -> tuple[int, dict[str, Any]]:
#         target = instances.find(call.account, call.name)  # mockryze.instance.model
#         ...
#         return 200, ok("Touched")
#
#     VERBS: tuple[Verb, ...] = (
#         Verb("touch", "POST", "/instances/{name}/touch", touch, "The phone touches the instance",
#              result=None, responses={200: "mock/ok.response"}, errors=(INVALID_TOKEN, INSTANCE_NOT_FOUND)),
#     )
VERBS: tuple[Verb, ...] = ()
'''

SCHEMA = '''{
  "$$schema": "https://json-schema.org/draft/2020-12/schema",
  "$$id": "https://schemas.mockryze.local/$name/example.response.json",
  "title": "GET $prefix/example/:instance 200",
  "type": "object",
  "properties": {
    "success": {
      "const": true
    },
    "message": {
      "type": "string"
    },
    "example": {
      "type": "object",
      "properties": {
        "instance": {
          "type": "string"
        },
        "status": {
          "const": "connected"
        },
        "checkedAt": {
          "$$ref": "../common/defs.json#/$$defs/timestamp"
        }
      },
      "required": [
        "instance",
        "status",
        "checkedAt"
      ],
      "additionalProperties": false
    }
  },
  "required": [
    "success",
    "message",
    "example"
  ],
  "additionalProperties": false,
  "examples": [
    {
      "success": true,
      "message": "Example found",
      "example": {
        "instance": "sales",
        "status": "connected",
        "checkedAt": "2026-01-01T12:00:00Z"
      }
    }
  ]
}
'''

TEST = '''"""The $name module's routes, through the in-process app (every response is schema-checked)."""

from __future__ import annotations

from mockryze.core import literals
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

EXAMPLE = "$prefix/example"


def test_example_answers_for_a_connected_instance(ryze: MockRyze, api: CheckedClient) -> None:
    ryze.create_instance("sales", connected=True)
    response = api.get(f"{EXAMPLE}/sales")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["example"]["instance"] == "sales"
    assert body["example"]["status"] == "connected"


def test_example_is_refused_until_the_instance_is_connected(ryze: MockRyze, api: CheckedClient) -> None:
    ryze.create_instance("sales")
    assert error_of(api.get(f"{EXAMPLE}/sales")) == literals.NOT_CONNECTED
'''

FILES: dict[str, str] = {
    "mockryze/$name/__init__.py": INIT,
    "mockryze/$name/model.py": MODEL,
    "mockryze/$name/routes.py": ROUTES,
    "mockryze/$name/verbs.py": VERBS,
    "schemas/$name/example.response.json": SCHEMA,
    "tests/$name/__init__.py": "",
    "tests/$name/test_routes.py": TEST,
}


class Refused(Exception):
    """The module cannot be scaffolded; the message says why and what to do."""


@dataclass(frozen=True)
class Spec:
    name: str
    description: str
    prefix: str

    @property
    def route(self) -> str:
        return f"{self.prefix}/example/:instance"

    def fill(self, template: str) -> str:
        values = {"name": self.name, "summary": self.description.rstrip("."), "prefix": self.prefix,
                  "imports": sorted_imports(Template(line).substitute(name=self.name) for line in ROUTES_IMPORTS)}
        return Template(template).substitute(values)


@dataclass(frozen=True)
class Plan:
    files: dict[Path, str]  # new files -> their text
    edits: dict[Path, str]  # existing files -> their new text
    notes: list[str]  # what each edit adds, for the report


# --- ruff's import order (isort: case-insensitive natural order of module, then member) ------------
def _natural(text: str) -> list[str | int]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text.lower())]


def _import_key(line: str) -> tuple[list[str | int], list[str | int]]:
    module, _, member = line.removeprefix("from ").partition(" import ")
    return _natural(module), _natural(member)


def sorted_imports(lines: Iterable[str]) -> str:
    """Sections (separated by "") each sorted; returned as one block."""
    sections: list[list[str]] = [[]]
    for line in lines:
        if line:
            sections[-1].append(line)
        else:
            sections.append([])
    return "\n\n".join("\n".join(sorted(section, key=_import_key)) for section in sections)


def insert_imports(text: str, new: list[str]) -> str:
    """``new`` first-party ``from`` imports, each placed where ruff's order puts it."""
    lines = text.splitlines(keepends=True)
    for line in new:
        existing = [i for i, old in enumerate(lines) if FIRST_PARTY_IMPORT.match(old)]
        if not existing:
            raise Refused(f"{REGISTRY} has no `from mockryze... import` line to place the new imports by")
        later = [i for i in existing if _import_key(lines[i].rstrip("\n")) > _import_key(line)]
        lines.insert(later[0] if later else existing[-1] + 1, line + "\n")
    return "".join(lines)


# --- the registry line ----------------------------------------------------------------------------
def module_line(spec: Spec) -> str:
    """``Module(...)`` wrapped as the registry wraps long rows (continuation under the first argument)."""
    arguments = [json.dumps(spec.name), json.dumps(spec.description, ensure_ascii=False),
                 f"{spec.name}_routes.ENDPOINTS", f"{spec.name}_verbs.VERBS"]
    head, indent = "    Module(", " " * len("    Module(")
    rows: list[str] = []
    current = head
    for index, argument in enumerate(arguments):
        piece = argument + ("," if index < len(arguments) - 1 else "),")
        joined = piece if current in (head, indent) else " " + piece
        if len(current + joined) > LINE_LENGTH and current not in (head, indent):
            rows.append(current)
            current = indent + piece
        else:
            current += joined
    rows.append(current)
    return "\n".join(rows)


def register(text: str, spec: Spec) -> str:
    imports = [f"from mockryze.{spec.name} import routes as {spec.name}_routes",
               f"from mockryze.{spec.name} import verbs as {spec.name}_verbs"]
    text = insert_imports(text, imports)
    lines = text.splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith(MODULES_OPEN))
        close = next(i for i in range(start + 1, len(lines)) if lines[i].rstrip() == ")")
    except StopIteration:
        raise Refused(f"{REGISTRY}: no `{MODULES_OPEN}` ... `)` block to add the module to") from None
    lines.insert(close, module_line(spec) + "\n")
    return "".join(lines)


# --- the contract row -----------------------------------------------------------------------------
def contract_row(text: str, spec: Spec) -> str:
    """The table with a row for the example route, before the control plane's rows (same layout)."""
    table = json.loads(text)
    routes: list[dict[str, Any]] = table["routes"]
    row: dict[str, Any] = {"method": "GET", "path": spec.route, "behaviours": [{
        "behaviour": "Scaffolded example route: replace it with the module's real routes and their sources",
        "source": "inferred"}]}
    at = next((i for i, r in enumerate(routes) if str(r.get("path", "")).startswith("/__mock__")), len(routes))
    routes.insert(at, row)
    return json.dumps(table, indent=1, ensure_ascii=False) + text[len(text.rstrip()):]


# --- checks and the plan --------------------------------------------------------------------------
def check(root: Path, spec: Spec) -> None:
    name = spec.name
    if not NAME.fullmatch(name) or keyword.iskeyword(name) or len(name) > MAX_NAME:
        raise Refused(f"{name!r} is not a module name: use a lowercase Python identifier (letters, digits, _; "
                      f"not a keyword), at most {MAX_NAME} characters, e.g. `chat` or `group_admin`")
    if not PREFIX.fullmatch(spec.prefix) or len(spec.prefix) > MAX_PREFIX:
        raise Refused(f"--prefix {spec.prefix!r}: use a path like /api/{name} (no trailing /, no parameters), "
                      f"at most {MAX_PREFIX} characters")
    if len(spec.description) > MAX_DESCRIPTION or any(c in spec.description for c in '"\\\n\r'):
        raise Refused(f"--description: one line of at most {MAX_DESCRIPTION} characters, without \" or \\")
    for required in (REGISTRY, CONTRACT):
        if not (root / required).is_file():
            raise Refused(f"{root} is not a mockryze checkout: {required} is missing (see --root)")
    taken = [p for p in (f"mockryze/{name}", f"mockryze/{name}.py", f"schemas/{name}", f"tests/{name}")
             if (root / p).exists()]
    if taken or f'Module("{name}"' in (root / REGISTRY).read_text("utf-8"):
        where = ", ".join(taken) or REGISTRY
        raise Refused(f"module {name!r} already exists ({where}): pick another name, or edit that module")
    routes = json.loads((root / CONTRACT).read_text("utf-8"))["routes"]
    if any(r.get("method") == "GET" and r.get("path") == spec.route for r in routes):
        raise Refused(f"GET {spec.route} is already in {CONTRACT}: pick another --prefix")


def plan(root: Path, spec: Spec) -> Plan:
    check(root, spec)
    files = {root / Template(path).substitute(name=spec.name): spec.fill(text) for path, text in FILES.items()}
    registry, contract = root / REGISTRY, root / CONTRACT
    edits = {registry: register(registry.read_text("utf-8"), spec),
             contract: contract_row(contract.read_text("utf-8"), spec)}
    notes = [f"{REGISTRY}: + imports of mockryze.{spec.name}.routes / .verbs, + {module_line(spec).strip()}",
             f'{CONTRACT}: + GET {spec.route} (source "inferred")']
    return Plan(files, edits, notes)


def apply(plan_: Plan) -> None:
    for path, text in plan_.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    for path, text in plan_.edits.items():
        path.write_text(text, "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Create a RyzeAPI module: folder, route table, schema, tests, and its registry line.")
    parser.add_argument("name", help="the module's name: a lowercase Python identifier, e.g. chat")
    parser.add_argument("--description", help='the OpenAPI tag text (default "RyzeAPI <name> module (<prefix>/*)")')
    parser.add_argument("--prefix", help="the routes' path prefix (default /api/<name>)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to write into (default: this one)")
    parser.add_argument("--dry-run", action="store_true", help="print what would be created; write nothing")
    args = parser.parse_args(argv)
    prefix = args.prefix or f"/api/{args.name}"
    spec = Spec(args.name, args.description or f"RyzeAPI {args.name} module ({prefix}/*)", prefix)
    root = args.root.resolve()
    try:
        planned = plan(root, spec)
    except Refused as refusal:
        parser.error(str(refusal))  # exits 2
    verb = "would create" if args.dry_run else "created"
    if not args.dry_run:
        apply(planned)
    for path in planned.files:
        print(f"{verb} {path.relative_to(root)}")
    for note in planned.notes:
        print(f"{'would edit' if args.dry_run else 'edited'} {note}")
    if not args.dry_run:
        print(f"next: replace the example route in mockryze/{spec.name}/routes.py with RyzeAPI's, then run "
              f"`python -m pytest tests/{spec.name}` and the whole suite")
    return 0


if __name__ == "__main__":
    sys.exit(main())
