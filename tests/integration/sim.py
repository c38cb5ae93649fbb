"""A simulated clock driving the real service, planners and send job (no waiting)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.inbound.service import handle_inbound
from bot.outbound import jobs
from bot.outbound.pacing import make_pacer
from bot.store.models import Conversation, Message, Outbox
from flows.inbound import Inbound
from tests.helpers import contact_of, said

_ids = itertools.count()


class Sim:
    """Moves a fake clock; each step plans follow-ups and reminders and sends what is due."""

    def __init__(self, runtime, start: datetime | None = None, quiet_hours: str | None = None):
        self.rt = runtime
        self.now = start or datetime.now(timezone.utc)
        runtime.clock = lambda: self.now
        settings = replace(runtime.settings, send_rate_per_second=0)
        if quiet_hours is not None:
            settings = replace(settings, quiet_hours=quiet_hours)
        runtime.settings = settings
        runtime.pacer = make_pacer(runtime.queue, 0)

    def text(self, phone: str, body: str, channel: str = "sms") -> list[str]:
        """The learner texts the bot now (on ``channel``); returns the inline replies."""
        inbound = Inbound(channel, phone, body, f"SMsim{next(_ids)}", self.now)
        handled = handle_inbound(self.rt.uow, inbound, self.rt.settings)
        return said(handled, inbound.channel)

    def advance(self, delta: timedelta) -> None:
        """Moves the clock, plans, and runs every send that is due."""
        self.now += delta
        jobs.plan_now(self.now)
        with self.rt.uow() as session:
            due = session.scalars(
                select(Outbox.id).where(Outbox.status == "pending", Outbox.send_after <= self.now).order_by(Outbox.id)
            ).all()
        for row_id in due:
            jobs.send_outbox(row_id)

    def run_until(self, end: datetime, step: timedelta = timedelta(hours=3)) -> None:
        while self.now < end:
            self.advance(step)

    def inbox(self, phone: str, after_id: int = 0) -> list[tuple[int, str]]:
        """The texts the bot sent to ``phone`` (id, body), oldest first."""
        with self.rt.uow() as session:
            return [
                (m.id, m.body)
                for m in session.scalars(
                    select(Message)
                    .where(Message.direction == "out", Message.address == phone, Message.id > after_id)
                    .order_by(Message.id)
                )
            ]

    def inboxes(self, after: dict[str, int]) -> dict[str, list[tuple[int, str]]]:
        """``inbox(phone, after[phone])`` for every phone in ``after``, in one query."""
        found: dict[str, list[tuple[int, str]]] = {phone: [] for phone in after}
        with self.rt.uow() as session:
            for row_id, address, body in session.execute(
                select(Message.id, Message.address, Message.body)
                .where(
                    Message.direction == "out",
                    Message.address.in_(list(after)),
                    Message.id > min(after.values(), default=0),
                )
                .order_by(Message.id)
            ):
                if row_id > after[address]:
                    found[address].append((row_id, body))
        return found

    def conversation(self, phone: str) -> dict | None:
        with self.rt.uow() as session:
            contact = contact_of(session, phone)
            if contact is None:
                return None
            conv = session.scalar(select(Conversation).where(Conversation.contact_id == contact.id))
            return dict(conv.state) if conv is not None and conv.expires_at > self.now else None
