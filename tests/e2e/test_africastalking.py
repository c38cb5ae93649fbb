"""Africa's Talking as a channel (issue 29): a learner in Nairobi joins in Swahili by texting the short
code, is answered through Africa's Talking's messaging API (the local stand-in), RSVPs, and the delivery
report updates the outbox row; nothing for that learner goes through Twilio. Both backends.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot import create_app
from bot.domain import outbox
from bot.outbound import jobs
from bot.render import sms
from bot.store.models import Address, DeliveryEvent, Message, Outbox, Rsvp
from flows import keys
from flows.results import Reply
from tests.helpers import AUTH_TOKEN, BASE_URL, RUN_QUEUE, make_circle

KEY = "callback-key-" + "k" * 20
SHORT_CODE = "20880"
AMINA = "+254711000123"
FACILITATOR = "+254722000199"
START = datetime(2026, 12, 8, 15, 0, tzinfo=timezone.utc)  # Tuesday Dec 8, 18:00 in Nairobi
ACCOUNT = "AC" + "0" * 32


@pytest.fixture
def kenya(backend, tmp_path):
    from tests.standin import AfricasTalkingStandIn, TwilioStandIn

    with TwilioStandIn(auth_token=AUTH_TOKEN) as twilio, AfricasTalkingStandIn("knls", "at-key") as at:
        app = create_app(
            {
                "DATABASE_URL": backend["DATABASE_URL"],
                "REDIS_URL": backend["REDIS_URL"],
                "INSTANCE_PATH": str(tmp_path),
                "queue_name": RUN_QUEUE,
                "PUBLIC_BASE_URL": BASE_URL,
                "SECRET_KEY": "test-secret-key-for-sessions",
                "twilio_account_sid": ACCOUNT,
                "twilio_auth_token": AUTH_TOKEN,
                "twilio_from": "+18165550100",
                "twilio_api_base": twilio.url,
                "TWILIO_TIMEOUT": "2",
                "send_rate_per_second": 0,
                "AFRICASTALKING_USERNAME": "knls",
                "AFRICASTALKING_API_KEY": "at-key",
                "AFRICASTALKING_FROM": SHORT_CODE,
                "AFRICASTALKING_API_BASE": at.url,
                "AFRICASTALKING_CALLBACK_KEY": KEY,
                "AFRICASTALKING_TIMEOUT": "2",
            }
        )
        app.config["TESTING"] = True
        rt = app.extensions["circlebot"]
        rt.clock = lambda: START - timedelta(hours=5)  # 13:00 in Nairobi, the day of the meeting
        make_circle(
            rt.uow,
            code="NBO1",
            name="Kompyuta kwa Wote",
            venue="Maktaba ya Kenya",
            starts=date(2026, 12, 8),
            weekday=1,
            at=time(18, 0),
            tz="Africa/Nairobi",
            language="sw",
            facilitator=FACILITATOR,
        )
        yield app, rt, twilio, at
        rt.uow.engine.dispose()


def callback(sender: str, text: str, message_id: str | None = None) -> dict:
    """Africa's Talking's inbound SMS fields, as it posts them."""
    return {
        "from": sender,
        "to": SHORT_CODE,
        "text": text,
        "date": "2026-12-08 13:00:00",
        "id": message_id or secrets.token_hex(16),
        "linkId": "SampleLinkId123",
        "networkCode": "63902",
    }


def deliver(rt) -> None:
    """Runs every due outbox row's send job, as the worker would."""
    with rt.uow() as session:
        due = session.scalars(
            select(Outbox.id)
            .where(Outbox.status == outbox.PENDING, Outbox.send_after <= rt.clock())
            .order_by(Outbox.id)
        ).all()
    for row_id in due:
        jobs.send_outbox(row_id)


