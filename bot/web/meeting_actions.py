"""Safe meeting actions on the pages: cancelling and restoring ask first (who is texted, and what), a move
that would change the meetings' order asks first, and in-person attendance is marked per meeting."""

from __future__ import annotations

from datetime import timezone

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from bot.domain import attendance, meetings
from bot.domain import circles as ops
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.schedule import MeetingStatus, zone
from bot.runtime import current as runtime
from bot.store.models import Contact, Enrollment, RelayHandle
from bot.web import audience, forms
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _, when
from flows import keys, standing
from flows.facilitator_here import ATTENDANCE_EARLY
from flows.results import Reply, When

CONFIRM = "yes"  # the value of the confirmation form's ``confirm`` field


def _params(circle, starts_at, old=None) -> dict:
    params = {"circle": circle.name, "venue": circle.venue, "when": When(starts_at, circle.timezone)}
    if old is not None:
        params["old"] = When(old, circle.timezone)
    return params


def _confirm(db, circle, said: Reply, **page):
    """The confirmation page: what happens, the learners who are texted and the text they get."""
    recipients = audience.learners(db, circle)
    return render_template(
        "pages/confirm.html", circle=circle, said=audience.text_of((said,), circle), recipients=recipients, **page
    )


def _back(circle):
    """Back to the circle after a refusal (303, as before)."""
    return redirect(url_for("pages.circle", code=circle.code), 303)


def _done(circle):
    """Back to the circle after a change was made."""
    return redirect(url_for("pages.circle", code=circle.code))


def cancel(code: str, seq: int):
    """Cancelling asks first (the meeting, every learner who is texted, the text); ``confirm=yes`` cancels."""
    rt = runtime()
    with rt.uow() as db:
        found = circle_or_404(db, code)
        meeting = _meeting_or_back(db, found, seq)
        if meeting is None:
            return _back(found)
        if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at <= now():
            flash(_explain(meetings.MeetingError("", "cancelled" if meeting.starts_at > now() else "past")), "error")
            return _back(found)
        if request.method == "GET" or request.form.get("confirm") != CONFIRM:
            return _confirm(
                db,
                found,
                Reply(keys.MEETING_CANCELLED, _params(found, meeting.starts_at)),
                heading=_("Cancel meeting %(seq)s?", seq=seq),
                explain=_(
                    "Meeting %(seq)s, %(when)s, is cancelled and its reminders are withdrawn.",
                    seq=seq,
                    when=when(meeting.starts_at, found.timezone),
                ),
                action=url_for("pages.meeting_cancel", code=found.code, seq=seq),
                hidden={},
                button=_("Yes, cancel meeting %(seq)s and text the learners", seq=seq),
                danger=True,
                undo=_("You can restore it on the circle's page until it was due."),
            )
        meetings.cancel(db, rt.settings, found, seq, now())
        db.commit()
    flash(_("Meeting %(seq)s cancelled. Learners are being told. You can restore it below.", seq=seq), "info")
    return _done(found)


@bp.route("/circles/<code>/meetings/<int(max=2147483647):seq>/restore", methods=["GET", "POST"])
@signed_in
def meeting_restore(code, seq):
    """Puts a cancelled meeting back after asking; learners are told once that it is on again."""
    rt = runtime()
    with rt.uow() as db:
        found = circle_or_404(db, code)
        meeting = _meeting_or_back(db, found, seq)
        if meeting is None:
            return _back(found)
        if meeting.status != MeetingStatus.CANCELLED or meeting.starts_at <= now():
            flash(_("Only a cancelled meeting that is still ahead can be restored."), "error")
            return _back(found)
        if request.method == "GET" or request.form.get("confirm") != CONFIRM:
            return _confirm(
                db,
                found,
                Reply(keys.MEETING_RESTORED, _params(found, meeting.starts_at)),
                heading=_("Restore meeting %(seq)s?", seq=seq),
                explain=_(
                    "Meeting %(seq)s, %(when)s, is on again and its reminder goes out as usual.",
                    seq=seq,
                    when=when(meeting.starts_at, found.timezone),
                ),
                action=url_for("pages.meeting_restore", code=found.code, seq=seq),
                hidden={},
                button=_("Yes, restore meeting %(seq)s and text the learners", seq=seq),
                danger=False,
                undo=None,
            )
        try:
            meetings.restore(db, rt.settings, found, seq, now())
        except ops.CircleError:
            db.rollback()
            flash(_("Only a cancelled meeting that is still ahead can be restored."), "error")
            return _back(found)
        db.commit()
    flash(_("Meeting %(seq)s is on again. Learners are being told once.", seq=seq), "info")
    return _done(found)


