"""Africa's Talking takes no inline answer: the answer is written to the outbox with the message, before
what the message itself plans, and an erasure's confirmation is sent at once and kept nowhere. Both backends.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, or_, select

from bot.domain import outbox
from bot.store.models import Address, Message, Outbox
from flows import keys
from tests.e2e.test_africastalking import AMINA, KEY, callback, deliver, kenya, said, texts  # noqa: F401 - a fixture

NUMBER_TAIL = AMINA[-4:]
CONFIRM = "FUTA NDIYO"  # FORGET YES, as the Swahili question asks for it


def joined(client, rt, at) -> list[str]:
    """Amina joins NBO1 in Swahili on the meeting's day, after its reminder's time; what she got for "6"."""
    texts(client, rt, at, "JIUNGE NBO1"), texts(client, rt, at, "Amina")
    return texts(client, rt, at, "6")


def test_a_late_joiners_welcome_goes_before_the_reminder_her_join_planned(kenya):
    app, rt, _, at = kenya
    got = joined(app.test_client(), rt, at)
    assert len(got) == 2, got
    assert got[0].startswith("Umejiunga") and "Kompyuta kwa Wote" in got[0], got
    assert "Utakuja?" in got[1], got  # the reminder: she joined after its time, so it went at once
    with rt.uow() as session:
        order = session.execute(
            select(Outbox.kind)
            .where(Outbox.address == AMINA, Outbox.kind.in_(("reply", "reminder")))
            .order_by(Outbox.id)
        ).scalars()
        assert list(order)[-2:] == ["reply", "reminder"]  # written in the message's transaction, before it


def test_the_answer_is_written_with_the_message_and_once_for_a_replayed_callback(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    form = callback(AMINA, "JIUNGE NBO1", "ATXid_once")
    for _ in range(2):
        assert client.post(f"/africastalking/sms?key={KEY}", data=form).status_code == 200
        with rt.uow() as session:
            (row,) = session.scalars(select(Outbox).where(Outbox.kind == outbox.OutboxKind.REPLY)).all()
            assert row.dedupe_key == "reply:sms:at-ATXid_once" and row.address == AMINA
    deliver(rt)
    assert [m["message"] for m in at.sent_to(AMINA)] == [said(keys.SIGNUP_ASK_NAME, circle="Kompyuta kwa Wote")]


def erase(client, rt, at) -> list[str]:
    """FORGET, then its confirmation (in Swahili: FUTA NDIYO); what she got for the confirmation."""
    asked = texts(client, rt, at, "FORGET")
    assert len(asked) == 1 and asked[0].endswith(f"{CONFIRM}."), asked
    before = len(at.sent_to(AMINA))
    response = client.post(f"/africastalking/sms?key={KEY}", data=callback(AMINA, CONFIRM, "ATXid_erase"))
    assert response.status_code == 200 and response.get_data() == b""
    deliver(rt)
    return [m["message"] for m in at.sent_to(AMINA)[before:]]


def left_of_her(rt) -> int:
    """Rows that still hold her number anywhere the bot keeps one."""
    with rt.uow() as session:
        return sum(
            session.scalar(select(func.count()).select_from(model).where(where))
            for model, where in (
                (Address, Address.value == AMINA),
                (Outbox, or_(Outbox.address == AMINA, Outbox.body.contains(NUMBER_TAIL))),
                (Message, or_(Message.address == AMINA, Message.body.contains(NUMBER_TAIL))),
            )
        )


def test_forget_is_confirmed_through_africastalking_and_the_number_is_kept_nowhere(kenya):
    app, rt, _, at = kenya
    client = app.test_client()
    joined(client, rt, at)
    assert erase(client, rt, at) == [said(keys.FORGET_DONE)]
    assert left_of_her(rt) == 0
    # The same callback again: a replay, nothing sent again.
    assert (
        client.post(f"/africastalking/sms?key={KEY}", data=callback(AMINA, CONFIRM, "ATXid_erase")).status_code == 200
    )
    deliver(rt)
    assert at.sent_to(AMINA)[-1]["message"] == said(keys.FORGET_DONE)
    assert [m["message"] for m in at.sent_to(AMINA)].count(said(keys.FORGET_DONE)) == 1


def test_a_confirmation_africastalking_refuses_is_logged_masked_and_the_erasure_stands(kenya, caplog):
    app, rt, _, at = kenya
    client = app.test_client()
    joined(client, rt, at)
    texts(client, rt, at, "FORGET")
    at.fail_with(500)  # its messaging API fails once
    with caplog.at_level(logging.WARNING, logger="webhooks.africastalking"):
        response = client.post(f"/africastalking/sms?key={KEY}", data=callback(AMINA, CONFIRM, "ATXid_erase"))
    assert response.status_code == 200
    assert left_of_her(rt) == 0
    logged = [r.getMessage() for r in caplog.records if r.name == "webhooks.africastalking"]
    assert len(logged) == 1 and "not sent" in logged[0] and AMINA not in logged[0] and NUMBER_TAIL in logged[0]