def texts(client, rt, at, body: str, sender: str = AMINA, message_id: str | None = None) -> list[str]:
    """Texts the short code through the callback with the key; returns what the stand-in took for ``sender``."""
    before = len(at.sent_to(sender))
    response = client.post(f"/africastalking/sms?key={KEY}", data=callback(sender, body, message_id))
    assert response.status_code == 200 and response.get_data() == b""
    deliver(rt)
    return [m["message"] for m in at.sent_to(sender)[before:]]


def said(key: str, lang: str = "sw", choices=None, **params) -> str:
    return sms.render((Reply(key, params, choices),), lang)


def test_a_learner_joins_in_swahili_rsvps_and_nothing_goes_through_twilio(kenya):
    app, rt, twilio, at = kenya
    client = app.test_client()

    assert texts(client, rt, at, "JIUNGE NBO1") == [said(keys.SIGNUP_ASK_NAME, circle="Kompyuta kwa Wote")]
    [asked] = at.sent_to(AMINA)
    assert asked["from"] == SHORT_CODE and asked["username"] == "knls"
    assert "Kiswahili" in texts(client, rt, at, "Amina")[0]
    joined = texts(client, rt, at, "6")
    assert any(t.startswith("Umejiunga") and "Kompyuta kwa Wote" in t for t in joined), joined
    # She joined after the reminder's time: the reminder goes at once, through Africa's Talking.
    jobs.plan_now(rt.clock())
    deliver(rt)
    with rt.uow() as session:
        reminder = session.scalar(select(Outbox).where(Outbox.kind == "reminder", Outbox.address == AMINA))
        assert reminder.status == outbox.SENT and reminder.provider_id.startswith("ATXid_")
        reminder_id, message_id = reminder.id, reminder.provider_id
    [got] = [m for m in at.sent_to(AMINA) if m["message_id"] == message_id]
    assert got["from"] == SHORT_CODE and "Utakuja?" in got["message"]

    thanks = texts(client, rt, at, "NDIYO")
    assert len(thanks) == 1 and thanks[0].startswith("Vizuri, tutaonana")
    with rt.uow() as session:
        assert session.scalar(select(func.count()).select_from(Rsvp).where(Rsvp.answer == "yes")) == 1

    report = {"id": message_id, "status": "Success", "phoneNumber": AMINA, "networkCode": "63902", "retryCount": "0"}
    assert client.post(f"/africastalking/status?key={KEY}", data=report).status_code == 204
    assert client.post(f"/africastalking/status?key={KEY}", data=report).status_code == 204  # a replay
    with rt.uow() as session:
        assert session.get(Outbox, reminder_id).delivery_status == "delivered"
        events = select(func.count()).select_from(DeliveryEvent).where(DeliveryEvent.provider_id == message_id)
        assert session.scalar(events) == 1

    # The facilitator (a Kenyan number too) heard of the join through Africa's Talking as well.
    assert at.sent_to(FACILITATOR)
    assert twilio.messages == []


def test_a_wrong_or_missing_key_is_403_and_stores_nothing(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    for query in ("", "?key=", "?key=wrong", f"?key={KEY}x", f"?key={KEY[:-1]}"):
        assert client.post(f"/africastalking/sms{query}", data=callback(AMINA, "JIUNGE NBO1")).status_code == 403
        assert client.post(f"/africastalking/status{query}", data={"id": "x", "status": "Success"}).status_code == 403
        assert client.post(f"/africastalking/optout{query}", data={"phoneNumber": AMINA}).status_code == 403
    deliver(rt)
    with rt.uow() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0
        assert session.scalar(select(func.count()).select_from(Address).where(Address.value == AMINA)) == 0
    assert at.messages == []


def test_a_replayed_callback_is_stored_once_and_answered_once(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    assert len(texts(client, rt, at, "JIUNGE NBO1", message_id="ATXid_same")) == 1
    assert texts(client, rt, at, "JIUNGE NBO1", message_id="ATXid_same") == []
    with rt.uow() as session:
        assert session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 1
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "reply")) == 1