def move(code: str, seq: int):
    """Moves a meeting; a move past another meeting asks first (``reorder=yes`` moves it anyway)."""
    rt = runtime()
    with rt.uow() as db:
        found = circle_or_404(db, code)
        meeting = _meeting_or_back(db, found, seq)
        if meeting is None:
            return _back(found)
        local = forms.local_datetime(request.form.get("to", ""))
        if local is None:
            flash(_("Type a real date and time."), "error")
            return _back(found)
        try:
            to = local.replace(tzinfo=zone(found.timezone)).astimezone(timezone.utc)
        except OverflowError:  # past year 9999 in UTC: no meeting can be there
            flash(_explain(meetings.MeetingError("", "too_far")), "error")
            return _back(found)
        old = meeting.starts_at
        anyway = request.form.get("reorder") == CONFIRM
        try:
            meetings.move(db, rt.settings, found, seq, to, now(), keep_order=not anyway)
        except meetings.MeetingError as exc:
            db.rollback()
            if exc.reason != "order":
                flash(_explain(exc), "error")
                return _back(found)
            passed = standing.passed_by(meeting, to, found.meetings)
            other = passed.seq if passed else seq
            other_when = when(passed.starts_at, found.timezone) if passed else ""
            return _confirm(
                db,
                found,
                Reply(keys.MEETING_MOVED, _params(found, to, old)),
                heading=_("Move meeting %(seq)s past meeting %(other)s?", seq=seq, other=other),
                explain=_(
                    "Meeting %(seq)s (%(old)s) would move to %(when)s, after meeting %(other)s (%(other_when)s). "
                    "The meetings would then be out of order.",
                    seq=seq,
                    old=when(old, found.timezone),
                    when=when(to, found.timezone),
                    other=other,
                    other_when=other_when,
                ),
                action=url_for("pages.meeting_move", code=found.code, seq=seq),
                hidden={"to": request.form.get("to", ""), "reorder": CONFIRM},
                button=_("Yes, move meeting %(seq)s anyway", seq=seq),
                danger=True,
                undo=None,
            ), 409
        db.commit()
        done = _(
            "Meeting %(seq)s moved from %(old)s to %(when)s. Learners are being told.",
            seq=seq,
            old=when(old, found.timezone),
            when=when(to, found.timezone),
        )
    flash(done, "info")
    return _done(found)


@bp.route("/circles/<code>/meetings/<int(max=2147483647):seq>/attendance", methods=["GET", "POST"])
@signed_in
def meeting_attendance(code, seq):
    """Who came in person, ticked per learner: the same records ``HERE`` writes (phone calls are counted
    by the conference and stay)."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        meeting = _meeting_or_back(db, found, seq)
        if meeting is None:
            return _back(found)
        if meeting.status == MeetingStatus.CANCELLED or meeting.starts_at > now() + ATTENDANCE_EARLY:
            flash(_("Attendance can be marked from half an hour before a meeting that is not cancelled."), "error")
            return _back(found)
        marked = attendance.in_person(db, meeting.id)
        listed = _attendees(db, found, marked)
        if request.method == "POST":
            came = [int(v) for v in request.form.getlist("came") if v.isdecimal() and len(v) < 10]
            added, removed = attendance.mark_in_person(db, meeting.id, [r["id"] for r in listed], came, now())
            db.commit()
            flash(
                _("Attendance saved: %(added)s marked, %(removed)s taken back.", added=added, removed=removed), "info"
            )
            return redirect(url_for("pages.meeting_attendance", code=found.code, seq=seq), 303)
        return render_template("pages/attendance.html", circle=found, meeting=meeting, learners=listed, marked=marked)


def _attendees(db, circle, marked: set[int]) -> list[dict]:
    """The circle's active learners and anyone already marked, by relay number (then name)."""
    rows = db.execute(
        select(Contact.id, Contact.name, Enrollment.status, RelayHandle.number)
        .join(Enrollment, Enrollment.contact_id == Contact.id)
        .outerjoin(
            RelayHandle,
            (RelayHandle.contact_id == Contact.id) & (RelayHandle.facilitator_id == circle.facilitator_id),
        )
        .where(Enrollment.circle_id == circle.id, Contact.erased_at.is_(None))
    ).all()
    out = [
        {"id": cid, "name": name or "", "handle": number}
        for cid, name, status, number in rows
        if status == EnrollmentStatus.ACTIVE or cid in marked
    ]
    return sorted(out, key=lambda r: (r["handle"] is None, r["handle"] or 0, r["name"]))


def _meeting_or_back(db, circle, seq):
    try:
        return meetings.find(db, circle, seq)
    except meetings.MeetingError:
        flash(_("There is no such meeting."), "error")
        return None


def _explain(exc) -> str:
    from bot.web.circles import _explain_meeting

    return _explain_meeting(getattr(exc, "reason", None))
