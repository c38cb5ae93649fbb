"""The send job against the Twilio stand-in: a lost answer is reconciled, never sent twice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain import outbox
from bot.outbound import jobs
from bot.outbound.channels import SendError
from bot.store.models import Address, Outbox
from tests.helpers import add_contact, add_outbox, twilio_runtime_for


@pytest.fixture
def twilio_runtime(backend, tmp_path):
    with twilio_runtime_for(backend, tmp_path, TWILIO_TIMEOUT="1", OUTBOX_STUCK_AFTER="1s") as running:
        yield running


def add(uow, key="test:1", address="+18165550123"):
    now = datetime.now(timezone.utc)
    with uow() as session:
        row = add_outbox(session, key, "sms", address, "Hello from the library", now, now)
        session.commit()
        return row.id


def test_answer_lost_after_twilio_accepted_is_reconciled_not_resent(twilio_runtime):
    rt, standin = twilio_runtime
    row_id = add(rt.uow)
    standin.delay_next(1, 3)  # Twilio takes the text, but its answer comes after our time-out
    assert jobs.send_outbox(row_id) == outbox.SENDING
    assert jobs.send_outbox(row_id) == outbox.SENDING  # a retry does not resend
    standin.wait_for(1, 5)
    jobs.sweep(datetime.now(timezone.utc) + timedelta(seconds=2))
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        assert row.status == outbox.SENT and row.provider_id == standin.messages[0]["sid"]
    assert len(standin.messages) == 1


def test_never_reached_twilio_is_sent_again_after_reconciling(twilio_runtime):
    rt, standin = twilio_runtime
    row_id = add(rt.uow)
    standin.fail_next(1, status=503)
    with pytest.raises(SendError):  # a transient error: re-raised for RQ's Retry
        jobs.send_outbox(row_id)  # a 5xx: back to pending with a back-off, RQ retries
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        assert row.status == outbox.PENDING and row.send_after > datetime.now(timezone.utc)
        row.send_after = datetime.now(timezone.utc)
        session.commit()
    assert jobs.send_outbox(row_id) == outbox.SENT
    assert len(standin.messages) == 1


def test_unsubscribed_recipient_marks_the_contact_opted_out(twilio_runtime):
    rt, standin = twilio_runtime
    with rt.uow() as session:
        add_contact(session, "+18165550123", datetime.now(timezone.utc))
        session.commit()
    row_id = add(rt.uow)
    standin.fail_next(1, status=400, code=21610)
    assert jobs.send_outbox(row_id) == outbox.FAILED
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at)) is not None
    second = add(rt.uow, key="test:2")
    assert jobs.send_outbox(second) == outbox.CANCELLED
    assert standin.messages == []
