"""Turning a Telegram update into the ``Inbound`` an SMS would be (parsed with PTB's ``Update.de_json``).

- A private chat's text is the text. The bot's commands become the keywords they stand for
  (``/stop`` is STOP, ``/help`` HELP…; ``/circles`` is CIRCLES for a facilitator, HELP for a
  learner); ``/start KC42`` (a ``t.me/<bot>?start=KC42`` deep link) stays as it is, a join trigger;
  a bare ``/start`` asks for HELP.
- A button tap (``callback_query``) is the choice's value, exactly as if it had been typed, with the
  topic of the question its keyboard asked (``Inbound.asked``, from ``<topic>|<value>``). Its
  provider id names the keyboard's message, not the update: a second tap on the same keyboard is
  a replay of the first and changes nothing.
- A sticker, photo or any message without text gets a polite "text only"; an edited message, a group
  chat, a channel post or an update type we did not ask for gets nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from flows import asked, commands, languages
from flows.inbound import TELEGRAM, Inbound
from webhooks.text import clean_text

log = logging.getLogger(__name__)
# Telegram usernames: 5 to 32 letters, digits and underscores, starting with a letter.
USERNAME = re.compile(r"[a-z][a-z0-9_]{4,31}")
_KIND = re.compile(r"[a-z_]{1,32}")  # an update type as Telegram names them
IGNORE, TEXT_ONLY, INBOUND, TAP_GONE = "ignore", "text_only", "inbound", "tap_gone"


@dataclass(frozen=True)
class Event:
    """What an update asks of the webhook.

    Attributes:
        kind: ``inbound`` (run the flows), ``text_only`` (a polite reply), ``tap_gone`` (a tap on a message
            the bot can no longer see: answer the tap only) or ``ignore``.
        inbound: the message for the service when ``kind`` is ``inbound``.
        chat_id: the private chat to answer in.
        callback_id: the tap to answer (``answerCallbackQuery``).
        keyboard_message_id: the message whose keyboard the tap used (edited away afterwards).
        language: the Telegram user's language, when it is a shipped one.
    """

    kind: str
    inbound: Inbound | None = None
    chat_id: int | None = None
    callback_id: str | None = None
    keyboard_message_id: int | None = None
    language: str | None = None


def update_kind(data: dict) -> str:
    """The update's type (``message``, ``callback_query``…): its first field besides ``update_id``."""
    for key in data:
        if key != "update_id" and isinstance(key, str) and _KIND.fullmatch(key):
            return key
    return "unknown"


def parse(data, now: datetime) -> Event:
    """Reads a decoded JSON body; anything unreadable is ``ignore``, never an exception."""
    from telegram import Update

    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        return Event(IGNORE)
    try:
        update = Update.de_json(data, None)
    except Exception as exc:  # PTB raises KeyError/TypeError/ValueError on malformed objects
        # WARNING, with what lets an operator find it (its id and kind), never what the person wrote.
        log.warning(
            "telegram update %s (%s) could not be read and was dropped: %s",
            data["update_id"],
            update_kind(data),
            exc.__class__.__name__,
        )
        return Event(IGNORE)
    if update.callback_query is not None:
        return _tap(update, now)
    message = update.message
    if message is None or message.chat is None or message.chat.type != "private" or not _is_id(message.chat.id):
        return Event(IGNORE)
    lang = shipped_language(getattr(message.from_user, "language_code", None))
    if not isinstance(message.text, str):
        return Event(TEXT_ONLY, chat_id=message.chat.id, language=lang)
    inbound = Inbound(
        channel=TELEGRAM,
        address=str(message.chat.id),
        text=command_text(clean_text(message.text)),
        provider_id=f"tg-{update.update_id}",
        received_at=now,
        language=lang,
        username=username(message.from_user),
    )
    return Event(INBOUND, inbound, message.chat.id, language=lang)


def _tap(update, now: datetime) -> Event:
    query = update.callback_query
    if not isinstance(query.id, str) or not query.id:
        return Event(IGNORE)  # no tap to answer
    lang = shipped_language(getattr(query.from_user, "language_code", None))
    message = query.message
    chat = getattr(message, "chat", None)
    if (
        chat is None
        or chat.type != "private"
        or not _is_id(chat.id)
        or not _is_id(message.message_id)
        or not isinstance(query.data, str)
        or not query.data
    ):
        return Event(TAP_GONE, callback_id=query.id, language=lang)
    topic, data = asked.split(clean_text(query.data))
    value = data.rsplit(":", 1)[-1]
    inbound = Inbound(
        channel=TELEGRAM,
        address=str(chat.id),
        text=value,
        asked=topic,
        provider_id=f"tg-cb-{chat.id}-{message.message_id}"[:64],
        received_at=now,
        language=lang,
        username=username(query.from_user),
    )
    return Event(INBOUND, inbound, chat.id, query.id, message.message_id, lang)


def _is_id(value) -> bool:
    """A Telegram id is an integer: PTB builds its objects without checking the JSON's types."""
    return isinstance(value, int) and not isinstance(value, bool)


def command_text(text: str) -> str:
    """A bot command as the keyword it stands for; ``/start CODE`` and any other text unchanged."""
    parts = text.split(None, 1)
    if not parts or not parts[0].startswith("/"):
        return text
    command = parts[0].split("@", 1)[0].lower()
    if command == commands.START and len(parts) == 2:
        return f"{commands.START} {parts[1].strip()}"
    word = commands.telegram_word(command)  # flows/commands.py; /circles stays as typed for the router
    if word is None:
        return text
    return f"{word} {parts[1]}" if len(parts) == 2 else word


def username(user) -> str | None:
    """The sender's public username, lower-case without ``@`` (None when they have none or it is not one)."""
    name = (getattr(user, "username", None) or "").strip().lstrip("@").lower()
    return name if USERNAME.fullmatch(name) else None


def shipped_language(code: str | None) -> str | None:
    """``pt-br`` → ``pt``; None when the language is not shipped."""
    if not code or not isinstance(code, str):
        return None
    short = code.split("-", 1)[0].lower()
    return short if short in languages.SHIPPED else None
