"""The simulator's Telegram mode in headless Chromium: a chat that posts real updates, with the
secret, to ``/telegram``, and answers with tappable inline keyboards."""

from __future__ import annotations

from tests.e2e.test_simulator_browser import DESKTOP, browser, server  # noqa: F401 (fixtures)


def test_a_telegram_chat_signs_up_with_buttons(browser, server):  # noqa: F811
    from playwright.sync_api import expect

    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(15_000)
    page.goto(server + "/simulator")
    page.get_by_role("button", name="Add a Telegram chat").click()
    chat = page.get_by_role("region", name="Telegram chat 5512345678")
    log = chat.locator(".log")
    expect(chat.locator(".body")).to_have_value("/start DEMO")
    chat.locator(".body").press("Enter")
    expect(log).to_contain_text("What is your first name?")
    chat.locator(".body").fill("Amina")
    chat.locator(".body").press("Enter")
    expect(log).to_contain_text("Which language")
    english = chat.get_by_role("button", name="1 English")
    expect(chat.get_by_role("button", name="6 Kiswahili")).to_be_visible()
    english.click()
    expect(log).to_contain_text("You're in, Amina!")
    expect(chat.get_by_role("button", name="1 English")).to_have_count(0)  # the keyboard is gone once tapped
    page.reload()  # the chat comes back by itself, with its keyboard answered and the tap's label shown
    chat = page.get_by_role("region", name="Telegram chat 5512345678")
    expect(chat.locator(".log")).to_contain_text("You're in, Amina!")
    expect(chat.locator(".log .msg.in").last).to_contain_text("1 English")
    expect(chat.get_by_role("button", name="1 English")).to_have_count(0)
