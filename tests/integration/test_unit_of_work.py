"""The unit of work publishes what a transaction collected only once it has committed (bot/store/db.py).

On both backends, with the real outbox insert: a committed row is published once; a rolled-back
transaction publishes nothing; a savepoint rolled back inside a committed transaction keeps the rest;
a held row (waiting for START) is not published; the process's publisher queues a real job.
"""

from __future__ import annotations

from datetime import datetime, timezone

from bot.domain import outbox
from bot.domain.outbox import Planned
from bot.store.db import UnitOfWork, collect
from tests.helpers import add_outbox


def unit(uow) -> tuple[UnitOfWork, list]:
    """A unit of work on the test's database whose publish records what it gets."""
    published: list = []
    return UnitOfWork(uow.engine, publish=published.extend), published


def test_a_committed_row_is_published_once(uow):
    work, published = unit(uow)
    now = datetime.now(timezone.utc)
    with work() as session:
        row = add_outbox(session, "uow:1", "sms", "+18165550123", "Hello", now, now)
        assert published == []  # not before the commit
        session.commit()
        session.commit()  # nothing new: nothing more
    assert [p.row_id for p in published if isinstance(p, Planned)] == [row.id]


def test_a_rolled_back_transaction_publishes_nothing(uow):
    work, published = unit(uow)
    now = datetime.now(timezone.utc)
    with work() as session:
        add_outbox(session, "uow:2", "sms", "+18165550123", "Hello", now, now)
    with work() as session:  # rolled back by default: nothing was left collected for the next one
        session.commit()
    assert published == []


def test_a_savepoint_rolled_back_keeps_the_rest_of_the_transaction(uow):
    work, published = unit(uow)
    with work() as session:
        collect(session, "first")
        with session.begin_nested():
            collect(session, "inside")
        nested = session.begin_nested()
        nested.rollback()
        session.commit()
    assert published == ["first", "inside"]


def test_a_held_row_is_not_published(uow):
    work, published = unit(uow)
    now = datetime.now(timezone.utc)
    with work() as session:
        held = outbox.row(
            "uow:held", outbox.OutboxKind.RELAY, outbox.Recipient(None, None, "sms", "+18165550123", "en"), (), now, now
        )
        held["status"] = outbox.HELD
        assert len(outbox.insert_new(session, [held])) == 1
        session.commit()
    assert published == []


def test_the_process_publisher_queues_the_send_job(uow, runtime):
    now = datetime.now(timezone.utc)
    with uow() as session:
        row = add_outbox(session, "uow:3", "sms", "+18165550123", "Hello", now, now)
        key = f"outbox-{row.id}-0"
        assert runtime.queue.live({key}, now) == set()
        session.commit()
    assert runtime.queue.live({key}, now) == {key}
