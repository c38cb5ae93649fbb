"""``POST /telegram`` end to end: real PTB classes, the Bot API stand-in, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.domain import outbox
from bot.domain.planning import reminders
from bot.outbound import jobs
from bot.store.models import Address, Contact, Enrollment, Message, Outbox, Rsvp
from tests.helpers import make_circle
from tests.telegram_helpers import CHAT, SECRET, answer, message_update, post, tap_update, telegram_app


@pytest.fixture
def tg(backend, tmp_path):
    """``(client, runtime, api)`` with Telegram on, talking to the stand-in."""
    with telegram_app(backend, tmp_path) as (app, api):
        yield app.test_client(), app.extensions["circlebot"], api


def count(uow, model, *where) -> int:
    with uow() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def buttons(method: dict) -> list[tuple[str, str]]:
    """The inline keyboard of a ``sendMessage`` as (text, callback_data) pairs."""
    rows = method.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def signup(client, chat=CHAT, lang="sw") -> list[dict]:
    """``/start KC42``, a name, and a tap on the language button; returns the three answers."""
    first = answer(client, message_update("/start KC42", chat, lang))
    second = answer(client, message_update("Amina Otieno", chat, lang))
    language = dict((label.split(" ", 1)[1], data) for label, data in buttons(second))["Kiswahili"]
    third = answer(client, tap_update(language, message_id=41, chat=chat))
    return [first, second, third]


def send_reminder(rt) -> int:
    """Plans the first meeting's reminder and runs the real send job; returns the outbox row id."""
    with rt.uow() as session:
        from bot.store.models import Meeting

        starts = session.scalar(select(func.min(Meeting.starts_at)))
        planned = reminders.plan(session, rt.settings, starts - timedelta(hours=24))
        session.get(Outbox, planned[0].row_id).send_after = starts - timedelta(days=30)  # due now
        session.commit()
    assert len(planned) == 1
    assert jobs.send_outbox(planned[0].row_id) == outbox.SENT
    return planned[0].row_id


def test_start_deep_link_signup_with_buttons(tg):
    client, rt, api = tg
    make_circle(rt.uow)
    first, second, third = signup(client)
    assert first["method"] == "sendMessage" and first["chat_id"] == CHAT
    assert first["text"].startswith("Karibu")  # language_code sw makes the first offer in Kiswahili
    assert "reply_markup" not in first
    assert len(buttons(second)) == 6 and buttons(second)[0] == ("1 English", "1")
    assert third["method"] == "sendMessage" and "Amina" in third["text"]
    assert api.of("answerCallbackQuery") and api.of("editMessageReplyMarkup") == [{"chat_id": CHAT, "message_id": 41}]
    with rt.uow() as session:
        address = session.scalar(select(Address).where(Address.channel == "telegram"))
        contact = session.get(Contact, address.contact_id)
        assert address.value == str(CHAT) and address.preferred and address.consent_source == "telegram"
        assert contact.language == "sw" and contact.name == "Amina Otieno"
        assert session.scalar(select(Enrollment.status).where(Enrollment.contact_id == contact.id)) == "active"


def test_reminder_keyboard_then_rsvp_by_tap_and_a_double_tap_records_one_answer(tg):
    client, rt, api = tg
    make_circle(rt.uow)
    signup(client)
    send_reminder(rt)
    sent = [p for p in api.of("sendMessage") if p.get("reply_markup")][-1]
    assert sent["chat_id"] == CHAT and "?" in sent["text"]
    keyboard = sent["reply_markup"]["inline_keyboard"]
    with rt.uow() as session:
        meeting_id = session.scalar(select(Outbox.meeting_id).where(Outbox.kind == "reminder"))
    # each button names its question, the meeting's reminder, and its answer (flows.asked, issue 22)
    assert [[b["callback_data"] for b in row] for row in keyboard] == [[f"r:{meeting_id}|1", f"r:{meeting_id}|2"]]
    message_id = 1000 + len(api.of("sendMessage")) - 1  # the stand-in numbers messages from 1000
    yes = answer(client, tap_update(f"r:{meeting_id}|1", message_id))
    assert yes["method"] == "sendMessage" and yes["chat_id"] == CHAT
    again = answer(client, tap_update(f"r:{meeting_id}|2", message_id))  # a second tap on the same keyboard
    assert again == {"method": "answerCallbackQuery", "callback_query_id": again["callback_query_id"]}
    with rt.uow() as session:
        assert session.scalars(select(Rsvp.answer)).all() == ["yes"]
    assert {"chat_id": CHAT, "message_id": message_id} in api.of("editMessageReplyMarkup")


def test_replayed_update_id_gets_the_same_answer_and_no_second_effect(tg):
    client, rt, api = tg
    make_circle(rt.uow)
    update = message_update("/start KC42")
    answers = [answer(client, update) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2] and answers[0]["text"].startswith("Karibu")
    assert count(rt.uow, Message, Message.direction == "in") == 1
    assert count(rt.uow, Address, Address.channel == "telegram") == 1


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
def test_wrong_or_missing_secret_gets_403_and_changes_nothing(tg, secret):
    client, rt, _ = tg
    make_circle(rt.uow)
    response = post(client, message_update("/start KC42"), secret=secret)
    assert response.status_code == 403
    assert count(rt.uow, Message) == 0 and count(rt.uow, Address, Address.channel == "telegram") == 0


def test_without_a_configured_secret_every_update_is_refused(client, uow):
    assert post(client, message_update("/start KC42")).status_code == 403


def test_sticker_photo_group_edited_and_unknown_updates_get_200(tg):
    client, rt, _ = tg
    make_circle(rt.uow)
    sticker = message_update("x")
    del sticker["message"]["text"]
    sticker["message"]["sticker"] = {
        "file_id": "f",
        "file_unique_id": "u",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    polite = answer(client, sticker)
    assert polite["method"] == "sendMessage" and polite["text"].startswith("Samahani")
    group = message_update("JOIN KC42")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "Circle"}
    assert answer(client, group) == {}
    edited = message_update("JOIN KC42")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = 1764633999
    assert answer(client, edited) == {}
    assert answer(client, {"update_id": 5, "poll": {"id": "1"}}) == {}
    for raw in (b"{not json", b"[]", b"null", json.dumps({"update_id": "x"}).encode()):
        response = client.post(
            "/telegram", data=raw, content_type="application/json", headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert response.status_code == 200
    assert count(rt.uow, Message) == 0


def test_bot_commands_are_the_keywords(tg):
    client, rt, _ = tg
    make_circle(rt.uow)
    signup(client)
    assert answer(client, message_update("/help"))["text"]
    assert answer(client, message_update("/circles"))["text"] == answer(client, message_update("/help"))["text"]
    with rt.uow() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "relay")) == 0
    stopped = answer(client, message_update("/stop"))
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at).where(Address.channel == "telegram")) is not None
    assert stopped["method"] == "sendMessage"


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "update_id",
                    "message",
                    "callback_query",
                    "chat",
                    "from",
                    "text",
                    "id",
                    "type",
                    "date",
                    "data",
                    "message_id",
                    "edited_message",
                    "entities",
                    "language_code",
                ]
            )
            | st.text(max_size=5),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSONISH, shaped=st.booleans())
def test_fuzzed_update_bodies_never_get_a_5xx(tg, body, shaped):
    client, _, _ = tg
    if shaped:  # a real update with one part replaced by noise
        update = message_update("hi")
        update["message"]["chat" if isinstance(body, dict) else "text"] = body
        body = update
    response = post(client, body)
    assert response.status_code == 200
