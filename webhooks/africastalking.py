"""``POST /africastalking/sms|status|optout?key=…``: Africa's Talking's callbacks (issue 29).

Africa's Talking signs nothing, so the secret ``AFRICASTALKING_CALLBACK_KEY`` in the callback URL is
the check: wrong or missing → 403 and nothing stored (compared in constant time). It takes no inline
reply, so an inbound text's answer is written to the outbox with the message (``bot.inbound.answers``)
and sent through its messaging API; an erasure's confirmation is sent at once (``answer_now``).
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, request

from bot.africastalking import AfricasTalking
from bot.domain.phone import mask, to_e164
from bot.inbound import africastalking as at
from bot.inbound.service import handle_inbound
from bot.outbound.channels.base import SendError
from bot.render import sms
from flows.inbound import SMS, Inbound
from webhooks.text import clean_text, form_field

log = logging.getLogger(__name__)
bp = Blueprint("africastalking", __name__)
ID_MAX = 60  # with ``at-`` in front it fits the message's provider id (64)
STATUS_MAX = 32
PREFIX = "at-"  # bot.outbound.channels.routing knows an Africa's Talking text by it


def keyed(view):
    """403 unless the request carries the callback key (``?key=``), before anything is read or stored."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not AfricasTalking.of(current_app.extensions["circlebot"].settings).key_ok(request.args.get("key")):
            abort(403)
        return view(*args, **kwargs)

    return checked


def parse(form, now: datetime, region: str) -> Inbound:
    """Africa's Talking's inbound fields as an ``Inbound``; 400 without ``id`` or ``from``."""
    message_id, sender = form_field(form, "id"), form_field(form, "from")
    if not message_id or len(message_id) > ID_MAX or not sender:
        abort(400, description="id and from are required")
    e164 = to_e164(sender, region)
    return Inbound(
        channel=SMS,
        address=e164 or sender[:64],
        text=clean_text(form.get("text")),
        provider_id=PREFIX + message_id,
        received_at=now,
        address_ok=e164 is not None,
    )


@bp.post("/africastalking/sms")
@keyed
def inbound_sms():
    """Stores the text once, runs the flows, and puts the answer in the outbox; 200 with no body."""
    runtime = current_app.extensions["circlebot"]
    inbound = parse(request.form, runtime.clock(), AfricasTalking.of(runtime.settings).home_region)
    handled = handle_inbound(runtime.uow, inbound, runtime.settings, answer_later=True)
    if handled.replies and not handled.queued and not handled.replay and inbound.address_ok:
        answer_now(runtime, inbound, handled)
    return "", 200


def answer_now(runtime, inbound: Inbound, handled) -> None:
    """An erasure's confirmation, the one answer the service does not queue (the sender's rows are gone):
    sent once through the messaging API, now, and kept nowhere. A failed send is logged, not retried: the
    erasure is done either way, and the number is not kept to try again."""
    channel = runtime.channels.africastalking
    try:
        if channel is None:
            raise SendError("no API key", retry=False)
        channel.send(inbound.address, sms.render(handled.replies, handled.language))
    except SendError as exc:
        log.warning("africastalking: an erasure's confirmation to %s not sent (%s)", mask(inbound.address), exc)


@bp.post("/africastalking/status")
@keyed
def delivery_report():
    """Records the report once per (id, status); 204, also for a replay; 400 for a status it never sends."""
    message_id = form_field(request.form, "id")
    reported = form_field(request.form, "status")
    if not message_id or not reported or len(message_id) > ID_MAX or len(reported) > STATUS_MAX:
        abort(400, description="id and status are required")
    try:
        at.record_report(
            current_app.extensions["circlebot"].uow,
            message_id,
            reported,
            form_field(request.form, "failureReason")[:STATUS_MAX] or None,
            datetime.now(timezone.utc),
        )
    except at.UnknownReport:
        abort(400, description="status is not an Africa's Talking delivery status")
    return "", 204


@bp.post("/africastalking/optout")
@keyed
def opt_out():
    """Africa's Talking's opt-out notice (``senderId``, ``phoneNumber``): that number's texts stop; 204."""
    runtime = current_app.extensions["circlebot"]
    phone = to_e164(form_field(request.form, "phoneNumber"), AfricasTalking.of(runtime.settings).home_region)
    if phone is None:
        abort(400, description="phoneNumber is required")
    at.opt_out(runtime.uow, phone, runtime.clock())
    return "", 204
