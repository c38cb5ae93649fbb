"""Reminders, RSVP, tallies and meeting changes through the outbox, on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.domain import meetings, outbox
from bot.domain.circles import find, summary
from bot.domain.planning import reminders
from bot.outbound import jobs
from bot.render import codec, render
from bot.store.models import Address, Meeting, Message, Outbox, Rsvp
from tests.helpers import add_contact, add_outbox, make_circle, text
from tests.integration.test_outbox_queue import drain

AMINA, BEN, CARLA = "+18165550123", "+18165550124", "+18165550125"


@pytest.fixture
def fast(runtime, monkeypatch):
    """No quiet hours and no pacing, so that tests do not depend on the hour they run at."""
    from dataclasses import replace

    from bot.outbound.pacing import make_pacer

    runtime.settings = replace(runtime.settings, quiet_hours="", send_rate_per_second=0)
    runtime.pacer = make_pacer(runtime.queue, 0)
    return runtime


def join(client, sender, name, code="KC42", number="1"):
    text(client, f"JOIN {code}", sender), text(client, name, sender), text(client, number, sender)


def sent_to(uow, address):
    with uow() as session:
        return session.scalars(
            select(Message.body).where(Message.direction == "out", Message.address == address).order_by(Message.id)
        ).all()


def first_meeting(uow, code="KC42"):
    from types import SimpleNamespace

    from bot.store.models import Circle

    with uow() as session:
        m = session.scalars(
            select(Meeting)
            .join(Circle, Circle.id == Meeting.circle_id)
            .where(Circle.code == code)
            .order_by(Meeting.seq)
        ).first()
        return SimpleNamespace(id=m.id, starts_at=m.starts_at)


def test_reminders_are_planned_once_per_learner_and_meeting(client, uow, fast):
    make_circle(uow)
    join(client, AMINA, "Amina"), join(client, BEN, "Ben"), join(client, CARLA, "Carla")
    text(client, "STOP", CARLA)
    meeting = first_meeting(uow)
    at = meeting.starts_at - timedelta(hours=24)
    with uow() as session:
        first = reminders.plan(session, fast.settings, at)
        session.commit()
    with uow() as session:
        again = reminders.plan(session, fast.settings, at + timedelta(minutes=30))
        session.commit()
        rows = session.scalars(select(Outbox).where(Outbox.kind == "reminder")).all()
        assert again == [] and len(first) == 2
        assert sorted(r.address for r in rows) == [AMINA, BEN]
        assert all(r.send_after == at for r in rows)
        said = render("sms", codec.load(rows[0].replies), "en").text  # rows say what, rendered when sent
        assert rows[0].body is None
        assert said.startswith("Kansas City Basics: ") and said.endswith("Are you coming? Reply 1 yes, 2 no.")


def test_late_joiner_gets_the_reminder_at_once_and_can_rsvp(client, uow, fast, monkeypatch):
    make_circle(uow, starts=datetime.now(timezone.utc).date(), weekday=datetime.now(timezone.utc).weekday())
    meeting = first_meeting(uow)
    if meeting.starts_at <= datetime.now(timezone.utc) + timedelta(minutes=5):
        pytest.skip("today's meeting time has passed; covered by the fixed-clock tests")
    join(client, AMINA, "Amina")
    drain(fast)
    reminder = [b for b in sent_to(uow, AMINA) if "Reply 1" in b]
    assert len(reminder) == 1
    assert text(client, "1", AMINA)[0].startswith("Great, see you ")
    assert text(client, "no", AMINA)[0].startswith("Thanks for telling us.")
    with uow() as session:
        assert session.scalar(select(Rsvp.answer)) == "no"
        shown = summary(session, find(session, "KC42"))
    assert (shown["meetings"][0]["yes"], shown["meetings"][0]["no"]) == (0, 1)


def _send_reminders(uow, fast, at):
    with uow() as session:
        planned = reminders.plan(session, fast.settings, at)
        session.commit()
    for p in planned:
        _send_at(uow, p.row_id, at)


def _send_at(uow, row_id, at):
    """Runs the real send job for one row, as if it were ``at`` (the row's time)."""
    with uow() as session:
        row = session.get(Outbox, row_id)
        row.send_after = datetime.now(timezone.utc) - timedelta(seconds=1)
        session.commit()
    assert jobs.send_outbox(row_id) in (outbox.SENT, outbox.CANCELLED)


def test_rsvp_answers_the_most_recent_reminder_across_two_circles(client, uow, fast):
    make_circle(uow, code="KC42")
    make_circle(uow, code="MIA7", name="Miami Ingles", venue="Little Havana", tz="America/New_York")
    join(client, AMINA, "Amina", "KC42")
    text(client, "JOIN MIA7", AMINA)  # name and language known: enrolled at once
    kc, mia = first_meeting(uow, "KC42"), first_meeting(uow, "MIA7")
    _send_reminders(uow, fast, kc.starts_at - timedelta(hours=24, minutes=1))
    assert text(client, "1", AMINA)[0].startswith("Great")
    with uow() as session:
        answers = dict(session.execute(select(Rsvp.meeting_id, Rsvp.answer)).all())
    assert list(answers.values()) == ["yes"] and set(answers) <= {kc.id, mia.id}
    with uow() as session:  # make MIA7's reminder the most recent one
        latest = session.scalar(select(Outbox).where(Outbox.meeting_id == mia.id, Outbox.kind == "reminder"))
        other = session.scalar(select(Outbox).where(Outbox.meeting_id == kc.id, Outbox.kind == "reminder"))
        latest.sent_at, other.sent_at = datetime.now(timezone.utc), datetime.now(timezone.utc) - timedelta(hours=1)
        session.commit()
    assert text(client, "HAPANA", AMINA)[0].startswith("Thanks for telling us")
    with uow() as session:
        answers = dict(session.execute(select(Rsvp.meeting_id, Rsvp.answer)).all())
    assert answers[mia.id] == "no"


def test_stop_after_queueing_means_nothing_is_sent(client, uow, fast):
    make_circle(uow)
    join(client, AMINA, "Amina")
    meeting = first_meeting(uow)
    with uow() as session:
        planned = reminders.plan(session, fast.settings, meeting.starts_at - timedelta(hours=24))
        session.commit()
    text(client, "STOP", AMINA)
    for p in planned:
        _send_at(uow, p.row_id, meeting.starts_at)
    drain(fast)
    assert not [b for b in sent_to(uow, AMINA) if "Reply 1" in b]
    with uow() as session:
        assert session.scalar(select(Outbox.status).where(Outbox.kind == "reminder")) == outbox.CANCELLED


def test_cancel_withdraws_reminders_and_tells_each_learner_once(client, uow, fast):
    make_circle(uow)
    join(client, AMINA, "Amina"), join(client, BEN, "Ben", number="2")
    meeting = first_meeting(uow)
    with uow() as session:
        reminders.plan(session, fast.settings, meeting.starts_at - timedelta(hours=23))
        session.commit()
    now = datetime.now(timezone.utc)
    with uow() as session:
        planned = meetings.cancel(session, fast.settings, find(session, "KC42"), 1, now)
        again = meetings.cancel(session, fast.settings, find(session, "KC42"), 1, now)
        session.commit()
    assert len(planned) == 2 and again == []
    drain(fast)
    assert [b for b in sent_to(uow, AMINA) if "is cancelled" in b][0].startswith("Kansas City Basics: the meeting on ")
    assert len([b for b in sent_to(uow, BEN) if "se cancel" in b]) == 1  # Ben chose Spanish
    with uow() as session:
        statuses = session.scalars(select(Outbox.status).where(Outbox.kind == "reminder")).all()
    assert statuses and set(statuses) == {outbox.CANCELLED}


def test_move_re_reminds_at_the_new_time_never_twice(client, uow, fast):
    make_circle(uow)
    join(client, AMINA, "Amina")
    meeting = first_meeting(uow)
    new_time = meeting.starts_at + timedelta(days=1, hours=1)
    now = datetime.now(timezone.utc)
    with uow() as session:
        meetings.move(session, fast.settings, find(session, "KC42"), 1, new_time, now)
        assert meetings.move(session, fast.settings, find(session, "KC42"), 1, new_time, now) == []
        session.commit()
    drain(fast)
    assert len([b for b in sent_to(uow, AMINA) if "has moved" in b]) == 1
    with uow() as session:
        reminders.plan(session, fast.settings, new_time - timedelta(hours=24))
        reminders.plan(session, fast.settings, new_time - timedelta(hours=23))
        session.commit()
        keys = session.scalars(select(Outbox.dedupe_key).where(Outbox.kind == "reminder")).all()
        assert keys == [reminders.reminder_key(meeting.id, 1, new_time)] or len(keys) == 1
        assert session.get(Meeting, meeting.id).status == "moved"


def test_tally_is_counted_when_it_is_sent(client, uow, fast):
    make_circle(uow, facilitator="+18165550100")
    join(client, AMINA, "Amina"), join(client, BEN, "Ben"), join(client, CARLA, "Carla")
    meeting = first_meeting(uow)
    _send_reminders(uow, fast, meeting.starts_at - timedelta(hours=24))
    text(client, "1", AMINA), text(client, "2", BEN)
    with uow() as session:
        planned = reminders.plan(session, fast.settings, meeting.starts_at - timedelta(hours=2))
        session.commit()
        tally_ids = [p.row_id for p in planned if session.get(Outbox, p.row_id).kind == "tally"]
    assert len(tally_ids) == 1
    _send_at(uow, tally_ids[0], meeting.starts_at - timedelta(hours=2))
    tally = [b for b in sent_to(uow, "+18165550100") if "coming" in b]
    assert len(tally) == 1 and tally[0].endswith(": 1 coming, 1 not, 1 no reply.")


def test_count_of_statements_does_not_grow_with_circles(uow, fast):
    """O(1) statements per planning pass, whatever the number of circles (the bench measures time)."""
    from sqlalchemy import event

    from tests.helpers import make_circle as mk

    def count_for(n_circles, offset):
        for i in range(n_circles):
            cid = mk(uow, code=f"C{offset + i:03d}")
        with uow() as session:
            from bot.store.models import Enrollment

            for i in range(3):
                contact = add_contact(
                    session, f"+1816556{offset:02d}{i:02d}", datetime.now(timezone.utc), language="en"
                )
                session.add(
                    Enrollment(
                        contact_id=contact.id, circle_id=cid, status="active", created_at=datetime.now(timezone.utc)
                    )
                )
            session.commit()
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(fast.uow.engine, "before_cursor_execute", listener)
        try:
            with uow() as session:
                meeting = session.scalars(select(Meeting).order_by(Meeting.starts_at)).first()
                reminders.plan(session, fast.settings, meeting.starts_at - timedelta(hours=24))
                session.commit()
        finally:
            event.remove(fast.uow.engine, "before_cursor_execute", listener)
        return len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE", "BEGIN"))])

    assert count_for(2, 0) == count_for(20, 50)


def test_status_callbacks_once_and_never_backwards(client, uow, fast):
    from tests.helpers import payload, post_signed

    with uow() as session:
        now = datetime.now(timezone.utc)
        row = add_outbox(session, "test:status", "sms", "+18165550124", "Hi", now, now)
        row.status, row.provider_id = outbox.SENT, "SMb2c3d4e5f60718293a4b5c6d7e8f90a1"
        second = add_outbox(session, "test:status2", "sms", "+18165550123", "Hi", now, now)
        second.status, second.provider_id = outbox.SENT, "SMa1b2c3d4e5f60718293a4b5c6d7e8f90"
        add_contact(session, "+18165550124", now)
        session.commit()
    sent, delivered, undelivered = payload("twilio-sms-status.json")
    for params in (delivered, delivered, sent, sent):  # replays, and a late "sent" after "delivered"
        assert post_signed(client, "/twilio/status", params).status_code == 204
    post_signed(client, "/twilio/status", {**undelivered, "ErrorCode": "21610"})
    with uow() as session:
        from bot.store.models import DeliveryEvent

        assert session.scalar(select(Outbox.delivery_status).where(Outbox.dedupe_key == "test:status2")) == "delivered"
        assert session.scalar(select(func.count()).select_from(DeliveryEvent)) == 3
        assert session.scalar(select(Address.opted_out_at).where(Address.value == "+18165550124")) is not None
    assert post_signed(client, "/twilio/status", {"MessageSid": "SMx"}).status_code == 400
    assert client.post("/twilio/status", data=sent).status_code == 403
