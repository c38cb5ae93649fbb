"""The send job on the Telegram channel: the real PTB ``Bot`` against the Bot API stand-in."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.domain import outbox
from bot.outbound import jobs
from bot.outbound.channels import SendError
from bot.store.models import Address, Outbox
from flows import keys
from flows.results import Choice, Choices, Reply
from tests.helpers import add_contact
from tests.standin.telegram_api import blocked, chat_not_found, flood
from tests.telegram_helpers import CHAT, telegram_app

QUESTION = Reply(
    keys.CHECKIN_QUESTION,
    {"circle": "KC Basics", "seq": "2"},
    Choices((Choice("1", keys.LABEL_NOT_AT_ALL), Choice("2"), Choice("3", keys.LABEL_COMPLETELY)), "scale"),
)


@pytest.fixture
def tg(backend, tmp_path):
    with telegram_app(backend, tmp_path) as (app, api):
        yield app.extensions["circlebot"], api


def queue_row(rt, chat=CHAT, key="test:1", replies=(QUESTION,)) -> int:
    from bot.domain.outbox import Recipient

    now = datetime.now(timezone.utc)
    with rt.uow() as session:
        contact = add_contact(session, str(chat), now, channel="telegram", language="fr")
        address = session.scalar(select(Address).where(Address.contact_id == contact.id))
        to = Recipient(contact.id, address.id, "telegram", str(chat), "fr")
        planned = outbox.insert_new(session, [outbox.row(key, "notice", to, replies, now - timedelta(seconds=1), now)])
        session.commit()
        return planned[0].row_id


def test_stand_in_receives_exactly_what_the_bot_sends_for_a_keyboard(tg):
    rt, api = tg
    row_id = queue_row(rt)
    assert jobs.send_outbox(row_id) == outbox.SENT
    [sent] = api.of("sendMessage")
    assert sent["chat_id"] == CHAT and "KC Basics" in sent["text"]  # rendered in French at send time
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "1 · pas du tout", "callback_data": "1"},
                {"text": "2", "callback_data": "2"},
                {"text": "3 · complètement", "callback_data": "3"},
            ]
        ]
    }
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        assert row.provider_id == f"tg-{CHAT}-1000" and row.body == sent["text"]


def test_blocked_by_the_user_opts_that_address_out(tg):
    rt, api = tg
    row_id = queue_row(rt)
    api.fail_chat(CHAT, blocked())
    assert jobs.send_outbox(row_id) == outbox.FAILED
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at)) is not None
    second = queue_row_again(rt)
    assert jobs.send_outbox(second) == outbox.CANCELLED
    assert api.of("sendMessage") == []


def queue_row_again(rt) -> int:
    now = datetime.now(timezone.utc)
    with rt.uow() as session:
        address = session.scalar(select(Address))
        from bot.domain.outbox import Recipient

        to = Recipient(address.contact_id, address.id, "telegram", address.value, "fr")
        planned = outbox.insert_new(session, [outbox.row("test:2", "notice", to, (QUESTION,), now, now)])
        session.commit()
        return planned[0].row_id


def test_flood_429_waits_exactly_retry_after_then_sends(tg):
    rt, api = tg
    row_id = queue_row(rt)
    waited = []
    adapter = rt.channels.adapter("telegram")
    adapter.sleep = waited.append
    api.fail_chat(CHAT, flood(7), flood(3))
    assert jobs.send_outbox(row_id) == outbox.SENT
    assert waited == [7.0, 3.0] and len(api.of("sendMessage")) == 1


def test_flood_without_end_puts_the_row_back_for_a_retry(tg):
    rt, api = tg
    row_id = queue_row(rt)
    rt.channels.adapter("telegram").sleep = lambda seconds: None
    api.fail_chat(CHAT, *[flood(1)] * 4)
    with pytest.raises(SendError):  # a transient error: re-raised for RQ's Retry
        jobs.send_outbox(row_id)
    with rt.uow() as session:
        assert session.get(Outbox, row_id).status == outbox.PENDING


def test_chat_not_found_fails_the_row(tg):
    rt, api = tg
    row_id = queue_row(rt)
    api.fail_chat(CHAT, chat_not_found())
    assert jobs.send_outbox(row_id) == outbox.FAILED
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        assert "chat not found" in row.last_error.lower()
        assert session.scalar(select(Address.opted_out_at)) is None


def test_one_bridge_and_one_bot_per_process(tg):
    rt, _ = tg
    adapter = rt.channels.adapter("telegram")
    assert adapter.bridge is adapter.bridge and adapter.bridge.bot is adapter.bridge.bot


def test_pacing_keeps_one_message_a_second_per_chat_after_the_last_one_finished(tg):
    import time

    rt, _ = tg
    pacer = rt.channels.adapter("telegram").pacer
    with pacer.turn("777") as first:
        time.sleep(0.3)  # a slow send: the next turn counts from when it finished
    with pacer.turn("778") as other:
        pass
    finished = time.monotonic()
    with pacer.turn("777") as again:
        waited = time.monotonic() - finished
    assert first < 0.2 and other < 0.2 and 0.9 < waited < 1.3 and again >= waited - 0.01
