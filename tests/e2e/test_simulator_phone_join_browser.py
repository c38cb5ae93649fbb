"""Join by calling in the simulator's call mode, in a real headless Chromium (Debian's ``chromium``): the
phone shows what the bot says, the keys pressed, and the name typed at the speech prompt as words said."""

from __future__ import annotations

import sqlite3

from bot.demo import seed as demo
from tests.e2e.test_simulator_browser import browser, server  # noqa: F401 - the fixtures


def press(phone, keys: str) -> None:
    phone.locator(".keys").fill(keys)
    phone.locator(".keys").press("Enter")


def test_a_landline_caller_joins_by_phone_in_chromium(browser, server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    with sqlite3.connect(tmp_path / "instance" / "circlebot.sqlite3") as db:
        (phone_code,) = db.execute("SELECT phone_code FROM circle WHERE code = ?", (demo.DEMO_CODE,)).fetchone()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.goto(server + "/simulator")
    phone = page.get_by_role("region", name="Learner 1 phone")
    phone.locator(".number").fill("+18165550163")
    phone.locator(".number").press("Tab")
    log = phone.locator(".log")
    phone.locator(".dial").click()
    expect(log).to_contain_text("For English, press 1.")
    press(phone, "1")
    expect(log).to_contain_text("phone code")
    press(phone, phone_code + "#")
    expect(log).to_contain_text("and get a call before each meeting, press 1.")
    press(phone, "1")
    expect(log).to_contain_text("Please say your first name now.")
    expect(phone.locator(".keys")).to_have_attribute("placeholder", "Say it (type the words) or press keys")
    press(phone, "Wanjiru")
    expect(log).to_contain_text("\u201cWanjiru\u201d")
    expect(log).to_contain_text("We understood: Wanjiru.")
    press(phone, "1")
    expect(log).to_contain_text("You are in Demo Circle")
    expect(log).to_contain_text("The bot hung up.")
    page.screenshot(path=str(tmp_path / "phone-join.png"), full_page=True)
    facilitator = page.get_by_role("region", name="Facilitator phone")
    expect(facilitator.locator(".log")).to_contain_text("Wanjiru joined")
