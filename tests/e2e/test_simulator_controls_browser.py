"""The simulator's smaller controls (issue 25) in headless Chromium: a placed call declined then sent to
voicemail (CALL ME's retry), a learner dialling in after the facilitator started the conference, phones
renamed and removed (kept across a reload), the header staying in view, and a change of the demo's zone
that seeds the demo again and clears the Telegram chats. Screenshots at 1280 and 390 px."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

from tests.e2e.test_simulator_browser import DESKTOP, PHONE, browser, server  # noqa: F401 (fixtures)
from tests.e2e.test_simulator_walk_browser import go_to, shoot, text
from tests.processes import OWN_SETTINGS


def phone_code(base_instance) -> str:
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    env.update(CIRCLEBOT_INSTANCE=str(base_instance), LOG_LEVEL="WARNING")
    shown = subprocess.run(
        [sys.executable, "-m", "bot.cli", "circle", "show", "DEMO", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)["phone_code"]


def dial(phone, code: str) -> None:
    from playwright.sync_api import expect

    phone.get_by_role("button", name="Call the bot").click()
    expect(phone.locator(".keys")).to_be_enabled()
    phone.locator(".keys").fill(code + "#")
    phone.locator(".press").click()


def test_decline_voicemail_conference_and_page_controls(browser, server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    shots = tmp_path / "screenshots"
    shots.mkdir()
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(20_000)
    page.on("dialog", lambda dialog: dialog.accept("Amina's phone") if dialog.type == "prompt" else dialog.accept())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/simulator")
    learner = page.get_by_role("region", name="Learner 1 phone")
    log = learner.locator(".log")
    text(learner, "JOIN DEMO")
    expect(log).to_contain_text("What is your first name?")
    text(learner, "Amina")
    expect(log).to_contain_text("Which language")
    text(learner, "1")
    expect(log).to_contain_text("You're in, Amina!")

    # CALL ME, 5 minutes before meeting 1: the bot calls at the start; Decline, and it tries once more.
    go_to(page, "5 minutes before meeting 1")
    text(learner, "CALL ME")
    expect(log).to_contain_text("We will call you")
    page.get_by_role("button", name="Fast-forward to the next text").click()
    ring = log.locator(".msg.ringing").first
    expect(ring).to_contain_text("The bot is calling this phone", timeout=30_000)
    ring.get_by_role("button", name="Decline").click()
    expect(log).to_contain_text("You declined the call.")
    expect(learner.locator(".state")).to_contain_text("Planned next")
    expect(learner.locator(".state")).not_to_contain_text("nothing yet", timeout=20_000)  # the retry is planned
    page.get_by_role("button", name="Fast-forward to the next text").click()
    again = log.locator(".msg.ringing").nth(1)
    expect(again).to_contain_text("The bot is calling this phone", timeout=30_000)
    again.get_by_role("button", name="Voicemail").click()
    expect(log).to_contain_text("Voicemail picks up")
    expect(log).to_contain_text("We called to bring you into the meeting")
    expect(log).to_contain_text("The message was left on voicemail.")
    shoot(page, shots, "voicemail")

    # The facilitator starts the conference; a learner dialling in after is told so, not "waiting".
    code = phone_code(tmp_path / "instance")  # the ``server`` fixture's instance folder
    facilitator = page.get_by_role("region", name="Facilitator phone")
    dial(facilitator, code)
    expect(facilitator.locator(".log")).to_contain_text("it starts now")
    dial(learner, code)
    expect(log).to_contain_text("the facilitator is there")
    expect(log).not_to_contain_text("Please stay on the line")
    learner.get_by_role("button", name="Hang up").click()
    facilitator.get_by_role("button", name="Hang up").click()

    # Rename and remove phones; the page keeps them across a reload.
    learner.get_by_role("button", name="Rename").click()
    expect(learner.locator(".who")).to_contain_text("Amina's phone")
    page.get_by_role("button", name="Add a learner").click()
    second = page.get_by_role("region", name="Learner 2 phone")
    second.get_by_role("button", name="Remove").click()
    expect(second).to_have_count(0)
    page.reload()
    expect(page.get_by_role("region", name="Learner 1 phone").locator(".who")).to_contain_text("Amina's phone")
    expect(page.get_by_role("region", name="Learner 2 phone")).to_have_count(0)

    # The header, with its clock and controls, stays in view as the phones scroll.
    page.get_by_role("button", name="Add a Telegram chat").click()
    page.mouse.wheel(0, 600)
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") > 0
    assert abs(page.locator(".bar").bounding_box()["y"]) < 1
    shoot(page, shots, "renamed")

    # Another zone: the demo starts again there (its first meeting at a waking hour), chats cleared.
    page.locator("#zone").select_option("Europe/Paris")
    expect(page.locator("#clock")).to_contain_text("Europe/Paris")
    expect(page.get_by_role("region", name="Telegram chat 5512345678")).to_have_count(0)
    expect(page.locator("#moment")).to_contain_text("5 minutes before meeting 1")
    hour = page.evaluate(
        "() => [...document.querySelectorAll('#moment option')].find((o) => o.value === 'before-1').textContent"
    )
    assert re.search(r"\b(9:55 AM|1[01]:55 AM|12:55 PM|[1-6]:55 PM)", hour), hour  # meets 10 AM to 7 PM
    shoot(page, shots, "zone")

    # The facilitator pages, one link away, show the demo clock, marked as demo time.
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Facilitator pages").click()
    pages = opened.value
    expect(pages.locator(".demo-clock")).to_contain_text("Demo clock:")
    expect(pages.locator(".demo-clock")).to_contain_text("not the real time")
    pages.screenshot(path=str(shots / "facilitator-pages-1280.png"), full_page=True)
    assert not errors, errors
    keep = os.environ.get("CIRCLEBOT_SCREENSHOTS")
    if keep:
        shutil.copytree(shots, os.path.join(keep, "controls"), dirs_exist_ok=True)


def test_a_wide_telegram_keyboard_wraps_legibly(browser, server, tmp_path):  # noqa: F811
    """The 0-10 question in French: each button keeps its label on a line or two, none a letter per line."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(20_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server + "/simulator")
    page.get_by_role("button", name="Add a Telegram chat").click()
    chat = page.get_by_role("region", name="Telegram chat 5512345678")
    chat.locator(".lang").select_option("fr")
    chat.locator(".body").press("Enter")
    expect(chat.locator(".log")).to_contain_text("prénom")
    text(chat, "Awa")
    chat.locator(".keyboard button", has_text="Fran").click()
    go_to(page, "The morning after the last meeting")
    for _ in range(3):  # the three 1-5 questions, answered by a tap on their last keyboard
        board = chat.locator(".keyboard").last
        expect(board.locator("button")).to_have_count(5, timeout=30_000)
        taps = chat.locator(".log .msg.in").count()
        board.locator("button").nth(3).click()
        expect(chat.locator(".log .msg.in")).to_have_count(taps + 1)
    wide = chat.locator(".keyboard.wide").last
    expect(wide.locator("button")).to_have_count(11)
    expect(wide).to_contain_text("pas du tout")
    for box in (b.bounding_box() for b in wide.locator("button").all()):
        assert box["width"] >= 80 and box["height"] < 70, box  # a label on one or two lines, not a letter a line
    chat.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "wide-keyboard-390.png"))
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(tmp_path / "wide-keyboard-1280.png"), full_page=True)
    keep = os.environ.get("CIRCLEBOT_SCREENSHOTS")
    if keep:
        os.makedirs(os.path.join(keep, "controls"), exist_ok=True)
        for name in ("wide-keyboard-390.png", "wide-keyboard-1280.png"):
            shutil.copy(tmp_path / name, os.path.join(keep, "controls", name))
