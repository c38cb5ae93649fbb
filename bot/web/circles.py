"""Circles: the list, create, edit, co-facilitators, moving and cancelling meetings, the flyer."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from bot.domain import circles as ops
from bot.domain import conference_room, meetings, roles
from bot.domain import phone as phones
from bot.domain.schedule import ScheduleError, weekly_meetings, zone
from bot.runtime import current as runtime
from bot.store.models import Circle
from bot.web import forms, live_panel, meeting_actions
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _
from flows import dates
from flows.facilitator_here import ATTENDANCE_EARLY


@bp.get("/circles")
@signed_in
def circles():
    """Every circle the signed-in person may see, with places taken and the next meeting."""
    with runtime().uow() as db:
        found = db.scalars(
            select(Circle).where(roles.visible(g.person)).order_by(Circle.archived_at.isnot(None), Circle.code)
        ).all()
        rows = [
            {
                "circle": c,
                "counts": ops.counts(db, c.id),
                "next": next(
                    (m for m in c.meetings if m.status != meetings.MeetingStatus.CANCELLED and m.starts_at > now()),
                    None,
                ),
            }
            for c in found
        ]
        return render_template("pages/circles.html", rows=rows)


@bp.route("/circles/new", methods=["GET", "POST"])
@signed_in
def circle_new():
    """The form for a new circle; the circle is made for the signed-in facilitator."""
    if g.person.facilitator_id is None:
        abort(403)
    if request.method == "GET":
        return render_template(
            "pages/circle_form.html",
            creating=True,
            errors={},
            zones=forms.time_zones(),
            form={"capacity": "12", "weeks": "6", "time": "18:00"},
        )
    values, errors = forms.circle_fields(request.form, creating=True)
    if not errors and values["code"]:
        with runtime().uow() as db:
            if ops.find(db, values["code"]) is not None:
                errors["code"] = _(
                    "The code %(code)s is taken by another circle. Choose another, or leave it empty for a new one.",
                    code=values["code"],
                )
    if not errors:
        try:
            code = _create(values)
        except (ops.CircleError, ScheduleError) as exc:
            errors["starts"] = _weekday_mismatch(values) if getattr(exc, "reason", None) == "weekday" else _explain(exc)
        else:
            flash(_("Circle %(code)s is ready. Learners join by texting JOIN %(code)s.", code=code), "info")
            return redirect(url_for("pages.circle", code=code))
    status = 400 if errors else 200
    return render_template(
        "pages/circle_form.html", creating=True, form=request.form, errors=errors, zones=forms.time_zones()
    ), status


def _create(values: dict) -> str:
    new = ops.NewCircle(
        name=values["name"],
        venue=values["venue"],
        weekday=values["weekday"],
        start_time=values["start_time"],
        timezone=values["timezone"],
        starts=values["starts"],
        weeks=values["weeks"],
        language=values["language"],
        facilitator_phone="",
        capacity=values["capacity"],
        city=values["city"],
        postal_code=values["postal_code"],
        course=values["course"],
        course_url=values["course_url"],
        facilitator_id=g.person.facilitator_id,
        code=values["code"],
    )
    ops.check_start(new, now())
    with runtime().uow() as db:
        created = ops.create_circle(db, new, now(), region=runtime().settings.default_region)
        code = created.code
        db.commit()
    return code


def _weekday_mismatch(values: dict) -> str:
    """The start date is not on the weekday chosen: say which day it is and the date the first meeting
    would be (the CLI names it too), in the facilitator's language."""
    from bot.web.flyer import day_name, long_date

    starts, weekday = values["starts"], values["weekday"]
    first = starts + timedelta(days=(weekday - starts.weekday()) % 7)
    return _(
        "%(date)s is a %(day)s, but the circle meets on %(weekday)s. The first meeting would be on %(first)s: "
        "choose that date, or another weekday.",
        date=long_date(starts),
        day=day_name(starts.weekday()),
        weekday=day_name(weekday),
        first=long_date(first, "full"),
    )


def _explain(exc: Exception) -> str:
    """A start date the domain refused (by its ``reason``), said in the facilitator's language."""
    reason = getattr(exc, "reason", None)
    if reason == "past":
        return _("The start date is in the past.")
    if reason == "weekday":
        return _("The start date is not on the weekday you chose.")
    if reason == "begun":
        return _("The first meeting would already have begun. Choose a later date or time.")
    if reason == "too_far":
        return _("That date is too far ahead. A meeting can move to any time in the next ten years.")
    return _("That change could not be made. Check the dates and try again.")


