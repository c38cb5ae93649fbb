"""The facilitator's desk (issue 24) in a real headless Chromium (Debian's ``chromium``), driven by Playwright.

``circlebot demo`` runs as a subprocess. Three learners join the demo circle by signed SMS and one writes to
the facilitator. The facilitator signs in, answers from the inbox (the page comes back at that thread),
types a message with an emoji (the page names the character that doubles the cost), previews it and
confirms, then opens the history of sent messages; cancelling a meeting asks first and restores on the
page. The roster and the history are photographed at 1280 and 390 CSS px, and at 390 px nothing may push
the page sideways. Screenshots go under the test's tmp dir.
"""

from __future__ import annotations

import time as clock

import pytest

from bot.demo import seed as demo
from tests.e2e.test_facilitator_browser import sms, wait_for_text
from tests.e2e.test_simulator_browser import DESKTOP, PHONE, browser  # noqa: F401  (the fixture)
from tests.processes import start_demo

CODE = demo.DEMO_CODE


@pytest.fixture
def server(tmp_path, procs):
    """``circlebot demo`` on a free port with no quiet hours."""
    instance = tmp_path / "instance"
    instance.mkdir()
    return start_demo(procs, instance, QUIET_HOURS="")


def shoot(page, shots, name: str) -> None:
    """A full-page screenshot at the current width; at phone width the page must not scroll sideways."""
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name


def test_desk_inbox_message_preview_history_and_safe_cancel_in_chromium(browser, server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    started = clock.monotonic()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    learners = {"+18165550151": "Amina", "+18165550152": "Bongani", "+18165550153": "Carla"}
    for phone, name in learners.items():
        sms(server, phone, f"JOIN {CODE}")
        sms(server, phone, name)
        sms(server, phone, "1")  # English
    sms(server, "+18165550152", "Can I bring my daughter next week?")

    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(15_000)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(server + "/facilitator/login")
    page.get_by_label("Phone number").fill(demo.FACILITATOR_PHONE)
    page.get_by_role("button", name="Send me a code").click()
    code = wait_for_text(server, demo.FACILITATOR_PHONE, r"sign-in code is (\d{6})").group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=CODE, exact=True).click()

    # The inbox: Bongani's thread is marked unanswered; answering comes back to his thread.
    page.get_by_role("link", name="Inbox").click()
    thread = page.locator("section.thread.unanswered")
    expect(thread).to_have_count(1)
    expect(thread).to_contain_text("Can I bring my daughter")
    number = thread.get_attribute("data-number")
    page.get_by_label(f"Answer #{number}").fill("Yes, she is welcome!")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".flash.info")).to_contain_text(f"Sent to #{number}")
    assert page.url.endswith(f"#t-{number}")
    expect(page.locator("section.thread.unanswered")).to_have_count(0)

    # The message: the cost names the emoji; sending asks first with a preview per channel.
    page.get_by_role("link", name="Message the circle").click()
    page.get_by_label("Message").press_sequentially("See you Tuesday, bring a USB stick if you have one 😀", delay=2)
    expect(page.locator("#c-cost")).to_contain_text('The character "😀" is not plain SMS text')
    expect(page.locator("#c-cost")).to_contain_text("costs 2 texts instead of 1")
    page.get_by_role("button", name="Preview and send...").click()
    expect(page.get_by_role("heading", name="Send this to the whole circle?")).to_be_visible()
    expect(page.locator('figure[data-channel="SMS"]')).to_contain_text("Circle: Intro to Computers: See you")
    expect(page.locator("#confirm-recipients li")).to_have_count(3)
    page.get_by_role("button", name="Yes, send it to the circle").click()
    expect(page.locator(".flash.info")).to_contain_text("on its way to 3 learners")
    wait_for_text(server, "+18165550153", "bring a USB stick")

    # The history: the broadcast and the answer, each learner's copy with its status.
    page.get_by_role("link", name="Sent messages").click()
    sent = page.locator("section.sent")
    expect(sent).to_have_count(2)
    expect(sent.first).to_contain_text("To the whole circle")
    expect(sent.first.locator("td.copy-status")).to_have_count(3)
    expect(sent.nth(1)).to_contain_text("Answer to one learner")
    expect(sent.nth(1)).to_contain_text("Yes, she is welcome!")
    shoot(page, shots, "history-1280")
    page.set_viewport_size(PHONE)
    shoot(page, shots, "history-390")

    # The roster at both widths: every learner with their relay number, a Remove button marked as danger.
    page.get_by_role("link", name="Roster").click()
    roster = page.locator("#roster")
    for name in learners.values():
        expect(roster).to_contain_text(name)
    expect(roster.locator("button.danger")).to_have_count(3)
    expect(roster.locator('td[data-label="Name"]', has_text="Amina")).to_be_visible()  # not scrolled away
    shoot(page, shots, "roster-390")
    page.set_viewport_size(DESKTOP)
    shoot(page, shots, "roster-1280")

    # Cancelling a meeting asks first, naming who is texted; the page restores it.
    page.get_by_role("link", name="Overview").click()
    page.get_by_role("button", name="Cancel meeting 2").click()
    expect(page.get_by_role("heading", name="Cancel meeting 2?")).to_be_visible()
    expect(page.locator("#confirm-recipients li")).to_have_count(3)
    page.get_by_role("link", name="No, go back").click()
    expect(page.locator("#meeting-2 .status")).to_have_text("scheduled")
    page.get_by_role("button", name="Cancel meeting 2").click()
    page.get_by_role("button", name="Yes, cancel meeting 2 and text the learners").click()
    expect(page.locator("#meeting-2 .status")).to_have_text("cancelled")
    page.get_by_role("button", name="Restore meeting 2").click()
    page.get_by_role("button", name="Yes, restore meeting 2 and text the learners").click()
    expect(page.locator("#meeting-2 .status")).to_have_text("scheduled")
    page.set_viewport_size(PHONE)
    shoot(page, shots, "meetings-390")
    assert violations == []
    page.close()
    for shot in shots.iterdir():
        assert shot.stat().st_size > 5_000, shot
    print(f"desk browser test took {clock.monotonic() - started:.1f} s; screenshots in {shots}")
