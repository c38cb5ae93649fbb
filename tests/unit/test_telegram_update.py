"""Telegram updates to ``Inbound``: the real PTB ``Update.de_json`` on the sample payloads, no database."""

from __future__ import annotations

import copy
import logging
from datetime import datetime, timezone

import pytest

from tests.helpers import payload
from webhooks.telegram_update import IGNORE, INBOUND, TAP_GONE, TEXT_ONLY, command_text, parse, shipped_language

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


def test_start_deep_link_is_a_join_trigger_with_the_app_language():
    event = parse(payload("telegram-start.json"), NOW)
    assert event.kind == INBOUND and event.chat_id == 5512345678 and event.language == "sw"
    assert event.inbound.text == "/start KC42" and event.inbound.provider_id == "tg-804512001"
    assert event.inbound.channel == "telegram" and event.inbound.address == "5512345678"


def test_a_tap_is_the_value_and_names_its_keyboard_message():
    event = parse(payload("telegram-callback.json"), NOW)
    assert event.kind == INBOUND and event.inbound.text == "yes"  # "rsvp:yes": the value after the last colon
    assert event.inbound.provider_id == "tg-cb-5512345678-19" and event.keyboard_message_id == 19
    assert event.callback_id == "2360479118466245378"


def test_a_tap_on_a_message_the_bot_cannot_see_is_only_answered():
    update = copy.deepcopy(payload("telegram-callback.json"))
    del update["callback_query"]["message"]
    assert parse(update, NOW).kind == TAP_GONE


@pytest.mark.parametrize(
    "typed,meant",
    [
        ("/stop", "STOP"),
        ("/help", "HELP"),
        ("/language", "LANGUAGE"),
        ("/circles", "/circles"),
        ("/start", "HELP"),
        ("/STOP@circle_bot", "STOP"),
        ("/start KC42", "/start KC42"),
        ("/link", "LINK"),
        ("/unknown x", "/unknown x"),
        ("Hello /stop", "Hello /stop"),
        ("STOP", "STOP"),
    ],
)
def test_bot_commands_are_keywords(typed, meant):
    assert command_text(typed) == meant


def test_no_text_is_text_only_and_groups_are_ignored():
    sticker = copy.deepcopy(payload("telegram-text.json"))
    del sticker["message"]["text"]
    assert parse(sticker, NOW).kind == TEXT_ONLY
    group = copy.deepcopy(payload("telegram-text.json"))
    group["message"]["chat"] = {"id": -1001, "type": "group", "title": "x"}
    assert parse(group, NOW).kind == IGNORE
    for junk in (None, [], "x", {"update_id": "1"}, {"update_id": 1, "message": {"chat": 5}}):
        assert parse(junk, NOW).kind == IGNORE


@pytest.mark.parametrize("code,lang", [("pt-br", "pt"), ("sw", "sw"), ("de", None), (None, None), ("EN-us", "en")])
def test_app_language_counts_only_when_shipped(code, lang):
    assert shipped_language(code) == lang


@pytest.mark.parametrize(
    "given,kept",
    [
        ("KC_Librarian", "kc_librarian"),
        (None, None),
        ("abc", None),
        ("1abcdef", None),
        ("x" * 33, None),
    ],
)
def test_the_sender_s_username_comes_along_lower_case(given, kept):
    for name, path in (
        ("telegram-text.json", ("message", "from")),
        ("telegram-callback.json", ("callback_query", "from")),
    ):
        update = copy.deepcopy(payload(name))
        sender = update[path[0]][path[1]]
        sender.pop("username", None)
        if given is not None:
            sender["username"] = given
        assert parse(update, NOW).inbound.username == kept


def test_an_update_that_cannot_be_built_is_a_warning_with_its_id_and_type_never_its_text(caplog):
    """Issue 22 (16): it was an INFO line with neither the update id nor its type."""
    broken = {
        "update_id": 987654,
        "message": {"text": "my secret words", "date": 1, "chat": {"id": 7, "type": "private"}},
    }
    with caplog.at_level(logging.INFO, logger="webhooks.telegram_update"):
        assert parse(broken, NOW).kind == IGNORE
    [record] = [r for r in caplog.records if r.name == "webhooks.telegram_update"]
    assert record.levelno == logging.WARNING
    assert "987654" in record.getMessage() and "message" in record.getMessage()
    assert "secret" not in record.getMessage()
