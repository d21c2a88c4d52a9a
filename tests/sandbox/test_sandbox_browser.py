"""The sandbox page end to end, in headless Chromium: what a newcomer clicks, checked against the API.

Each test screenshots its steps (listed in the report when it fails). The world's clock is frozen
(in-process default): receipts, retries and QR timers move only when the page's clock buttons do.
"""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from mockryze.testing.api import MockRyze
from tests.conftest import check_response
from tests.events.receivers import ReceiverPool
from tests.sandbox.conftest import Browser

CONTACT = "5511912345678"


def open_sandbox(browser: Browser, served: MockRyze) -> Any:
    page = browser.page
    page.goto(served.base_url + "/")
    page.get_by_role("button", name="Use default account").click()
    expect(page.locator("#token")).to_have_value(served.account_token)
    return page


def api(served: MockRyze, method: str, path: str, token: str, **kwargs: Any) -> dict[str, Any]:
    response = check_response(httpx.request(method, served.base_url + path, headers={"token": token}, **kwargs))
    assert response.is_success, response.text
    body: dict[str, Any] = response.json()
    return body


def badge(page: Any, name: str) -> Any:
    return page.locator(f'#instance-list li[data-name="{name}"] .badge')


def test_pair_an_instance_by_qr_code_with_the_simulated_phone(browser: Browser, served: MockRyze) -> None:
    page = open_sandbox(browser, served)
    browser.shot("opened")

    page.get_by_label("New instance name").fill("sales")
    page.get_by_role("button", name="Create instance").click()
    expect(badge(page, "sales")).to_have_attribute("data-state", "disconnected")
    browser.shot("created")

    with page.expect_response("**/api/instance/connect/sales") as answered:
        page.get_by_role("button", name="Connect sales by QR code").click()
    qr_code = answered.value.json()["qrCode"]
    image = page.get_by_role("img", name="QR code for sales")
    expect(image).to_be_visible()
    expect(badge(page, "sales")).to_have_attribute("data-state", "qr")
    expect(page.locator("#countdown")).to_contain_text("expires in 60 s")
    browser.shot("qr-shown")
    assert decoded_qr(image) == [qr_code]  # the pixels on screen, not the page's word for it

    page.get_by_role("button", name="+1 s").click()  # the countdown follows the mock's clock, not the wall's
    expect(page.locator("#countdown")).to_contain_text("new QR in 19 s · expires in 59 s")

    page.get_by_role("button", name="Scan with the simulated phone").click()
    expect(badge(page, "sales")).to_have_attribute("data-state", "connected")
    expect(image).to_be_hidden()
    expect(page.locator("#countdown")).to_have_text("Connected: the simulated phone is paired.")
    browser.shot("connected")
    assert served.instance("sales")["state"] == "connected"

    page.get_by_role("button", name="Logout sales").click()
    expect(badge(page, "sales")).to_have_attribute("data-state", served.instance("sales")["state"])
    assert served.instance("sales")["state"] != "connected"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Delete sales").click()
    expect(page.locator("#instance-list")).to_contain_text("No instance yet")
    assert api(served, "GET", "/api/instance/list", served.account_token)["instances"] == []
    assert browser.errors == []


def decoded_qr(image: Any) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.screenshot())))]


@pytest.mark.ryze(qr_rotate_seconds=5)
def test_a_rotated_qr_code_is_fetched_again(browser: Browser, served: MockRyze) -> None:
    served.create_instance("sales")
    page = open_sandbox(browser, served)
    with page.expect_response("**/api/instance/connect/sales") as first:
        page.get_by_role("button", name="Connect sales by QR code").click()
    image = page.get_by_role("img", name="QR code for sales")
    assert decoded_qr(image) == [first.value.json()["qrCode"]]
    for _ in range(4):
        page.get_by_role("button", name="+1 s").click()
    expect(page.locator("#countdown")).to_contain_text("new QR in 1 s")
    with page.expect_response("**/api/instance/connect/sales") as rotated:
        page.get_by_role("button", name="+1 s").click()
    new_code = rotated.value.json()["qrCode"]
    assert new_code != first.value.json()["qrCode"]
    expect(page.locator("#qr")).to_have_attribute("data-code", new_code)
    assert decoded_qr(image) == [new_code]
    browser.shot("rotated")
    assert browser.errors == []


