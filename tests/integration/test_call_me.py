"""CALL ME: one call through the real twilio SDK against the stand-in (Calls.json), answered into the
conference; no answer retried once; a worker killed after placing the call never places a second one."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot import create_app
from bot.domain import outbox
from bot.outbound import jobs
from bot.store.models import Address, Enrollment, Outbox
from tests.helpers import AUTH_TOKEN, BASE_URL, RUN_QUEUE, add_contact, make_circle, post_signed, text
from tests.standin import TwilioStandIn

AMINA = "+18165550123"
START = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)  # Tue Dec 1, 18:00 in Chicago


@pytest.fixture
def twilio_app(backend, tmp_path):
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
                "OUTBOX_STUCK_AFTER": "1s",
                "QUIET_HOURS": "",
            }
        )
        rt = app.extensions["circlebot"]
        rt.clock = lambda: START - timedelta(hours=5)
        standin.clock = lambda: rt.clock()  # Twilio's call times follow the test's clock
        yield app, rt, standin
        rt.uow.engine.dispose()


@pytest.fixture
def asked(twilio_app):
    """Amina, enrolled in KC42, texted CALL ME; returns the call's outbox row id."""
    app, rt, standin = twilio_app
    circle_id = make_circle(rt.uow, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), facilitator="+18165550199")
    with rt.uow() as session:
        amina = add_contact(session, AMINA, START - timedelta(days=2), name="Amina", language="es")
        session.add(Enrollment(contact_id=amina.id, circle_id=circle_id, status="active", created_at=START))
        session.commit()
    said = text(app.test_client(), "Llámame")
    assert said[0].startswith("¡Listo! Te llamaremos cuando empiece Kansas City Basics")
    with rt.uow() as session:
        row = session.scalar(select(Outbox).where(Outbox.kind == "call"))
        assert row.channel == "voice" and row.address == AMINA and row.send_after == START
        voice = session.scalar(select(Address).where(Address.channel == "voice"))
        assert voice.value == AMINA and voice.consent_source == "call me" and not voice.preferred
        return row.id


def test_call_me_places_one_call_with_the_answer_url_and_bridges_into_the_conference(twilio_app, asked):
    app, rt, standin = twilio_app
    assert jobs.send_outbox(asked) == outbox.PENDING  # not before the meeting starts
    assert standin.calls == []
    rt.clock = lambda: START
    assert jobs.send_outbox(asked) == outbox.SENT
    assert jobs.send_outbox(asked) == outbox.SENT  # a second run of the job places nothing
    [call] = standin.calls
    assert call["to"] == AMINA and call["from"] == "+18165550100" and call["machine_detection"] == "Enable"
    assert call["url"] == f"{BASE_URL}/twilio/voice/answer?row={asked}" and call["method"] == "POST"
    assert call["status_callback"] == f"{BASE_URL}/twilio/voice/status?row={asked}"
    client = app.test_client()
    params = {
        "CallSid": call["sid"],
        "From": "+18165550100",
        "To": AMINA,
        "CallStatus": "in-progress",
        "AnsweredBy": "human",
    }
    root = ET.fromstring(post_signed(client, f"/twilio/voice/answer?row={asked}", params).get_data(as_text=True))
    conference = root.find("Dial/Conference")
    assert conference.get("startConferenceOnEnter") == "false" and conference.text.startswith("room-")
    assert root.find("Say").get("language") == "es-US"
    machine = ET.fromstring(
        post_signed(client, f"/twilio/voice/answer?row={asked}", {**params, "AnsweredBy": "machine_end_beep"}).get_data(
            as_text=True
        )
    )
    assert machine.find("Dial") is None and "Kansas City Basics" in machine.find("Say").text


def test_no_answer_is_tried_once_more_after_five_minutes(twilio_app, asked):
    app, rt, standin = twilio_app
    rt.clock = lambda: START
    assert jobs.send_outbox(asked) == outbox.SENT
    client = app.test_client()
    status = {"CallSid": standin.calls[0]["sid"], "CallStatus": "no-answer", "To": AMINA}
    for _ in range(2):  # a repeated callback plans nothing more
        assert post_signed(client, f"/twilio/voice/status?row={asked}", status).status_code == 204
    with rt.uow() as session:
        retry = session.scalar(select(Outbox).where(Outbox.dedupe_key.like("%:retry")))
        assert retry.send_after == START + timedelta(minutes=5) and retry.kind == "call"
        retry_id = retry.id
    rt.clock = lambda: START + timedelta(minutes=5)
    assert jobs.send_outbox(retry_id) == outbox.SENT
    assert len(standin.calls) == 2
    again = {"CallSid": standin.calls[1]["sid"], "CallStatus": "no-answer", "To": AMINA}
    post_signed(client, f"/twilio/voice/status?row={retry_id}", again)
    with rt.uow() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "call")) == 2


def test_a_worker_killed_after_placing_the_call_never_places_a_second(twilio_app, asked, monkeypatch):
    app, rt, standin = twilio_app
    rt.clock = lambda: START
    adapter = rt.channels.adapter("voice")
    real_send = adapter.send

    def send_then_die(*args, **kwargs):
        real_send(*args, **kwargs)
        raise SystemExit("worker killed")  # after Twilio placed the call, before the row says so

    monkeypatch.setattr(adapter, "send", send_then_die)
    with pytest.raises(SystemExit):
        jobs.send_outbox(asked)
    monkeypatch.setattr(adapter, "send", real_send)
    assert len(standin.calls) == 1
    assert jobs.send_outbox(asked) == outbox.SENDING  # the restarted worker does not claim it again
    jobs.sweep(START + timedelta(seconds=5))  # the sweeper asks Twilio (calls.list) first
    with rt.uow() as session:
        row = session.get(Outbox, asked)
        assert row.status == outbox.SENT and row.provider_id == standin.calls[0]["sid"]
    assert jobs.send_outbox(asked) == outbox.SENT
    assert len(standin.calls) == 1


def test_call_me_inside_a_sentence_is_a_sentence(twilio_app):
    app, rt, standin = twilio_app
    make_circle(rt.uow, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), facilitator="+18165550199")
    with rt.uow() as session:
        amina = add_contact(session, AMINA, START, name="Amina", language="en")
        session.add(Enrollment(contact_id=amina.id, circle_id=1, status="active", created_at=START))
        session.commit()
    text(app.test_client(), "Call me when you get there please")
    with rt.uow() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "call")) == 0
