"""RQ jobs: they take ids, open their own session, and are idempotent.

``send_outbox`` claims one row (pending → sending, atomically), checks opt-out and the meeting
at send time, waits for its pacing slot, sends, and marks it sent. A worker killed mid-send leaves
the row in ``sending``: the sweeper asks the provider whether that text really went out
(``find_sent``) before it sends it again, so a crash never duplicates a text.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from bot import runtime
from bot.domain import call_me as calls
from bot.domain import contacts, login, meetings, outbox, quiet_hours, reach
from bot.domain.outbox import Planned
from bot.domain.phone import mask
from bot.domain.planning import followups, reminders, waitlist
from bot.inbound import service
from bot.outbound import rendering, sent_questions, sweeper, turns, whatsapp_window
from bot.outbound.channels import NoAdapter, SendError
from bot.outbound.queue import QueueDown
from bot.store.db import collect
from bot.store.models import Contact, Meeting, Message, Outbox
from flows import keys
from flows.inbound import VOICE, WHATSAPP, Inbound

log = logging.getLogger(__name__)
RETRY_INTERVALS = (5, 30, 120, 600, 1800)
MAX_ATTEMPTS = len(RETRY_INTERVALS) + 1
TICK_EVERY = timedelta(seconds=60)
RETRY_FAILED_WITHIN = timedelta(hours=24)  # inbound texts kept as failed are retried this long
RETRY_FAILED_BATCH = 100
# What the bot sends on its own schedule: it waits out the reader's quiet hours, even when a worker
# outage makes it late. Replies to someone's own action (relays, notices, changes) go at once.
QUIET_KINDS = frozenset({"reminder", "tally", "checkin", "missyou", "survey"})
DEFERRED = "deferred"


def _now() -> datetime:
    """The runtime's clock (the real one, or a simulated one in tests)."""
    return runtime.current().clock()


def send_outbox(row_id: int) -> str:
    """Sends outbox row ``row_id`` at most once. Returns the row's status afterwards.

    The row is rendered for its address's channel, in the contact's language of this moment. A
    scheduled row that falls in the reader's quiet hours waits for their end. A transient error (429,
    5xx, time-out) puts the row back with a back-off and re-raises, so RQ's ``Retry`` runs the job
    again; a permanent one fails the row; a refusal by the recipient opts that address out. A bug in
    an adapter fails the row, and is never retried as if it were the network.
    """
    rt = runtime.current()
    now = _now()
    with rt.uow() as session:
        # An UPDATE's result is a CursorResult (SQLAlchemy types ``Session.execute`` as any Result).
        claimed = cast(
            "CursorResult[Any]",
            session.execute(
                update(Outbox)
                .where(Outbox.id == row_id, Outbox.status == outbox.PENDING, Outbox.send_after <= now)
                .values(status=outbox.SENDING, attempts=Outbox.attempts + 1, claimed_at=now)
            ),
        ).rowcount
        row = session.get(Outbox, row_id)
        if row is None:
            return "missing"
        if not claimed:
            return row.status
        reason = _reason_not_to_send(session, row, now)
        if reason:
            row.status, row.last_error = outbox.CANCELLED, reason
            session.commit()
            return row.status
        held = turns.wait(session, row, now)  # one question at a time (bot/outbound/turns.py)
        if held is not None:
            reason, until = held
            if until is None:
                row.status, row.last_error = outbox.CANCELLED, reason
                session.commit()
                return row.status
            return _defer(session, row, until, reason)
        later = _quiet_until(session, rt.settings, row, now)
        if later is not None:
            return _defer(session, row, later)
        how, template = whatsapp_window.decide(session, row, now, rt.settings.twilio_enabled)
        if how == whatsapp_window.REFUSED or whatsapp_window.refused_again(session, row):
            row.status = outbox.CANCELLED
            session.commit()
            return row.status
        extra, sending, variables = None, None, {}
        if row.replies is not None or row.kind == outbox.OutboxKind.TALLY:
            try:
                rendered = rendering.render_row(session, row, rt.settings.secret_key)
            except login.WrongKey as exc:
                log.error("outbox row %s not sent: %s", row_id, exc)
                row.status, row.last_error = outbox.FAILED, str(exc)[:200]
                session.commit()
                return row.status
            row.body, extra, sending = rendered.text, rendered.extra, rendered.text
            if template is not None:  # a WhatsApp template: its variables are the message's parameters
                variables = rendering.template_variables(session, row, rt.settings.secret_key)
            if rendering.kept_apart(row):  # a sign-in code: the row keeps it masked, never in clear
                row.body = rendering.render_row(session, row, None, reveal=False).text
        if row.channel == VOICE:  # a call: Twilio fetches what to say when it is answered
            extra = calls.placing(rt.settings, row)
        session.commit()
        address, channel, attempts = row.address, row.channel, row.attempts
        body = sending if sending is not None else (row.body or "")

    try:
        adapter = rt.channels.adapter(channel, address)
    except NoAdapter as exc:
        _fail(rt, row_id, str(exc))
        return outbox.FAILED
    if not getattr(adapter, "paces_itself", False):  # Telegram keeps its own limits, per chat and per bot
        (rt.call_pacer if channel == VOICE and rt.call_pacer is not None else rt.pacer).wait(adapter.identity(channel))
    try:
        if template is not None:
            sent = adapter.send_template(address, template, variables, body)
        else:
            sent = adapter.send(address, body, channel, extra)
    except SendError as exc:
        if channel == WHATSAPP and exc.code == whatsapp_window.OUTSIDE_WINDOW:
            return whatsapp_window.by_sms_instead(rt.uow, row_id, send_outbox)
        if exc.unknown:  # it may have gone out: the sweeper asks the provider before any resend
            with rt.uow() as session:
                session.execute(update(Outbox).where(Outbox.id == row_id).values(last_error=str(exc)[:200]))
                session.commit()
            log.warning("send to %s may or may not have gone out; left for reconciliation: %s", mask(address), exc)
            return outbox.SENDING
        _record_failure(rt, row_id, address, exc, attempts)
        if exc.retry and attempts < MAX_ATTEMPTS:
            raise
        return outbox.FAILED
    except Exception as exc:  # a bug, not the network: fail the row, never retry it as a transient error
        log.exception("the %s adapter failed on outbox row %s", channel, row_id)
        _fail(rt, row_id, f"internal error: {exc.__class__.__name__}")
        return outbox.FAILED
    with rt.uow() as session:  # the record of the send commits on its own: nothing can roll it back
        session.execute(
            update(Outbox)
            .where(Outbox.id == row_id)
            .values(status=outbox.SENT, provider_id=sent.provider_id, sent_at=_now(), last_error=None)
        )
        whatsapp_window.after_sent(session, row_id)
        session.commit()
    with rt.uow() as session:
        sent_questions.open_conversation(session, row_id, _now())
        session.commit()
    return outbox.SENT