def test_pair_by_pairing_code(browser: Browser, served: MockRyze) -> None:
    served.create_instance("sales")
    page = open_sandbox(browser, served)
    page.once("dialog", lambda dialog: dialog.accept("5511987654321"))
    with page.expect_response("**/api/instance/connect/sales?number=5511987654321") as answered:
        page.get_by_role("button", name="Connect sales by pairing code").click()
    code = answered.value.json()["pairingCode"]
    assert len(code) == 8
    expect(page.locator("#pairing-code")).to_have_text(f"Pairing code: {code}")
    browser.shot("pairing-code")
    page.get_by_role("button", name="+1 min").click()  # nobody typed it within 60 s of the mock's clock
    expect(page.locator("#countdown")).to_contain_text("This attempt is over")
    expect(badge(page, "sales")).to_have_attribute("data-state", "disconnected")
    expect(page.get_by_role("button", name="Scan with the simulated phone")).to_be_disabled()
    browser.shot("expired")

    page.once("dialog", lambda dialog: dialog.accept("5511987654321"))
    page.get_by_role("button", name="Connect sales by pairing code").click()
    page.get_by_role("button", name="Scan with the simulated phone").click()
    expect(badge(page, "sales")).to_have_attribute("data-state", "connected")
    assert served.instance("sales")["numberJid"].startswith("5511987654321")
    assert browser.errors == []


def test_a_message_sent_through_the_api_shows_its_ticks_and_the_contact_replies(
        browser: Browser, served: MockRyze, receivers: ReceiverPool) -> None:
    receiver = receivers.new()
    sales = served.create_instance("sales", connected=True)
    served.contact("sales", CONTACT, display_name="Ana Souza")
    api(served, "POST", "/api/events/webhook/sales", sales.token, json={"enabled": True, "url": receiver.hook()})
    page = open_sandbox(browser, served)
    expect(page.locator("#ws-state")).to_have_text("WebSocket: sales open")

    sent = api(served, "POST", "/api/message/text/sales", sales.token, json={"number": CONTACT, "message": "Olá, Ana!"})
    chat = page.locator("#chat-list button.chat", has_text="Ana Souza")
    expect(chat).to_contain_text("Olá, Ana!")
    chat.click()
    bubble = page.locator(f'#messages li.bubble.out[data-id="{sent["data"]["messageId"]}"]')
    expect(bubble).to_contain_text("Olá, Ana!")
    expect(bubble.locator(".ticks")).to_have_attribute("data-status", "sent")
    browser.shot("sent")

    page.get_by_role("button", name="+1 s").click()
    expect(bubble.locator(".ticks")).to_have_attribute("data-status", "delivered")
    page.get_by_role("button", name="+1 min").click()
    expect(bubble.get_by_label("read")).to_be_visible()
    browser.shot("read")

    page.get_by_label("Message as contact").fill("Oi! Tudo bem?")
    page.get_by_role("button", name="Send as contact").click()
    expect(page.locator("#messages li.bubble.in", has_text="Oi! Tudo bem?")).to_be_visible()
    tag = api(served, "POST", "/api/chat/tag/sales", sales.token, json={"name": "VIP"})["tag"]
    api(served, "POST", "/api/chat/assignTag/sales", sales.token, json={"number": CONTACT, "tagId": tag["id"]})
    expect(chat.locator(".label")).to_have_text("VIP")  # the chat list: labels, unread count, last message
    expect(chat.get_by_label("1 unread")).to_be_visible()
    expect(chat.locator(".chat-last")).to_have_text("Oi! Tudo bem?")
    page.get_by_label("Event type").select_option("message.exchange")
    logged = page.locator('#event-log li[data-event="message.exchange"]', has_text="incoming")
    expect(logged).to_have_count(1)
    logged.locator("summary").click()
    expect(logged.locator("pre")).to_contain_text("Oi! Tudo bem?")
    logged.get_by_role("button", name="Copy JSON").click()
    expect(page.locator("#status")).to_have_text("Copied.")
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied == served.events("sales", "message.exchange")[-1]  # the envelope exactly as delivered
    browser.shot("replied")

    got = [r.body for r in receiver.wait_for(4) if r.event == "message.exchange"]
    assert [(b["data"]["direction"], b["data"]["message"]["content"]) for b in got] == \
        [("outgoing", "Olá, Ana!"), ("incoming", "Oi! Tudo bem?")]

    page.get_by_label("Message as instance").fill("Tudo ótimo!")
    page.get_by_role("button", name="Send as instance").click()
    expect(page.locator("#messages li.bubble.out", has_text="Tudo ótimo!")).to_be_visible()
    expect(page.locator('#event-log li[data-event="message.exchange"]')).to_have_count(3)
    expect(logged.locator("details")).to_have_attribute("open", "")  # new events do not fold what is open
    assert [m["content"] for m in served.sent("sales")] == ["Olá, Ana!", "Tudo ótimo!"]
    assert browser.errors == []


