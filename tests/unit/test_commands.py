"""The one table of channel commands (flows/commands.py): Telegram's /commands and a call's keys."""

from __future__ import annotations

import pytest

from flows import commands, facilitator_words, keys, keywords


@pytest.mark.parametrize(
    "name,word",
    [
        ("/help", "HELP"),
        ("/stop", "STOP"),
        ("/language", "LANGUAGE"),
        ("/link", "LINK"),
        ("/start", "HELP"),
        ("/circles", None),  # the router decides: CIRCLES for a facilitator, HELP for a learner
        ("/unknown", None),
        ("help", None),
    ],
)
def test_a_telegram_command_is_its_word(name, word):
    assert commands.telegram_word(name) == word


@pytest.mark.parametrize(
    "text,facilitator,word",
    [
        ("/circles", True, "CIRCLES"),
        ("/circles", False, "HELP"),
        (" /CIRCLES ", True, "CIRCLES"),
        ("/help", True, None),
        ("/circles KC42", True, None),
        ("CIRCLES", True, None),
    ],
)
def test_a_command_that_depends_on_the_sender(text, facilitator, word):
    assert commands.for_sender(text, facilitator) == word


def test_the_telegram_menu_in_order():
    assert commands.telegram_menu() == (
        ("help", keys.TG_COMMAND_HELP),
        ("stop", keys.TG_COMMAND_STOP),
        ("language", keys.TG_COMMAND_LANGUAGE),
        ("circles", keys.TG_COMMAND_CIRCLES),
    )


@pytest.mark.parametrize("key,word", [(commands.STOP_KEY, "STOP"), (commands.ANY_KEY, "SKIP")])
def test_a_key_on_a_call_is_its_word(key, word):
    assert commands.keypad_word(key) == word


def test_every_command_reads_as_a_word_its_keyword_table_knows():
    for command in commands.COMMANDS:
        for keyword in filter(None, (command.keyword, command.learner)):
            word = commands.word(keyword)
            found = keywords.match(word) or keywords.command(word, keywords.COMMANDS)
            found = found or keywords.command(word, facilitator_words.FACILITATOR_COMMANDS)
            assert found is not None and found[0] == keyword, command


def test_every_menu_line_has_a_message_key():
    assert {c.menu for c in commands.COMMANDS if c.menu is not None} <= set(keys.ALL)
