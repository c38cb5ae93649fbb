"""The relay inbox: learners' messages to the facilitator as threads by ``#handle``, answered from the page.

Numbers stay hidden on both sides, as in the relay by text: a reply goes through the outbox to the
learner's own channel, as ``<circle> facilitator: <text>``.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from bot.domain import contacts, enrollments, history, outbox
from bot.render import codec
from bot.render.texts import RELAY_TEXT_MAX
from bot.runtime import current as runtime
from bot.store.models import Contact, Enrollment, Facilitator, Outbox, RelayHandle
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _
from flows import keys
from flows.results import Quote, Reply


def _said(row: Outbox) -> str:
    for reply in codec.load(row.replies):
        text = reply.params.get("text") if reply.params else None
        if isinstance(text, Quote):
            return text.text
        if reply.key == keys.RELAY_STUCK:
            return _("Check-in: I am stuck")
    return row.body or ""


def threads(db, circle, facilitator_id: int | None) -> list[dict]:
    """One thread per learner of the circle who has a handle, newest message last in each; the thread with
    the most recent message comes first, and one whose last message is the learner's is ``unanswered``.

    Only the circle's own facilitator (the one learners' relays go to) has threads, and each holds only
    the relays between that learner and them: never another facilitator's replies to the same learner.
    """
    if circle.facilitator_id is None or facilitator_id != circle.facilitator_id:
        return []
    own_contact = db.scalar(select(Facilitator.contact_id).where(Facilitator.id == facilitator_id))
    if own_contact is None:
        return []
    learners = db.execute(
        select(RelayHandle.number, Contact)
        .join(Contact, Contact.id == RelayHandle.contact_id)
        .join(Enrollment, Enrollment.contact_id == Contact.id)
        .where(RelayHandle.facilitator_id == facilitator_id, Enrollment.circle_id == circle.id)
        .order_by(RelayHandle.number)
    ).all()
    out = []
    for number, learner in learners:
        rows = db.scalars(
            select(Outbox)
            .where(
                Outbox.kind == outbox.OutboxKind.RELAY,
                ((Outbox.contact_id == own_contact) & (Outbox.about_contact_id == learner.id))
                | ((Outbox.contact_id == learner.id) & (Outbox.about_contact_id == own_contact)),
            )
            .order_by(Outbox.created_at, Outbox.id)
        ).all()
        said = [
            {"from_learner": row.contact_id != learner.id, "text": _said(row), "at": row.created_at} for row in rows
        ]
        if said:
            out.append(
                {
                    "number": number,
                    "name": learner.name or "",
                    "messages": said,
                    "unanswered": said[-1]["from_learner"],  # their last word has no answer yet
                    "latest": said[-1]["at"],
                }
            )
    # the thread with the newest message first, as a phone's messages app lists them
    return sorted(out, key=lambda t: (t["latest"], t["number"]), reverse=True)


@bp.get("/circles/<code>/inbox")
@signed_in
def inbox(code):
    """The threads of this circle's learners."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        found_threads = threads(db, found, g.person.facilitator_id)
        lead = found.facilitator_id is not None and found.facilitator_id == g.person.facilitator_id
        return render_template("pages/inbox.html", circle=found, threads=found_threads, most=RELAY_TEXT_MAX, lead=lead)


@bp.post("/circles/<code>/inbox/<int(max=2147483647):number>")
@signed_in
def inbox_reply(code, number):
    """Answers learner ``#number`` (only a learner of this circle) on their own channel."""
    text = (request.form.get("text") or "").strip()
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        if found.facilitator_id is None or found.facilitator_id != g.person.facilitator_id:
            abort(404)  # only the facilitator learners' relays go to answers them, as themselves
        learner_id = db.scalar(
            select(RelayHandle.contact_id)
            .join(Enrollment, Enrollment.contact_id == RelayHandle.contact_id)
            .where(
                RelayHandle.facilitator_id == found.facilitator_id,
                RelayHandle.number == number,
                Enrollment.circle_id == found.id,
                Enrollment.status.in_(enrollments.CURRENT),
            )
        )
        if learner_id is None:
            abort(404)
        if not text or len(text) > RELAY_TEXT_MAX:
            flash(
                _("Write a message first.")
                if not text
                else _("The message is too long: at most %(most)s characters and 3 SMS segments.", most=RELAY_TEXT_MAX),
                "error",
            )
            return redirect(url_for("pages.inbox", code=found.code, _anchor=f"t-{number}"))
        learner = db.get(Contact, learner_id)
        to = contacts.recipient(db, learner_id, learner.language or found.language)
        if to is None:
            flash(_("That learner cannot get messages now."), "error")
            return redirect(url_for("pages.inbox", code=found.code, _anchor=f"t-{number}"))
        said = (Reply(keys.RELAY_TO_LEARNER, {"circle": found.name, "text": Quote(text)}),)
        key = f"pagerelay:{now():%Y%m%dT%H%M%S%f}:{learner_id}"
        history.record(db, found.id, history.SentKind.RELAY, key, text, now(), learner_id)
        outbox.insert_new(
            db,
            [
                outbox.row(
                    key,
                    outbox.OutboxKind.RELAY,
                    to,
                    said,
                    now(),
                    now(),
                    about=g.person.contact_id,  # who wrote it: their thread shows it as theirs
                )
            ],
        )
        db.commit()
    flash(_("Sent to #%(number)s.", number=number), "info")
    return redirect(url_for("pages.inbox", code=found.code, _anchor=f"t-{number}"))  # back at that thread
