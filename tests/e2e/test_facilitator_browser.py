"""The facilitator pages in a real headless Chromium (Debian's ``chromium``), driven by Playwright.

``circlebot demo`` runs as a subprocess. The facilitator signs in with the code the simulator's phone
got, creates a circle whose first meeting is tomorrow, and opens its roster after three learners
joined through the signed SMS webhook (two answered the reminder: one yes, one no) and one through the
``/telegram`` webhook (real updates with the secret: ``/start CODE``, a name, a tap on a button). The
RSVP chart must say 1 yes, 1 no, 2 no reply; typing a message must change the segment counter.
Screenshots go under the test's tmp dir.
"""

from __future__ import annotations

import json
import re
import time as clock
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from bot.demo import seed as demo
from bot.domain.schedule import zone
from tests.e2e.test_simulator_browser import DESKTOP, PHONE, browser  # noqa: F401  (the fixture)
from tests.processes import HTTP, start_demo, wait_until

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@pytest.fixture
def server(tmp_path, procs):
    """``circlebot demo`` on a free port with no quiet hours (the reminder goes out at once)."""
    instance = tmp_path / "instance"
    instance.mkdir()
    base = start_demo(procs, instance, QUIET_HOURS="")
    return {"base": base, "instance": instance}


def _json(url: str, data: dict | None = None):
    request = urllib.request.Request(
        url, data=json.dumps(data).encode() if data is not None else None, headers={"Content-Type": "application/json"}
    )
    with HTTP.open(request, timeout=10) as answer:
        return json.loads(answer.read())


def sms(base: str, sender: str, body: str) -> None:
    """A learner's text through the signed Twilio webhook (signed by the demo's simulator)."""
    signed = _json(base + "/simulator/sign", {"from": sender, "body": body})
    request = urllib.request.Request(
        base + "/twilio/sms",
        data=urllib.parse.urlencode(signed["params"]).encode(),
        headers={"X-Twilio-Signature": signed["signature"]},
    )
    with HTTP.open(request, timeout=10) as answer:
        assert answer.status == 200


def texts_to(base: str, phone: str) -> list[str]:
    found = _json(base + "/simulator/messages?" + urllib.parse.urlencode({"phone": phone}))
    return [m["body"] for m in found["messages"] if m["direction"] == "out"]


def wait_for_text(base: str, phone: str, pattern: str) -> re.Match:
    def seen():
        for body in texts_to(base, phone):
            match = re.search(pattern, body)
            if match:
                return match
        return None

    return wait_until(seen, 30, what=f"a text to {phone} matching {pattern!r}")


def telegram(base: str, chat: int, text: str | None = None, tap: str | None = None, message_id: int = 0) -> dict:
    """A real Telegram update (built by the demo's simulator, as Telegram shapes it) posted to ``/telegram``
    with the webhook secret; returns the method the webhook answered with."""
    asked = {"chat": chat, "lang": "pl"}
    asked.update({"data": tap, "message_id": message_id} if tap is not None else {"text": text})
    made = _json(base + "/simulator/telegram/update", asked)
    request = urllib.request.Request(
        base + "/telegram",
        data=json.dumps(made["update"]).encode(),
        headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": made["secret"]},
    )
    with HTTP.open(request, timeout=10) as answer:
        assert answer.status == 200
        return json.loads(answer.read())


def join_by_telegram(base: str, code: str, chat: int = 700123456) -> None:
    """``/start CODE`` (the flyer's t.me deep link), a name, and a tap on the language button."""
    telegram(base, chat, f"/start {code}")
    asked = telegram(base, chat, "Tomasz")
    buttons = {b["text"]: b["callback_data"] for row in asked["reply_markup"]["inline_keyboard"] for b in row}
    polish = next(data for label, data in buttons.items() if "Polski" in label)
    telegram(base, chat, tap=polish, message_id=1)


