"""LINK end to end: SMS joins, Telegram links, reminders go to the preferred address, STOP stays per address."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain import outbox
from bot.domain.planning import reminders
from bot.outbound import jobs
from bot.store.models import Address, Contact, Meeting, Message, Outbox
from tests.helpers import make_circle, text
from tests.telegram_helpers import CHAT, answer, message_update, tap_update, telegram_app

PHONE = "+18165550123"


@pytest.fixture
def tg(backend, tmp_path):
    with telegram_app(backend, tmp_path) as (app, api):
        yield app.test_client(), app.extensions["circlebot"], api


def join_by_sms(client) -> None:
    text(client, "JOIN KC42", PHONE), text(client, "Amina", PHONE), text(client, "1", PHONE)


def link_code(client) -> str:
    said = text(client, "LINK", PHONE)[0]
    assert "10 minutes" in said
    return re.search(r"\b(\d{6})\b", said).group(1)


def reminder_for(rt, seq: int) -> Outbox:
    """Plans and sends meeting ``seq``'s reminder; returns its outbox row."""
    with rt.uow() as session:
        starts = session.scalars(select(Meeting.starts_at).order_by(Meeting.starts_at)).all()[seq - 1]
        planned = [p for p in reminders.plan(session, rt.settings, starts - timedelta(hours=24))]
        row = session.get(Outbox, planned[-1].row_id)
        row.send_after = starts - timedelta(days=30)
        session.commit()
        row_id = row.id
    jobs.send_outbox(row_id)
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        session.expunge(row)
        return row


def test_sms_joins_telegram_links_reminder_goes_to_preferred_and_stop_stays_per_address(tg):
    client, rt, api = tg
    make_circle(rt.uow)
    join_by_sms(client)
    code = link_code(client)
    linked = answer(client, message_update(code, lang="en"))
    assert linked["text"].startswith("Linked! Where should reminders go?")
    choices = {b["text"]: b["callback_data"] for row in linked["reply_markup"]["inline_keyboard"] for b in row}
    assert choices == {"1 Telegram": "1", "2 SMS": "2"}
    done = answer(client, tap_update("1", message_id=55))
    assert done["text"].startswith("Done! Reminders will go to Telegram.")
    with rt.uow() as session:
        owned = session.execute(
            select(Address.channel, Address.preferred, Address.contact_id).where(Address.value.in_([PHONE, str(CHAT)]))
        ).all()
        assert {(c, p) for c, p, _ in owned} == {("sms", False), ("telegram", True)}
        assert len({contact for _, _, contact in owned}) == 1
    first = reminder_for(rt, 1)
    assert first.status == outbox.SENT and first.channel == "telegram" and first.address == str(CHAT)
    assert api.of("sendMessage")[-1]["reply_markup"]["inline_keyboard"]  # RSVP buttons on Telegram
    answer(client, message_update("/stop", lang="en"))
    second = reminder_for(rt, 2)
    assert second.status == outbox.SENT and second.channel == "sms" and second.address == PHONE
    assert text(client, "HELP", PHONE)[0].startswith("Your circles")  # the SMS address still works
    with rt.uow() as session:
        tg_address = session.scalar(select(Address).where(Address.channel == "telegram"))
        sms_address = session.scalar(select(Address).where(Address.channel == "sms", Address.value == PHONE))
        assert tg_address.opted_out_at is not None and sms_address.opted_out_at is None


def test_a_code_works_once_for_ten_minutes_and_five_wrong_tries_lock(tg):
    client, rt, _ = tg
    make_circle(rt.uow)
    join_by_sms(client)
    code = link_code(client)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert answer(client, message_update(wrong, lang="en"))["text"].startswith("Sorry, that code is wrong")
    assert answer(client, message_update(code, lang="en"))["text"].startswith("Too many wrong codes")
    with rt.uow() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(Address)
                .where(
                    Address.channel == "telegram",
                    Address.contact_id
                    == select(Contact.id)
                    .join(Address, Address.contact_id == Contact.id)
                    .where(Address.value == PHONE)
                    .scalar_subquery(),
                )
            )
            == 0
        )
    other = 5599000001
    real = rt.clock
    later = real() + timedelta(minutes=11)
    rt.clock = lambda: later
    try:
        said = answer(client, message_update(code, chat=other, lang="en"))["text"]
    finally:
        rt.clock = real
    assert said.startswith("Sorry, that code is wrong")  # too old
    fresh = link_code(client)
    assert answer(client, message_update(fresh, chat=other, lang="en"))["text"].startswith("Linked!")
    assert answer(client, message_update(fresh, chat=other + 1, lang="en"))["text"].startswith("Sorry, that code")


def test_a_chat_already_in_a_circle_cannot_join_another_person(tg):
    client, rt, _ = tg
    make_circle(rt.uow)
    join_by_sms(client)
    answer(client, message_update("/start KC42", lang="en")), answer(client, message_update("Ben", lang="en"))
    answer(client, tap_update("1", message_id=77))
    code = link_code(client)
    assert answer(client, message_update(code, lang="en"))["text"].startswith("This chat is already in a circle")
    with rt.uow() as session:
        assert session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) > 0


def test_a_facilitator_links_telegram_and_gets_relays_there_and_uses_commands(tg):
    client, rt, api = tg
    make_circle(rt.uow)
    facilitator = "+18165550100"
    said = text(client, "LINK", facilitator)[0]
    code = re.search(r"\b(\d{6})\b", said).group(1)
    fac_chat = 5500000100
    assert answer(client, message_update(code, chat=fac_chat, lang="en"))["text"].startswith("Linked!")
    answer(client, tap_update("1", message_id=91, chat=fac_chat))  # reminders and relays to Telegram
    join_by_sms(client)
    text(client, "I cannot find the room", PHONE)  # relayed to the facilitator
    with rt.uow() as session:
        relay = session.scalar(select(Outbox).where(Outbox.kind == "relay"))
        relay.send_after = relay.created_at - timedelta(seconds=1)
        session.commit()
        relay_id = relay.id
    assert jobs.send_outbox(relay_id) == outbox.SENT
    sent = api.of("sendMessage")[-1]
    assert sent["chat_id"] == fac_chat and "I cannot find the room" in sent["text"] and "#1" in sent["text"]
    circles = answer(client, message_update("/circles", chat=fac_chat, lang="en"))
    assert "KC42" in circles["text"]
    assert answer(client, message_update("#1 Room 2, upstairs", chat=fac_chat, lang="en"))["method"] == "sendMessage"
    with rt.uow() as session:
        back = session.scalars(select(Outbox).where(Outbox.kind == "relay").order_by(Outbox.id)).all()[-1]
        assert back.channel == "sms" and back.address == PHONE