def test_the_delivery_journal_shows_retries_and_redelivers(browser: Browser, served: MockRyze,
                                                           receivers: ReceiverPool) -> None:
    receiver = receivers.new(500)
    sales = served.create_instance("sales", connected=True)
    api(served, "POST", "/api/events/webhook/sales", sales.token,
        json={"enabled": True, "url": receiver.hook(), "events": ["message.exchange"]})
    served.inbound("sales", from_=CONTACT, text="are you there?")
    page = open_sandbox(browser, served)
    served.settle_deliveries()
    row = page.locator("#deliveries tbody tr").first
    expect(row).to_have_attribute("data-status", "pending")
    expect(row.locator(".attempts")).to_have_text("1")
    expect(row).to_contain_text("500")
    expect(row).to_contain_text("retrying")
    browser.shot("first-attempt-failed")

    for _ in range(3):  # retries after 1, 2 and 4 virtual seconds, then the dead letter
        page.get_by_role("button", name="+1 min").click()
        served.settle_deliveries()
    expect(row).to_have_attribute("data-status", "dead")
    expect(row.locator(".attempts")).to_have_text("4")
    expect(row).to_contain_text("dead letter")
    browser.shot("dead-letter")

    receiver.script(200)
    delivery_id = row.get_attribute("data-id")
    page.get_by_role("button", name=f"Redeliver {delivery_id}").click()
    served.settle_deliveries()
    expect(page.locator("#status")).to_contain_text("queued again")
    delivered = page.locator('#deliveries tbody tr[data-status="delivered"]')
    expect(delivered).to_have_count(1)
    browser.shot("redelivered")
    assert [r.answer for r in receiver.received][-1] == 200
    assert browser.errors == []


def test_each_kind_has_its_bubble_and_edits_revokes_and_replies_show_as_on_whatsapp(
        browser: Browser, served: MockRyze) -> None:
    sales = served.create_instance("sales", connected=True)
    served.contact("sales", CONTACT, display_name="Ana Souza")
    page = open_sandbox(browser, served)
    expect(page.locator("#ws-state")).to_have_text("WebSocket: sales open")

    def send(route: str, **body: Any) -> str:
        answer = api(served, "POST", f"/api/message/{route}/sales", sales.token, json={"number": CONTACT, **body})
        message_id: str = answer["data"]["messageId"]
        return message_id

    poll = send("poll", question="Lunch?", options=["pizza", "sushi"])
    buttons = send("button", contentText="Confirm the order?",
                   buttons=[{"id": "yes", "displayText": "Yes"}, {"id": "no", "displayText": "No"}])
    send("list", contentText="Our menu", buttonText="Open",
         sections=[{"title": "Mains", "rows": [{"id": "r1", "title": "Feijoada"}]}])
    send("location", latitude=-23.55, longitude=-46.63, name="Paulista")
    typo = send("text", message="see you at 8")
    oops = send("text", message="wrong chat, sorry")
    served.inbound("sales", from_=CONTACT, type="poll_vote", pollMessageId=poll, options=["sushi"])
    served.inbound("sales", from_=CONTACT, type="image", caption="the view")

    page.locator("#chat-list button.chat", has_text="Ana Souza").click()
    bubbles = page.locator("#messages li.bubble")
    poll_bubble = page.locator(f'#messages li[data-id="{poll}"]')
    expect(poll_bubble.locator("li", has_text="sushi").locator(".tally")).to_have_text("1")
    poll_bubble.get_by_role("button", name="Vote pizza as the contact").click()  # the contact votes from the page
    expect(poll_bubble.locator("li", has_text="pizza").locator(".tally")).to_have_text("1")
    expect(poll_bubble.locator("li", has_text="sushi").locator(".tally")).to_have_text("0")  # a new vote replaces
    tallies = api(served, "GET", f"/api/chat/poll/sales?messageId={poll}", sales.token)["data"]["votes"]
    assert {v["optionName"]: v["optionVoteCount"] for v in tallies} == {"pizza": 1, "sushi": 0}
    expect(bubbles.filter(has_text="Paulista")).to_contain_text("-23.55, -46.63")
    expect(bubbles.filter(has_text="Our menu").get_by_role("button", name="Feijoada")).to_be_visible()
    expect(page.get_by_role("img", name="the view")).to_be_visible()  # the contact's photo, from its stored bytes

    api(served, "POST", "/api/chat/edit/sales", sales.token, json={"messageId": typo, "content": "see you at 9"})
    api(served, "DELETE", "/api/chat/delete/sales", sales.token, json={"messageId": oops, "deleteForEveryone": True})
    edited = page.locator(f'#messages li[data-id="{typo}"]')
    expect(edited).to_contain_text("see you at 9")
    expect(edited).to_contain_text("edited")
    expect(page.locator(f'#messages li[data-id="{oops}"] .body')).to_have_text("🚫 This message was deleted")
    browser.shot("kinds")

    page.locator(f'#messages li[data-id="{buttons}"]').get_by_role("button", name="Yes").click()
    expect(bubbles.filter(has_text="↩️ Yes")).to_be_visible()
    reply = served.wait_for_event("message.exchange", instance="sales", direction="incoming")
    assert reply["data"]["message"]["type"] != "text"
    browser.shot("button-reply")
    assert [m["blocks"] for m in served.messages("sales", direction="incoming")][-1] == \
        {"interactive": {"selectedButtonId": "yes"}}
    page.get_by_label("Kind of message the contact sends").select_option("location")
    page.get_by_label("Message as contact").fill("Ibirapuera")
    page.get_by_role("button", name="Send as contact").click()
    expect(bubbles.filter(has_text="Ibirapuera")).to_contain_text("-23.5614, -46.6559")
    assert browser.errors == []