def test_a_number_that_wrote_through_africastalking_is_answered_there_others_through_twilio(kenya):
    app, rt, twilio, at = kenya
    client = app.test_client()
    visitor = "+18165550123"  # a US phone roaming in Kenya, texting the short code
    assert texts(client, rt, at, "JIUNGE NBO1", sender=visitor) == [
        said(keys.SIGNUP_ASK_NAME, circle="Kompyuta kwa Wote")
    ]
    assert twilio.messages == []
    from tests.helpers import post_signed
    from tests.helpers import sms as twilio_sms

    stay_home = "+18165550177"  # texts the Twilio number: answered inline, and later texts go by Twilio
    assert post_signed(client, "/twilio/sms", twilio_sms("JOIN NBO1", stay_home)).status_code == 200
    assert rt.channels.adapter("sms", stay_home) is rt.channels.adapters["sms"]
    assert rt.channels.adapter("sms", visitor) is rt.channels.africastalking
    assert rt.channels.adapter("sms", "+254733000111") is rt.channels.africastalking  # KE: always


def test_stop_in_english_works_and_its_confirmation_goes_through_africastalking(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    texts(client, rt, at, "JIUNGE NBO1"), texts(client, rt, at, "Amina"), texts(client, rt, at, "6")
    assert texts(client, rt, at, "STOP") == [said(keys.STOP_CONFIRMED)]
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at).where(Address.value == AMINA)) is not None
    jobs.plan_now(rt.clock())
    deliver(rt)
    assert at.sent_to(AMINA)[-1]["message"] == said(keys.STOP_CONFIRMED)  # no reminder after STOP


def test_africastalkings_opt_out_notice_stops_the_number(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    texts(client, rt, at, "JIUNGE NBO1"), texts(client, rt, at, "Amina"), texts(client, rt, at, "6")
    notice = {"senderId": SHORT_CODE, "phoneNumber": AMINA}
    assert client.post(f"/africastalking/optout?key={KEY}", data=notice).status_code == 204
    sent = len(at.sent_to(AMINA))
    jobs.plan_now(rt.clock())
    deliver(rt)
    assert len(at.sent_to(AMINA)) == sent
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at).where(Address.value == AMINA)) is not None


def test_a_failure_report_acts_like_twilios(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    texts(client, rt, at, "JIUNGE NBO1")
    message_id = at.sent_to(AMINA)[0]["message_id"]
    report = {"id": message_id, "status": "Failed", "phoneNumber": AMINA, "failureReason": "UserInBlackList"}
    assert client.post(f"/africastalking/status?key={KEY}", data=report).status_code == 204
    assert client.post(f"/africastalking/status?key={KEY}", data={"id": message_id, "status": "huh"}).status_code == 400
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at).where(Address.value == AMINA)) is not None
        assert session.scalar(select(Outbox.delivery_status).where(Outbox.provider_id == message_id)) == "failed"


def enrol(rt, phone: str = AMINA) -> int:
    from bot.store.models import Circle, Enrollment
    from tests.helpers import add_contact

    with rt.uow() as session:
        amina = add_contact(session, phone, rt.clock() - timedelta(days=3), name="Amina", language="sw")
        circle_id = session.scalar(select(Circle.id).where(Circle.code == "NBO1"))
        session.add(Enrollment(contact_id=amina.id, circle_id=circle_id, status="active", created_at=rt.clock()))
        session.commit()
        return amina.id


