"""One entry point: render replies for a channel."""

from __future__ import annotations

from dataclasses import dataclass

from bot.render import segments, sms, telegram, voice
from flows.inbound import SIMULATOR, SMS, TELEGRAM, VOICE, WHATSAPP
from flows.results import Reply


@dataclass(frozen=True)
class Rendered:
    """Replies rendered for one channel.

    Attributes:
        channel: the channel it was rendered for.
        text: what is written (or, for voice, the TwiML document).
        extra: the channel's own parts: Telegram's ``reply_markup``.
    """

    channel: str
    text: str
    extra: dict | None = None

    @property
    def segments(self) -> int:
        """SMS segments (1 for anything that is not an SMS)."""
        return segments.count(self.text).segments if self.channel in (SMS, SIMULATOR) else 1


def render(channel: str, replies: tuple[Reply, ...], lang: str) -> Rendered:
    """Renders ``replies`` in ``lang`` the way ``channel`` shows them."""
    if channel == TELEGRAM:
        out = telegram.render(replies, lang)
        markup = out.get("reply_markup")
        return Rendered(channel, out["text"], {"reply_markup": markup} if markup is not None else None)
    if channel == VOICE:
        return Rendered(channel, str(voice.render(replies, lang)))
    return Rendered(channel, sms.render(replies, lang, fold=channel != WHATSAPP))
