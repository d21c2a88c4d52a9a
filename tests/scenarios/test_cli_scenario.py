"""``mockryze scenario check`` and ``mockryze serve --scenario`` refusing a bad file, in-process (the
real processes are in test_serve_scenario.py, marked slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockryze.cli import main
from tests.scenarios.test_shipped import FOLDER, SHIPPED
from tests.test_cli import free_port

BAD = "name: bad\ninstances: [{name: desk}]\nsteps:\n  - at: 5\n    inbound: {from: nobody, type: text}\n"


@pytest.mark.parametrize("name", SHIPPED)
def test_check_accepts_the_shipped_scenarios(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "check", str(FOLDER / f"{name}.yaml")]) == 0
    assert capsys.readouterr().out.strip().endswith(": ok")


def test_check_names_the_failing_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    assert main(["scenario", "check", str(bad)]) == 2
    assert "steps/0/inbound/from: 'nobody' is neither a contact" in capsys.readouterr().err


def test_serve_refuses_a_bad_scenario_before_listening(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    assert main(["serve", "--port", str(free_port()), "--scenario", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: steps/0/inbound/from" in err and "Traceback" not in err


def test_run_against_nothing_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "run", str(FOLDER / "support-desk.yaml"), "--against",
                 f"http://127.0.0.1:{free_port()}"]) == 1
    assert "cannot reach" in capsys.readouterr().err
