"""Parity: one conversation script, run over SMS and over Telegram, leaves equal stored outcomes.

Each step is what the learner does; on Telegram a step marked ``tap`` is a button tap on the bot's
last keyboard, and the bot's commands (``/start KC42``, ``/help``, ``/stop``) stand for the keywords.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.domain import outbox
from bot.domain.planning import reminders
from bot.outbound import jobs
from bot.store.models import Address, Contact, Enrollment, Meeting, Message, Outbox, Rsvp
from flows import asked
from tests.helpers import make_circle, post_signed, sms
from tests.telegram_helpers import answer, message_update, tap_update, telegram_app

PHONE, CHAT = "+18165550123", 5512345678

# (sms text, telegram text or None for the same, tap on Telegram)
SCRIPT = [
    ("JOIN KC42", "/start KC42", False),
    ("Amina", None, False),
    ("2", None, True),  # Español, from the language menu
    ("<reminder>", None, False),
    ("1", None, True),  # yes, coming
    ("no", None, False),  # changed their mind, typed
    ("AYUDA", "/help", False),
    ("Tengo un problema con el correo", None, False),  # relayed to the facilitator
    ("IDIOMA", "/language", False),
    ("3", None, True),  # Français
    ("STOP", "/stop", False),
    ("HELP", "/help", False),  # opted out: only the stopped help
]


@pytest.fixture
def tg(backend, tmp_path):
    with telegram_app(backend, tmp_path) as (app, api):
        yield app.test_client(), app.extensions["circlebot"], api


def send_reminders(rt) -> None:
    with rt.uow() as session:
        starts = session.scalar(select(func.min(Meeting.starts_at)))
        planned = reminders.plan(session, rt.settings, starts - timedelta(hours=24))
        for p in planned:
            session.get(Outbox, p.row_id).send_after = starts - timedelta(days=30)
        session.commit()
    assert len(planned) == 2
    for p in planned:
        assert jobs.send_outbox(p.row_id) == outbox.SENT


def outcome(rt, channel: str, value: str) -> dict:
    """What the script left for one learner, with nothing channel-specific in it."""
    with rt.uow() as session:
        address = session.scalar(select(Address).where(Address.channel == channel, Address.value == value))
        contact = session.get(Contact, address.contact_id)
        inbound = session.scalars(
            select(Message.replies).where(Message.direction == "in", Message.address == value).order_by(Message.id)
        ).all()
        return {
            "name": contact.name,
            "language": contact.language,
            "enrollment": session.scalars(select(Enrollment.status).where(Enrollment.contact_id == contact.id)).all(),
            "rsvp": session.scalars(select(Rsvp.answer).where(Rsvp.contact_id == contact.id)).all(),
            "opted_out": address.opted_out_at is not None,
            "consented": address.consent_at is not None,
            "relays": session.scalar(
                select(func.count())
                .select_from(Outbox)
                .where(Outbox.kind == "relay", Outbox.about_contact_id == contact.id)
            ),
            "reply_keys": [[r["key"] for r in (stored or {}).get("replies", [])] for stored in inbound],
            "reply_language": [(stored or {}).get("language") for stored in inbound],
        }


def test_one_script_over_sms_and_telegram_leaves_equal_outcomes(tg):
    client, rt, api = tg
    make_circle(rt.uow)
    keyboard: list[str] = []  # the callback data of the last keyboard Telegram showed
    for sms_text, tg_text, tap in SCRIPT:
        if sms_text == "<reminder>":
            send_reminders(rt)
            sent = api.of("sendMessage")[-1]
            keyboard = [b["callback_data"] for row in sent["reply_markup"]["inline_keyboard"] for b in row]
            continue
        assert post_signed(client, "/twilio/sms", sms(sms_text, PHONE)).status_code == 200
        said = tg_text or sms_text
        if tap:  # the button whose value is the text (its callback data also names its question: flows.asked)
            values = {asked.split(data)[1]: data for data in keyboard}
            assert said in values, (said, keyboard)
        data = values[said] if tap else said
        update = tap_update(data, message_id=7000 + len(api.calls)) if tap else message_update(said, lang=None)
        got = answer(client, update)
        keyboard = [b["callback_data"] for row in got.get("reply_markup", {}).get("inline_keyboard", []) for b in row]
    sms_side, tg_side = outcome(rt, "sms", PHONE), outcome(rt, "telegram", str(CHAT))
    assert sms_side == tg_side
    assert sms_side["enrollment"] == ["active"] and sms_side["rsvp"] == ["no"] and sms_side["opted_out"]
    assert sms_side["language"] == "fr" and sms_side["relays"] == 1
    assert len(sms_side["reply_keys"]) == len(SCRIPT) - 1 and all(sms_side["reply_keys"][:-1])
