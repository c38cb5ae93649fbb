"""Import from P2PU in a real headless Chromium (Debian's ``chromium``, Playwright): ``circlebot demo`` reads a
local stand-in of P2PU's API; the facilitator pastes a signup link, sees the circle and its time zone, confirms."""

from __future__ import annotations

import pytest

from bot.demo import seed as demo
from tests.e2e.test_facilitator_browser import wait_for_text
from tests.e2e.test_simulator_browser import DESKTOP, browser  # noqa: F401  (the fixture)
from tests.processes import start_demo
from tests.standin.p2pu_api import P2PUStandIn, kansas_city

SIGNUP = "https://learningcircles.p2pu.org/en/signup/plaza-branch-room-2-4321/"


@pytest.fixture
def p2pu():
    with P2PUStandIn() as api:
        yield api


@pytest.fixture
def server(tmp_path, procs, p2pu):
    """``circlebot demo`` on a free port, reading P2PU from the stand-in."""
    instance = tmp_path / "instance"
    instance.mkdir()
    return start_demo(procs, instance, QUIET_HOURS="", P2PU_API_BASE=p2pu.url)


def test_paste_a_signup_link_preview_the_zone_and_confirm_in_chromium(browser, server, p2pu, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    p2pu.put(kansas_city())
    p2pu.put(kansas_city(5555, draft=True))
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(15_000)
    page.goto(server + "/facilitator/login")
    page.get_by_label("Phone number").fill(demo.FACILITATOR_PHONE)
    page.get_by_role("button", name="Send me a code").click()
    code = wait_for_text(server, demo.FACILITATOR_PHONE, r"sign-in code is (\d{6})").group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My circles")).to_be_visible()

    page.get_by_role("link", name="Import from P2PU").click()
    field = page.get_by_label("The signup link of the circle on P2PU, or its number")
    field.fill("5555")
    page.get_by_role("button", name="Show what will be created").click()
    expect(page.locator("#import-error")).to_contain_text("still a draft")

    page.get_by_label("The signup link of the circle on P2PU, or its number").fill(SIGNUP)
    page.get_by_role("button", name="Show what will be created").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Public Speaking at Plaza")
    expect(preview).to_contain_text("Plaza Branch, Room 2, Kansas City")
    expect(page.locator("#zone")).to_have_text("America/Chicago")
    expect(page.get_by_text("Found from the venue's place on the map.")).to_be_visible()
    page.screenshot(path=str(tmp_path / "p2pu-preview.png"), full_page=True)
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".flash.info")).to_contain_text("Learners join by texting JOIN")
    expect(page.get_by_role("link", name="Speaking in Public")).to_have_attribute(
        "href", "https://learningcircles.p2pu.org/en/course/1187/speaking-in-public/"
    )
    assert p2pu.requests.count("/api/learningcircles/?id=4321") == 2  # the preview and the confirmation
