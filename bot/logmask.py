"""Masking phone numbers, Telegram ids and secrets in every log record (README: "phone numbers are
always logged masked").

``MaskFilter`` rewrites a record in place: its message with the arguments filled in, its exception
text and its stack. ``install()`` runs it in the process's log record factory, the one place every
record passes through, whoever logs it (circlebot, twilio's request lines, RQ, gunicorn) and
whichever handler gets it later (RQ and gunicorn add their own). Masking at the call site is still
done (``bot.domain.phone.mask``); this is the net under it, for texts such as a provider's error
(``Invalid 'To' Phone Number: +18165553201``) or a URL (``To=%2B18165553201``).
"""

from __future__ import annotations

import logging
import re
import threading

# +18165553201, +1 816 555 3201, whatsapp:+18165553201: a + and 7-15 digits (separators allowed).
PHONE = re.compile(r"\+(\d(?:[ .-]?\d){6,14})(?!\d)")
# The same URL-encoded, as in twilio's request lines: To=%2B18165553201.
PHONE_URL = re.compile(r"%2[Bb](\d{7,15})(?!\d)")
# A Telegram chat or user id, as circlebot stores it (telegram:123456789) or as the Bot API sends it.
TELEGRAM_ID = re.compile(r"(telegram:|\bchat_id\W{1,3}|\buser_id\W{1,3}|\bfrom_id\W{1,3})(-?\d{5,})")
# A Telegram bot token (123456789:AA...), also inside a Bot API URL (/bot<token>/sendMessage).
BOT_TOKEN = re.compile(r"\d{5,12}:[A-Za-z0-9_-]{30,}")
# key=value, key: value or "key": "value" for secrets and one-time codes (TELEGRAM_WEBHOOK_SECRET=...,
# X-Telegram-Bot-Api-Secret-Token: ..., auth_token=..., one-time code: 493021).
SECRET = re.compile(
    r"(?i)([A-Za-z_-]*(?:token|secret|password|passcode|api_?key)[A-Za-z_-]*|\bone[_ -]time[_ -]code"
    r"|\botp|\blogin_code)(\W{1,4})([^\s&\"',;]{3,})"
)

# A secret carried as a URL's ``key`` parameter (Africa's Talking's callbacks: /africastalking/sms?key=...).
URL_KEY = re.compile(r"([?&]key=)([^\s&\"'#]+)")


def _keep_ends(digits: str) -> str:
    bare = re.sub(r"\D", "", digits)
    return bare[:1] + "*" * max(len(bare) - 5, 1) + bare[-4:]


def mask_text(text: str) -> str:
    """``text`` with every phone number, Telegram id, bot token and secret value masked."""
    if not text:
        return text
    text = BOT_TOKEN.sub("***", text)
    text = SECRET.sub(lambda m: f"{m[1]}{m[2]}***", text)
    text = URL_KEY.sub(lambda m: f"{m[1]}***", text)
    text = PHONE_URL.sub(lambda m: "%2B" + _keep_ends(m[1]), text)
    text = PHONE.sub(lambda m: "+" + _keep_ends(m[1]), text)
    return TELEGRAM_ID.sub(lambda m: f"{m[1]}***{m[2][-3:]}", text)


class MaskFilter(logging.Filter):
    """Masks a record in place (message and arguments, exception text, stack); never drops one."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_circlebot_masked", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it later (with the masked arguments)
            record.msg = mask_text(str(record.msg))
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(mask_text(str(arg)) for arg in args)
            return True
        record.msg, record.args = mask_text(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        record._circlebot_masked = True
        return True


_installed = False
_lock = threading.Lock()


def install() -> None:
    """Masks every log record this process makes from now on (idempotent); the app factory, the
    runtime and the CLI call it."""
    global _installed
    with _lock:
        if _installed:
            return
        make_record = logging.getLogRecordFactory()
        mask = MaskFilter()

        def masked_record(*args, **kwargs) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            mask.filter(record)
            return record

        logging.setLogRecordFactory(masked_record)
        _installed = True
