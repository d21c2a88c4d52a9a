"""``GET /__mock__/scenarios/shipped``: the shipped scenarios by name, from one folder, in a checkout and in a wheel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from mockryze.scenarios import loader
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient
from tests.scenarios.test_shipped import FOLDER, SHIPPED

LISTING = "/__mock__/scenarios/shipped"
ROOT = Path(__file__).parents[2]


def test_the_listing_names_every_file_of_the_scenarios_folder_with_its_document(api: CheckedClient) -> None:
    answer = api.get(LISTING)  # schema-checked against mock/shipped-scenarios.response
    assert answer.status_code == 200
    body = answer.json()
    by_name = {s["name"]: s for s in body["scenarios"]}
    assert body["count"] == len(body["scenarios"]) == len(list(FOLDER.glob("*.yaml")))
    assert sorted(by_name) == sorted(SHIPPED)
    desk = by_name["support-desk"]
    assert desk["document"] == loader.read(FOLDER / "support-desk.yaml")  # the file itself, not a copy of it
    assert desk["description"].startswith("Ana asks the support desk about her order.")
    assert (desk["steps"], desk["end"], desk["instances"]) == (3, 600, ["desk"])


def test_a_listed_document_plays_like_its_file(api: CheckedClient, ryze: MockRyze) -> None:
    document = next(s for s in api.get(LISTING).json()["scenarios"] if s["name"] == "support-desk")["document"]
    loaded = api.post("/__mock__/scenarios", json=document)
    assert loaded.status_code == 201
    ryze.advance(600)
    state = api.get("/__mock__/scenarios").json()["scenarios"]
    assert [(s["name"], s["status"], s["done"], s["errors"]) for s in state] == [("support-desk", "finished", 3, [])]
    with MockRyze() as other:
        played = other.play(FOLDER / "support-desk.yaml")
        assert [e["data"]["message"]["content"] for e in other.events("desk", "message.exchange")] == \
            [e["data"]["message"]["content"] for e in ryze.events("desk", "message.exchange")]
        assert played["done"] == 3


def test_the_python_api_lists_them(ryze: MockRyze) -> None:
    assert [s["name"] for s in ryze.shipped_scenarios()] == sorted(SHIPPED)


def test_the_contract_table_labels_the_listing() -> None:
    rows = json.loads((resources.files("mockryze") / "contract.json").read_text())
    row = next(r for r in rows["routes"] if (r["method"], r["path"]) == ("GET", LISTING))
    assert [b["source"] for b in row["behaviours"]] == ["inferred"]


@pytest.mark.slow
def test_an_installed_wheel_finds_the_same_files(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for part in ("mockryze", "schemas", "scenarios"):
        shutil.copytree(ROOT / part, source / part, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / part, source / part)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(source),
                    "-w", str(tmp_path / "dist")], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    assert (tmp_path / "site/mockryze/scenario_files/support-desk.yaml").read_bytes() == \
        (FOLDER / "support-desk.yaml").read_bytes()
    listed = subprocess.run([sys.executable, "-c", "from mockryze.scenarios import shipped; "
                             "print(' '.join(s.name for s in shipped.shipped()))"],
                            cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site")},
                            check=True, capture_output=True, text=True)
    assert listed.stdout.split() == sorted(SHIPPED)
