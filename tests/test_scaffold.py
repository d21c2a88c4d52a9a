"""``scripts/scaffold.py``: a new module's folder, route table, schema, test and registry lines.

The script runs as a user runs it (a subprocess), on a scratch checkout holding the package and the ruff
configuration. Running the whole suite with a scaffolded module takes minutes and is not repeated here;
these tests pin the files, the registry and contract edits, and that the generated code compiles and
passes ruff.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from mockryze.core import schemas

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "scaffold.py"
COPIED = ("pyproject.toml", "tests/__init__.py", "tests/conftest.py")  # and the package: ruff sorts imports by it
GENERATED = ("mockryze/{}/__init__.py", "mockryze/{}/model.py", "mockryze/{}/routes.py", "mockryze/{}/verbs.py",
             "schemas/{}/example.response.json", "tests/{}/__init__.py", "tests/{}/test_routes.py")
NAME = "scaffold_sample"  # no real RyzeAPI module will take it
LONGEST = ("long_module_name_" + "x" * 13, "/api/" + "p" * 45, "d" * 100)  # the script's maximum lengths


def scaffold(*args: str, root: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), *args, *(["--root", str(root)] if root else [])]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def new_checkout(folder: Path) -> Path:
    skip = shutil.ignore_patterns("__pycache__", "schema_files")
    shutil.copytree(ROOT / "mockryze", folder / "mockryze", ignore=skip)
    for name in COPIED:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, folder / name)
    return folder


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch checkout with two scaffolded modules: ``NAME`` and one with every input at its longest."""
    root = new_checkout(tmp_path_factory.mktemp("checkout"))
    name, prefix, description = LONGEST
    for args in ((NAME,), (name, "--prefix", prefix, "--description", description)):
        done = scaffold(*args, root=root)
        assert done.returncode == 0, done.stderr
    return root


def test_dry_run_lists_what_it_would_do_and_writes_nothing() -> None:
    before = (ROOT / "mockryze/modules.py").read_text("utf-8"), (ROOT / "mockryze/contract.json").read_text("utf-8")
    done = scaffold(NAME, "--dry-run")
    assert done.returncode == 0, done.stderr
    for path in GENERATED:
        assert f"would create {path.format(NAME)}" in done.stdout
    assert "would edit mockryze/modules.py" in done.stdout
    assert f"GET /api/{NAME}/example/:instance" in done.stdout
    assert not (ROOT / "mockryze" / NAME).exists() and not (ROOT / "tests" / NAME).exists()
    after = (ROOT / "mockryze/modules.py").read_text("utf-8"), (ROOT / "mockryze/contract.json").read_text("utf-8")
    assert after == before


@pytest.mark.parametrize("name", [NAME, LONGEST[0]])
def test_the_module_files_exist_and_compile(checkout: Path, name: str) -> None:
    for path in GENERATED:
        file = checkout / path.format(name)
        assert file.is_file(), file
        if file.suffix == ".py":
            compile(file.read_text("utf-8"), str(file), "exec")


def test_the_registry_lines_are_inserted_once(checkout: Path) -> None:
    registry = (checkout / "mockryze/modules.py").read_text("utf-8")
    for line in (f"from mockryze.{NAME} import routes as {NAME}_routes",
                 f"from mockryze.{NAME} import verbs as {NAME}_verbs",
                 f'Module("{NAME}", "RyzeAPI {NAME} module (/api/{NAME}/*)",', f"{NAME}_routes.ENDPOINTS",
                 f"{NAME}_verbs.VERBS),"):
        assert registry.count(line) == 1, line
    assert registry.count(f'Module("{LONGEST[0]}"') == 1
    compile(registry, "modules.py", "exec")


def test_the_contract_gains_one_inferred_row_per_module(checkout: Path) -> None:
    original = json.loads((ROOT / "mockryze/contract.json").read_text("utf-8"))
    table = json.loads((checkout / "mockryze/contract.json").read_text("utf-8"))
    added = [row for row in table["routes"] if row not in original["routes"]]
    assert [(row["method"], row["path"]) for row in added] == [
        ("GET", f"/api/{NAME}/example/:instance"), ("GET", f"{LONGEST[1]}/example/:instance")]
    assert all(b["source"] == "inferred" for row in added for b in row["behaviours"])
    assert [row for row in table["routes"] if row not in added] == original["routes"]


def test_the_schema_is_valid_and_its_examples_pass(checkout: Path) -> None:
    document: dict[str, Any] = json.loads((checkout / f"schemas/{NAME}/example.response.json").read_text("utf-8"))
    Draft202012Validator.check_schema(document)
    assert document["$id"] == f"{schemas.BASE_URI}{NAME}/example.response.json"
    defs = Resource.from_contents(schemas.schema("common/defs"))
    registry: Registry[Any] = Registry().with_resource(f"{schemas.BASE_URI}common/defs.json", defs)
    validator = Draft202012Validator(document, registry=registry)
    assert document["examples"]
    for example in document["examples"]:
        validator.validate(example)


def test_the_generated_code_passes_ruff(checkout: Path) -> None:
    ruff = pytest.importorskip("ruff.__main__")
    done = subprocess.run([ruff.find_ruff_bin(), "check", "--no-cache", "mockryze", "tests"], cwd=checkout,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("args", "reason"), [
    (["9chat"], "not a module name"),
    (["Chat"], "not a module name"),
    (["chat-x"], "not a module name"),
    (["class"], "not a module name"),
    (["x" * 31], "not a module name"),
    (["instance"], "already exists"),
    ([NAME, "--prefix", "api/x/"], "--prefix"),
    ([NAME, "--description", 'say "hi"'], "--description"),
])
def test_refusals_exit_2_and_change_nothing(tmp_path: Path, args: list[str], reason: str) -> None:
    root = new_checkout(tmp_path)
    before = tree(root)
    done = scaffold(*args, root=root)
    assert done.returncode == 2 and reason in done.stderr, done.stderr
    assert tree(root) == before


def test_a_module_is_scaffolded_only_once(checkout: Path) -> None:
    before = tree(checkout)
    done = scaffold(NAME, root=checkout)
    assert done.returncode == 2 and "already exists" in done.stderr
    assert tree(checkout) == before


def test_a_directory_that_is_not_a_checkout_is_refused(tmp_path: Path) -> None:
    done = scaffold(NAME, root=tmp_path)
    assert done.returncode == 2 and "not a mockryze checkout" in done.stderr
    assert not any(tmp_path.iterdir())
