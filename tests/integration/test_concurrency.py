"""Concurrent deliveries of one message, and concurrent joins for the last place."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

from sqlalchemy import func, select

from bot.inbound.service import handle_inbound
from bot.store.models import Enrollment, Message
from flows.inbound import Inbound
from tests.helpers import make_circle, said


def inbound(text, sender="+18165550123", sid="SMsame"):
    return Inbound("sms", sender, text, sid, datetime.now(timezone.utc))


def run_threads(targets):
    barrier = threading.Barrier(len(targets))
    results, errors = [None] * len(targets), []

    def wrap(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return results


def test_one_message_sid_delivered_five_times_at_once_is_stored_once(uow, runtime):
    make_circle(uow)
    results = run_threads([lambda: handle_inbound(uow, inbound("JOIN KC42"), runtime.settings) for _ in range(5)])
    assert len({tuple(said(r, "sms")) for r in results}) == 1
    assert sum(not r.replay for r in results) == 1
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 1


def test_last_place_goes_to_one_learner(uow, runtime):
    make_circle(uow, capacity=1)
    senders = [f"+1816555014{i}" for i in range(4)]
    for i, sender in enumerate(senders):
        handle_inbound(uow, inbound("JOIN KC42", sender, f"SMa{i}"), runtime.settings)
        handle_inbound(uow, inbound("Ann", sender, f"SMb{i}"), runtime.settings)
    run_threads(
        [
            lambda s=s, i=i: handle_inbound(uow, inbound("1", s, f"SMc{i}"), runtime.settings)
            for i, s in enumerate(senders)
        ]
    )
    with uow() as session:
        statuses = sorted(session.scalars(select(Enrollment.status)))
    assert statuses == ["active", "waitlist", "waitlist", "waitlist"]
