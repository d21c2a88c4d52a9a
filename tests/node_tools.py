"""The npm tools some tests drive (Prism, Spectral), installed by ``make tools`` into ``.tools/``, and the
real processes those tests put them in front of.

Without Node.js the tests that need them skip with a loud reason; ``MOCKRYZE_REQUIRE_NODE_TOOLS=1`` (set
by ``.ci/run``) turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockryze.http.app import openapi_document
from tests.test_cli import Process, free_port, spawned, start_server, wait_until_listening

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".tools" / "node_modules" / ".bin"
PRISM_START_TIMEOUT = 60.0


def node_tool(name: str) -> Path:
    """The path of an npm tool from ``.tools/``; skips (or fails under ``MOCKRYZE_REQUIRE_NODE_TOOLS``) when absent."""
    path = BIN / name
    if path.exists():
        return path
    reason = (f"*** {name} is not installed in {BIN}: run `make tools` (needs Node.js and npm); "
              f"this contract check did NOT run ***")
    if os.environ.get("MOCKRYZE_REQUIRE_NODE_TOOLS") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def write_document(directory: Path) -> Path:
    """The OpenAPI document the server serves, as a file a tool can read."""
    path = directory / "openapi.json"
    path.write_text(json.dumps(openapi_document(), indent=1))
    return path


@contextlib.contextmanager
def mockryze_server(*args: str) -> Iterator[str]:
    """A real ``mockryze serve`` on a free port; yields its base URL."""
    port = free_port()
    with spawned("serve", "--port", str(port), "--log-level", "warning", *args) as server:
        start_server(server, port)
        yield f"http://127.0.0.1:{port}"
        assert "Traceback" not in server.err, server.err


@contextlib.contextmanager
def prism(document: Path, *args: str) -> Iterator[str]:
    """``prism <args> document --port P``; yields its base URL once it listens."""
    port = free_port()
    command = [str(node_tool("prism")), *args[:1], str(document), *args[1:], "--port", str(port),
               "--host", "127.0.0.1"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        try:
            wait_until_listening(port, timeout=PRISM_START_TIMEOUT)
        except AssertionError:
            proc.kill()
            raise AssertionError(f"prism did not start: {proc.communicate()[0][-4000:]}") from None
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.communicate(timeout=10)


__all__ = ["Process", "mockryze_server", "node_tool", "prism", "write_document"]
