"""The sandbox's scenario picker in headless Chromium: pick a shipped scenario, play it, move the clock
from the page and watch its conversation arrive in the chat view and the event log."""

from __future__ import annotations

from playwright.sync_api import expect

from mockryze.testing.api import MockRyze
from tests.sandbox.conftest import Browser
from tests.sandbox.test_sandbox_browser import open_sandbox


def test_pick_and_play_support_desk_then_advance_the_clock_from_the_page(browser: Browser, served: MockRyze) -> None:
    page = open_sandbox(browser, served)
    picker = page.get_by_label("Shipped scenario")
    expect(picker.locator("option")).to_have_count(len(served.shipped_scenarios()))
    picker.select_option("support-desk")
    expect(page.locator("#scenario-about")).to_contain_text("Ana asks the support desk about her order.")
    expect(page.locator("#fault-list")).to_have_text("No fault in effect.")
    browser.shot("picked")

    page.get_by_role("button", name="Play scenario").click()
    progress = page.get_by_role("list", name="Scenarios loaded")
    expect(progress).to_contain_text("support-desk playing: 0/3 steps · next step at 5 s")
    expect(page.locator('#instance-list li[data-name="desk"] .badge')).to_have_attribute("data-state", "connected")
    expect(page.locator("#ws-state")).to_have_text("WebSocket: desk open")
    assert [s["status"] for s in served.scenarios()] == ["playing"]
    browser.shot("loaded")

    page.get_by_role("button", name="+1 min").click()  # the first step (5 s): Ana asks about her order
    expect(progress).to_contain_text("support-desk playing: 1/3 steps · next step at 120 s")
    chat = page.locator("#chat-list button.chat", has_text="Ana Souza")
    expect(chat).to_contain_text("Onde está meu pedido #1234?")
    chat.click()
    expect(page.locator("#messages li.bubble.in", has_text="Olá! Onde está meu pedido #1234?")).to_be_visible()
    page.get_by_label("Event type").select_option("message.exchange")
    logged = page.locator('#event-log li[data-event="message.exchange"]', has_text="incoming")
    expect(logged).to_have_count(1)
    logged.locator("summary").click()
    expect(logged.locator("pre")).to_contain_text("Onde está meu pedido #1234?")
    browser.shot("first-step")

    for _ in range(10):  # to the end of the timeline (600 s) and past it, one page click at a time
        page.get_by_role("button", name="+1 min").click()
    expect(progress).to_contain_text("support-desk finished: 3/3 steps")
    expect(page.locator("#messages li.bubble.in", has_text="Chegou! Posso trocar o tamanho?")).to_be_visible()
    expect(logged).to_have_count(3)  # Ana twice, Bruno once
    incoming = [e["data"]["message"]["content"] for e in served.events("desk", "message.exchange")
                if e["data"]["direction"] == "incoming"]
    assert incoming == ["Olá! Onde está meu pedido #1234?", "Vocês abrem no sábado?", "Chegou! Posso trocar o tamanho?"]
    browser.shot("finished")
    assert browser.errors == []


def test_the_faults_a_scenario_switches_on_show_while_in_effect(browser: Browser, served: MockRyze) -> None:
    page = open_sandbox(browser, served)
    page.get_by_label("Shipped scenario").select_option("flaky-network")
    page.get_by_role("button", name="Play scenario").click()
    expect(page.get_by_role("list", name="Scenarios loaded")).to_contain_text("flaky-network playing")
    faults = page.get_by_role("list", name="Faults in effect")
    expect(faults).to_have_text("No fault in effect.")  # the first one starts at 10 s
    for _ in range(15):
        page.get_by_role("button", name="+1 s").click()
    expect(faults).to_have_text("rate_limited on POST /api/message/* · probability 0.5 · 0 hit(s)")
    assert [f["fault"] for f in served.faults() if f["active"]] == ["rate_limited"]
    browser.shot("rate-limited")
    page.get_by_role("button", name="+1 min").click()  # 75 s: both windows are over
    expect(faults).to_have_text("No fault in effect.")
    assert browser.errors == []
