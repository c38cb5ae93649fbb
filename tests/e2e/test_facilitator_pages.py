"""The facilitator pages through Flask's test client, on every backend: sign-in by code, every page and
form with bad input, authorization between facilitators and organizers, CSRF, expiry, lockout, limits."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain import enrollments, login
from bot.render import codec
from bot.store.models import Circle, Enrollment, LoginCode, LoginGuard, Meeting, Outbox, Rsvp
from tests.helpers import add_contact, make_circle, text

A_PHONE, B_PHONE, ORG_PHONE = "+18165550100", "+18165550111", "+18165550122"
HTTPS = "https://circlebot.example.org"


@pytest.fixture
def pages(app):
    """A client on https (the session cookie is Secure outside demo)."""
    app.config["WTF_CSRF_SSL_STRICT"] = False
    return app.test_client()


def csrf(client, path="/facilitator/login") -> str:
    page = client.get(path, base_url=HTTPS).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post(client, path, data=None, token=None, **kw):
    data = dict(data or {})
    data.setdefault("csrf_token", token or csrf(client))
    return client.post(path, data=data, base_url=HTTPS, **kw)


def get(client, path, **kw):
    return client.get(path, base_url=HTTPS, **kw)


SECRET = "test-secret-key-for-sessions"  # the apps' SECRET_KEY (tests/conftest.py)


def last_code(uow) -> str:
    """The newest sign-in code, derived from its outbox row's salt as the send job does (it is not stored)."""
    with uow() as db:
        row = db.scalars(select(Outbox).where(Outbox.kind == "login").order_by(Outbox.id.desc())).first()
        return login.reveal(SECRET, codec.load(row.replies))[0].params["code"]


