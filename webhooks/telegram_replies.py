"""What the Telegram webhook answers with: one Bot API method in the response, and a tap's clean-up.

Telegram takes one method as the webhook's response body, with no HTTP call of ours. The replies to
an update are one message (the replies joined, with the last one's inline keyboard), so they fit.
A tap also needs ``answerCallbackQuery`` (else the button spins) and ``editMessageReplyMarkup`` (so
the same question cannot be answered twice); those go through the bridge, after the answer is stored.
"""

from __future__ import annotations

import logging

from bot.render import telegram as render_telegram
from bot.render.i18n import gettext
from bot.render.texts import TEXTS
from flows import keys, languages
from flows.inbound import TELEGRAM

log = logging.getLogger(__name__)


def method(event, handled) -> dict:
    """The ``sendMessage`` that answers ``event`` (or, for a tap already answered, ``answerCallbackQuery``)."""
    if handled.replay and event.callback_id is not None:
        return answer_tap(event.callback_id)
    rendered: render_telegram.SendMessage | None
    if handled.texts is not None:
        rendered = {"text": "\n".join(handled.texts)} if handled.texts else None
    else:
        rendered = render_telegram.render(handled.replies, handled.language) if handled.replies else None
    if rendered is None or not rendered["text"]:
        return answer_tap(event.callback_id) if event.callback_id else {}
    out = {"method": "sendMessage", "chat_id": event.chat_id, "text": rendered["text"]}
    if rendered.get("reply_markup") is not None:
        out["reply_markup"] = rendered["reply_markup"].to_dict()
    return out


def answer_tap(callback_id: str | None) -> dict:
    """``answerCallbackQuery`` for a tap (an empty answer stops the button's spinner)."""
    return {"method": "answerCallbackQuery", "callback_query_id": callback_id} if callback_id else {}


def text_only(event) -> dict:
    """The polite answer to a sticker, photo or voice note."""
    lang = languages.pick(event.language)
    return {"method": "sendMessage", "chat_id": event.chat_id, "text": gettext(TEXTS[keys.TG_TEXT_ONLY], lang)}


def after_tap(channels, event, answered: bool = False) -> None:
    """Answers a tap (unless the response ``answered`` it) and removes its keyboard; a failure is
    logged, never raised (the answer is stored already)."""
    if event.callback_id is None:
        return
    try:
        adapter = channels.adapters.get(TELEGRAM)
        if adapter is None:  # no bot token (the simulator): nothing to call
            return
        if not answered:
            adapter.call("answer_callback_query", callback_query_id=event.callback_id)
        adapter.call(
            "edit_message_reply_markup", chat_id=event.chat_id, message_id=event.keyboard_message_id, reply_markup=None
        )
    except Exception as exc:
        log.warning("could not answer a tap or remove its keyboard: %s", exc)
