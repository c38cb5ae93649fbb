"""The live panel in a real headless Chromium (Debian's ``chromium``, driven by Playwright): the facilitator
mutes one caller, then everyone, and sees a caller leave without reloading the page (issue 26).

The app runs in this process (Werkzeug's server in a thread) with Twilio credentials pointing at the local
Twilio stand-in, so each click reaches its Conference Participants API through the twilio SDK.
Screenshots at 1280 and 390 px go under the test's tmp dir.
"""

from __future__ import annotations

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.e2e.test_facilitator_pages import last_code
from tests.e2e.test_host_menu import (
    AMINA_SID,
    CONFERENCE,
    HOST_SID,
    ROSA_SID,
    STRANGER_SID,
    app,
    circle,
    event,
    meeting,
    standin_twilio,
)
from tests.e2e.test_simulator_browser import DESKTOP, PHONE, browser
from tests.e2e.test_twilio_voice import FACILITATOR

__all__ = ["app", "browser", "circle", "meeting", "standin_twilio"]
SHOTS = "/tmp/circlebot-live-panel"  # a copy for looking at by hand (the test's tmp dir has the originals)


@pytest.fixture
def served(app):
    """The test's app on a free port of 127.0.0.1, plain http (the session cookie may not be Secure)."""
    app.config["SESSION_COOKIE_SECURE"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-panel-app", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def muted_calls(standin) -> dict[str, str]:
    return {c: f["Muted"] for m, _conf, c, f in standin.conference.requests if m == "POST" and c}


def test_live_panel_mutes_one_caller_then_everyone_in_chromium(
    browser, served, meeting, client, uow, standin_twilio, tmp_path
):
    from playwright.sync_api import expect

    shots = tmp_path / "screenshots"
    shots.mkdir()
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(15_000)
    violations: list[str] = []  # a script error or a Content-Security-Policy block (not the missing favicon)
    page.on("console", lambda m: violations.append(m.text) if m.type == "error" and "404" not in m.text else None)
    page.goto(served + "/facilitator/login")
    page.get_by_label("Phone number").fill(FACILITATOR)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Type your code")).to_be_visible()
    page.get_by_label("Code").fill(last_code(uow))
    page.get_by_role("button", name="Sign in").click()
    page.goto(served + "/facilitator/circles/KC42")
    assert page.title() == "Kansas City Basics · circlebot"

    panel = page.locator("#live")
    expect(panel.get_by_role("heading", name="On the line now")).to_be_visible()
    rows = panel.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(panel.locator(f'tr[data-call="{HOST_SID}"] td').first).to_have_text("(facilitator)")  # no name: no "None"
    expect(panel).to_contain_text("+1******0177")  # the stranger: a masked number, never the whole one

    panel.get_by_role("button", name="Mute Amina").click()
    amina = panel.locator(f'tr[data-call="{AMINA_SID}"]')
    expect(amina).to_contain_text("muted")
    expect(panel.locator(".live-status")).to_have_text("Done.")
    assert muted_calls(standin_twilio) == {AMINA_SID: "true"}
    expect(panel.locator(f'tr[data-call="{ROSA_SID}"]')).not_to_contain_text("muted")
    page.screenshot(path=str(shots / "live-panel-1280-one-muted.png"), full_page=True)

    panel.get_by_role("button", name="Mute everyone").click()
    expect(panel.locator(".muted-mark")).to_have_count(3)
    assert muted_calls(standin_twilio) == {AMINA_SID: "true", ROSA_SID: "true", STRANGER_SID: "true"}
    assert HOST_SID not in muted_calls(standin_twilio)
    assert standin_twilio.conference.muted(CONFERENCE)[HOST_SID] is False

    # Rosa hangs up: Twilio's leave event arrives, and the panel drops her without a reload.
    standin_twilio.conference.leave(CONFERENCE, ROSA_SID)
    event(client, meeting["room"], "participant-leave", ROSA_SID, 30, minutes=5)
    expect(rows).to_have_count(3, timeout=12_000)
    page.screenshot(path=str(shots / "live-panel-1280.png"), full_page=True)

    page.set_viewport_size(PHONE)
    expect(panel.get_by_role("button", name="Mute everyone")).to_be_visible()
    page.screenshot(path=str(shots / "live-panel-390.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways at 390 px ({width} px wide)"
    assert violations == []
    shutil.copytree(shots, SHOTS, dirs_exist_ok=True)
