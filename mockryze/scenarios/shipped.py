"""The scenarios shipped with mockryze: the top-level ``scenarios/`` folder, reached as the package's
``scenario_files`` (a symlink in a checkout, package data in a wheel), so both find the same files."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from mockryze.scenarios import loader

SUFFIX = ".yaml"


@dataclass(frozen=True)
class Shipped:
    """One shipped scenario: its name, what it shows, and the document to ``POST /__mock__/scenarios``."""

    name: str
    description: str
    steps: int
    end: float
    instances: tuple[str, ...]
    document: dict[str, Any]

    def view(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "steps": self.steps, "end": self.end,
                "instances": list(self.instances), "document": self.document}


@cache
def shipped() -> tuple[Shipped, ...]:
    """Every shipped scenario, by name (checked by the loader: a broken file fails here, loudly)."""
    folder = resources.files("mockryze") / "scenario_files"
    found = sorted((f for f in folder.iterdir() if f.name.endswith(SUFFIX)), key=lambda f: f.name)
    return tuple(_one(loader.parse(f.read_bytes())) for f in found)


def _one(document: dict[str, Any]) -> Shipped:
    scenario = loader.load(document)
    return Shipped(scenario.name, " ".join(scenario.description.split()), len(scenario.steps), scenario.end,
                   tuple(i.name for i in scenario.instances), document)
