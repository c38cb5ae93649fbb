"""The facilitator's desk in a real headless Chromium (issue 24, items 3, 4, 10, 11, 12).

``circlebot demo`` runs as a subprocess. Keyboard only (Tab to reach, type, Enter to submit), the
facilitator signs in, creates a circle, adds a learner on the roster and types a message. Then every page
is opened at 1280 and 390 px: axe-core (vendored under tests/vendor/axe-core) must find no WCAG 2.1 A or AA
violation, nothing may be wider than the screen at 390 px, every chart text must be at least 12 CSS px
there, and a screenshot of each is saved. The flyer prints on one page at Letter and at A4.
"""

from __future__ import annotations

import re
import time as clock
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.demo import seed as demo
from bot.domain.schedule import zone
from tests.e2e.test_facilitator_browser import WEEKDAYS, sms, wait_for_text
from tests.e2e.test_simulator_browser import DESKTOP, PHONE, browser  # noqa: F401  (the fixture)
from tests.processes import start_demo

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ("", "/edit", "/roster", "/charts", "/message", "/inbox", "/history")  # under /facilitator/circles/CODE


@pytest.fixture
def server(tmp_path, procs):
    instance = tmp_path / "instance"
    instance.mkdir()
    return start_demo(procs, instance, QUIET_HOURS="")


def tab_to(page, selector: str, most: int = 60) -> None:
    """Presses Tab until ``selector`` has the focus (the keyboard reaches it), or fails."""
    target = page.locator(selector)
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def audit(page, name: str) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page, one line each (rule, impact, first target)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found = page.evaluate(
        "async tags => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
        ".map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))",
        WCAG,
    )
    return [f"{name}: {v}" for v in found]


