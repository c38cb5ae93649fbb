"""Landline learners (preferred address: a voice phone): reminder calls with keypad RSVP, the end-of-circle
survey by keypad, and voicemail; the real twilio SDK against the stand-in, signed webhooks, XML parsed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot import create_app
from bot.domain import outbox
from bot.outbound import jobs
from bot.store.models import Answer, Enrollment, Outbox, Rsvp
from tests.helpers import AUTH_TOKEN, BASE_URL, RUN_QUEUE, add_contact, make_circle, post_signed

ROSA = "+18165550131"
START = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)  # Tue Dec 1, 18:00 in Chicago


@pytest.fixture
def landline(backend, tmp_path):
    from tests.standin import TwilioStandIn

    with TwilioStandIn() as standin:
        app = create_app(
            {
                "DATABASE_URL": backend["DATABASE_URL"],
                "REDIS_URL": backend["REDIS_URL"],
                "INSTANCE_PATH": str(tmp_path),
                "queue_name": RUN_QUEUE,
                "PUBLIC_BASE_URL": BASE_URL,
                "twilio_account_sid": "AC" + "0" * 32,
                "twilio_auth_token": AUTH_TOKEN,
                "twilio_from": "+18165550100",
                "twilio_api_base": standin.url,
                "send_rate_per_second": 0,
                "CALL_RATE_PER_SECOND": "50",
                "TWILIO_TIMEOUT": "2",
                "QUIET_HOURS": "",
            }
        )
        rt = app.extensions["circlebot"]
        rt.clock = lambda: START - timedelta(hours=5)
        standin.clock = lambda: rt.clock()
        yield app, rt, standin
        rt.uow.engine.dispose()


def rosa_on_a_landline(rt, weeks=6, language="es"):
    circle_id = make_circle(
        rt.uow, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), facilitator="+18165550199", weeks=weeks
    )
    with rt.uow() as session:
        rosa = add_contact(session, ROSA, START - timedelta(days=3), channel="voice", name="Rosa", language=language)
        session.add(Enrollment(contact_id=rosa.id, circle_id=circle_id, status="active", created_at=START))
        session.commit()
        return rosa.id


def placed(rt, standin, kind: str) -> int:
    """Plans what is due, sends the row of ``kind`` (a call), and returns its id."""
    jobs.plan_now(rt.clock())
    with rt.uow() as session:
        row = session.scalar(select(Outbox).where(Outbox.kind == kind))
        assert row.channel == "voice" and row.address == ROSA
        row_id = row.id
    assert jobs.send_outbox(row_id) in (outbox.SENT,)
    return row_id


def post(client, path: str, params: dict) -> ET.Element:
    response = post_signed(client, path, params)
    assert response.status_code == 200, response.get_data(as_text=True)
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return root


def path_of(url: str) -> str:
    assert url.startswith(BASE_URL)
    return url[len(BASE_URL) :]


def test_reminder_call_and_keypad_rsvp(landline):
    app, rt, standin = landline
    rosa_id = rosa_on_a_landline(rt)
    row_id = placed(rt, standin, "reminder")
    [call] = standin.calls
    assert call["to"] == ROSA and call["url"] == f"{BASE_URL}/twilio/voice/answer?row={row_id}"
    client = app.test_client()
    base = {"CallSid": call["sid"], "From": "+18165550100", "To": ROSA, "CallStatus": "in-progress"}
    root = post(client, f"/twilio/voice/answer?row={row_id}", {**base, "AnsweredBy": "human"})
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1" and gather.get("input") == "dtmf"
    words = [s.text for s in gather.iter("Say")]
    assert all(s.get("language") == "es-US" for s in gather.iter("Say"))
    assert "Kansas City Basics" in words[0] and "Central Library" in words[0]
    assert "1" in words[1] and "2" in words[1]
    keyed = post(client, path_of(gather.get("action")), {**base, "Digits": "1"})
    again = post(client, path_of(gather.get("action")), {**base, "Digits": "1"})  # a replayed request
    assert ET.tostring(keyed) == ET.tostring(again)
    assert keyed.find("Say") is not None and keyed.find("Gather") is None and keyed.find("Hangup") is not None
    with rt.uow() as session:
        assert session.scalar(select(Rsvp.answer).where(Rsvp.contact_id == rosa_id)) == "yes"
        assert session.scalar(select(func.count()).select_from(Rsvp)) == 1


def test_voicemail_hears_the_reminder_and_nothing_is_recorded(landline):
    app, rt, standin = landline
    rosa_on_a_landline(rt, language="en")
    row_id = placed(rt, standin, "reminder")
    params = {"CallSid": standin.calls[0]["sid"], "From": "+18165550100", "To": ROSA, "AnsweredBy": "machine_end_beep"}
    root = post(app.test_client(), f"/twilio/voice/answer?row={row_id}", params)
    assert root.find("Gather") is None and root.find("Hangup") is not None
    assert "Kansas City Basics" in root.find("Say").text
    with rt.uow() as session:
        assert session.scalar(select(func.count()).select_from(Rsvp)) == 0


def test_keypad_survey_end_to_end(landline):
    app, rt, standin = landline
    rosa_on_a_landline(rt, weeks=1, language="en")
    rt.clock = lambda: START + timedelta(hours=16, minutes=1)  # 10:01 the next morning in Chicago
    row_id = placed(rt, standin, "survey")
    client = app.test_client()
    base = {"CallSid": standin.calls[-1]["sid"], "From": "+18165550100", "To": ROSA, "CallStatus": "in-progress"}
    root = post(client, f"/twilio/voice/answer?row={row_id}", {**base, "AnsweredBy": "human"})
    pressed = []
    while root.find("Gather") is not None:
        gather = root.find("Gather")
        digits = "3" if gather.get("numDigits") == "1" else "9" if gather.get("numDigits") == "2" else "3"
        if "skip=1" in gather.get("action"):
            digits = "5"
        pressed.append((gather.get("numDigits"), digits))
        root = post(client, path_of(gather.get("action")), {**base, "Digits": digits})
        assert len(pressed) < 10
    assert [n for n, _ in pressed] == ["1", "1", "1", "2", "1"]  # three 1–5 scales, 0–10, the text question
    with rt.uow() as session:
        answers = dict(session.execute(select(Answer.question_key, Answer.value)).all())
    assert answers == {
        "learner:goal": "3",
        "learner:confidence": "3",
        "learner:course": "3",
        "learner:recommend": "9",
        "learner:next": None,
    }


def test_facilitator_adds_a_landline_learner_whose_first_call_says_how_to_stop(landline):
    from bot.store.models import Address, Contact
    from tests.helpers import text

    app, rt, standin = landline
    make_circle(rt.uow, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), facilitator="+18165550199")
    client = app.test_client()
    assert "text ADD KC42" in text(client, "ADD KC42 Rosa", sender="+18165550199")[0]
    said = text(client, "ADD KC42 (816) 555-0131 Rosa", sender="+18165550199")
    assert said[0] == "Rosa is in Kansas City Basics. We will call them with reminders, not text them."
    with rt.uow() as session:
        address = session.scalar(select(Address).where(Address.value == ROSA))
        assert address.channel == "voice" and address.preferred and address.consent_source == "added_by_facilitator"
        assert session.get(Contact, address.contact_id).name == "Rosa"
        assert session.scalar(select(Enrollment.status).where(Enrollment.contact_id == address.contact_id)) == "active"
    row_id = placed(rt, standin, "reminder")
    base = {"CallSid": standin.calls[0]["sid"], "From": "+18165550100", "To": ROSA, "CallStatus": "in-progress"}
    root = post(client, f"/twilio/voice/answer?row={row_id}", {**base, "AnsweredBy": "human"})
    gather = root.find("Gather")
    assert "press the star key" in root.find("Say").text
    stopped = post(client, path_of(gather.get("action")), {**base, "Digits": "*"})
    assert stopped.find("Say") is not None and stopped.find("Gather") is None
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at).where(Address.value == ROSA)) is not None
        assert session.scalar(select(func.count()).select_from(Rsvp)) == 0
