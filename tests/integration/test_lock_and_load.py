"""The inbound lock and load in one statement (issue 31, ``bot/inbound/load.py``).

Under READ COMMITTED a ``SELECT … FOR UPDATE`` that waited for a lock reads the locked row as it is now and
every other row as it was when the statement began: ``contact.version`` tells the two apart, and the load
runs again. An Enroll decides once, unless a place was taken meanwhile.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain import contacts
from bot.inbound import load, service
from bot.store.models import Circle, Contact, Conversation, Enrollment
from tests.helpers import contact_of, make_circle
from tests.integration.sim import Sim

AMINA, BEN, ZED = "+18165550123", "+18165550124", "+18165550191"


def test_a_lock_granted_late_reads_what_the_holder_wrote(runtime, uow):
    """A job holds the sender's lock and opens a conversation (``bot.outbound.jobs``): the message that
    waited for the lock sees it, though its statement began before the job committed."""
    make_circle(uow)
    sim = Sim(runtime)
    sim.text(AMINA, "JOIN KC42"), sim.text(AMINA, "Amina"), sim.text(AMINA, "1")
    now = sim.now
    with uow() as session:
        contact_id = contact_of(session, AMINA).id
    seen: dict = {}

    def message():
        with uow() as session:
            seen["found"] = load.lock_and_load(session, "sms", AMINA, "SMlate", set(), now)
            session.rollback()

    with uow() as holder:
        contacts.lock_changing(holder, contact_id)  # the lock, as the send job takes it
        holder.add(
            Conversation(
                contact_id=contact_id,
                flow="checkin",
                state={"flow": "checkin", "code": "KC42"},
                expires_at=now + timedelta(hours=1),
                updated_at=now,
            )
        )
        holder.flush()
        waiting = threading.Thread(target=message)
        waiting.start()
        time.sleep(0.5)  # the message's statement has begun and waits for the lock
        holder.commit()
    waiting.join(30)
    found = seen["found"]
    assert found.loaded.conversation is not None and found.loaded.conversation.flow == "checkin"
    assert found.contact.id == contact_id and "KC42" in found.loaded.circles


def test_every_message_moves_the_version_on_postgres(runtime, uow):
    make_circle(uow)
    sim = Sim(runtime)
    sim.text(AMINA, "JOIN KC42"), sim.text(AMINA, "Amina")
    with uow() as session:
        before = session.scalar(select(Contact.version).join(Contact.addresses).where(Contact.name == "Amina"))
    sim.text(AMINA, "HELP")
    with uow() as session:
        after = session.scalar(select(Contact.version).join(Contact.addresses).where(Contact.name == "Amina"))
    postgres = runtime.uow.engine.dialect.name == "postgresql"
    assert after == before + 1 if postgres else after == before  # SQLite locks no rows: nothing to tell


def _counting(monkeypatch, between=None):
    calls = []
    real = service.handle

    def handle(state, inbound, ctx):
        calls.append(inbound.text)
        result = real(state, inbound, ctx)
        if between is not None and len(calls) == 1:
            between()
        return result

    monkeypatch.setattr(service, "handle", handle)
    return calls


def test_an_enroll_runs_the_flow_once(runtime, uow, monkeypatch):
    make_circle(uow)
    sim = Sim(runtime)
    sim.text(ZED, "JOIN KC42"), sim.text(ZED, "Zed")
    calls = _counting(monkeypatch)
    replies = sim.text(ZED, "1")  # the language: the last step, a place is taken
    assert calls == ["1"], calls
    assert replies
    with uow() as session:
        assert session.scalar(
            select(Enrollment.status).where(Enrollment.contact_id == contact_of(session, ZED).id)
        ) == ("active")


def test_a_place_taken_meanwhile_decides_again(runtime, uow, monkeypatch):
    """The last place goes to another learner between the load and the Enroll: the circle is counted
    afresh under its lock, and the flow decides again (the waiting list), once more only."""
    if runtime.uow.engine.dialect.name != "postgresql":
        pytest.skip("SQLite lets one writer at a time: no one takes a place in between")
    make_circle(uow, capacity=1)
    sim = Sim(runtime)
    sim.text(ZED, "JOIN KC42"), sim.text(ZED, "Zed")
    now = datetime.now(timezone.utc)

    def someone_takes_the_place():
        with uow() as other:
            ben = contacts.for_inbound(other, "sms", BEN, now)[0]
            circle_id = other.scalar(select(Circle.id).where(Circle.code == "KC42"))
            other.add(Enrollment(contact_id=ben.id, circle_id=circle_id, status="active", created_at=now))
            other.commit()

    calls = _counting(monkeypatch, between=someone_takes_the_place)
    sim.text(ZED, "1")
    assert calls == ["1", "1"], calls
    with uow() as session:
        status = session.scalar(select(Enrollment.status).where(Enrollment.contact_id == contact_of(session, ZED).id))
    assert status == "waitlist"
