"""Africa's Talking's callbacks, past the webhook (issue 29): replies through the outbox, delivery
reports, opt-outs.

Africa's Talking takes no inline reply to an inbound SMS, so the service writes its answer to the
outbox with the message (``bot.inbound.answers``), and the send job sends it through its messaging
API. Its delivery reports speak its own words; they are mapped onto the
statuses and error classes ``bot.inbound.delivery`` and ``bot.domain.reach`` already act on.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain import contacts
from bot.inbound import delivery
from flows.inbound import SMS

# Africa's Talking's delivery statuses (its SMS notification docs) → the statuses ``delivery`` ranks.
STATUSES = {
    "sent": "sent",
    "submitted": "sent",
    "buffered": "sent",
    "success": "delivered",
    "rejected": "undelivered",
    "failed": "failed",
    "expired": "undelivered",
}
# Its ``failureReason`` → the code whose class ``bot.domain.reach`` knows (Twilio's dictionary).
REASONS = {
    "UserInBlackList": delivery.UNSUBSCRIBED,  # the recipient blocked this sender: an opt-out
    "UserInBlacklist": delivery.UNSUBSCRIBED,
    "DoNotDisturbRejection": delivery.UNSUBSCRIBED,
    "UserDoesNotExist": "30005",  # unknown handset: texts fail for good
    "NotNetworkSubcriber": "30005",  # (sic, Africa's Talking's spelling)
    "NotNetworkSubscriber": "30005",
    "UserIsInactive": "30003",  # unreachable handset
    "AbsentSubscriber": "30003",
    "DeliveryFailure": "30008",  # unknown error: sent again with a back-off
}
CODE_MAX = 16  # the delivery event's column


class UnknownReport(ValueError):
    """A delivery report whose status Africa's Talking does not send."""


def status_of(reported: str) -> str:
    """Our status for Africa's Talking's ``status``.

    Raises:
        UnknownReport: it is none of Africa's Talking's statuses.
    """
    status = STATUSES.get(reported.strip().lower())
    if status is None:
        raise UnknownReport(reported)
    return status


def code_of(reason: str | None) -> str | None:
    """The error code a ``failureReason`` stands for; an unknown reason is kept as written (cut to fit)."""
    if not reason:
        return None
    return REASONS.get(reason, reason[:CODE_MAX])


def record_report(uow, message_id: str, reported: str, reason: str | None, now: datetime) -> bool:
    """Stores one delivery report as a status callback (each status once); False for a replay.

    Raises:
        UnknownReport: the status is none of Africa's Talking's.
    """
    return delivery.record(uow, message_id, status_of(reported), code_of(reason), now)


def opt_out(uow, phone: str, now: datetime) -> bool:
    """Africa's Talking says ``phone`` opted out of our sender: its SMS address gets nothing more.
    Returns False when there is no such address, or it had opted out already."""
    with uow() as session:
        found = contacts.find(session, SMS, phone, lock=True)
        if found is None or found[1].opted_out_at is not None:
            return False
        contacts.opt_out(session, found[1], now)
        session.commit()
    return True
