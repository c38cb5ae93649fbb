"""Messaging the whole circle (with a live segment count) and downloading the export."""

from __future__ import annotations

import secrets

from flask import Response, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from bot.domain.contacts import preferred_join
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.planning import broadcast
from bot.render import segments, sms, telegram
from bot.render.texts import RELAY_TEXT_MAX
from bot.reports import export
from bot.runtime import current as runtime
from bot.store.models import Address, Circle, Contact, Enrollment
from bot.web import audience, providers
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _, ngettext
from bot.web.meeting_actions import CONFIRM
from flows.inbound import SMS, TELEGRAM, WHATSAPP


def count(db, circle: Circle, text: str) -> dict:
    """What the message costs: the SMS as learners get it (``<circle>: <text>``), counted like
    ``circlebot segments``, times the circle's active learners who get it by SMS."""
    rendered = sms.render(broadcast.said(circle, text), circle.language)
    counted = segments.count(rendered)
    numbers = db.scalars(
        select(Address.value)
        .select_from(Enrollment)
        .join(Contact, Contact.id == Enrollment.contact_id)
        .join(Address, preferred_join())
        .where(
            Enrollment.circle_id == circle.id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
            Contact.erased_at.is_(None),
            Address.channel == SMS,
        )
    ).all()
    on_sms = len(numbers)
    return {
        "characters": len(text),
        "cost": cost(rendered, counted.segments),
        "encoding": counted.encoding,
        "segments": counted.segments,
        "sms_learners": on_sms,
        "total_segments": counted.segments * on_sms,
        "by_provider": providers.split(db, runtime().channels, numbers, counted.segments),
        "too_long": len(text) > RELAY_TEXT_MAX or counted.segments > segments.MAX_SEGMENTS,
    }


def cost(rendered: str, parts: int) -> str:
    """The cost in plain words, naming the first character that makes the SMS Unicode (and what it adds)."""
    odd = next((ch for ch in rendered if not segments.is_gsm7(ch)), None)
    if odd is None:
        return ngettext("Each learner's SMS costs %(num)s text.", "Each learner's SMS costs %(num)s texts.", parts)
    plain = segments.count("".join(ch if segments.is_gsm7(ch) else "?" for ch in rendered)).segments
    if parts > plain:
        return ngettext(
            'The character "%(char)s" is not plain SMS text, so each learner\'s SMS costs %(num)s text '
            "instead of %(plain)s.",
            'The character "%(char)s" is not plain SMS text, so each learner\'s SMS costs %(num)s texts '
            "instead of %(plain)s.",
            parts,
            char=odd,
            plain=plain,
        )
    return _(
        'The character "%(char)s" is not plain SMS text: this message still fits, but with it a text holds '
        "70 characters instead of 160.",
        char=odd,
    )


def previews(db, circle: Circle, text: str) -> list[tuple[str, str]]:
    """The message as each channel of the circle's learners shows it (SMS always): (channel, text)."""
    said = broadcast.said(circle, text)
    channels = {learner["channel"] for learner in audience.learners(db, circle)}
    shown = [("SMS", sms.render(said, circle.language))]
    if WHATSAPP in channels:
        shown.append(("WhatsApp", sms.render(said, circle.language, fold=False)))
    if TELEGRAM in channels:
        shown.append(("Telegram", telegram.as_text(telegram.render(said, circle.language))))
    return shown


@bp.get("/circles/<code>/message")
@signed_in
def message(code):
    """The form, with the count of what is typed (the page's script asks ``/segments`` as you type)."""
    text = request.args.get("text", "")[: RELAY_TEXT_MAX * 2]
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        counted = count(db, found, text)
        return render_template("pages/message.html", circle=found, text=text, counted=counted, most=RELAY_TEXT_MAX)


@bp.get("/circles/<code>/segments")
@signed_in
def segment_count(code):
    """The count as JSON, for the live counter (the same code as the form and ``circlebot segments``)."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        return jsonify(count(db, found, request.args.get("text", "")[: RELAY_TEXT_MAX * 2]))


@bp.post("/circles/<code>/message")
@signed_in
def message_send(code):
    """Sends the message through the outbox to every active learner, each on their own channel."""
    text = (request.form.get("text") or "").strip()
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        counted = count(db, found, text)
        if not text or counted["too_long"]:
            flash(
                _("Write a message first.")
                if not text
                else _("The message is too long: at most %(most)s characters and 3 SMS segments.", most=RELAY_TEXT_MAX),
                "error",
            )
            return render_template(
                "pages/message.html", circle=found, text=text, counted=counted, most=RELAY_TEXT_MAX
            ), 400
        if request.form.get("confirm") != CONFIRM:  # texting everyone asks first: preview, cost and who
            return render_template(
                "pages/confirm.html",
                circle=found,
                heading=_("Send this to the whole circle?"),
                explain=counted["cost"],
                said=None,
                previews=previews(db, found, text),
                recipients=audience.learners(db, found),
                action=url_for("pages.message_send", code=found.code),
                hidden={"text": text},
                button=_("Yes, send it to the circle"),
                danger=False,
                undo=_("A sent text cannot be taken back."),
                back=url_for("pages.message", code=found.code, text=text),
            )
        planned = broadcast.plan(db, found, text, f"page:{secrets.token_hex(8)}", now())
        db.commit()
    flash(
        ngettext(
            "Your message is on its way to %(num)s learner.",
            "Your message is on its way to %(num)s learners.",
            len(planned),
        ),
        "info",
    )
    return redirect(url_for("pages.message", code=found.code))  # the history page shows how it fares


@bp.get("/circles/<code>/export.csv")
@signed_in
def export_csv(code):
    """The CSV ``circlebot export`` writes (``?what=learners`` or ``facilitator``); never a full number."""
    what = request.args.get("what", "learners")
    if what not in ("learners", "facilitator"):
        what = "learners"
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        table = export.learners(db, found) if what == "learners" else export.facilitator(db, found)
        name = f"{found.code.lower()}-{what}.csv"
    return Response(
        export.to_csv(table), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