def test_kenyan_quiet_hours_keep_a_reminder_to_the_daytime(kenya):
    _, rt, _, at = kenya
    rt.clock = lambda: START - timedelta(hours=24, minutes=30)  # Monday 17:30 in Nairobi; the reminder is due 18:00
    enrol(rt)
    jobs.plan_now(rt.clock())
    with rt.uow() as session:  # elsewhere (QUIET_HOURS 21:00-08:00) it would be planned for 18:00 now
        assert session.scalar(select(Outbox).where(Outbox.kind == "reminder")) is None
    rt.clock = lambda: START - timedelta(hours=11)  # Tuesday 07:00 in Nairobi
    jobs.plan_now(rt.clock())
    morning = datetime(2026, 12, 8, 5, 0, tzinfo=timezone.utc)  # 08:00 EAT on the meeting's day
    with rt.uow() as session:
        row = session.scalar(select(Outbox).where(Outbox.kind == "reminder"))
        assert row.send_after.replace(tzinfo=timezone.utc) == morning
        row.send_after = rt.clock() - timedelta(hours=12)  # as if a worker outage left it due since Monday 19:00
        row_id = session.get(Outbox, row.id).id
        session.commit()
    assert jobs.send_outbox(row_id) == jobs.DEFERRED and at.messages == []  # 07:00 is still quiet in Kenya
    with rt.uow() as session:
        assert session.get(Outbox, row_id).send_after.replace(tzinfo=timezone.utc) == morning
    rt.clock = lambda: morning
    assert jobs.send_outbox(row_id) == outbox.SENT and len(at.sent_to(AMINA)) == 1


def add_on_paper(rt, phone: str = AMINA, code: str = "NBO1") -> None:
    from bot.domain import roster
    from bot.store.models import Circle

    with rt.uow() as session:
        circle = session.scalar(select(Circle).where(Circle.code == code))
        roster.add_on_paper(session, rt.settings, circle, "Amina", phone, "sw", rt.clock())
        session.commit()


def roster_rows(session, code: str = "NBO1"):
    from bot.domain import roster
    from bot.store.models import Circle

    return roster.rows(session, session.scalar(select(Circle).where(Circle.code == code)))


def test_a_learner_added_on_paper_in_kenya_replies_yes_before_any_scheduled_text(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    add_on_paper(rt)
    deliver(rt)
    [ask] = at.sent_to(AMINA)
    assert ask["message"] == said(keys.CONSENT_ASK, name="Amina", circle="Kompyuta kwa Wote", venue="Maktaba ya Kenya")
    jobs.plan_now(rt.clock())  # her meeting is today: a consented learner would get the reminder now
    deliver(rt)
    assert len(at.sent_to(AMINA)) == 1
    with rt.uow() as session:
        assert session.scalar(select(Outbox).where(Outbox.kind == "reminder", Outbox.address == AMINA)) is None
        assert session.scalar(select(Address.consent_at).where(Address.value == AMINA)) is None
        assert [r.status for r in roster_rows(session)] == ["asked"]  # the roster says "waiting for their YES"

    assert texts(client, rt, at, "Ndiyo") == [said(keys.CONSENT_GIVEN, name="Amina", circle="Kompyuta kwa Wote")]
    with rt.uow() as session:
        address = session.scalar(select(Address).where(Address.value == AMINA))
        assert address.consent_at is not None and address.consent_source == "sms" and address.preferred
    with rt.uow() as session:
        assert [r.status for r in roster_rows(session)] == ["active"]
    jobs.plan_now(rt.clock())
    deliver(rt)
    assert "Utakuja?" in at.sent_to(AMINA)[-1]["message"]  # now the reminder goes


def test_a_no_to_the_consent_question_stops_every_text(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    add_on_paper(rt)
    deliver(rt)
    assert texts(client, rt, at, "Hapana") == [said(keys.STOP_CONFIRMED)]
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at).where(Address.value == AMINA)) is not None


def test_outside_kenya_a_learner_added_on_paper_gets_the_usual_welcome(kenya):
    _, rt, twilio, _ = kenya
    make_circle(rt.uow, code="KC42", facilitator="+18165550199")
    add_on_paper(rt, phone="+18165550123", code="KC42")
    deliver(rt)
    [welcome] = twilio.sent_to("+18165550123")
    assert welcome["body"].startswith("Habari Amina! Mwezeshaji wako amekuongeza")


