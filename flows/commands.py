"""The commands a channel offers besides typed words, in one table: Telegram's ``/commands`` and the
keys pressed on a call the bot placed.

Each stands for a keyword of ``flows.keywords`` and reaches the flows as that keyword's English word,
exactly as if it had been typed (English words are recognised in every language)::

    /help, a bare /start ──▶ HELP       /stop ──▶ STOP       /language ──▶ LANGUAGE       /link ──▶ LINK
    /circles ──▶ CIRCLES from a facilitator, HELP from a learner (the router knows which; the webhook does not)
    /start KC42 (a t.me deep link) ──▶ stays as it is: a JOIN trigger (``keywords.join_trigger``)
    * on a call the bot placed ──▶ STOP      any key on a free-text question (a phone cannot answer it) ──▶ SKIP

Who reads it: ``webhooks/telegram_update.py`` (a command as its word), ``bot/cli/telegram.py`` (the menu
``set-webhook`` registers), ``webhooks/twilio_voice.py`` (the keys) and ``flows.router`` (``/circles``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flows import facilitator_words, keys, keywords, languages
from flows.inbound import TELEGRAM, VOICE

START = "/start"  # Telegram's deep link: with a code after it, a JOIN trigger; bare, HELP
STOP_KEY = "*"  # on every call the bot places, * stops the calls (the first call says so)
ANY_KEY = "any"  # any key, on a question that needs words: it is skipped on the phone


@dataclass(frozen=True)
class Command:
    """One command of a channel.

    Attributes:
        channel: ``telegram`` (a ``/command``) or ``voice`` (a key pressed on a call the bot placed).
        name: the command as sent: ``/help``, ``*``, or ``ANY_KEY``.
        keyword: the keyword it stands for (``keywords.HELP``…).
        menu: Telegram: the message key of its line in the bot's command menu; None when not listed.
        learner: the keyword it stands for when the sender is no facilitator, where that differs.
    """

    channel: str
    name: str
    keyword: str
    menu: str | None = None
    learner: str | None = None


COMMANDS: tuple[Command, ...] = (
    Command(TELEGRAM, "/help", keywords.HELP, keys.TG_COMMAND_HELP),
    Command(TELEGRAM, "/stop", keywords.STOP, keys.TG_COMMAND_STOP),
    Command(TELEGRAM, "/language", keywords.LANGUAGE, keys.TG_COMMAND_LANGUAGE),
    Command(TELEGRAM, "/circles", facilitator_words.CIRCLES, keys.TG_COMMAND_CIRCLES, learner=keywords.HELP),
    Command(TELEGRAM, "/link", keywords.LINK),
    Command(TELEGRAM, START, keywords.HELP),
    Command(VOICE, STOP_KEY, keywords.STOP),
    Command(VOICE, ANY_KEY, keywords.SKIP),
)

_TABLES: tuple[keywords.WordTable, ...] = (keywords.KEYWORDS, keywords.COMMANDS, facilitator_words.FACILITATOR_COMMANDS)


def word(keyword: str) -> str:
    """The English word of ``keyword`` (``keywords.STOP`` → ``STOP``): what a command is read as."""
    for table in _TABLES:
        if keyword in table:
            return table[keyword][languages.DEFAULT][0]
    raise KeyError(keyword)


def _find(channel: str, name: str) -> Command | None:
    return next((c for c in COMMANDS if c.channel == channel and c.name == name), None)


def telegram_word(name: str) -> str | None:
    """The word a Telegram command (``/stop``, lower-case, without ``@bot``) stands for; None for one that is not
    ours, or that stands for a word only the router can choose (``/circles``): the text stays as typed."""
    command = _find(TELEGRAM, name)
    return word(command.keyword) if command is not None and command.learner is None else None


def for_sender(text: str, facilitator: bool) -> str | None:
    """The word of a Telegram command left as typed because it depends on the sender (``/circles``), or None."""
    command = _find(TELEGRAM, text.strip().lower())
    if command is None or command.learner is None:
        return None
    return word(command.keyword if facilitator else command.learner)


def telegram_menu() -> tuple[tuple[str, str], ...]:
    """The bot's command menu: (command without its ``/``, the message key of its description), in order."""
    return tuple((c.name.lstrip("/"), c.menu) for c in COMMANDS if c.channel == TELEGRAM and c.menu is not None)


def keypad_word(key: str) -> str:
    """The word a key on a call the bot placed stands for (``STOP_KEY`` → ``STOP``, ``ANY_KEY`` → ``SKIP``)."""
    command = _find(VOICE, key)
    if command is None:
        raise KeyError(key)
    return word(command.keyword)
