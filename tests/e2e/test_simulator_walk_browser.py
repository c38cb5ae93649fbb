"""The simulator's second pass (issue 25) in headless Chromium: the walk the README describes, at two hours.

The demo is seeded in the zone ``TZ`` names (two zones about half a day apart, so the same real moment is
morning in one and evening in the other), and walked with the new controls: "Go to…" the reminder (the
state panel names it as the open question), after meeting 1 (the check-in, named too), 5 minutes before
meeting 2 (a learner dials in with the phone code and reaches the conference), a call the bot places to a
landline learner (answered, the keypad's 1 is the RSVP), a Telegram chat in Spanish that a reload keeps, and
the CLI on the demo instance showing demo time. Screenshots at 1280 and 390 px go to the test's tmp dir
(``CIRCLEBOT_SCREENSHOTS`` copies them elsewhere, to look at).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.e2e.test_simulator_browser import DESKTOP, PHONE, browser  # noqa: F401 (fixture)
from tests.processes import OWN_SETTINGS, start_demo

LANDLINE = "+18165550124"


def cli(instance, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    env.update(CIRCLEBOT_INSTANCE=str(instance), LOG_LEVEL="WARNING")
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True, timeout=60)


def text(phone, words: str) -> None:
    phone.locator(".body").fill(words)
    phone.locator(".body").press("Enter")


def go_to(page, label: str) -> str:
    from playwright.sync_api import expect

    moment = page.locator("#moment")
    value = moment.locator("option", has_text=label).first.get_attribute("value")
    moment.select_option(value)
    page.locator("#go-to button").click()
    expect(page.locator("#news")).not_to_contain_text("Going to", timeout=30_000)
    return page.locator("#news").inner_text()


def shoot(page, shots, name: str) -> None:
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(shots / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(shots / f"{name}-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.mark.parametrize("tz", ["America/Chicago", "Asia/Tokyo"])
def test_the_readme_walk_at_two_hours(browser, tmp_path, procs, tz):  # noqa: F811
    from playwright.sync_api import expect

    instance = tmp_path / "instance"
    instance.mkdir()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    base = start_demo(procs, instance, TZ=tz)
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(20_000)
    page.on("dialog", lambda dialog: dialog.accept())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/simulator")

    # The demo's zone and its quiet hours are shown; the facilitator pages are one link away.
    expect(page.locator("#zone")).to_have_value(tz)
    expect(page.locator("#quiet")).to_contain_text("Quiet hours 21:00-08:00")
    expect(page.get_by_role("link", name="Facilitator pages")).to_have_attribute("href", "/facilitator")
    expect(page.locator(".pages")).to_contain_text("sign in with")

    learner = page.get_by_role("region", name="Learner 1 phone")
    log, panel = learner.locator(".log"), learner.locator(".state")
    expect(panel).to_contain_text("a new phone")
    text(learner, "JOIN DEMO")
    expect(log).to_contain_text("What is your first name?")
    expect(panel).to_contain_text("the learner's first name")
    text(learner, "Amina")
    expect(log).to_contain_text("Which language")
    text(learner, "1")
    expect(log).to_contain_text("You're in, Amina!")

    # Go to the reminder (held by quiet hours at night: the jump follows it there).
    go_to(page, "The reminder of meeting 1")
    expect(log).to_contain_text("Are you coming?", timeout=30_000)
    expect(panel).to_contain_text("the reminder of meeting 1 of DEMO")
    expect(panel).to_contain_text("1 = yes, 2 = no")
    shoot(page, shots, "reminder")
    text(learner, "1")
    expect(log).to_contain_text("Great, see you")

    # After meeting 1: the check-in is the open question.
    news = go_to(page, "After meeting 1")
    assert "check-in" in news, news
    expect(log).to_contain_text("How did this week at")
    expect(panel).to_contain_text("the check-in after meeting 1 of DEMO")
    expect(panel).to_contain_text("1 = great")
    expect(page.locator("#clock")).to_contain_text("demo time")
    shoot(page, shots, "checkin")

    # 5 minutes before meeting 2: a learner dials in with the circle's phone code and reaches the conference.
    go_to(page, "5 minutes before meeting 2")
    shown = cli(instance, "circle", "show", "DEMO", "--json")
    assert shown.returncode == 0, shown.stderr
    listed = cli(instance, "circle", "list")
    assert "(demo time)" in listed.stderr  # the CLI on a demo instance runs on the demo clock, and says so
    code = json.loads(shown.stdout)["phone_code"]
    learner.get_by_role("button", name="Call the bot").click()
    expect(learner.locator(".keys")).to_be_enabled()
    learner.locator(".keys").fill(code + "#")
    learner.locator(".press").click()
    expect(log).to_contain_text("In the conference")
    expect(log).to_contain_text("Joining the meeting now")
    learner.get_by_role("button", name="Hang up").click()
    expect(log).to_contain_text("You hung up.")

    # A landline learner: the bot calls; Answer plays the call, and the keypad's 1 answers the reminder.
    added = cli(instance, "learner", "add", "DEMO", LANDLINE, "--name", "Lee", "--landline")
    assert added.returncode == 0, added.stderr
    page.get_by_role("button", name="Add a learner").click()
    landline = page.get_by_role("region", name="Learner 2 phone")
    expect(landline.locator(".number")).to_have_value(LANDLINE)
    go_to(page, "The reminder of meeting 2")
    ring = landline.locator(".msg.ringing")
    expect(ring).to_contain_text("The bot is calling this phone", timeout=30_000)
    shoot(page, shots, "ringing")
    ring.get_by_role("button", name="Answer").click()
    calls = landline.locator(".log")
    expect(calls).to_contain_text("Are you coming?")
    expect(calls).to_contain_text("press the star key")
    landline.locator(".keys").fill("1")
    landline.locator(".press").click()
    expect(calls).to_contain_text("Great, see you")
    shoot(page, shots, "answered")

    # Telegram in Spanish; a reload keeps the chat (and its language), and a tap shows its label.
    page.get_by_role("button", name="Add a Telegram chat").click()
    chat = page.get_by_role("region", name="Telegram chat 5512345678")
    chat.locator(".lang").select_option("es")
    chat.locator(".body").press("Enter")
    expect(chat.locator(".log")).to_contain_text("¿Cómo te llamas?")
    text(chat, "Rosa")
    chat.get_by_role("button", name="2 Español").click()
    expect(chat.locator(".log .msg.in").last).to_contain_text("2 Español")  # the tap shows its label
    expect(chat.locator(".state")).to_contain_text("Rosa")
    page.reload()
    chat = page.get_by_role("region", name="Telegram chat 5512345678")
    expect(chat.locator(".log")).to_contain_text("¿Cómo te llamas?")
    expect(chat.locator(".log .msg.in").last).to_contain_text("2 Español")
    expect(chat.locator(".lang")).to_have_value("es")
    expect(page.get_by_role("region", name="Learner 2 phone")).to_be_visible()  # the phones come back too
    shoot(page, shots, "telegram")

    # The morning after the last meeting: the end-of-circle survey opens, and the panel names it.
    go_to(page, "The morning after the last meeting")
    learner = page.get_by_role("region", name="Learner 1 phone")
    expect(learner.locator(".log")).to_contain_text("Thank you for taking part!", timeout=30_000)
    expect(learner.locator(".state")).to_contain_text("the survey of DEMO")

    # Reset this phone: the learner is forgotten and starts again as new.
    landline = page.get_by_role("region", name="Learner 2 phone")
    landline.get_by_role("button", name="Reset this phone").click()
    expect(landline.locator(".state")).to_contain_text("a new phone")
    assert not errors, errors
    keep = os.environ.get("CIRCLEBOT_SCREENSHOTS")
    if keep:
        shutil.copytree(shots, os.path.join(keep, tz.replace("/", "-")), dirs_exist_ok=True)