def test_keyboard_axe_phone_width_charts_and_flyer(browser, server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    started = clock.monotonic()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    # bypass_csp: only so axe's script can be injected; the pages' own CSP is checked by the other browser test.
    context = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    # Keyboard only: sign in.
    page.goto(server + "/facilitator/login")
    tab_to(page, "input[name=address]")
    page.keyboard.type(demo.FACILITATOR_PHONE)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Type your code")).to_be_visible()
    code = wait_for_text(server, demo.FACILITATOR_PHONE, r"sign-in code is (\d{6})").group(1)
    tab_to(page, "input[name=code]")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My circles")).to_be_visible()

    # Keyboard only: create a circle (the date and time inputs are reached by Tab and typed into).
    tab_to(page, "a[href$='/circles/new']")
    page.keyboard.press("Enter")
    expect(page.locator("#f-name")).to_be_visible()
    first = (datetime.now(timezone.utc) + timedelta(days=2)).astimezone(zone("America/Chicago"))
    for selector, text in (("#f-name", "Intro to Computers"), ("#f-code", "desk"), ("#f-venue", "Central Library")):
        tab_to(page, selector)
        page.keyboard.type(text)
    tab_to(page, "#f-timezone")
    page.keyboard.type("Central")
    tab_to(page, "#f-weekday")
    page.locator("#f-weekday").select_option(WEEKDAYS[first.weekday()])  # a select's arrows differ by platform
    tab_to(page, "#f-time")
    page.locator("#f-time").fill("18:00")
    tab_to(page, "#f-starts")
    page.locator("#f-starts").fill(first.date().isoformat())
    tab_to(page, "#f-weeks")
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    page.keyboard.press("Enter")
    expect(page.locator(".flash.info")).to_contain_text("Learners join by texting JOIN DESK")

    # Learners, so the roster and charts have rows: two by signed SMS, one on the roster by keyboard.
    for phone, name in (("+18165550141", "Amina"), ("+18165550142", "Bongani")):
        sms(server, phone, "JOIN DESK")
        sms(server, phone, name)
        sms(server, phone, "1")
    tab_to(page, "nav a[href$='/roster']")
    page.keyboard.press("Enter")
    tab_to(page, "#f-name")
    page.keyboard.type("Carla")
    tab_to(page, "#f-phone")
    page.keyboard.type("(816) 555-0143")
    page.keyboard.press("Enter")
    expect(page.locator("#roster")).to_contain_text("Carla")

    # Keyboard only: the message page counts as you type, and its send button is reachable.
    tab_to(page, "nav a[href$='/message']")
    page.keyboard.press("Enter")
    tab_to(page, "textarea")
    page.keyboard.type("See you tomorrow!")
    expect(page.locator("#c-characters")).to_have_text("17")
    tab_to(page, "main form button[type=submit]")

    # Every page at both widths: axe, nothing wider than a phone, a screenshot of each.
    found: list[str] = []
    urls = ["/facilitator/circles", "/facilitator/circles/new", "/facilitator/circles/import"] + [
        f"/facilitator/circles/{c}{p}" for c in ("DESK", "DEMO") for p in PAGES
    ]
    for width in (DESKTOP, PHONE):
        page.set_viewport_size(width)
        for url in urls:
            page.goto(server + url)
            found += audit(page, f"{url} at {width['width']}px")
            name = re.sub(r"\W+", "-", url.strip("/")) + f"-{width['width']}.png"
            page.screenshot(path=str(shots / name), full_page=True)
            if width is PHONE:
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= PHONE["width"] + 1, f"{url} is {wide} px wide at 390 px"
    stranger = browser.new_context(bypass_csp=True)  # signed out: the sign-in page
    for width in (DESKTOP, PHONE):
        login = stranger.new_page()
        login.set_viewport_size(width)
        login.goto(server + "/facilitator/login")
        found += audit(login, f"login at {width['width']}px")
        login.screenshot(path=str(shots / f"login-{width['width']}.png"), full_page=True)
    stranger.close()
    assert found == [], "\n".join(found)

    # The circle list is stacked cards at 390 px: each cell labelled, no header row shown.
    page.set_viewport_size(PHONE)
    page.goto(server + "/facilitator/circles")
    cell = page.locator("#circle-list td[data-label]").first
    assert cell.evaluate("e => getComputedStyle(e).display") == "block"
    assert "Code" in cell.evaluate("e => getComputedStyle(e, '::before').content")

    # Charts at 390 px: every text in the drawings at least 12 CSS px, bars scaled to the 3 enrolled.
    page.goto(server + "/facilitator/circles/DESK/charts")
    sizes = page.evaluate("[...document.querySelectorAll('svg.chart text')].map(t => t.getBoundingClientRect().height)")
    assert sizes and min(sizes) >= 12, sizes
    assert page.locator("#rsvp-chart").get_attribute("data-scale") == "3"
    page.screenshot(path=str(shots / "charts-phone.png"), full_page=True)

    # The same look in all six interface languages: at 390 px, the circle page and the charts fit, pass axe.
    for lang in ("es", "fr", "pt", "pl", "sw", "en"):
        page.select_option("#language-picker", lang)
        page.locator("header form:has(#language-picker) button").click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        for url in ("/facilitator/circles/DESK", "/facilitator/circles/DESK/charts"):
            page.goto(server + url)
            found += audit(page, f"{url} in {lang} at 390px")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1, (url, lang)
            page.screenshot(path=str(shots / f"{url.rsplit('/', 1)[1]}-390-{lang}.png"), full_page=True)
    assert found == [], "\n".join(found)

    # The flyer prints on one page at Letter and at A4.
    page.set_viewport_size(DESKTOP)
    page.goto(server + "/facilitator/circles/DESK/flyer")
    expect(page.locator("#dial-in")).to_contain_text("then press #")
    for paper in ("Letter", "A4"):
        pdf = page.pdf(format=paper, print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert pages == 1, f"the flyer takes {pages} pages at {paper}"
        (shots / f"flyer-{paper}.pdf").write_bytes(pdf)
    page.screenshot(path=str(shots / "flyer-1280.png"), full_page=True)
    page.emulate_media(media="print")  # how the printed page is filled: Letter at 96 dpi
    page.set_viewport_size({"width": 816, "height": 1056})
    page.screenshot(path=str(shots / "flyer-print-letter.png"))
    context.close()
    for shot in shots.glob("*.png"):
        assert shot.stat().st_size > 3_000, shot
    print(f"desk browser test took {clock.monotonic() - started:.1f} s; screenshots in {shots}")