@bp.get("/circles/<code>")
@signed_in
def circle(code):
    """One circle: its details, meetings (move, cancel), co-facilitators and links to everything else."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        context = {
            "circle": found,
            "meetings": list(found.meetings),
            "counts": ops.counts(db, found.id),
            "co": [(f, ops.facilitator_phone(db, f)) for f in roles.co_facilitators(db, found)],
            "now": now(),
            "held": conference_room.held(db, [m.id for m in found.meetings]),  # issue 26
            **live_panel.panel(db, found),
            "attendance_from": now() + ATTENDANCE_EARLY,  # HERE and the page count from half an hour before
        }
        return render_template("pages/circle.html", mask=phones.mask, **context)


@bp.route("/circles/<code>/edit", methods=["GET", "POST"])
@signed_in
def circle_edit(code):
    """Changes a circle's details and its schedule; a new schedule re-plans the meetings ahead, and learners
    are told of each one moved or cancelled (the same notices as MOVE and CANCEL)."""
    _planned, done = [], None
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        if request.method == "GET":
            form = {
                k: getattr(found, k) or ""
                for k in (
                    "name",
                    "course",
                    "course_url",
                    "venue",
                    "city",
                    "postal_code",
                    "language",
                    "capacity",
                    "timezone",
                    "weeks",
                )
            }
            first = found.meetings[0].starts_at.astimezone(zone(found.timezone)).date() if found.meetings else None
            form.update(
                weekday=forms.WEEKDAY_CODES[found.weekday],
                time=found.start_time.strftime("%H:%M"),
                starts=(first or found.starts_on).isoformat(),
            )
            return render_template(
                "pages/circle_form.html", creating=False, form=form, errors={}, circle=found, zones=forms.time_zones()
            )
        values, errors = forms.circle_fields(request.form, creating=False)
        schedule = {k: values.pop(k) for k in ("timezone", "weekday", "start_time", "starts", "weeks") if k in values}
        if schedule.get("starts") and dates.too_far(schedule["starts"], now().date()):  # 9999-12-31: no schedule
            errors["starts"] = _explain(ops.CircleError("the start date is too far ahead", "too_far"))
        if not errors:
            try:
                ops.edit_circle(db, found, values, now(), region=runtime().settings.default_region)
            except ops.CircleError as exc:
                errors["capacity"] = (
                    _("The capacity cannot go below the learners already in the circle.")
                    if exc.reason == "capacity_below"
                    else _("That change could not be made. Check the dates and try again.")
                )
        if not errors and schedule and _schedule_changed(found, schedule):
            try:
                done = meetings.reschedule(
                    db,
                    runtime().settings,
                    found,
                    schedule["weekday"],
                    schedule["start_time"],
                    schedule["timezone"],
                    schedule["starts"],
                    schedule["weeks"],
                    now(),
                )
            except (ops.CircleError, ScheduleError) as exc:
                if getattr(exc, "reason", None) == "weeks_below":
                    errors["weeks"] = _("The circle has already met that many times; choose more weeks.")
                else:
                    errors["starts"] = _explain(exc)
        if errors:
            db.rollback()
            return render_template(
                "pages/circle_form.html",
                creating=False,
                form=request.form,
                errors=errors,
                circle=found,
                zones=forms.time_zones(),
            ), 400
        code = found.code
        db.commit()
    if done is not None:
        flash(
            _(
                "Saved. Meetings ahead moved: %(moved)s, cancelled: %(cancelled)s, added: %(added)s. "
                "Learners are being told.",
                moved=len(done.moved),
                cancelled=len(done.cancelled),
                added=len(done.added),
            ),
            "info",
        )
    else:
        flash(_("Saved."), "info")
    return redirect(url_for("pages.circle", code=code))


def _schedule_changed(found: Circle, schedule: dict) -> bool:
    """True when the form's schedule gives other meeting times than the circle's (the same form saved again
    changes nothing, even when the stored start date is a day before the first meeting)."""
    try:
        wanted = weekly_meetings(
            schedule["starts"], schedule["weekday"], schedule["start_time"], schedule["timezone"], schedule["weeks"]
        )
    except ScheduleError:
        return True
    return (schedule["timezone"], wanted) != (
        found.timezone,
        weekly_meetings(found.starts_on, found.weekday, found.start_time, found.timezone, found.weeks),
    )


@bp.post("/circles/<code>/meetings/<int(max=2147483647):seq>/move")
@signed_in
def meeting_move(code, seq):
    """Moves a meeting; learners are told once, like ``MOVE`` by text (a move out of order asks first)."""
    return meeting_actions.move(code, seq)


@bp.route("/circles/<code>/meetings/<int(max=2147483647):seq>/cancel", methods=["GET", "POST"])
@signed_in
def meeting_cancel(code, seq):
    """Cancels a meeting after asking (who is texted, and what); learners are told once, like ``CANCEL``."""
    return meeting_actions.cancel(code, seq)


def _explain_meeting(reason: str | None) -> str:
    """A meeting change the domain refused (by its ``reason``), said in the facilitator's language."""
    if reason == "past":
        return _("That time has passed.")
    if reason == "cancelled":
        return _("That meeting is cancelled.")
    if reason == "taken":
        return _("Another meeting is already at that time.")
    if reason == "missing":
        return _("There is no such meeting.")
    if reason == "too_far":
        return _("That date is too far ahead. A meeting can move to any time in the next ten years.")
    return _("That change could not be made. Check the dates and try again.")


@bp.get("/circles/<code>/flyer")
@signed_in
def flyer(code):
    """A printable flyer in the circle's language: text JOIN, the Telegram link with its QR code, dial-in,
    the weekly pattern and the next meeting (the first while none has been held), on one printed page."""
    rt = runtime()
    with rt.uow() as db:
        found = circle_or_404(db, code)
        held = [m for m in found.meetings if m.status != meetings.MeetingStatus.CANCELLED]
        ahead = next((m for m in held if m.starts_at > now()), None)
        return _flyer(rt, found, ahead, ahead is not None and ahead is held[0])


def _flyer(rt, found, ahead, is_first):
    import segno

    from bot.web.flyer import weekly_pattern

    number = rt.settings.texting_number
    bot_name = rt.settings.extra.get("TELEGRAM_BOT_USERNAME")
    link = f"https://t.me/{bot_name}?start={found.code}" if bot_name else None
    target = link or (f"SMSTO:{number}:JOIN {found.code}" if number else f"JOIN {found.code}")
    # omitsize: a viewBox and no fixed width/height, so the page's CSS sizes and centres it.
    qr = segno.make(target, error="m").svg_inline(scale=6, title=target, omitsize=True, svgclass="qr-code")
    g.lang = found.language
    return render_template(
        "pages/flyer.html",
        circle=found,
        number=phones.display(number) if number else None,
        link=link,
        qr=qr,
        ahead=ahead,
        is_first=is_first,
        pattern=weekly_pattern(found),
    )
