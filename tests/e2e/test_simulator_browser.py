"""The phone simulator in a real headless Chromium (Debian's ``chromium``), driven by Playwright.

``circlebot demo`` runs as a subprocess on a free port with its own instance folder. The test signs
a learner up, relays a question to the facilitator's phone, fast-forwards to the check-in and then
through the whole circle, and keeps screenshots (desktop and phone width) under its tmp dir.
Playwright never downloads a browser here: it launches ``/usr/bin/chromium``. A missing browser
fails the test; ``./dev`` installs Debian's package.
"""

from __future__ import annotations

import json
import os
import re
from datetime import datetime, time, timedelta, timezone

import pytest

from bot.demo import seed as demo
from bot.domain.schedule import zone
from tests.processes import start_demo

CHROMIUM = os.environ.get("CIRCLEBOT_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
STAMP = re.compile(r"^[A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d\d [AP]M$")  # "Tue, Nov 24, 10:00 AM"


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing; ./dev installs Debian's chromium (or run: apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing; ./dev installs the test extras (pip install -e '.[test]')")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def server(tmp_path, procs):
    """``circlebot demo`` on a free port; its clock starts at 9:00 tomorrow in the demo's zone."""
    instance = tmp_path / "instance"
    instance.mkdir()
    now = datetime.now(timezone.utc)
    local = now.astimezone(zone(demo.DEMO_TIMEZONE))
    nine = datetime.combine(local.date() + timedelta(days=1), time(9, 0), tzinfo=zone(demo.DEMO_TIMEZONE))
    (instance / demo.CLOCK_FILE).write_text(json.dumps({"offset_seconds": (nine - now).total_seconds()}))
    return start_demo(procs, instance)


def text(phone, words: str) -> None:
    phone.locator(".body").fill(words)
    phone.locator(".body").press("Enter")


def fast_forward(page) -> str:
    """Clicks fast-forward once and returns what the page says happened."""
    from playwright.sync_api import expect

    button = page.get_by_role("button", name="Fast-forward to the next text")
    button.click()
    expect(button).to_be_enabled(timeout=30_000)
    expect(page.locator("#news")).not_to_contain_text("Fast-forwarding")
    return page.locator("#news").inner_text()


def test_signup_relay_and_fast_forward_in_chromium(browser, server, tmp_path):
    from playwright.sync_api import expect

    shots = tmp_path / "screenshots"
    shots.mkdir()
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    violations: list[str] = []  # every page runs under its Content-Security-Policy: nothing may be blocked
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    opened = page.goto(server + "/simulator")
    assert "frame-ancestors 'none'" in opened.headers["content-security-policy"]

    facilitator = page.get_by_role("region", name="Facilitator phone")
    expect(facilitator.locator(".who")).to_contain_text(demo.FACILITATOR_PHONE)
    learner = page.get_by_role("region", name="Learner 1 phone")
    number, error, send = learner.locator(".number"), learner.locator(".error"), learner.locator(".send button")

    # A bad number is named; a national one is read as the server reads it, and the error goes.
    number.fill("12")
    number.press("Enter")
    expect(error).to_contain_text("Enter a phone number")
    number.fill("(816) 555-0127")
    number.press("Tab")
    expect(number).to_have_value("+18165550127")
    expect(error).to_have_text("")
    # An empty text cannot be sent.
    expect(send).to_be_disabled()
    learner.locator(".body").fill("   ")
    expect(send).to_be_disabled()

    # Signup.
    log = learner.locator(".log")
    text(learner, "JOIN DEMO")
    expect(log).to_contain_text("What is your first name?")
    text(learner, "Amina")
    expect(log).to_contain_text("Which language")
    text(learner, "1")
    expect(log).to_contain_text("You're in, Amina!")
    stamp = log.locator("time").first.inner_text()
    assert STAMP.match(stamp), stamp

    # A relay between two phones: the learner's question shows on the facilitator's phone.
    text(learner, "Is there parking?")
    expect(log).to_contain_text("passed on")
    expect(facilitator.locator(".log")).to_contain_text("Amina joined")
    expect(facilitator.locator(".log")).to_contain_text("Is there parking?")

    # One click adds a learner, with the next number and JOIN DEMO ready to send.
    page.get_by_role("button", name="Add a learner").click()
    second = page.get_by_role("region", name="Learner 2 phone")
    expect(second.locator(".number")).to_have_value("+18165550128")
    second.locator(".body").press("Enter")
    expect(second.locator(".log")).to_contain_text("What is your first name?")
    page.screenshot(path=str(shots / "1-desktop-signup-and-relay.png"), full_page=True)

    # Fast-forward: the 2-hour tally reaches the facilitator, then the next day's check-in the learner.
    clock_before = page.locator("#clock").inner_text()
    said = []
    for _ in range(6):
        said.append(fast_forward(page))
        if "check-in to +18165550127" in said[-1]:
            break
    else:
        pytest.fail(f"no check-in after {len(said)} fast-forwards: {said}")
    assert any("2-hour tally to the facilitator" in s for s in said), said
    expect(log).to_contain_text("How did this week")
    expect(facilitator.locator(".log")).to_contain_text("0 coming")
    clock_after = page.locator("#clock").inner_text()
    assert clock_after != clock_before
    # The learner's answer is stamped with the demo clock, the day after the first meeting.
    text(learner, "1")
    day = ", ".join(clock_after.split(", ")[:2])  # "Tue, Nov 24"
    expect(log.locator(".msg.in time").last).to_contain_text(day)
    page.screenshot(path=str(shots / "2-desktop-after-fast-forward-to-check-in.png"), full_page=True)

    # On through the whole circle, until nothing more is planned.
    for _ in range(30):
        said.append(fast_forward(page))
        if said[-1].startswith("Nothing more is planned"):
            break
    else:
        pytest.fail(f"the circle never ended: {said}")
    expect(log).to_contain_text("Please finish our short survey")
    expect(facilitator.locator(".log")).to_contain_text("Thank you for facilitating")
    page.screenshot(path=str(shots / "3-desktop-whole-circle.png"), full_page=True)

    # At phone width each phone fills the screen and nothing overflows sideways.
    page.set_viewport_size(PHONE)
    learner.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "4-phone-whole-circle.png"))
    box = log.bounding_box()
    assert box["height"] > PHONE["height"] * 0.55, box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # FORGET YES: the confirmation shows, and the phone keeps what it had on screen.
    shown = log.locator(".msg").count()
    text(learner, "FORGET")
    expect(log).to_contain_text("To confirm, reply FORGET YES")
    text(learner, "FORGET YES")
    expect(log.locator(".msg").last).to_contain_text("We erased your details")
    page.wait_for_timeout(3500)  # two polls after the erasure
    assert log.locator(".msg").count() == shown + 4
    expect(log).to_contain_text("You're in, Amina!")
    expect(log.locator(".msg").last).to_contain_text("We erased your details")
    page.screenshot(path=str(shots / "5-phone-after-forget.png"))

    # Reset: one fresh learner, empty screens, the clock back to the real time.
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Reset the demo").click()
    expect(page.locator("#news")).to_contain_text("starts again")
    expect(page.locator("section.phone.learner")).to_have_count(1)
    expect(page.locator(".msg")).to_have_count(0)
    assert violations == []
    page.close()
    for shot in shots.iterdir():
        assert shot.stat().st_size > 10_000, shot
    print(f"screenshots in {shots}")
