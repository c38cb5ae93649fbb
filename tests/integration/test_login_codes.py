"""Issue 22 (10, 11): sign-in codes tell nobody which numbers are staff, cap the guesses per day, and are
never kept in clear (not in any outbox column, not in the logs), on both backends."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain import login, outbox
from bot.outbound import jobs
from bot.outbound.channels import SendError
from bot.render import codec
from bot.store.models import LoginGuard, Outbox
from tests.helpers import make_circle, twilio_runtime_for

SECRET = "test-secret-key-for-sessions"
STAFF, STRANGER = "+18165550100", "+18165550999"
BASE = datetime(2026, 12, 7, 15, 0, tzinfo=timezone.utc)


def _issue(uow, phone: str, now: datetime) -> str | None:
    """Asks for a code for ``phone`` at ``now``; the code texted, derived as the send job does, or None."""
    with uow() as db:
        planned = login.issue(db, SECRET, "phone", phone, "en", now)
        db.commit()
        if not planned:
            return None
        row = db.get(Outbox, planned[0].row_id)
        return login.reveal(SECRET, codec.load(row.replies))[0].params["code"]


def _check(uow, phone: str, code: str, now: datetime) -> str:
    with uow() as db:
        checked = login.check(db, SECRET, "phone", phone, code, now)
        db.commit()
        return checked.status


def test_the_daily_cap_on_wrong_codes_holds_across_windows_and_a_new_day_starts_afresh(uow):
    make_circle(uow, facilitator=STAFF)
    seen = {}
    for phone in (STAFF, STRANGER):
        statuses, good = [], None
        for window in range(login.DAILY_WRONG // login.MAX_TRIES + 1):  # a new code every 10 minutes
            now = BASE + timedelta(minutes=10 * window)
            good = _issue(uow, phone, now)
            wrong = f"{(int(good or '0') + 1) % 1000000:06d}"
            statuses += [_check(uow, phone, wrong, now + timedelta(seconds=s)) for s in range(login.MAX_TRIES)]
        statuses.append(_check(uow, phone, good or "123456", now + timedelta(minutes=1)))
        seen[phone] = statuses
        assert statuses[: login.MAX_TRIES] == [login.WRONG] * (login.MAX_TRIES - 1) + [login.LOCKED]
        assert statuses[login.DAILY_WRONG - 1 :] == [login.LOCKED_TODAY] * (len(statuses) - login.DAILY_WRONG + 1)
        assert good is None  # no more texts that day: the capped code could not be used anyway
    assert seen[STAFF] == seen[STRANGER]
    tomorrow = BASE + timedelta(days=1)
    code = _issue(uow, STAFF, tomorrow)
    assert code is not None and _check(uow, STAFF, code, tomorrow + timedelta(seconds=30)) == login.OK


def test_guards_of_addresses_nobody_typed_for_two_days_are_forgotten(uow):
    for phone, when in ((STAFF, BASE), (STRANGER, BASE + timedelta(days=2))):
        _check(uow, phone, "123456", when)
    with uow() as db:
        assert login.forget_stale(db, BASE + timedelta(days=2, minutes=1)) == 1
        db.commit()
        assert len(db.scalars(select(LoginGuard)).all()) == 1


def _columns(row: Outbox) -> str:
    return " ".join(str(getattr(row, column.key)) for column in Outbox.__table__.columns)


@pytest.fixture
def twilio_runtime(backend, tmp_path):
    extra = {"SECRET_KEY": SECRET, "TWILIO_TIMEOUT": "1", "OUTBOX_STUCK_AFTER": "1s"}
    with twilio_runtime_for(backend, tmp_path, **extra) as running:
        yield running


def _code_row(rt) -> int:
    make_circle(rt.uow, facilitator=STAFF)
    with rt.uow() as db:
        [planned] = login.issue(db, SECRET, "phone", STAFF, "en", datetime.now(timezone.utc))
        db.commit()
    return planned.row_id


def test_the_code_is_in_no_outbox_column_nor_log_before_between_or_after_retries(twilio_runtime, caplog):
    rt, standin = twilio_runtime
    caplog.set_level(logging.DEBUG)
    row_id = _code_row(rt)
    standin.fail_next(1, status=503)
    with pytest.raises(SendError):  # a 5xx: back to pending, RQ's Retry sends it again
        jobs.send_outbox(row_id)
    with rt.uow() as db:
        row = db.get(Outbox, row_id)
        row.send_after = datetime.now(timezone.utc)
        between = _columns(row)
        db.commit()
    assert jobs.send_outbox(row_id) == outbox.SENT
    [sent] = standin.messages
    code = next(word for word in sent["body"].split() if word.rstrip(".").isdigit()).rstrip(".")
    with rt.uow() as db:
        rows = db.scalars(select(Outbox)).all()
        after = " ".join(_columns(row) for row in rows)
        assert rows[0].body and login.MASK in rows[0].body
    for stored in (between, after):
        assert code not in stored
    assert code not in caplog.text
    with rt.uow() as db:  # the texted code is the one that signs in
        assert login.check(db, SECRET, "phone", STAFF, code, datetime.now(timezone.utc)).status == login.OK


def test_a_crashed_code_send_is_reconciled_from_the_derived_text_not_sent_twice(twilio_runtime):
    rt, standin = twilio_runtime
    row_id = _code_row(rt)
    standin.delay_next(1, 3)  # Twilio takes the text, its answer comes after our time-out
    assert jobs.send_outbox(row_id) == outbox.SENDING
    standin.wait_for(1, 5)
    jobs.sweep(datetime.now(timezone.utc) + timedelta(seconds=2))
    with rt.uow() as db:
        row = db.get(Outbox, row_id)
        assert row.status == outbox.SENT and row.provider_id == standin.messages[0]["sid"]
    assert len(standin.messages) == 1


def test_a_worker_with_another_secret_key_fails_the_row_instead_of_texting_a_useless_code(twilio_runtime):
    rt, standin = twilio_runtime
    make_circle(rt.uow, facilitator=STAFF)
    with rt.uow() as db:
        [planned] = login.issue(db, "another key", "phone", STAFF, "en", datetime.now(timezone.utc))
        db.commit()
    assert jobs.send_outbox(planned.row_id) == outbox.FAILED
    assert standin.messages == []
