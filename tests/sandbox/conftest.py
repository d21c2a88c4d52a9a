"""The sandbox page in a real headless Chromium (Debian's ``chromium``), driven by Playwright.

Playwright's own browser download is not used: ``CHROMIUM`` (default ``/usr/bin/chromium``) is
launched through ``executable_path``. Without it, or without the ``playwright`` package, the browser
tests are skipped with a loud reason (``make test`` installs chromium when it runs as root), or fail
when ``MOCKRYZE_REQUIRE_BROWSER`` is set (``.ci/run``).
Each test gets a :class:`Browser` view of a page on a live in-process server; its :meth:`Browser.shot`
screenshots land in the test's ``tmp_path`` and are listed in the failure report.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockryze.testing.api import MockRyze
from tests.events.receivers import ReceiverPool

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STEP_TIMEOUT_MS = 10_000  # real time for one step to show (the page polls every second); a busy CI box is slow
FAST_WEBHOOKS: dict[str, Any] = {"webhook_timeout": 0.3, "webhook_retry_delays": "1,2,4"}
VIEW_KEY = pytest.StashKey["Browser"]()


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -r requirements-test.lock)"
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is missing (apt-get install -y chromium, or set CHROMIUM=/path/to/chromium)"
    return None


# Module-scoped, not session-scoped: while Playwright's sync API is open, the main thread has a
# running event loop, and other tests' asyncio.run() would refuse to start.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    reason = missing_browser()
    if reason and os.environ.get("MOCKRYZE_REQUIRE_BROWSER"):
        pytest.fail(f"MOCKRYZE_REQUIRE_BROWSER is set but {reason}")
    if reason:
        print(f"\n*** SANDBOX BROWSER TESTS SKIPPED: {reason} ***", flush=True)
        pytest.skip(f"SANDBOX BROWSER TESTS SKIPPED: {reason}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_TIMEOUT_MS)

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Browser:
    """One page of the sandbox, its console errors, and numbered screenshots of each step."""

    def __init__(self, page: Any, folder: Path, shots: list[Path]) -> None:
        self.page = page
        self.folder = folder
        self.shots = shots
        self.errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def shot(self, step: str) -> Path:
        path = self.folder / f"{len(self.shots) + 1:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        return path


@pytest.fixture
def receivers() -> Iterator[ReceiverPool]:
    with ReceiverPool() as pool:
        yield pool


@pytest.fixture
def served(request: pytest.FixtureRequest) -> Iterator[MockRyze]:
    """A live server over a fresh world (frozen clock, fast webhook retries)."""
    marker = request.node.get_closest_marker("ryze")
    with MockRyze(**{**FAST_WEBHOOKS, **(marker.kwargs if marker else {})}) as mock:
        mock.serve()
        yield mock


@pytest.fixture
def browser(chromium: Any, served: MockRyze, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Browser]:
    context = chromium.new_context(viewport={"width": 1400, "height": 900},
                                   permissions=["clipboard-read", "clipboard-write"])
    view = Browser(context.new_page(), tmp_path, [])
    view.page.set_default_timeout(STEP_TIMEOUT_MS)
    request.node.stash[VIEW_KEY] = view
    try:
        yield view
    finally:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed browser test: one more screenshot of the page as it was, and every step's path in the report."""
    outcome = yield
    report = outcome.get_result()
    view = item.stash.get(VIEW_KEY, None)
    if view is None or report.when != "call" or not report.failed:
        return
    try:
        view.shot("failure")
    except Exception as error:  # the page may be gone: the earlier steps are still listed
        report.sections.append(("sandbox screenshot of the failure", f"not taken: {error}"))
    report.sections.append(("sandbox screenshots (one per step)", "\n".join(str(path) for path in view.shots)))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say it at the end too, where nobody misses it, when the browser tests could not run."""
    reason = missing_browser()
    if reason:
        terminalreporter.write_sep("!", f"SANDBOX BROWSER TESTS SKIPPED: {reason}", red=True)
