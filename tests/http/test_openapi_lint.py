"""``spectral lint`` (npm ``@stoplight/spectral-cli``) on the served document, with the committed ruleset
``.spectral.yaml``: no error and no warning."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.node_tools import ROOT, node_tool, write_document

pytestmark = pytest.mark.slow


def test_spectral_lint_passes_with_the_committed_ruleset(tmp_path: Path) -> None:
    spectral = node_tool("spectral")
    document = write_document(tmp_path)
    result = subprocess.run([str(spectral), "lint", "--ruleset", str(ROOT / ".spectral.yaml"), "--format", "text",
                             "--fail-severity", "warn", str(document)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_spectral_fails_on_a_broken_document(tmp_path: Path) -> None:
    """The lint can fail: an operation answering with an undefined component is reported."""
    spectral = node_tool("spectral")
    document = write_document(tmp_path)
    text = document.read_text().replace('"#/components/schemas/messages.text.response"',
                                        '"#/components/schemas/no.such.schema"', 1)
    document.write_text(text)
    result = subprocess.run([str(spectral), "lint", "--ruleset", str(ROOT / ".spectral.yaml"), "--format", "text",
                             "--fail-severity", "warn", str(document)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "no.such.schema" in result.stdout, result.stdout
