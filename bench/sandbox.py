"""The sandbox page from a real `mockryze serve`, in headless Chromium (Debian's `chromium`).

    .venv/bin/python bench/sandbox.py [--loads 10] [--messages 1000]

Starts `mockryze serve` on a free port (rate limits off, so seeding is not throttled) and prints:
- DOMContentLoaded of the page: median and worst of ``--loads`` loads, each in a fresh browser
  context (nothing cached), measured by the browser's Navigation Timing; target <= 300 ms;
- the shipped assets' total size (the page, its script and style sheet, uncompressed); target <= 200 KB;
- a chat of ``--messages`` messages (seeded through the control plane): the time from clicking the
  chat to every bubble rendered (fetch + render + the next frame), then the longest frame while
  typing into the composer with the chat open (it stays interactive when that is short).
PASS/MISS against the targets; nothing asserts.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from typing import Any

import httpx

from mockryze.testing.api import RemoteRyze

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DCL_TARGET_MS = 300.0
SIZE_TARGET = 200 * 1024
CONTACT = "5511912345678"

DCL_JS = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  return n.domContentLoadedEventEnd - n.startTime;
}"""
RENDER_JS = """async (count) => {
  const chat = document.querySelector('#chat-list button.chat');
  const started = performance.now();
  chat.click();
  await new Promise((done) => {
    const check = () => document.querySelectorAll('#messages li.bubble').length >= count
      ? done() : requestAnimationFrame(check);
    check();
  });
  await new Promise((done) => requestAnimationFrame(() => done()));
  return performance.now() - started;
}"""
TYPING_JS = """async () => {
  const input = document.querySelector('#contact-text');
  input.focus();
  let worst = 0, last = performance.now();
  for (let i = 0; i < 60; i++) {
    input.value += 'x';
    input.dispatchEvent(new Event('input'));
    await new Promise((done) => requestAnimationFrame(() => done()));
    const now = performance.now(); worst = Math.max(worst, now - last); last = now;
  }
  return worst;
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "mockryze", "serve", "--port", str(port), "--rate-limits", "off",
               "--log-level", "warning"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=0.5)
            return server
        except httpx.HTTPError:
            time.sleep(0.05)
    server.kill()
    raise SystemExit("mockryze serve did not start")


def asset_bytes(base: str) -> int:
    page = httpx.get(base + "/sandbox/")
    total = len(page.content)
    for name in ("app.js", "app.css"):
        total += len(httpx.get(f"{base}/sandbox/static/{name}").content)
    return total


def seed_chat(base: str, count: int) -> None:
    token = httpx.get(base + "/sandbox/config.json").json()["defaultAccountToken"]
    ryze = RemoteRyze(base, token)
    ryze.create_instance("bench", connected=True)
    ryze.contact("bench", CONTACT, display_name="Bench Contact")
    for index in range(count):
        ryze.inbound("bench", from_=CONTACT, text=f"message {index} " + "lorem ipsum " * (index % 5))


def measure(base: str, loads: int, messages: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        dcl: list[float] = []
        for _ in range(loads):
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "/", wait_until="domcontentloaded")
            page.wait_for_load_state("load")
            dcl.append(page.evaluate(DCL_JS))
            context.close()
        seed_chat(base, messages)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(base + "/")
        page.get_by_role("button", name="Use default account").click()
        page.locator("#chat-list button.chat").wait_for()
        render_ms = page.evaluate(RENDER_JS, messages)
        typing_ms = page.evaluate(TYPING_JS)
        context.close()
        browser.close()
    return {"dcl": dcl, "render": render_ms, "typing": typing_ms}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        print(f"sandbox: SKIPPED, {CHROMIUM} is missing (make browser, or apt-get install chromium)")
        return 0
    port = free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        size = asset_bytes(base)
        found = measure(base, args.loads, args.messages)
    finally:
        server.terminate()
        server.wait(10)
    median, worst = statistics.median(found["dcl"]), max(found["dcl"])
    print(f"sandbox DOMContentLoaded: median {median:.0f} ms, worst {worst:.0f} ms of {args.loads} cold loads "
          f"(target <= {DCL_TARGET_MS:.0f} ms) {verdict(worst <= DCL_TARGET_MS)}")
    print(f"sandbox assets: {size / 1024:.1f} KB uncompressed (target <= {SIZE_TARGET // 1024} KB) "
          f"{verdict(size <= SIZE_TARGET)}")
    print(f"sandbox chat of {args.messages} messages: {found['render']:.0f} ms from click to every bubble rendered; "
          f"longest frame while typing with it open {found['typing']:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