def sign_in(client, uow, phone=A_PHONE):
    assert post(client, "/facilitator/login", {"address": phone}).status_code == 302
    response = post(client, "/facilitator/login/code", {"code": last_code(uow)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/facilitator/circles")


def test_sign_in_with_a_code_sends_it_through_the_outbox_and_sets_safe_cookies(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    response = post(pages, "/facilitator/login", {"address": "(816) 555-0100"})
    assert response.status_code == 302
    code = last_code(uow)
    with uow() as db:
        row = db.scalars(select(Outbox).where(Outbox.kind == "login")).one()
        assert row.address == A_PHONE and row.channel == "sms" and len(code) == 6
        assert code not in db.scalars(select(LoginCode.code_hash)).one()  # only a keyed hash is kept
    response = post(pages, "/facilitator/login/code", {"code": last_code(uow)})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = get(pages, "/facilitator/circles").get_data(as_text=True)
    assert "KC42" in page and "Kansas City Basics" in page
    assert post(pages, "/facilitator/logout", token=csrf(pages, "/facilitator/circles")).status_code == 302
    assert get(pages, "/facilitator/circles").status_code == 302


def test_an_unknown_number_gets_the_same_answer_and_no_text(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    known = post(pages, "/facilitator/login", {"address": A_PHONE})
    other = post(pages, "/facilitator/login", {"address": "+18165550999"})
    garbage = post(pages, "/facilitator/login", {"address": "not a number"})
    assert known.status_code == other.status_code == garbage.status_code == 302
    assert known.headers["Location"] == other.headers["Location"] == garbage.headers["Location"]
    assert get(pages, "/facilitator/login/code").get_data(as_text=True).count("10 minutes") == 1
    with uow() as db:
        assert len(db.scalars(select(Outbox).where(Outbox.kind == "login")).all()) == 1
    assert post(pages, "/facilitator/login/code", {"code": "123456"}).status_code == 400


def test_a_code_expires_after_ten_minutes(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    post(pages, "/facilitator/login", {"address": A_PHONE})
    with uow() as db:
        gone = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.scalars(select(LoginCode)).one().expires_at = gone
        db.scalars(select(LoginGuard)).one().expires_at = gone  # the typed address's code time, staff or not
        db.commit()
    response = post(pages, "/facilitator/login/code", {"code": last_code(uow)})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert get(pages, "/facilitator/circles").status_code == 302


def test_five_wrong_tries_lock_the_code(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    post(pages, "/facilitator/login", {"address": A_PHONE})
    good = last_code(uow)
    wrong = f"{(int(good) + 1) % 1000000:06d}"
    for _ in range(5):
        assert post(pages, "/facilitator/login/code", {"code": wrong}).status_code == 400
    response = post(pages, "/facilitator/login/code", {"code": good})
    assert response.status_code == 400 and "Too many wrong tries" in response.get_data(as_text=True)


def test_code_requests_are_rate_limited_per_number(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    codes = [post(pages, "/facilitator/login", {"address": A_PHONE}).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    with uow() as db:
        assert len(db.scalars(select(Outbox).where(Outbox.kind == "login")).all()) == 3


def test_every_form_needs_the_csrf_token(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    assert pages.post("/facilitator/login", data={"address": A_PHONE}, base_url=HTTPS).status_code == 400
    sign_in(pages, uow)
    bad = pages.post("/facilitator/circles/KC42/meetings/2/cancel", data={"csrf_token": "forged"}, base_url=HTTPS)
    assert bad.status_code == 400 and "The form had expired" in bad.get_data(as_text=True)
    with uow() as db:
        assert db.scalars(select(Meeting.status).where(Meeting.seq == 2)).one() == "scheduled"


def _form(**changes):
    starts = datetime.now(timezone.utc).date() + timedelta(days=9)
    data = {
        "name": "Intro to Computers",
        "course": "Computer basics",
        "course_url": "https://p2pu.org/x",
        "venue": "Central Library",
        "city": "Kansas City",
        "postal_code": "64105",
        "language": "en",
        "timezone": "America/Chicago",
        "weekday": ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[starts.weekday()],
        "time": "18:30",
        "starts": starts.isoformat(),
        "weeks": "6",
        "capacity": "12",
    }
    data.update(changes)
    return data


def test_create_a_circle_and_bad_input(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    sign_in(pages, uow)
    token = csrf(pages, "/facilitator/circles/new")
    bad = {
        "name": ("", "Name is required"),
        "venue": ("", "Venue is required"),
        "starts": ("2026-02-30", "Type a real date"),
        "timezone": ("Mars/Olympus_Mons", "Choose a time zone"),
        "capacity": ("0", "Capacity must be between 1 and 500"),
        "weeks": ("x", "Weeks must be a whole number"),
        "time": ("25:99", "Type the time like 18:30"),
    }
    for field, (value, said) in bad.items():
        response = post(pages, "/facilitator/circles/new", _form(**{field: value}), token=token)
        assert response.status_code == 400 and said in response.get_data(as_text=True), field
    long = post(pages, "/facilitator/circles/new", _form(name="W" * 10000), token=token)
    assert long.status_code == 400 and "at most 40 characters" in long.get_data(as_text=True)
    past = post(pages, "/facilitator/circles/new", _form(starts="2020-01-07", weekday="tue"), token=token)
    assert past.status_code == 400 and "in the past" in past.get_data(as_text=True)
    far = post(pages, "/facilitator/circles/new", _form(starts="9999-12-28", weekday="tue"), token=token)
    assert far.status_code == 400 and "That date is too far ahead." in far.get_data(as_text=True)  # never a 500
    created = post(pages, "/facilitator/circles/new", _form(name="<script>alert(1)</script>"), token=token)
    assert created.status_code == 302
    code = created.headers["Location"].rsplit("/", 1)[1]
    page = get(pages, f"/facilitator/circles/{code}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    with uow() as db:
        circle = db.scalars(select(Circle).where(Circle.code == code)).one()
        assert len(circle.meetings) == 6 and circle.course_url == "https://p2pu.org/x"
        assert circle.facilitator_id == db.scalars(select(Circle.facilitator_id).where(Circle.code == "KC42")).one()


def test_edit_move_cancel_and_co_facilitators(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    sign_in(pages, uow)
    add_learner(uow, "+18165550123")
    token = csrf(pages, "/facilitator/circles/KC42")
    response = post(
        pages,
        "/facilitator/circles/KC42/edit",
        {"name": "KC Basics", "venue": "Room 2", "language": "en", "capacity": "0"},
        token=token,
    )
    assert response.status_code == 400 and "Capacity must be between 1 and 500" in response.get_data(as_text=True)
    assert (
        post(
            pages,
            "/facilitator/circles/KC42/edit",
            {"name": "KC Basics", "venue": "Room 2", "language": "es", "capacity": "15"},
            token=token,
        ).status_code
        == 302
    )
    with uow() as db:
        first = db.scalars(select(Meeting).where(Meeting.seq == 2)).one().starts_at
    to = (first + timedelta(days=1)).astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago"))
    assert (
        post(
            pages, "/facilitator/circles/KC42/meetings/2/move", {"to": to.strftime("%Y-%m-%dT%H:%M")}, token=token
        ).status_code
        == 302
    )
    asked = post(pages, "/facilitator/circles/KC42/meetings/3/cancel", token=token)  # asks first, changes nothing
    assert asked.status_code == 200 and 'name="confirm" value="yes"' in asked.get_data(as_text=True)
    with uow() as db:
        assert db.scalars(select(Meeting.status).where(Meeting.seq == 3)).one() == "scheduled"
    assert (
        post(pages, "/facilitator/circles/KC42/meetings/3/cancel", {"confirm": "yes"}, token=token).status_code == 302
    )
    bad = post(
        pages,
        "/facilitator/circles/KC42/meetings/4/move",
        {"to": "2026-13-45T99:00"},
        token=token,
        follow_redirects=True,
    )
    assert "Type a real date and time" in bad.get_data(as_text=True)
    far = post(
        pages,
        "/facilitator/circles/KC42/meetings/4/move",
        {"to": "9999-12-31T18:00"},
        token=token,
        follow_redirects=True,
    )  # the domain's English reason never reaches the page
    assert "That date is too far ahead." in far.get_data(as_text=True)
    assert "the new time is too far ahead" not in far.get_data(as_text=True)
    with uow() as db:
        circle = db.scalars(select(Circle)).one()
        assert (circle.name, circle.venue, circle.language, circle.capacity) == ("KC Basics", "Room 2", "es", 15)
        kinds = sorted(db.scalars(select(Outbox.dedupe_key).where(Outbox.kind == "change")).all())
        assert [k.split(":")[0] for k in kinds] == ["cancelled", "moved"]  # the same notices as MOVE and CANCEL
    assert post(pages, "/facilitator/circles/KC42/co-facilitators", {"phone": B_PHONE}, token=token).status_code == 302
    other = pages.application.test_client()
    sign_in(other, uow, B_PHONE)
    assert get(other, "/facilitator/circles/KC42/roster").status_code == 200


def add_learner(uow, phone, name="Amina", channel="sms", status="active", code="KC42"):
    with uow() as db:
        now = datetime.now(timezone.utc)
        contact = add_contact(db, phone, now, channel=channel, name=name, language="en")
        circle = db.scalars(select(Circle).where(Circle.code == code)).one()
        enrollments.enroll(db, contact.id, circle, now, enrollments.EnrollmentStatus(status))  # with its #N
        db.commit()
        return contact.id


def test_facilitator_a_cannot_see_or_change_b_s_circle(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    make_circle(uow, code="BB77", facilitator=B_PHONE, name="Secret circle")
    add_learner(uow, "+18165550123", name="Zawadi", code="BB77")
    sign_in(pages, uow)
    listing = get(pages, "/facilitator/circles").get_data(as_text=True)
    assert "BB77" not in listing and "Secret circle" not in listing
    for path in (
        "",
        "/edit",
        "/roster",
        "/charts",
        "/message",
        "/inbox",
        "/flyer",
        "/export.csv",
        "/export.csv?what=facilitator",
        "/segments?text=hi",
    ):
        response = get(pages, f"/facilitator/circles/BB77{path}")
        assert response.status_code == 404, path
        assert path.startswith("/export") or "not one of your circles" in response.get_data(as_text=True)
        assert "Zawadi" not in response.get_data(as_text=True) and "Secret" not in response.get_data(as_text=True)
    token = csrf(pages, "/facilitator/circles")
    for path in ("/meetings/1/cancel", "/message", "/roster/add", "/co-facilitators", "/edit"):
        assert (
            post(pages, f"/facilitator/circles/BB77{path}", {"text": "x", "name": "x"}, token=token).status_code == 404
        )
    with uow() as db:
        assert db.scalars(select(Meeting.status).where(Meeting.seq == 1)).all() == ["scheduled", "scheduled"]


def test_an_organizer_sees_every_circle_of_their_team_only(pages, uow, runtime):
    from bot.domain import roles

    make_circle(uow, facilitator=A_PHONE)
    make_circle(uow, code="BB77", facilitator=B_PHONE)
    now = datetime.now(timezone.utc)
    with uow() as db:
        roles.add_facilitator(db, A_PHONE, now, team_name="Kansas City Public Library")
        roles.add_organizer(db, ORG_PHONE, "Kansas City Public Library", now)
        db.commit()
    sign_in(pages, uow, ORG_PHONE)
    listing = get(pages, "/facilitator/circles").get_data(as_text=True)
    assert "KC42" in listing and "BB77" not in listing
    assert get(pages, "/facilitator/circles/KC42/charts").status_code == 200
    assert get(pages, "/facilitator/circles/BB77/charts").status_code == 404


def test_roster_add_on_paper_promote_and_bad_input(pages, uow):
    make_circle(uow, facilitator=A_PHONE, capacity=1)
    add_learner(uow, "+18165550123", name="Amina")
    waiting = add_learner(uow, "+18165550124", name="<b>Bo</b>", status="waitlist")
    sign_in(pages, uow)
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "Amina" in page and "+1******0123" in page and "+18165550123" not in page
    assert "&lt;b&gt;Bo&lt;/b&gt;" in page and "<b>Bo</b>" not in page
    token = csrf(pages, "/facilitator/circles/KC42/roster")
    for data, said in (
        ({"name": "", "phone": "816-555-0130", "language": "en"}, "First name is required"),
        ({"name": "W" * 10000, "phone": "816-555-0130", "language": "en"}, "at most 40"),
        ({"name": "Chris", "phone": "12", "language": "en"}, "cannot be read"),
        ({"name": "Chris", "phone": "816-555-0130", "language": "xx"}, "Choose a language"),
    ):
        response = post(pages, "/facilitator/circles/KC42/roster/add", data, token=token)
        assert response.status_code == 400 and said in response.get_data(as_text=True)
    with uow() as db:
        enrollment_id = db.scalars(select(Enrollment.id).where(Enrollment.contact_id == waiting)).one()
    full = post(pages, f"/facilitator/circles/KC42/roster/{enrollment_id}/promote", token=token, follow_redirects=True)
    assert "The circle is full" in full.get_data(as_text=True)
    post(
        pages,
        "/facilitator/circles/KC42/edit",
        {"name": "Kansas City Basics", "venue": "Central Library", "language": "en", "capacity": "3"},
        token=token,
    )
    assert post(pages, f"/facilitator/circles/KC42/roster/{enrollment_id}/promote", token=token).status_code == 302
    added = post(
        pages,
        "/facilitator/circles/KC42/roster/add",
        {"name": "Chris", "phone": "816-555-0130", "language": "es"},
        token=token,
    )
    assert added.status_code == 302
    again = post(
        pages,
        "/facilitator/circles/KC42/roster/add",
        {"name": "Chris", "phone": "816-555-0130", "language": "es"},
        token=token,
    )
    assert again.status_code == 400 and "already in this circle" in again.get_data(as_text=True)
    with uow() as db:
        statuses = sorted(db.scalars(select(Enrollment.status)).all())
        assert statuses == ["active", "active", "active"]
        welcome = db.scalars(select(Outbox).where(Outbox.dedupe_key.like("paper:%"))).one()
        assert welcome.address == "+18165550130" and codec.load(welcome.replies)[0].key == "pages.added_by_facilitator"
        from bot.store.models import Address

        assert (
            db.scalars(select(Address.consent_source).where(Address.value == "+18165550130")).one()
            == "added_by_facilitator"
        )
        assert db.scalars(select(Outbox).where(Outbox.dedupe_key.like("promoted:%"))).one().contact_id == waiting
    from bot.render import sms
    from flows.results import Reply

    rendered = sms.render(
        (Reply("pages.added_by_facilitator", {"name": "Chris", "circle": "KC", "venue": "Lib", "when": None}),), "es"
    )
    assert "ALTO" in rendered  # Spanish STOP


def test_charts_show_the_rsvp_numbers(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    ids = [add_learner(uow, f"+1816555013{n}", name=f"L{n}") for n in range(4)]
    with uow() as db:
        first = db.scalars(select(Meeting).where(Meeting.seq == 1)).one()
        now = datetime.now(timezone.utc)
        for contact_id, answer in zip(ids, ("yes", "yes", "no"), strict=False):
            db.add(Rsvp(meeting_id=first.id, contact_id=contact_id, answer=answer, created_at=now, updated_at=now))
        db.commit()
    sign_in(pages, uow)
    page = get(pages, "/facilitator/circles/KC42/charts").get_data(as_text=True)
    row = re.search(r'<tr data-seq="1">.*?</tr>', page, re.S).group(0)
    assert '<td class="yes">2</td>' in row and '<td class="no">1</td>' in row and '<td class="none">1</td>' in row
    assert 'role="img"' in page and "<desc" in page and "Y 2" in page


def test_message_counter_and_send(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, "+18165550123")
    add_learner(uow, "777000", name="Tele", channel="telegram")
    sign_in(pages, uow)
    short = get(pages, "/facilitator/circles/KC42/segments?text=See%20you").get_json()
    assert (short["encoding"], short["segments"], short["sms_learners"]) == ("GSM-7", 1, 1)
    folded = get(pages, "/facilitator/circles/KC42/segments", query_string={"text": "Olá " + "a" * 60}).get_json()
    assert (folded["encoding"], folded["segments"]) == ("GSM-7", 1)  # SMS folds the accent when that is cheaper
    cyrillic = get(pages, "/facilitator/circles/KC42/segments", query_string={"text": "Привет " + "a" * 60}).get_json()
    assert (cyrillic["encoding"], cyrillic["segments"], cyrillic["total_segments"]) == ("UCS-2", 2, 2)
    token = csrf(pages, "/facilitator/circles/KC42/message")
    assert post(pages, "/facilitator/circles/KC42/message", {"text": ""}, token=token).status_code == 400
    assert post(pages, "/facilitator/circles/KC42/message", {"text": "x" * 500}, token=token).status_code == 400
    asked = post(pages, "/facilitator/circles/KC42/message", {"text": "<i>Bring</i> a laptop"}, token=token)
    assert asked.status_code == 200 and "&lt;i&gt;Bring&lt;/i&gt; a laptop" in asked.get_data(as_text=True)
    with uow() as db:
        assert not db.scalars(select(Outbox).where(Outbox.kind == "broadcast")).all()  # nothing before "yes"
    assert (
        post(
            pages, "/facilitator/circles/KC42/message", {"text": "<i>Bring</i> a laptop", "confirm": "yes"}, token=token
        ).status_code
        == 302
    )
    with uow() as db:
        rows = db.scalars(select(Outbox).where(Outbox.kind == "broadcast")).all()
        assert sorted(r.channel for r in rows) == ["sms", "telegram"]


def test_inbox_threads_and_reply(pages, uow, client):
    make_circle(uow, facilitator=A_PHONE)
    text(client, "JOIN KC42", "+18165550123")
    text(client, "Amina", "+18165550123")
    text(client, "1", "+18165550123")
    text(client, "Can I bring <b>my</b> son?", "+18165550123")
    sign_in(pages, uow)
    page = get(pages, "/facilitator/circles/KC42/inbox").get_data(as_text=True)
    assert "#1 Amina" in page and "Can I bring &lt;b&gt;my&lt;/b&gt; son?" in page and "+18165550123" not in page
    token = csrf(pages, "/facilitator/circles/KC42/inbox")
    assert post(pages, "/facilitator/circles/KC42/inbox/1", {"text": "Yes, of course"}, token=token).status_code == 302
    assert post(pages, "/facilitator/circles/KC42/inbox/9", {"text": "Hi"}, token=token).status_code == 404
    with uow() as db:
        reply = db.scalars(select(Outbox).where(Outbox.dedupe_key.like("pagerelay:%"))).one()
        assert reply.address == "+18165550123"
    assert "Yes, of course" in get(pages, "/facilitator/circles/KC42/inbox").get_data(as_text=True)


def test_export_is_the_cli_csv(pages, uow):
    from bot.reports import export

    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, "+18165550123")
    sign_in(pages, uow)
    response = get(pages, "/facilitator/circles/KC42/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    with uow() as db:
        assert response.get_data(as_text=True) == export.to_csv(export.learners(db, db.scalars(select(Circle)).one()))
    assert "+18165550123" not in response.get_data(as_text=True)


def test_flyer_in_the_circle_s_language_with_a_qr_code(pages, uow, runtime):
    make_circle(uow, facilitator=A_PHONE, language="es")
    sign_in(pages, uow)
    page = get(pages, "/facilitator/circles/KC42/flyer").get_data(as_text=True)
    assert '<html lang="es">' in page and "<svg" in page and "KC42" in page


def test_language_picker_translates_the_pages(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    assert post(pages, "/facilitator/language", {"language": "es", "next": "/facilitator/login"}).status_code == 302
    page = get(pages, "/facilitator/login").get_data(as_text=True)
    assert '<html lang="es">' in page and "Sign in" not in page
    post(pages, "/facilitator/language", {"language": "xx"})
    assert '<html lang="es">' in get(pages, "/facilitator/login").get_data(as_text=True)


def test_cli_grants_the_roles(cli_env, uow):
    from click.testing import CliRunner

    from bot.cli import main
    from bot.store.models import Facilitator, Organizer

    runner = CliRunner()
    done = runner.invoke(main, ["facilitator", "add", "(816) 555-0177", "--name", "Ana", "--team", "KCPL"])
    assert done.exit_code == 0, done.output
    assert "+1******0177 is a facilitator in team KCPL" in done.output
    done = runner.invoke(main, ["organizer", "add", "816-555-0188", "--team", "KCPL"])
    assert done.exit_code == 0, done.output
    assert runner.invoke(main, ["organizer", "add", "12", "--team", "KCPL"]).exit_code == 2
    with uow() as db:
        assert db.scalars(select(Facilitator.name)).all() == ["Ana"]
        assert len(db.scalars(select(Organizer)).all()) == 1


def _phone_calls(uow, meeting_id, calls, started, now):
    """Learners' calls into the meeting's conference: each call as /twilio/voice records it, then the
    conference's start, join and leave events through the code /twilio/conference runs."""
    from bot.domain import attendance
    from bot.domain import callers as voice

    with uow() as db:
        for sid, contact_id, _joined, _seconds in calls:
            room = voice.join(db, sid, meeting_id, voice.Caller(contact_id, "en", None), None, False, now).name
        attendance.record_event(db, "CF1", room, "conference-start", "", 0, started, now)
        for sid, _contact, joined, seconds in calls:
            attendance.record_event(db, "CF1", room, "participant-join", sid, 1, joined, now)
            attendance.record_event(
                db, "CF1", room, "participant-leave", sid, 2, joined + timedelta(seconds=seconds), now
            )
        db.commit()


def test_roster_grid_and_charts_show_attendance_in_person_and_by_phone(pages, uow, runtime):
    from datetime import date, time

    make_circle(uow, facilitator=A_PHONE, starts=date(2026, 12, 1), weekday=1, at=time(18, 0))
    first_at = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)  # Tue Dec 1, 18:00 in Chicago
    runtime.clock = lambda: first_at + timedelta(hours=1)
    amina = add_learner(uow, "+18165550131", name="Amina")
    rosa = add_learner(uow, "+18165550132", name="Rosa")
    bo = add_learner(uow, "+18165550133", name="Bo")
    zed = add_learner(uow, "+18165550134", name="Zed")
    with uow() as db:
        first = db.scalars(select(Meeting).where(Meeting.seq == 1)).one()
        for contact_id, answer in ((amina, "yes"), (rosa, "no"), (zed, "yes")):
            db.add(
                Rsvp(
                    meeting_id=first.id, contact_id=contact_id, answer=answer, created_at=first_at, updated_at=first_at
                )
            )
        db.commit()
        first_id = first.id
    _phone_calls(
        uow,
        first_id,
        [
            ("CA01", amina, first_at, 600),
            ("CA02", bo, first_at, 300),
            ("CA03", zed, first_at, 0),
        ],  # Zed's call never got in: not counted
        first_at,
        first_at + timedelta(hours=1),
    )
    listed = text(pages, "HERE KC42", sender=A_PHONE)  # the numbered list; a bare "1 2" answers it
    assert listed == [
        "Who came to Kansas City Basics? Reply with their numbers, like 1 3. 1 Amina, 2 Rosa, 3 Bo, 4 Zed"
    ]
    said = text(pages, "1 2", sender=A_PHONE)
    assert "marked present in person (2): Amina, Rosa" in said[0]
    sign_in(pages, uow)
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    cells = {}
    for name in ("Amina", "Rosa", "Bo", "Zed"):
        row = re.search(rf"<tr><td[^>]*>[^<]*</td><td[^>]*>{name}</td>.*?</tr>", page, re.S).group(0)
        cell = re.search(r'<td data-seq="1"[^>]*>(.*?)</td>', row, re.S).group(1)
        cells[name] = re.sub(r"<[^>]+>", " ", cell).split()
    assert cells == {
        "Amina": ["yes", "in", "person", "and", "by", "phone"],
        "Rosa": ["no", "in", "person"],
        "Bo": ["&ndash;", "by", "phone"],
        "Zed": ["yes"],
    }
    charts = get(pages, "/facilitator/circles/KC42/charts").get_data(as_text=True)
    row = re.search(r'<tr data-seq="1">.*?</tr>', charts, re.S).group(0)
    assert '<td class="yes">2</td>' in row and '<td class="no">1</td>' in row and '<td class="none">1</td>' in row
    assert '<td class="came">3</td>' in row
    assert '<td class="came">0</td>' in re.search(r'<tr data-seq="2">.*?</tr>', charts, re.S).group(0)
    chart = re.search(r'<svg id="attendance-chart".*?</svg>', charts, re.S).group(0)
    assert "A 3" in chart and "M1: came 3" in chart  # numbers on the bar and in the text alternative


def _reached(uow, phone):
    from bot.store.models import Address

    with uow() as db:
        address = db.scalars(select(Address).where(Address.value == phone)).one()
        status = db.scalars(select(Enrollment.status).where(Enrollment.contact_id == address.contact_id)).one()
        rows = db.scalars(select(Outbox).where(Outbox.contact_id == address.contact_id)).all()
        return (
            (address.channel, address.preferred, address.consent_source),
            status,
            sorted((r.kind, r.channel) for r in rows),
        )


def test_roster_adds_a_landline_learner_reached_by_calls(pages, uow):
    make_circle(uow, facilitator=A_PHONE, capacity=2)
    sign_in(pages, uow)
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert 'name="reach" value="texts" checked' in page and "phone calls (landline)" in page
    token = csrf(pages, "/facilitator/circles/KC42/roster")
    bad = post(
        pages,
        "/facilitator/circles/KC42/roster/add",
        {"name": "Rosa", "phone": "816-555-0131", "language": "es", "reach": "fax"},
        token=token,
    )
    assert bad.status_code == 400 and "Choose texts or phone calls" in bad.get_data(as_text=True)
    done = post(
        pages,
        "/facilitator/circles/KC42/roster/add",
        {"name": "Rosa", "phone": "816-555-0131", "language": "es", "reach": "calls"},
        token=token,
        follow_redirects=True,
    )
    assert "We will call them with reminders" in done.get_data(as_text=True)
    address, status, rows = _reached(uow, "+18165550131")
    assert address == ("voice", True, "added_by_facilitator")
    assert status == "active" and all(channel == "voice" for _, channel in rows)
    assert not any(kind == "notice" for kind, _ in rows)  # no welcome text to a landline
    again = post(
        pages,
        "/facilitator/circles/KC42/roster/add",
        {"name": "Rosa", "phone": "816-555-0131", "language": "es", "reach": "calls"},
        token=token,
    )
    assert again.status_code == 400 and "already in this circle" in again.get_data(as_text=True)
    roster_page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "Rosa" in roster_page and "phone call" in roster_page and "+18165550131" not in roster_page


def test_cli_learner_add_by_text_and_landline(cli_env, uow):
    from click.testing import CliRunner

    from bot.cli import main

    make_circle(uow, facilitator=A_PHONE, capacity=1)
    runner = CliRunner()
    done = runner.invoke(main, ["learner", "add", "kc42", "(816) 555-0141", "--name", "Amina"])
    assert done.exit_code == 0, done.output
    assert "+1******0141 (Amina) is on circle KC42; they get one welcome text" in done.output
    address, status, rows = _reached(uow, "+18165550141")
    assert (address, status) == (("sms", True, "added_by_facilitator"), "active")
    assert ("notice", "sms") in rows
    done = runner.invoke(
        main, ["learner", "add", "KC42", "816-555-0142", "--name", "Rosa", "--landline", "--language", "sw"]
    )
    assert done.exit_code == 0, done.output
    assert "the waiting list of KC42" in done.output and "reminder calls" in done.output
    address, status, rows = _reached(uow, "+18165550142")
    assert (address, status) == (("voice", True, "added_by_facilitator"), "waitlist")
    again = runner.invoke(main, ["learner", "add", "KC42", "816-555-0142", "--name", "Rosa", "--landline"])
    assert again.exit_code == 1 and "already in this circle" in again.output
    assert runner.invoke(main, ["learner", "add", "KC42", "12", "--name", "X"]).exit_code == 2
    assert runner.invoke(main, ["learner", "add", "NOPE", "816-555-0143", "--name", "X"]).exit_code == 2
    with uow() as db:
        from bot.store.models import Contact

        assert db.scalars(select(Contact.language).where(Contact.name == "Rosa")).one() == "sw"
