"""The roster: every learner with their status and RSVPs, adding a learner on paper, promoting, renaming."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from bot.domain import contacts, roles, whatsapp
from bot.domain import phone as phones
from bot.domain import roster as domain
from bot.domain.circles import NAME_MAX
from bot.domain.enrollments import EnrollmentStatus
from bot.runtime import current as runtime
from bot.store.models import Circle, Enrollment
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _
from flows import languages

TEXTS, CALLS = "texts", "calls"  # how a learner added on paper is reached


def _reasons() -> dict[str, str]:
    return {
        "already": _("That learner is already in this circle or on its waiting list."),
        "unreadable": _("That phone number cannot be read."),
        "missing": _("That learner is not on the waiting list."),
        "full": _("The circle is full. Raise its capacity first."),
        "name": _("A name needs at least one letter."),
        "not_here": _("That learner is not in this circle."),
    }


@bp.get("/circles/<code>/roster")
@signed_in
def roster(code):
    """One row per learner and a grid of RSVPs per meeting (attendance once it is recorded)."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        rows = domain.rows(db, found)
        meetings = list(found.meetings)
        members = list(db.scalars(select(Enrollment.contact_id).where(Enrollment.circle_id == found.id)))
        return render_template(
            "pages/roster.html",
            circle=found,
            rows=rows,
            meetings=meetings,
            form={},
            errors={},
            templates_pending=whatsapp.fell_back(db, members),
        )


@bp.post("/circles/<code>/roster/add")
@signed_in
def roster_add(code):
    """Adds a learner who signed up on paper: by text (one welcome text that says how to STOP), or by
    phone calls for a landline (reminder calls; the first says how to stop)."""
    rt = runtime()
    form = request.form
    errors = {}
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = _("%(field)s is required.", field=_("First name"))
    elif len(name) > NAME_MAX:
        errors["name"] = _("%(field)s can be at most %(most)s characters.", field=_("First name"), most=NAME_MAX)
    try:
        number = phones.parse(form.get("phone", ""), rt.settings.default_region)
    except phones.PhoneError:
        errors["phone"] = _("That phone number cannot be read.")
    language = form.get("language", "")
    if language not in languages.SHIPPED:
        errors["language"] = _("Choose a language from the list.")
    reach = form.get("reach", TEXTS)
    if reach not in (TEXTS, CALLS):
        errors["reach"] = _("Choose texts or phone calls.")
    with rt.uow() as db:
        found = circle_or_404(db, code)
        if not errors and _known_elsewhere(db, number):
            errors["phone"] = _cannot_add(found.code)
        if not errors:
            try:
                if reach == CALLS:
                    status, planned = domain.add_landline(db, rt.settings, found, name, number, language, now())
                else:
                    status, planned = domain.add_on_paper(db, rt.settings, found, name, number, language, now())
                db.commit()
            except domain.RosterError as exc:
                db.rollback()
                # A number that asked us to stop is told apart from no other refusal (it may have stopped
                # in someone else's circle): nothing is sent to it, and the learner can JOIN by themselves.
                errors["phone"] = _cannot_add(found.code) if exc.reason == "stopped" else _reasons()[exc.reason]
        if errors:
            return render_template(
                "pages/roster.html",
                circle=found,
                rows=domain.rows(db, found),
                meetings=list(found.meetings),
                form=form,
                errors=errors,
            ), 400
    if status != EnrollmentStatus.ACTIVE:
        flash(_("The circle is full, so they are on the waiting list."), "info")
    elif reach == CALLS:
        flash(_("Added. We will call them with reminders; the first call says how to stop."), "info")
    else:
        flash(_("Added. They get one welcome text."), "info")
    return redirect(url_for("pages.roster", code=found.code))


def _known_elsewhere(db, number: str) -> bool:
    """True when the number belongs to someone none of the signed-in person's circles has ever had: adding
    them here would show this facilitator the name and language another circle holds, so they are not."""
    known = contacts.by_phone(db, number)
    if known is None:
        return False
    mine = db.scalar(
        select(Enrollment.id)
        .join(Circle, Circle.id == Enrollment.circle_id)
        .where(Enrollment.contact_id == known.id, roles.visible(g.person))
        .limit(1)
    )
    return mine is None


def _cannot_add(code: str) -> str:
    """The one answer for a number that cannot be added, whatever the reason (never "they opted out")."""
    return _("We can't add this number. Ask the learner to text JOIN %(code)s to sign up.", code=code)


@bp.post("/circles/<code>/roster/<int(max=2147483647):enrollment_id>/promote")
@signed_in
def roster_promote(code, enrollment_id):
    """Moves a learner from the waiting list into the circle and texts them."""
    rt = runtime()
    with rt.uow() as db:
        found = circle_or_404(db, code)
        try:
            domain.promote(db, rt.settings, found, enrollment_id, now())
            db.commit()
        except domain.RosterError as exc:
            flash(_reasons()[exc.reason], "error")
            return redirect(url_for("pages.roster", code=found.code))
    flash(_("Moved into the circle. They get a text."), "info")
    return redirect(url_for("pages.roster", code=found.code))


@bp.post("/circles/<code>/roster/<int(max=2147483647):enrollment_id>/rename")
@signed_in
def roster_rename(code, enrollment_id):
    """Gives a learner a new name (one who joined by phone and whose name could not be understood)."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        try:
            domain.rename(db, found, enrollment_id, (request.form.get("name") or "")[:200])
            db.commit()
        except domain.RosterError as exc:
            flash(_reasons()[exc.reason], "error")
            return redirect(url_for("pages.roster", code=found.code))
    flash(_("Renamed."), "info")
    return redirect(url_for("pages.roster", code=found.code))