def test_sign_in_create_roster_chart_and_message_in_chromium(browser, server, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    started = clock.monotonic()
    base = server["base"]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    page = browser.new_page(viewport=DESKTOP)
    page.set_default_timeout(15_000)

    # 1. Sign in with the code the facilitator's phone got (it shows in the simulator).
    violations: list[str] = []  # every page runs under its Content-Security-Policy: nothing may be blocked
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    opened = page.goto(base + "/facilitator/login")
    assert "frame-ancestors 'none'" in opened.headers["content-security-policy"]
    page.get_by_label("Phone number").fill(demo.FACILITATOR_PHONE)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("heading", name="Type your code")).to_be_visible()
    code = wait_for_text(base, demo.FACILITATOR_PHONE, r"sign-in code is (\d{6})").group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My circles")).to_be_visible()
    expect(page.get_by_role("link", name="DEMO")).to_be_visible()
    page.screenshot(path=str(shots / "1-my-circles.png"), full_page=True)

    # 2. Create a circle whose first meeting is about 20 hours away (its reminder is due at once).
    first = (datetime.now(timezone.utc) + timedelta(hours=20)).astimezone(zone("America/Chicago"))
    page.get_by_role("link", name="Create a circle").click()
    expect(page.get_by_label(re.compile("^Name"))).to_be_visible()  # fields are found by their labels
    page.locator("#f-name").fill("Intro to Computers")
    page.locator("#f-venue").fill("Central Library")
    page.locator("#f-city").fill("Kansas City")
    page.locator("#f-timezone").fill("America/Chicago")
    page.locator("#f-weekday").select_option(WEEKDAYS[first.weekday()])
    page.locator("#f-time").fill(first.strftime("%H:%M"))
    page.locator("#f-starts").fill(first.date().isoformat())
    page.locator("#f-weeks").fill("4")
    page.locator("#f-capacity").fill("10")
    page.screenshot(path=str(shots / "2-create-a-circle.png"), full_page=True)
    page.get_by_role("button", name="Create").click()
    expect(page.locator(".flash.info")).to_contain_text("Learners join by texting JOIN")
    circle_code = page.url.rstrip("/").rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Z0-9]{4}", circle_code), page.url

    # 3. Three learners join by signed SMS; two answer the reminder; one joins through /telegram.
    learners = {"+18165550141": ("Amina", "1"), "+18165550142": ("Bongani", "2"), "+18165550143": ("Carla", None)}
    for phone, (name, _rsvp) in learners.items():
        sms(base, phone, f"JOIN {circle_code}")
        sms(base, phone, name)
        sms(base, phone, "1")  # English
    for phone, (_name, rsvp) in learners.items():
        wait_for_text(base, phone, "Are you coming")
        if rsvp:
            sms(base, phone, rsvp)
    join_by_telegram(base, circle_code)

    page.get_by_role("link", name="Roster").click()
    roster = page.locator("#roster")
    for name in ("Amina", "Bongani", "Carla", "Tomasz"):
        expect(roster).to_contain_text(name)
    expect(roster).to_contain_text("+1******0141")
    expect(roster).not_to_contain_text("+18165550141")
    expect(roster).to_contain_text("Telegram")
    page.screenshot(path=str(shots / "3-roster.png"), full_page=True)

    # 4. The RSVP chart: 1 yes, 1 no, 2 no reply for the first meeting, in the drawing and its table.
    page.get_by_role("link", name="Charts").click()
    chart = page.locator("#rsvp-chart")
    expect(chart.locator("desc")).to_contain_text("M1: yes 1, no 1, no reply 2.")
    expect(chart).to_contain_text("Y 1")
    expect(chart).to_contain_text("N 1")
    expect(chart).to_contain_text("? 2")
    page.locator("summary", has_text="As a table").click()
    first_row = page.locator('#rsvp-table tr[data-seq="1"]')
    expect(first_row.locator(".yes")).to_have_text("1")
    expect(first_row.locator(".no")).to_have_text("1")
    expect(first_row.locator(".none")).to_have_text("2")
    page.screenshot(path=str(shots / "4-charts.png"), full_page=True)

    # 5. Type a message and watch the segment counter change; send it.
    page.get_by_role("link", name="Message the circle").click()
    segments, encoding = page.locator("#c-segments"), page.locator("#c-encoding")
    expect(page.locator("#c-learners")).to_have_text("3")
    box = page.get_by_label("Message")
    box.press_sequentially("See you tomorrow!", delay=5)
    expect(page.locator("#c-characters")).to_have_text("17")
    expect(segments).to_have_text("1")
    expect(encoding).to_have_text("GSM-7")
    box.press_sequentially(" Bring a USB stick if you have one, we will save our work on it. " * 2, delay=1)
    expect(segments).to_have_text("2")
    expect(page.locator("#c-total")).to_have_text("6")
    box.press_sequentially(" Привет", delay=5)
    expect(encoding).to_have_text("UCS-2")
    expect(segments).to_have_text("3")
    page.screenshot(path=str(shots / "5-message-counter.png"), full_page=True)
    page.get_by_role("button", name="Preview and send...").click()  # texting everyone asks first
    page.get_by_role("button", name="Yes, send it to the circle").click()
    expect(page.locator(".flash.info")).to_contain_text("on its way to 4 learners")
    wait_for_text(base, "+18165550143", "Bring a USB stick")

    # The printable flyer: JOIN with the bot's number, and a QR code.
    page.get_by_role("link", name="Flyer").click()
    expect(page.locator("body")).to_contain_text(f"Text JOIN {circle_code} to (816) 555-0100")
    expect(page.locator(".qr svg")).to_be_visible()
    page.screenshot(path=str(shots / "6-flyer.png"), full_page=True)
    page.go_back()

    # The same pages at phone width, in Spanish: nothing overflows sideways.
    page.set_viewport_size(PHONE)
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    page.get_by_role("link", name="Lista de participantes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lista de participantes")
    page.screenshot(path=str(shots / "7-phone-roster-in-spanish.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    assert violations == []
    page.close()
    for shot in shots.iterdir():
        assert shot.stat().st_size > 5_000, shot
    print(f"browser test took {clock.monotonic() - started:.1f} s; screenshots in {shots}")
