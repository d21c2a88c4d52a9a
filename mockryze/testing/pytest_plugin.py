"""pytest fixtures, registered through the ``pytest11`` entry point.

- ``ryze``: a fresh in-process :class:`MockRyze` per test (rate limits off, clock frozen).
  Options: ``@pytest.mark.ryze(seed=7, auto_scan=True, profile="docs", rate_limits=True)``;
  ``quirks={"instance_state_auth": "on"}`` sets single live-vs-docs differences over the profile;
  ``scenario="scenarios/support-desk.yaml"`` (or a dict) loads a scenario, its clock not yet moved.
  Calls to https://ryzeapi.cloud reach it (drop-in mode, mockryze.testing.intercept):
  ``intercept=False`` opts out, ``hosts=[...]`` adds hosts.
- ``ryze_server``: one live server for the session; each test gets a :class:`RemoteRyze`
  bound to its own fresh account, so tests never see each other's instances (with
  ``MOCKRYZE_CONTROL_TOKEN`` set, the server requires it and the client sends it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockryze.testing.api import MockRyze, RemoteRyze


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ryze(**options): settings for the `ryze` fixture"
                                       " (seed, auto_scan, profile, quirks={...}, intercept=False, hosts=[...],"
                                       " scenario=FILE, ...)")


@pytest.fixture
def ryze(request: pytest.FixtureRequest) -> Iterator[MockRyze]:
    marker = request.node.get_closest_marker("ryze")
    options = dict(marker.kwargs) if marker else {}
    scenario = options.pop("scenario", None)
    with MockRyze(**options) as mock:
        if scenario is not None:  # loaded and started; the test moves the clock (advance, expect)
            mock.play(scenario, run=False)
        yield mock


@pytest.fixture(scope="session")
def _ryze_session_server() -> Iterator[MockRyze]:
    with MockRyze(rate_limits=False, frozen_clock=False, start_time=None) as mock:
        mock.serve()
        yield mock


@pytest.fixture
def ryze_server(_ryze_session_server: MockRyze) -> Iterator[RemoteRyze]:
    server = _ryze_session_server
    remote = RemoteRyze.with_new_account(server.base_url, control_token=server.settings.control_token)
    try:
        yield remote
    finally:
        remote.close()
