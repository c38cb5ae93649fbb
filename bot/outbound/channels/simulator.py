"""The simulator channel: records outbound messages as ``Message`` rows; the phone simulator shows them."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timezone

from sqlalchemy import select

from bot.domain.phone import mask
from bot.outbound.channels.base import Sent, utc
from bot.render import segments

log = logging.getLogger(__name__)


class SimulatorChannel:
    """Stands in for every provider when none is configured (``demo``, tests)."""

    name = "simulator"

    def __init__(self, uow, clock=None):
        self.uow = uow
        self.clock = clock  # the demo installs its clock here, so the phones' times are demo times

    def _now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(timezone.utc)

    @staticmethod
    def identity(channel: str) -> str:
        """The pacing identity: one per channel."""
        return f"simulator:{channel}"

    def send(self, address: str, body: str, channel: str = "sms", extra: dict | None = None) -> Sent:
        """Stores the outbound message, as if the phone or chat had received it."""
        from bot.store.models import Message

        provider_id = "SIM" + secrets.token_hex(16)
        markup = (extra or {}).get("reply_markup")
        kept = {"reply_markup": markup.to_dict()} if markup is not None else None
        if channel == "voice" and extra and extra.get("url"):  # a call the bot places: the phone rings
            kept = {"call": {"url": extra["url"], "status_callback": extra.get("status_callback")}}
        with self.uow() as session:
            session.add(
                Message(
                    direction="out",
                    channel=channel,
                    provider_id=provider_id,
                    address=address,
                    body=body,
                    segments=segments.count(body).segments,
                    status="delivered",
                    replies=kept,
                    created_at=self._now(),
                )
            )
            session.commit()
        log.info("simulator sent %s segment(s) to %s", segments.count(body).segments, mask(address))
        return Sent(provider_id, "delivered")

    def send_template(self, address: str, content_sid: str, variables: dict[str, str], body: str = "") -> Sent:
        """Stores a WhatsApp template message with its rendered text; the phone shows it as a template."""
        from bot.store.models import Message

        provider_id = "SIM" + secrets.token_hex(16)
        with self.uow() as session:
            session.add(
                Message(
                    direction="out",
                    channel="whatsapp",
                    provider_id=provider_id,
                    address=address,
                    body=body,
                    segments=segments.count(body).segments,
                    status="delivered",
                    replies={"template": content_sid, "variables": variables},
                    created_at=self._now(),
                )
            )
            session.commit()
        log.info("simulator sent template %s to %s", content_sid, mask(address))
        return Sent(provider_id, "delivered")

    def find_sent(self, address: str, body: str, since: datetime, channel: str = "sms") -> str | None:
        """Returns the provider id of a message with this To and Body created at or after `since`, else None."""
        from bot.store.models import Message

        with self.uow() as session:
            return session.scalar(
                select(Message.provider_id)
                .where(
                    Message.direction == "out",
                    Message.channel == channel,
                    Message.address == address,
                    Message.body == body,
                    Message.created_at >= utc(since),
                )
                .order_by(Message.created_at, Message.id)
                .limit(1)
            )