def send_batch(row_ids: list[int]) -> dict:
    """Sends the rows of one batch (bot/domain/batches.py) in order, each as ``send_outbox`` would.

    A row whose send fails for a moment (429, 5xx) is back in the outbox with its back-off time; it
    leaves the batch and gets a job of its own at that time, with RQ's ``Retry``. Returns how many rows
    ended in each status.
    """
    outcome: dict[str, int] = {}
    for row_id in row_ids:
        try:
            status = send_outbox(row_id)
        except SendError:
            status = _retry_alone(row_id)
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def _retry_alone(row_id: int) -> str:
    rt = runtime.current()
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        if row is None:  # as ``send_outbox`` says of a row that is gone
            return "missing"
        if row.status != outbox.PENDING:
            return row.status
        row.batch = None
        collect(session, Planned(row.id, row.send_after, row.attempts))
        session.commit()
    return outbox.PENDING


def _quiet_until(session, settings, row: Outbox, now: datetime) -> datetime | None:
    """When a scheduled row due inside the reader's quiet hours may go (None: it may go now).

    The hours are read in the contact's own time zone when known, else the row's (the circle's).
    """
    if row.kind not in QUIET_KINDS:
        return None
    tz = session.scalar(select(Contact.timezone).where(Contact.id == row.contact_id)) if row.contact_id else None
    quiet = quiet_hours.resolver(settings)(tz or row.timezone)  # by country: Kenya 18:00-08:00 (issue 29)
    if not quiet.enabled:
        return None
    return quiet.until(now, tz or row.timezone)


def _defer(session, row: Outbox, until: datetime, reason: str = "waiting for the end of quiet hours") -> str:
    """Puts a row back until ``until``; a reminder whose meeting starts before then is dropped."""
    if row.kind in outbox.ABOUT_MEETING and row.meeting_id is not None:
        starts = session.scalar(select(Meeting.starts_at).where(Meeting.id == row.meeting_id))
        if starts is not None and starts <= until:
            row.status, row.last_error = outbox.CANCELLED, "quiet hours until the meeting"
            session.commit()
            return row.status
    row.status, row.send_after, row.last_error = outbox.PENDING, until, reason
    row.batch = None  # it leaves its batch: a job of its own at the end of the quiet hours
    collect(session, Planned(row.id, until, row.attempts))
    session.commit()
    return DEFERRED


def _fail(rt, row_id: int, reason: str) -> None:
    with rt.uow() as session:
        session.execute(update(Outbox).where(Outbox.id == row_id).values(status=outbox.FAILED, last_error=reason[:200]))
        session.commit()


def _reason_not_to_send(session, row: Outbox, now: datetime) -> str | None:
    """Why the row must not go out now: an opted-out address, an erased contact, a meeting gone by."""
    address = contacts.of_row(session, row.address_id, row.channel, row.address)
    if address is not None and address.opted_out_at is not None and not _said_when_opted_out(row):
        return "opted out"
    if reach.texts_fail(address):  # until it texts in again (bot/domain/reach.py)
        return "texts to this address fail"
    if (
        row.contact_id is not None
        and session.scalar(select(Contact.erased_at).where(Contact.id == row.contact_id)) is not None
    ):
        return "erased"
    if row.meeting_id is not None and row.kind in outbox.ABOUT_MEETING:
        meeting = session.get(Meeting, row.meeting_id)
        if meeting.status == meetings.MeetingStatus.CANCELLED or meeting.starts_at <= now:
            return "meeting cancelled or over"
    return None


