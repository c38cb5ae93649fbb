"""Issue 22 (15): a failure Twilio reports is acted on by its class, on both backends.

Twilio's real status-callback payload (tests/fixtures/payloads/twilio-sms-status.json), signed with the
SDK's RequestValidator; send errors on create come from the local Twilio stand-in (tests/standin). On the
old code a 30006 was stored and ignored (the next texts still went to that number, nobody was told),
63018 was never retried, and a ``MessageStatus`` of ``huh`` was stored with a 204.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.domain import outbox, roster
from bot.outbound import jobs
from bot.outbound.channels import SendError
from bot.render import codec
from bot.store.models import Address, Circle, DeliveryEvent, Outbox
from flows import keys
from tests.e2e.test_facilitator_pages import add_learner, csrf, get, pages, post, sign_in  # noqa: F401 - the fixture
from tests.helpers import add_outbox, make_circle, payload, post_signed, text, twilio_runtime_for

FACILITATOR, LEARNER = "+18165550100", "+18165550124"  # the payload's failed message went to LEARNER


def _failed_callback(sid: str, code: str, status: str = "undelivered") -> dict:
    params = dict(payload("twilio-sms-status.json")[2])  # Twilio's own "undelivered" callback
    params.update({"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status, "ErrorCode": code})
    return params


def _sent_to_learner(uow, key: str, sid: str) -> int:
    """An outbox row to the learner that went out as ``sid``."""
    now = datetime.now(timezone.utc)
    with uow() as db:
        row = add_outbox(db, key, "sms", LEARNER, "See you Tuesday at the library.", now, now)
        row.address_id = db.scalar(select(Address.id).where(Address.value == LEARNER))
        row.status, row.provider_id, row.attempts, row.sent_at = outbox.SENT, sid, 1, now
        db.commit()
        return row.id


def _notices(uow) -> list[tuple[str, str]]:
    with uow() as db:
        rows = db.scalars(select(Outbox).where(Outbox.address == FACILITATOR).order_by(Outbox.id)).all()
        return [(row.address, codec.load(row.replies)[0].key) for row in rows if row.replies]


def _new_row_to_learner(uow, key: str) -> int:
    now = datetime.now(timezone.utc)
    with uow() as db:
        row = add_outbox(db, key, "sms", LEARNER, "Reminder: circle tomorrow.", now, now)
        row.address_id = db.scalar(select(Address.id).where(Address.value == LEARNER))
        db.commit()
        return row.id


def test_a_landline_is_marked_shown_told_once_and_texted_no_more_until_it_texts_in(client, pages, uow):  # noqa: F811
    make_circle(uow, facilitator=FACILITATOR)
    add_learner(uow, LEARNER, name="Amina")
    first = _sent_to_learner(uow, "notice:1", "SM" + "1" * 32)
    assert post_signed(client, "/twilio/status", _failed_callback("SM" + "1" * 32, "30006")).status_code == 204
    assert post_signed(client, "/twilio/status", _failed_callback("SM" + "1" * 32, "30006")).status_code == 204
    _sent_to_learner(uow, "notice:2", "SM" + "2" * 32)  # a second text fails too: still told once
    assert post_signed(client, "/twilio/status", _failed_callback("SM" + "2" * 32, "30006")).status_code == 204
    assert _notices(uow) == [(FACILITATOR, keys.FAC_TEXTS_FAIL_LANDLINE)]
    with uow() as db:
        notice = db.scalars(select(Outbox).where(Outbox.address == FACILITATOR)).one()
        said = jobs.rendering.render_row(db, notice, None).text
        assert "Amina" in said and "0124" in said and "ADD KC42" in said and LEARNER not in said
        address = db.scalars(select(Address).where(Address.value == LEARNER)).one()
        assert address.unreachable_at is not None and address.unreachable_code == "30006"
        assert db.get(Outbox, first).delivery_status == "undelivered"
        circle = db.scalars(select(Circle)).one()
        assert [row.texts_fail for row in roster.rows(db, circle)] == [True]
    sign_in(pages, uow, FACILITATOR)
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "Texts to this number fail. A landline? Switch to calls" in page

    assert jobs.send_outbox(_new_row_to_learner(uow, "reminder:x")) == outbox.CANCELLED
    text(client, "hello", sender=LEARNER)  # it texts in: texts reach it again
    with uow() as db:
        assert db.scalars(select(Address.unreachable_at).where(Address.value == LEARNER)).one() is None
    assert jobs.send_outbox(_new_row_to_learner(uow, "reminder:y")) == outbox.SENT


def test_the_roster_switches_a_learner_whose_texts_fail_to_reminder_calls(client, pages, uow):  # noqa: F811
    make_circle(uow, facilitator=FACILITATOR)
    add_learner(uow, LEARNER, name="Amina")
    sign_in(pages, uow, FACILITATOR)
    token = csrf(pages, "/facilitator/circles/KC42/roster")
    form = {"name": "Amina", "phone": LEARNER, "language": "en", "reach": "calls"}
    refused = post(pages, "/facilitator/circles/KC42/roster/add", form, token=token)
    assert refused.status_code == 400  # texts reach her: she is in the circle already
    _sent_to_learner(uow, "notice:1", "SM" + "5" * 32)
    assert post_signed(client, "/twilio/status", _failed_callback("SM" + "5" * 32, "30006")).status_code == 204
    assert post(pages, "/facilitator/circles/KC42/roster/add", form, token=token).status_code == 302
    with uow() as db:
        preferred = db.scalars(select(Address).where(Address.value == LEARNER, Address.preferred.is_(True))).one()
        assert preferred.channel == "voice"
        assert [row.texts_fail for row in roster.rows(db, db.scalars(select(Circle)).one())] == [False]
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "Texts to this number fail" not in page


def test_an_unreachable_handset_is_marked_and_the_facilitator_told_without_a_landline_hint(client, uow):
    make_circle(uow, facilitator=FACILITATOR)
    add_learner(uow, LEARNER)
    _sent_to_learner(uow, "notice:1", "SM" + "3" * 32)
    assert post_signed(client, "/twilio/status", _failed_callback("SM" + "3" * 32, "30003")).status_code == 204
    assert _notices(uow) == [(FACILITATOR, keys.FAC_TEXTS_FAIL)]
    assert jobs.send_outbox(_new_row_to_learner(uow, "reminder:x")) == outbox.CANCELLED


def test_a_transient_failure_is_sent_again_once_with_a_back_off(client, uow):
    make_circle(uow, facilitator=FACILITATOR)
    add_learner(uow, LEARNER)
    sid = "SM" + "4" * 32
    row_id = _sent_to_learner(uow, "notice:1", sid)
    for _ in range(2):  # the replay changes nothing
        assert post_signed(client, "/twilio/status", _failed_callback(sid, "63018", "failed")).status_code == 204
    with uow() as db:
        row = db.get(Outbox, row_id)
        assert row.status == outbox.PENDING and row.send_after > datetime.now(timezone.utc) + timedelta(seconds=30)
        assert row.delivery_status is None
        row.send_after = datetime.now(timezone.utc)
        db.commit()
    assert post_signed(client, "/twilio/status", _failed_callback(sid, "63018", "failed")).status_code == 204
    assert jobs.send_outbox(row_id) == outbox.SENT
    with uow() as db:
        row = db.get(Outbox, row_id)
        assert row.provider_id != sid and row.attempts == 2
        assert db.scalars(select(Address.unreachable_at).where(Address.value == LEARNER)).one() is None
    # A late callback for the first send cannot send it a third time.
    assert post_signed(client, "/twilio/status", _failed_callback(sid, "30001", "failed")).status_code == 204
    with uow() as db:
        assert db.get(Outbox, row_id).status == outbox.SENT
    assert _notices(uow) == []


def test_an_unknown_message_status_is_refused_not_stored(client, uow):
    params = dict(payload("twilio-sms-status.json")[0], MessageStatus="huh", SmsStatus="huh")
    assert post_signed(client, "/twilio/status", params).status_code == 400
    with uow() as db:
        assert db.scalar(select(func.count()).select_from(DeliveryEvent)) == 0


@pytest.fixture
def twilio_runtime(backend, tmp_path):
    with twilio_runtime_for(backend, tmp_path, TWILIO_TIMEOUT="1") as running:
        yield running


def test_a_landline_refused_on_create_is_marked_and_a_rate_limit_is_retried(twilio_runtime):
    rt, standin = twilio_runtime
    make_circle(rt.uow, facilitator=FACILITATOR)
    add_learner(rt.uow, LEARNER)
    limited = _new_row_to_learner(rt.uow, "notice:limited")
    standin.fail_next(1, status=400, code=63018, message="Rate limit exceeded")
    with pytest.raises(SendError):  # for RQ's Retry, as a 429 is
        jobs.send_outbox(limited)
    with rt.uow() as db:
        assert db.get(Outbox, limited).status == outbox.PENDING
    landline = _new_row_to_learner(rt.uow, "notice:landline")
    standin.fail_next(1, status=400, code=21614, message="'To' number is not a valid mobile number")
    assert jobs.send_outbox(landline) == outbox.FAILED
    with rt.uow() as db:
        assert db.scalars(select(Address.unreachable_code).where(Address.value == LEARNER)).one() == "21614"
        notices = db.scalars(select(Outbox).where(Outbox.address == FACILITATOR)).all()
        assert [codec.load(row.replies)[0].key for row in notices] == [keys.FAC_TEXTS_FAIL_LANDLINE]
        row = db.get(Outbox, limited)
        row.send_after = datetime.now(timezone.utc)
        db.commit()
    assert jobs.send_outbox(limited) == outbox.CANCELLED  # no more texts to a landline
    assert standin.messages == []
