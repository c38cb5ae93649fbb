"""Telegram through python-telegram-bot's ``Bot`` (``TELEGRAM_API_BASE`` points it at a stand-in).

The adapter runs PTB's coroutines on the process's one bridge thread (``bot.outbound.channels.telegram_bridge``) and
keeps Telegram's flood limits with its own pacer (``bot.outbound.channels.telegram_pacing``): 1 message/s per chat
and 30/s per bot, across workers. What Telegram answers becomes:

- 403 "bot was blocked by the user" (and any 403): ``SendError(opt_out=True)``, the address opts out;
- 429 with ``retry_after``: wait exactly that long, then send again (up to ``MAX_FLOOD_WAITS`` times);
- 400 "chat not found" (and any other 400): ``SendError(retry=False)``, the row fails;
- a time-out: the message may have gone out, ``SendError(unknown=True)``; other network errors retry.
"""

from __future__ import annotations

import hashlib
import logging
import time
import warnings
from datetime import datetime

from bot.outbound.channels.base import SendError, Sent

log = logging.getLogger(__name__)
MAX_FLOOD_WAITS = 3


def mask_chat(chat_id) -> str:
    """A chat id fit for logs: ``tg:***678``."""
    text = str(chat_id or "")
    return "tg:***" + text[-3:]


def bot_id(token: str) -> str:
    """A short stable name for the bot that never shows its token (the token's first part is public)."""
    return token.split(":", 1)[0] if ":" in token else hashlib.sha256(token.encode()).hexdigest()[:12]


def retry_after_seconds(exc) -> float:
    """``RetryAfter.retry_after`` in seconds (an int in PTB 22, a timedelta later; no deprecation noise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class TelegramChannel:
    """Sends on the ``telegram`` channel, keeping Telegram's flood limits itself (``paces_itself``)."""

    name = "telegram"
    paces_itself = True

    def __init__(self, settings, redis=None, sleep=time.sleep):
        from bot.outbound.channels.telegram_pacing import make_telegram_pacer

        self.settings = settings
        self.bot_id = bot_id(settings.telegram_bot_token)
        self.pacer = make_telegram_pacer(redis, self.bot_id, settings.queue_name)
        self.sleep = sleep

    @property
    def bridge(self):
        """This process's bridge to the Bot API (built on first use)."""
        from bot.outbound.channels.telegram_bridge import bridge

        return bridge(self.settings.telegram_bot_token, self.settings.telegram_api_base)

    def identity(self, channel: str) -> str:
        """The bot's pacing identity (its flood limits are kept by ``send`` itself)."""
        return f"telegram:{self.bot_id}"

    def send(self, address: str, body: str, channel: str = "telegram", extra: dict | None = None) -> Sent:
        """Sends ``body`` (with ``extra["reply_markup"]``, an inline keyboard) to chat ``address``.

        Raises:
            SendError: see the module's docstring.
        """
        kwargs = {"chat_id": int(address) if address.lstrip("-").isdigit() else address, "text": body}
        markup = (extra or {}).get("reply_markup")
        if markup is not None:
            kwargs["reply_markup"] = markup
        with self.pacer.turn(address):  # the chat's turn and a place on the bot's grid, held while sending
            message = self.call("send_message", **kwargs)
        return Sent(f"tg-{address}-{message.message_id}", "sent")

    def call(self, method: str, **kwargs):
        """Calls a Bot API method, waiting out 429s; errors become ``SendError``."""
        from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

        for attempt in range(MAX_FLOOD_WAITS + 1):
            try:
                return self.bridge.call(method, **kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                if attempt == MAX_FLOOD_WAITS:
                    raise SendError(f"telegram 429: flood wait {wait}s", retry=True, code=429) from exc
                log.warning(
                    "telegram asked to wait %ss before %s to %s", wait, method, mask_chat(kwargs.get("chat_id"))
                )
                self.sleep(wait)
            except Forbidden as exc:
                raise SendError(f"telegram 403: {exc.message}", retry=False, code=403, opt_out=True) from exc
            except BadRequest as exc:
                raise SendError(f"telegram 400: {exc.message}", retry=False, code=400) from exc
            except TimedOut as exc:
                raise SendError("telegram timed out", retry=True, unknown=True) from exc
            except NetworkError as exc:
                raise SendError(f"telegram unreachable: {exc.message}", retry=True) from exc
            except TelegramError as exc:
                raise SendError(f"telegram error: {exc.message}", retry=False) from exc
        raise AssertionError("unreachable")

    def find_sent(self, address: str, body: str, since: datetime, channel: str = "telegram") -> str | None:
        """The Bot API cannot list sent messages: a row stuck mid-send is sent again (None)."""
        return None
