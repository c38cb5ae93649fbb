"""The sender's own account, applied inside the inbound message's transaction: linking another channel,
the preferred channel, opting out and in, erasure, leaving a circle, asking for a call.

Each is a handler of ``bot.inbound.effects.HANDLERS``, ``(applier, effect)``, like
``bot.inbound.facilitator_effects``; they live apart from what an RSVP, an answer or a relay runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from bot.domain import contacts, enrollments, erase, outbox
from bot.domain import link_codes as links
from bot.domain.outbox import Planned
from bot.domain.schedule import MeetingStatus
from bot.store.db import collect
from bot.store.models import Meeting, Outbox
from flows.results import Erase as EraseEffect
from flows.results import IssueLinkCode, Leave, LinkAddress, OptIn, OptOut, RequestCall, SetPreferred

if TYPE_CHECKING:
    from bot.inbound.effects import Applier


def issue_link_code(applier: Applier, effect: IssueLinkCode) -> None:
    """LINK: a code the sender types on their other channel to join the two."""
    links.issue(applier.session, applier.sender, effect.code, applier.now)


def link_address(applier: Applier, effect: LinkAddress) -> None:
    """The code typed here: this address joins the code's contact (the effects after this are theirs)."""
    sender = applier.sender
    contact = links.join(applier.session, sender, applier.sender_address, effect.code, applier.now)
    if contact is not sender:  # the address is the code's contact's now; the effects after this are theirs
        contacts.lock_changing(applier.session, sender.id)  # (the version of both moves: ``contact_write``)
        applier._contact, applier.contact_id, applier.name = contact, contact.id, contact.name


def set_preferred(applier: Applier, effect: SetPreferred) -> None:
    """The channel the sender wants their messages on."""
    links.prefer(applier.session, applier.sender, effect.channel)


def opt_out(applier: Applier, effect: OptOut) -> None:
    """STOP: this address gets nothing more."""
    contacts.opt_out(applier.session, applier.sender_address, applier.now)


def opt_in(applier: Applier, effect: OptIn) -> None:
    """START: this address gets texts again, and what was held for it goes out now."""
    contacts.opt_in(applier.session, applier.sender_address, applier.now)
    released = (
        applier.session.execute(
            update(Outbox)
            .where(Outbox.address_id == applier.address_id, Outbox.status == outbox.HELD)
            .values(status=outbox.PENDING, send_after=applier.now)
            .returning(Outbox.id)
        )
        .scalars()
        .all()
    )
    collect(applier.session, *(Planned(row_id, applier.now) for row_id in released))


def erase_sender(applier: Applier, effect: EraseEffect) -> None:
    """FORGET, confirmed: the sender's personal data, and the inbound row's number and text, erased."""
    erase.erase_contact(applier.session, applier.sender, applier.now)
    applier.message.address, applier.message.body, applier.message.contact_id = erase.ERASED, "", None


def leave(applier: Applier, effect: Leave) -> None:
    """LEAVE a circle: the place freed, and what was planned for its meetings cancelled."""
    circle = applier._circle(effect.circle_code)
    enrollments.leave(applier.session, applier._sender_id, circle.id)
    meeting_ids = select(Meeting.id).where(Meeting.circle_id == circle.id)
    applier.session.execute(
        update(Outbox)
        .where(
            Outbox.contact_id == applier._sender_id,
            Outbox.meeting_id.in_(meeting_ids),
            Outbox.status == outbox.PENDING,
        )
        .values(status=outbox.CANCELLED, last_error="left the circle")
    )


def request_call(applier: Applier, effect: RequestCall) -> None:
    """Call me in: a call to the sender when the next meeting starts."""
    from bot.domain import call_me as calls

    circle = applier._circle(effect.circle_code)
    meeting = applier.session.scalar(
        select(Meeting)
        .where(Meeting.circle_id == circle.id, Meeting.status != MeetingStatus.CANCELLED, Meeting.ends_at > applier.now)
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    if meeting is not None:
        calls.request(applier.session, applier.sender, circle, meeting, applier.now)
