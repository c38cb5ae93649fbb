"""Telegram: the reply's text plus an inline keyboard, one button per choice.

A tap sends the choice's value back as callback data, which the webhook turns into the same
``Inbound`` text a typed answer would be; a question with a topic (``flows.asked``) sends ``<topic>|<value>``,
so the tap counts only for the question its keyboard asked.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import text
from flows import asked
from flows.results import CONFIRM, MENU, SCALE, Reply

TEXT_MAX = 4096
ROW_MAX = 6


class SendMessage(TypedDict):
    """What ``render`` gives: ``sendMessage``'s ``text`` and, for a question with choices, its keyboard."""

    text: str
    reply_markup: NotRequired[InlineKeyboardMarkup]


def render(replies: tuple[Reply, ...], lang: str) -> SendMessage:
    """``sendMessage`` arguments: ``text`` and, when the last reply has choices, ``reply_markup``."""
    body = "\n".join(text.words(r, lang, quote_limit=3000) for r in replies)[:TEXT_MAX]
    choices = replies[-1].choices if replies else None
    if choices is not None and choices.style == CONFIRM:  # FORGET: the phrase is typed, never a tap
        return {"text": f"{body} {text.prompt(choices, lang)}"[:TEXT_MAX]}
    if choices is None:
        return {"text": body}
    buttons = [
        InlineKeyboardButton(text.button(c, choices, lang), callback_data=asked.callback(choices.topic, c.value))
        for c in choices.items
    ]
    if choices.style == MENU:
        rows = [[b] for b in buttons]
    elif choices.style == SCALE:
        rows = [buttons[i : i + ROW_MAX] for i in range(0, len(buttons), ROW_MAX)]
    else:
        rows = [buttons]
    return {"text": body, "reply_markup": InlineKeyboardMarkup(rows)}


def as_text(rendered: SendMessage) -> str:
    """A plain view of a rendered Telegram message (the simulator and logs): text, then ``[button]``s."""
    markup = rendered.get("reply_markup")
    if markup is None:
        return rendered["text"]
    rows = [" ".join(f"[{b.text}]" for b in row) for row in markup.inline_keyboard]
    return "\n".join([rendered["text"], *rows])