def test_the_message_pages_cost_estimate_names_the_provider(kenya):
    from tests.e2e.test_facilitator_pages import A_PHONE, add_learner, get, sign_in

    app, rt, _, _ = kenya
    app.config["WTF_CSRF_SSL_STRICT"] = False
    pages = app.test_client()
    make_circle(rt.uow, code="KC42", facilitator=A_PHONE, tz="Africa/Nairobi")
    add_learner(rt.uow, AMINA)
    add_learner(rt.uow, "+254722000124", name="Wanjiru")
    add_learner(rt.uow, "+18165550123", name="Rosa")
    sign_in(pages, rt.uow)
    counted = get(pages, "/facilitator/circles/KC42/segments?text=Lete%20kompyuta").get_json()
    assert counted["sms_learners"] == 3 and counted["by_provider"] == "Africa's Talking: 2 segments · Twilio: 1 segment"
    page = get(pages, "/facilitator/circles/KC42/message").get_data(as_text=True)
    assert "Africa&#39;s Talking: 2 segments · Twilio: 1 segment" in page


@pytest.fixture
def sim(backend, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "REDIS_URL": backend["REDIS_URL"],
            "INSTANCE_PATH": str(tmp_path),
            "simulator": True,
            "PUBLIC_BASE_URL": "http://localhost:5000",
            "queue_name": RUN_QUEUE,
            "send_rate_per_second": 0.0,
        }
    )
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def test_the_simulators_kenyan_phone_texts_through_africastalkings_callback(sim):
    from bot.demo import seed as demo

    rt = sim.extensions["circlebot"]
    demo.seed(rt)
    client = sim.test_client()
    signed = client.post("/simulator/sign", json={"from": "+254 711 000123", "body": "JOIN DEMO"}).get_json()
    assert signed["url"].startswith("/africastalking/sms?key=") and signed["params"]["from"] == "+254711000123"
    wrong = client.post("/africastalking/sms?key=nope", data=signed["params"])
    assert wrong.status_code == 403
    assert client.post(signed["url"], data=signed["params"]).status_code == 200
    deliver(rt)
    shown = client.get("/simulator/messages", query_string={"phone": "+254711000123"}).get_json()["messages"]
    assert [m["direction"] for m in shown] == ["in", "out"]  # the answer once, from the outbox, not also inline
    assert shown[1]["body"] == said(keys.SIGNUP_ASK_NAME, "en", circle="Demo Circle: Intro to Computers")
    us = client.post("/simulator/sign", json={"from": "+18165550123", "body": "JOIN DEMO"}).get_json()
    assert "url" not in us and us["params"]["MessageSid"].startswith("SM")


def test_hostile_callbacks_get_4xx_never_5xx(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    sms_url, status_url, optout_url = (f"/africastalking/{p}?key={KEY}" for p in ("sms", "status", "optout"))
    assert client.post(sms_url, data={"from": AMINA, "text": "hi"}).status_code == 400  # no id
    assert client.post(sms_url, data={"id": "x" * 61, "from": AMINA, "text": "hi"}).status_code == 400
    assert client.post(sms_url, data={"id": "a1", "text": "hi"}).status_code == 400  # no sender
    assert client.post(sms_url, data=callback("not a number", "JIUNGE NBO1\x00\x07")).status_code == 200
    assert client.post(sms_url, data=callback(AMINA, "Habari\x00 yako\x07")).status_code == 200
    assert client.post(status_url, data={"id": "ATXid_1"}).status_code == 400
    assert client.post(status_url, data={"id": "ATXid_1", "status": "x" * 40}).status_code == 400
    assert client.post(status_url, data={"id": "ATXid_unknown", "status": "Success"}).status_code == 204
    assert client.post(optout_url, data={"senderId": SHORT_CODE}).status_code == 400
    assert client.post(optout_url, data={"phoneNumber": "+254799000000"}).status_code == 204  # nobody we know
    deliver(rt)
    with rt.uow() as session:
        bodies = session.scalars(select(Message.body).where(Message.direction == "in")).all()
    assert "Habari yako" in bodies and all("\x00" not in b for b in bodies)
