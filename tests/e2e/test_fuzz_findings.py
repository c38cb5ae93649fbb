"""Issue 12: what the fuzz found on the voice, conference and Telegram webhooks (and in the flows
behind them), each as a plain test. Before the fix each got a 5xx on some backend, or (Telegram,
which answers every update with a 200) an error logged with a traceback.

- ``str.isdigit()`` before ``int()``: ``²`` is a digit that ``int()`` refuses (500); a row id of 30
  digits is out of the INTEGER column's range (503 on PostgreSQL); 5,000 digits pass Python's limit.
- PTB builds a Telegram update without checking the JSON's types: a ``language_code`` that is a
  number crashed the parser, a ``chat.id`` that is a string became an address.
- An update over ``MAX_CONTENT_LENGTH`` raised inside the webhook and was logged as a failure.
- A conference ``Timestamp`` with no UTC equivalent (year 10000) failed to store: a 503.
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.store.models import Address, ConferenceEvent, Message
from tests.helpers import make_circle, payload, sign, text
from tests.telegram_helpers import SECRET, message_update, tap_update

ODD_NUMBERS = ["²", "١", "9" * 30, "9" * 5000]


@pytest.fixture
def app(backend, tmp_path):
    """The app with the Telegram webhook's secret (no bot token: nothing to call)."""
    from bot import create_app
    from tests.helpers import AUTH_TOKEN, BASE_URL

    app = create_app(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "REDIS_URL": backend["REDIS_URL"],
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "INSTANCE_PATH": str(tmp_path),
            "queue_name": backend["CIRCLEBOT_QUEUE"],
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
    )
    app.config["TESTING"] = True
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def post_voice(client, path: str, query: dict, form: dict):
    url = path + "?" + urlencode(query)
    return client.post(url, data=form, headers={"X-Twilio-Signature": sign(url, form)})


def call_form(**changes) -> dict:
    form = payload("twilio-voice-gather.json")
    form.update(changes)
    return form


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_odd_numbers_in_a_gather_url_start_the_step_again(client, uow, odd):
    make_circle(uow)
    response = post_voice(
        client,
        "/twilio/voice/gather",
        {"step": "code", "lang": "en", "tries": odd, "silences": odd},
        call_form(Digits="0000"),
    )
    assert response.status_code == 200
    assert ET.fromstring(response.get_data()).tag == "Response"


@pytest.mark.parametrize("path", ["/twilio/voice/answer", "/twilio/voice/keypad", "/twilio/voice/status"])
@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_odd_row_numbers_in_a_placed_calls_url_are_a_400(client, uow, path, odd):
    make_circle(uow)
    response = post_voice(client, path, {"row": odd, "n": odd}, call_form(CallStatus="no-answer", AnsweredBy="human"))
    assert response.status_code == 400


@pytest.mark.parametrize("odd", ODD_NUMBERS)
def test_an_odd_conference_sequence_number_is_stored_as_zero(client, uow, odd):
    event = {**payload("twilio-conference-events.json")[0], "SequenceNumber": odd}
    response = client.post(
        "/twilio/conference", data=event, headers={"X-Twilio-Signature": sign("/twilio/conference", event)}
    )
    assert response.status_code == 204
    with uow() as session:
        assert session.scalar(select(ConferenceEvent.sequence)) == 0


@pytest.mark.parametrize("odd", ["²", "¹", "9" * 4096])
def test_a_superscript_or_huge_number_in_reply_to_a_menu_is_answered(client, uow, odd):
    """A guard, not a finding: the menus read ``words()``, which NFKD-normalises ``²`` to ``2`` already."""
    make_circle(uow)
    text(client, "LANGUAGE")
    assert text(client, odd)  # a reply (the menu again, or the help), not a 500


def tg(client, update, raw: bytes | None = None):
    return client.post(
        "/telegram",
        data=raw if raw is not None else json.dumps(update),
        content_type="application/json",
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )


def failures(caplog):
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("language_code", [5, ["sw"], {"x": 1}, True])
def test_a_telegram_language_code_that_is_not_text_is_ignored(client, uow, caplog, language_code):
    make_circle(uow)
    update = message_update("/start KC42")
    update["message"]["from"]["language_code"] = language_code
    response = tg(client, update)
    assert response.status_code == 200 and response.get_json().get("method") == "sendMessage"
    assert not failures(caplog)


@pytest.mark.parametrize("chat_id", ["5512345678", 1.5, None, True, {"id": 1}])
def test_a_telegram_chat_id_that_is_not_a_number_is_ignored(client, uow, caplog, chat_id):
    update = message_update("HELP")
    update["message"]["chat"]["id"] = chat_id
    tap = tap_update("rsvp:yes", 19)
    tap["callback_query"]["message"]["chat"]["id"] = chat_id
    for body in (update, tap):
        response = tg(client, body)
        assert response.status_code == 200 and response.get_json().get("method") != "sendMessage"
    assert not failures(caplog)
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Address)) == 0
        assert session.scalar(select(func.count()).select_from(Message)) == 0


@pytest.mark.parametrize("field, value", [("text", 42), ("text", ["HELP"]), ("data", 1), ("id", 7)])
def test_telegram_text_or_tap_data_that_is_not_text_gets_no_inbound(client, uow, caplog, field, value):
    body = message_update("HELP") if field == "text" else tap_update("rsvp:yes", 19)
    (body["message"] if field == "text" else body["callback_query"])[field] = value
    response = tg(client, body)
    assert response.status_code == 200
    assert not failures(caplog)
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_an_oversized_telegram_update_is_answered_with_nothing_and_no_failure(client, caplog):
    update = message_update("x" * 300_000)
    response = tg(client, update)
    assert response.status_code == 200 and response.get_json() == {}
    assert not failures(caplog)


@pytest.mark.parametrize("stamp", ["Fri, 31 Dec 9999 23:59:59 -2359", "Fri, 31 Dec 9999 23:00:00 -0100"])
@pytest.mark.parametrize("event", ["participant-join", "conference-end"])
def test_a_conference_timestamp_past_the_last_utc_year_is_stored_as_received(client, uow, runtime, stamp, event):
    """In UTC these are in the year 10000: storing them was a 503 on both backends."""
    form = {**payload("twilio-conference-events.json")[0], "Timestamp": stamp, "StatusCallbackEvent": event}
    response = client.post(
        "/twilio/conference", data=form, headers={"X-Twilio-Signature": sign("/twilio/conference", form)}
    )
    assert response.status_code == 204
    with uow() as session:
        assert session.scalar(select(ConferenceEvent.at)).year < 9999
