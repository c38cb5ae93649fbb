"""The channel core (issue 9): texts go out on the learner's own channel, in their language of the
moment, outside their quiet hours; facilitators are contacts on any channel; old databases upgrade."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select

from bot.store.models import Address, Facilitator, Meeting, Outbox
from tests.helpers import add_outbox, contact_of, make_circle, twilio_runtime_for
from tests.integration.sim import Sim

CHICAGO = ZoneInfo("America/Chicago")
AMINA, BEN = "+18165550123", "+18165550124"


def first_meeting(uow, code="KC42"):
    from bot.store.models import Circle

    with uow() as session:
        return session.scalars(
            select(Meeting.starts_at)
            .join(Circle, Circle.id == Meeting.circle_id)
            .where(Circle.code == code)
            .order_by(Meeting.seq)
        ).first()


def join(sim, phone, name, number="1", channel="sms", code="KC42"):
    sim.text(phone, f"JOIN {code}", channel)
    sim.text(phone, name, channel)
    return sim.text(phone, number, channel)


@pytest.fixture
def twilio_runtime(backend, tmp_path):
    with twilio_runtime_for(backend, tmp_path) as running:
        yield running


def test_whatsapp_learner_gets_the_reminder_on_whatsapp_with_accents(twilio_runtime):
    rt, standin = twilio_runtime
    make_circle(rt.uow)
    sim = Sim(rt, quiet_hours="")
    join(sim, AMINA, "Amina", number="2", channel="whatsapp")
    starts = first_meeting(rt.uow)
    sim.now = starts - timedelta(hours=24, minutes=1)
    with rt.uow() as session:  # she wrote on WhatsApp an hour ago: free-form text may go (issue 28)
        address = session.scalar(select(Address).where(Address.channel == "whatsapp", Address.value == AMINA))
        address.last_inbound_at = sim.now - timedelta(hours=1)
        session.commit()
    sim.advance(timedelta(minutes=2))
    reminders = [m for m in standin.messages if m["to"] == f"whatsapp:{AMINA}"]
    texts = [m["body"] for m in reminders if "Responde 1" in m["body"]]
    assert len(texts) == 1, [m["body"] for m in standin.messages]
    assert texts[0].endswith("¿Vienes? Responde 1 sí, 2 no.")  # accents kept: no GSM folding on WhatsApp
    assert all(m["from"] == "whatsapp:+18165550100" for m in reminders)
    with rt.uow() as session:
        row = session.scalar(select(Outbox).where(Outbox.kind == "reminder"))
        assert row.channel == "whatsapp" and row.body == texts[0]


def test_language_changed_after_planning_applies_when_sent(runtime):
    make_circle(runtime.uow)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    starts = first_meeting(runtime.uow)
    sim.now = starts - timedelta(hours=25)
    sim.advance(timedelta(minutes=1))  # planned within the horizon, due in about an hour
    with runtime.uow() as session:
        row = session.scalar(select(Outbox).where(Outbox.kind == "reminder"))
        assert row.status == "pending" and row.body is None
    assert "Which language" in sim.text(AMINA, "LANGUAGE")[0]
    sim.text(AMINA, "2")
    sim.advance(timedelta(hours=1))
    sent = [body for _, body in sim.inbox(AMINA) if "Responde 1" in body or "Reply 1" in body]
    assert len(sent) == 1 and sent[0].endswith("¿Vienes? Responde 1 si, 2 no."), sent


def test_check_in_due_at_3am_after_an_outage_waits_for_the_end_of_quiet_hours(runtime):
    make_circle(runtime.uow)
    sim = Sim(runtime, quiet_hours="21:00-08:00")
    join(sim, AMINA, "Amina")
    starts = first_meeting(runtime.uow).astimezone(CHICAGO)
    # the worker was down from before the next-day check-in (10:00) until 03:00 the day after
    three_am = datetime.combine(starts.date() + timedelta(days=2), time(3, 0), tzinfo=CHICAGO)
    sim.now = three_am.astimezone(timezone.utc)
    sim.advance(timedelta(0))
    with runtime.uow() as session:
        row = session.scalar(select(Outbox).where(Outbox.kind == "checkin"))
        assert row.status == "pending" and row.last_error == "waiting for the end of quiet hours"
        assert row.send_after.astimezone(CHICAGO).time() == time(8, 0)
    assert not [b for _, b in sim.inbox(AMINA) if "How did this week" in b]
    sim.advance(timedelta(hours=5))
    assert len([b for _, b in sim.inbox(AMINA) if "How did this week" in b]) == 1


def test_telegram_facilitator_and_phone_facilitator_never_cross(runtime):
    make_circle(runtime.uow, code="KC42", facilitator="+18165550100")
    make_circle(runtime.uow, code="TG77", name="Telegram Circle", facilitator="+18165550177")
    with runtime.uow() as session:  # the TG77 facilitator is reachable on Telegram only
        fac = session.scalar(
            select(Facilitator)
            .join(Address, Address.contact_id == Facilitator.contact_id)
            .where(Address.value == "+18165550177")
        )
        session.execute(delete(Address).where(Address.contact_id == fac.contact_id))
        session.add(
            Address(
                contact_id=fac.contact_id,
                channel="telegram",
                value="900100",
                preferred=True,
                consent_at=datetime.now(timezone.utc),
                created_at=datetime.now(timezone.utc),
            )
        )
        session.commit()
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina", code="KC42")
    join(sim, BEN, "Ben", code="TG77")
    sim.text(AMINA, "Is there parking?")
    sim.text(BEN, "Can I bring my son?")
    sim.advance(timedelta(0))
    phone_fac = [b for _, b in sim.inbox("+18165550100")]
    telegram_fac = [b for _, b in sim.inbox("900100")]
    assert any("Amina (#1): Is there parking?" in b for b in phone_fac)
    assert not any("Ben" in b for b in phone_fac)
    assert any("Ben (#1): Can I bring my son?" in b for b in telegram_fac)
    assert not any("Amina" in b for b in telegram_fac)
    with runtime.uow() as session:
        relay = session.scalar(select(Outbox).where(Outbox.address == "900100", Outbox.kind == "relay"))
        assert relay.channel == "telegram"
    # commands from the Telegram facilitator see and reach only their own circle
    assert "Telegram Circle" in sim.text("900100", "CIRCLES", "telegram")[0]
    assert "Kansas City" not in sim.text("900100", "CIRCLES", "telegram")[0]
    sim.text("900100", "#1 Yes, bring him!", "telegram")
    sim.text("+18165550100", "#1 There is a lot behind the library.")
    sim.advance(timedelta(0))
    assert any("Yes, bring him!" in b for _, b in sim.inbox(BEN))
    assert not any("Yes, bring him!" in b for _, b in sim.inbox(AMINA))
    assert any("a lot behind the library" in b for _, b in sim.inbox(AMINA))
    assert not any("a lot behind the library" in b for _, b in sim.inbox(BEN))


def test_stop_on_one_address_leaves_the_other_working(runtime):
    make_circle(runtime.uow)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina", channel="whatsapp")
    sim.text(AMINA, "HELP", "sms")  # the same number by SMS: the same person, a second address
    with runtime.uow() as session:
        assert contact_of(session, AMINA) is not None
        channels = sorted(a.channel for a in session.scalars(select(Address).where(Address.value == AMINA)))
        assert channels == ["sms", "whatsapp"]
    sim.text(AMINA, "STOP", "sms")
    with runtime.uow() as session:
        by_channel = {a.channel: a for a in session.scalars(select(Address).where(Address.value == AMINA))}
        assert by_channel["sms"].opted_out_at is not None and by_channel["whatsapp"].opted_out_at is None
        assert by_channel["whatsapp"].preferred


def test_a_bug_in_an_adapter_fails_the_row_and_is_not_retried(runtime, monkeypatch):
    from bot.domain import outbox
    from bot.outbound import jobs

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug, not the network")

    monkeypatch.setattr(runtime.channels.simulator, "send", broken)
    now = datetime.now(timezone.utc)
    with runtime.uow() as session:
        row = add_outbox(session, "test:bug", "sms", AMINA, "Hello", now, now)
        session.commit()
        row_id = row.id
    assert jobs.send_outbox(row_id) == outbox.FAILED  # returns: RQ's Retry never sees an exception
    with runtime.uow() as session:
        row = session.get(Outbox, row_id)
        assert row.status == outbox.FAILED and row.last_error == "internal error: ZeroDivisionError"
        assert row.attempts == 1


def test_pacing_is_per_channel_and_sending_identity():
    from bot.outbound.channels import SimulatorChannel, TwilioChannel
    from bot.settings import Settings

    number = TwilioChannel(
        Settings(twilio_account_sid="AC" + "0" * 32, twilio_auth_token="t", twilio_from="+18165550100")
    )
    assert number.identity("sms") == "twilio:+18165550100"
    assert number.identity("whatsapp") == "twilio:whatsapp:+18165550100"
    service = TwilioChannel(
        Settings(twilio_account_sid="AC" + "0" * 32, twilio_auth_token="t", twilio_from="MG" + "1" * 32)
    )
    assert service.identity("sms") == service.identity("whatsapp") == "twilio:MG" + "1" * 32
    assert SimulatorChannel(None).identity("telegram") == "simulator:telegram"