def _said_when_opted_out(row: Outbox) -> bool:
    """True for the answer to the address's own text that it gets even after STOP (the STOP confirmation,
    HELP), sent through the outbox where the provider takes no inline reply (Africa's Talking)."""
    replies = row.replies or []
    return (
        row.kind == outbox.OutboxKind.REPLY
        and bool(replies)
        and all(r.get("key") in keys.ALLOWED_WHEN_OPTED_OUT for r in replies)
    )


def _record_failure(rt, row_id: int, address: str, exc: SendError, attempts: int) -> None:
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        row.last_error = str(exc)[:200]
        if exc.opt_out:
            refused = contacts.of_row(session, row.address_id, row.channel, row.address)
            if refused is not None and refused.opted_out_at is None:
                contacts.opt_out(session, refused, _now())
        elif reach.classify(exc.code) == reach.FOR_GOOD:  # a landline (21614): no more texts
            failing = contacts.of_row(session, row.address_id, row.channel, row.address)
            if failing is not None:
                reach.mark(session, failing, str(exc.code), _now())  # the facilitators' notices go at commit
        if exc.retry and attempts < MAX_ATTEMPTS:
            row.status = outbox.PENDING
            wait = RETRY_INTERVALS[min(attempts, len(RETRY_INTERVALS)) - 1]
            row.send_after = _now() + timedelta(seconds=max(wait - 1, 0))
        else:
            row.status = outbox.FAILED
        session.commit()
    log.warning("send to %s failed (attempt %s): %s", mask(address), attempts, exc)


def sweep(now: datetime | None = None) -> int:
    """Re-queues due outbox rows whose send job was lost (bot/outbound/sweeper.py); returns how many."""
    return sweeper.sweep(runtime.current(), now or _now())


def plan_now(now: datetime | None = None) -> int:
    """Plans due reminders and tallies into the outbox and queues them; returns how many were new."""
    rt = runtime.current()
    now = now or _now()
    with rt.uow() as session:
        planned = (
            reminders.plan(session, rt.settings, now)
            + followups.plan(session, rt.settings, now)
            + waitlist.plan(session, now)
        )
        session.commit()  # queues their send jobs
    return len(planned)


def retry_failed(now: datetime | None = None) -> int:
    """Runs the inbound texts kept as ``failed`` (issue 12, item 1) through the service again.

    Twilio does not retry an inbound SMS, so the worker does: a text whose transaction failed was
    kept with its sender and body, and is handled now, once (the service takes the failed row over);
    its replies go to the sender through the outbox. Returns how many were handled.
    """
    rt = runtime.current()
    now = now or _now()
    with rt.uow() as session:
        failed = session.execute(
            select(Message.channel, Message.address, Message.body, Message.provider_id)
            .where(
                Message.direction == "in",
                Message.status == service.FAILED,
                Message.created_at > now - RETRY_FAILED_WITHIN,
            )
            .order_by(Message.id)
            .limit(RETRY_FAILED_BATCH)
        ).all()
    handled = 0
    for channel, address, body, provider_id in failed:
        if provider_id is None:  # every inbound row has its provider's id; the type cannot say so
            continue
        phone_like = channel not in contacts.PHONE_CHANNELS or address.startswith("+")
        inbound = Inbound(channel, address, body or "", provider_id, now, address_ok=phone_like)
        try:  # its answer is written to the outbox with it (no inline answer now: ``answer_later``)
            service.handle_inbound(rt.uow, inbound, rt.settings, answer_later=True)
        except Exception as exc:  # noqa: BLE001 - still failing: kept, tried again at the next tick
            log.warning("a failed inbound text still fails (%s); next tick", exc.__class__.__name__)
            continue
        handled += 1
    return handled


def tick(reschedule: bool = True) -> dict:
    """The worker's heartbeat: plan, sweep, retry failed inbound texts, and (on RQ) schedule the next tick."""
    rt = runtime.current()
    try:
        ticked = {"planned": plan_now(), "swept": sweep(), "retried": retry_failed()}
        with rt.uow() as session:  # sign-in guards of addresses nobody typed for two days
            login.forget_stale(session, _now())
            session.commit()
        return ticked
    finally:  # even when planning failed, the next tick must come
        if reschedule and rt.queue.backend == "redis":
            nxt = _now().replace(second=0, microsecond=0) + TICK_EVERY
            try:
                rt.queue.enqueue(tick, key=f"tick-{nxt:%Y%m%d%H%M}", at=nxt)
            except QueueDown:
                log.warning("queue down: the next tick is not scheduled; a worker restart schedules one")
