"""``mockryze serve`` and the control token: the flag and variable guard ``/__mock__`` on a real process,
and a server reachable beyond loopback without one says, in one line, that its control plane is open."""

from __future__ import annotations

import signal

import httpx
import pytest

from mockryze.cli import open_control_plane
from mockryze.core import literals
from mockryze.core.settings import Settings
from mockryze.http.auth import CONTROL_TOKEN_HEADER
from tests.conftest import CheckedClient, error_of
from tests.test_cli import Process, clean_env, free_port, spawned, start_server

WARNING = "without --control-token: the control plane"


def stopped(server: Process) -> str:
    """Stop the server; returns all it wrote to stderr."""
    server.proc.send_signal(signal.SIGINT)
    assert server.wait() == 0, server.err
    return server.err


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_a_loopback_server_needs_no_warning(host: str) -> None:
    assert open_control_plane(Settings(host=host)) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "mock.example.com"])
def test_a_reachable_server_warns_unless_it_has_a_control_token(host: str) -> None:
    warning = open_control_plane(Settings(host=host))
    assert warning is not None and host in warning and WARNING in warning and "\n" not in warning
    assert open_control_plane(Settings(host=host, control_token="s3cret")) is None


def test_serve_on_every_interface_without_a_control_token_prints_one_warning_line() -> None:
    port = free_port()
    with spawned("serve", "--host", "0.0.0.0", "--port", str(port)) as server:
        start_server(server, port)
        err = stopped(server)
    assert [line for line in err.splitlines() if WARNING in line] == [
        f"mockryze: warning: listening on 0.0.0.0 {WARNING} (/__mock__: every account's events, reset, the clock)"
        " is open to anyone who can reach the port"]


@pytest.mark.parametrize("source", ["flag", "env"])
def test_serve_with_a_control_token_guards_the_control_plane(source: str) -> None:
    port = free_port()
    flag = ("--control-token", "ci-s3cret") if source == "flag" else ()
    env = clean_env(MOCKRYZE_CONTROL_TOKEN="ci-s3cret") if source == "env" else None
    with spawned("serve", "--host", "0.0.0.0", "--port", str(port), "--account-token", "T123", *flag,
                 env=env) as server:
        start_server(server, port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            api = CheckedClient(http, "T123")
            assert error_of(api.post("/__mock__/reset")) == literals.INVALID_TOKEN
            assert error_of(api.post("/__mock__/reset", token="")) == literals.INVALID_TOKEN
            assert api.get("/__mock__/events").status_code == 200  # the account's own read
            assert api.post("/__mock__/inbox/k-51c9", json={}).status_code == 200
            assert api.post("/__mock__/reset", headers={CONTROL_TOKEN_HEADER: "ci-s3cret"}).status_code == 200
        err = stopped(server)
    assert WARNING not in err