def test_every_control_is_named_reachable_by_keyboard_and_fits_a_phone(browser: Browser, served: MockRyze) -> None:
    served.create_instance("sales", connected=True)
    page = browser.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(served.base_url + "/sandbox/")
    page.keyboard.press("Tab")  # the skip link, then the account token: keyboard from the first key
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "token"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Use default account"
    page.keyboard.press("Enter")
    expect(badge(page, "sales")).to_have_attribute("data-state", "connected")
    unnamed = page.evaluate("""() => [...document.querySelectorAll('button, input, select, img')]
      .filter((e) => e.offsetParent !== null || e.tagName === 'SELECT')
      .filter((e) => !(e.getAttribute('aria-label') || (e.labels && e.labels.length) || e.textContent.trim()
                       || e.getAttribute('alt')))
      .map((e) => e.outerHTML.slice(0, 80))""")
    assert unnamed == []
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    browser.shot("phone-width")

    frozen = page.get_by_role("button", name="Unfreeze")  # in-process worlds start frozen
    expect(frozen).to_have_attribute("aria-pressed", "true")
    frozen.click()
    expect(page.get_by_role("button", name="Freeze")).to_have_attribute("aria-pressed", "false")
    assert served.clock()["frozen"] is False
    page.get_by_role("button", name="Freeze").click()
    expect(page.get_by_role("button", name="Unfreeze")).to_be_visible()
    assert served.clock()["frozen"] is True
    before = served.clock()["now"]
    page.get_by_role("button", name="+1 h").click()
    expect(page.locator("#clock")).to_contain_text("10:00:00")
    assert served.clock()["now"] == before + 3600
    assert browser.errors == []


@pytest.mark.ryze(control_token="s3cret")
def test_behind_a_control_token_the_page_asks_for_it_and_then_works(browser: Browser, served: MockRyze) -> None:
    served.create_instance("sales")
    page = browser.page
    page.goto(served.base_url + "/")
    expect(page.get_by_role("button", name="Use default account")).to_be_disabled()
    expect(page.locator("#status")).to_contain_text("enter the control token")
    page.get_by_label("Control token").fill("s3cret")
    page.get_by_label("Account token").fill(served.account_token)
    page.get_by_role("button", name="Use token").click()
    page.get_by_role("button", name="Connect sales by QR code").click()
    page.get_by_role("button", name="Scan with the simulated phone").click()
    expect(badge(page, "sales")).to_have_attribute("data-state", "connected")
    browser.shot("guarded")
    assert browser.errors == []
