"""The live panel on a circle's page (issue 26): who is on the line now, with mute, unmute and remove,
"mute everyone" and "end the meeting", during the meeting's call window.

It reads the stored conference events (``bot.domain.conference_room``) and acts through the same
functions as the keypad host menu (``bot.outbound.conference_control``). Only the circle's facilitators
(lead or co-facilitator) may act; a call that is not on the line of this circle's live meeting is a 404.
The page polls ``GET …/live`` (an HTML fragment) to refresh it without reloading; each form also works
without JavaScript (a redirect back to the page with a message).
"""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from bot.domain import callers, conference_room
from bot.domain import phone as phones
from bot.outbound import conference_control as control
from bot.runtime import current as runtime
from bot.store.models import CircleFacilitator
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _

SID_MAX = 64


def panel(db, circle) -> dict:
    """What the live panel shows: the live meeting (None outside every call window) and its lines."""
    meeting = conference_room.live_meeting(db, circle.id, now(), callers.call_window(runtime().settings))
    lines = conference_room.on_the_line(db, meeting.id) if meeting is not None else []
    return {"live": meeting, "lines": lines, "can_act": _may_act(db, circle)}


def _may_act(db, circle) -> bool:
    """True for the circle's lead facilitator and its co-facilitators (not an organizer who only sees it)."""
    me = g.person.facilitator_id
    if me is None:
        return False
    if circle.facilitator_id == me:
        return True
    return (
        db.scalar(
            select(CircleFacilitator.id).where(
                CircleFacilitator.circle_id == circle.id, CircleFacilitator.facilitator_id == me
            )
        )
        is not None
    )


@bp.get("/circles/<code>/live")
@signed_in
def live(code):
    """The live panel alone (the page polls it)."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        return render_template("pages/_live_panel.html", circle=found, mask=phones.mask, **panel(db, found))


def _act(code: str, action):
    """Checks who asks and the live meeting, runs ``action(meeting_id)``, and answers the page."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        if not _may_act(db, found):
            abort(403)
        meeting = conference_room.live_meeting(db, found.id, now(), callers.call_window(runtime().settings))
        if meeting is None:
            abort(404)
        meeting_id, circle_code = meeting.id, found.code
    outcome = action(meeting_id)
    if outcome.status == control.NOT_FOUND:
        abort(404)
    message, category = _said(outcome)
    if request.headers.get("X-Requested-With") == "fetch":
        return jsonify(ok=outcome.ok, message=message), 200 if outcome.status != control.FAILED else 502
    flash(message, category)
    return redirect(url_for("pages.circle", code=circle_code) + "#live")


def _said(outcome) -> tuple[str, str]:
    if outcome.status == control.GONE:
        return _("That caller has already left the call."), "info"
    if outcome.status == control.FAILED:
        return _("The phone service did not answer. Please try again."), "error"
    return _("Done."), "info"


def _call() -> str:
    sid = (request.form.get("call") or "").strip()
    if not sid or len(sid) > SID_MAX:
        abort(400)
    return sid


@bp.post("/circles/<code>/live/mute")
@signed_in
def live_mute(code):
    """Mutes (``muted=1``) or unmutes (``muted=0``) one caller."""
    sid, muted = _call(), request.form.get("muted") == "1"
    rt = runtime()
    return _act(code, lambda meeting_id: control.mute(rt.uow, rt.settings, meeting_id, sid, muted, now()))


@bp.post("/circles/<code>/live/mute-all")
@signed_in
def live_mute_all(code):
    """Mutes every learner on the line; never the facilitator."""
    rt = runtime()
    return _act(code, lambda meeting_id: control.mute_everyone(rt.uow, rt.settings, meeting_id, True, now()))


@bp.post("/circles/<code>/live/remove")
@signed_in
def live_remove(code):
    """Takes one caller out of the call."""
    sid = _call()
    rt = runtime()
    return _act(code, lambda meeting_id: control.remove(rt.uow, rt.settings, meeting_id, sid, now()))


@bp.post("/circles/<code>/live/end")
@signed_in
def live_end(code):
    """Ends the meeting's call for everyone, once the box saying so is ticked."""
    if request.form.get("confirm") != "yes":
        with runtime().uow() as db:
            circle_or_404(db, code)
        flash(_("Tick the box to end the meeting for everyone."), "error")
        return redirect(url_for("pages.circle", code=code) + "#live")
    rt = runtime()
    return _act(code, lambda meeting_id: control.end(rt.uow, rt.settings, meeting_id, now()))
