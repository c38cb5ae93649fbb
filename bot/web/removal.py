"""Removing a learner from the roster: the page asks first (who, and the one text they get)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from bot.domain import removal
from bot.domain.contacts import recipient
from bot.runtime import current as runtime
from bot.web import audience
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _
from bot.web.meeting_actions import CONFIRM


@bp.route("/circles/<code>/roster/<int(max=2147483647):enrollment_id>/remove", methods=["GET", "POST"])
@signed_in
def roster_remove(code, enrollment_id):
    """Asks, then takes the learner off the circle (as LEAVE does) and texts them once how to join again."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        back = url_for("pages.roster", code=found.code)
        try:
            _enrollment, learner = removal.current(db, found, enrollment_id)
        except removal.RemovalError:
            flash(_("That learner is not in this circle."), "error")
            return redirect(back, 303)
        name = learner.name or ""
        if request.method == "GET" or request.form.get("confirm") != CONFIRM:
            to = recipient(db, learner.id, found.language)
            return render_template(
                "pages/confirm.html",
                circle=found,
                heading=_("Remove %(name)s from the circle?", name=name),
                explain=_(
                    "%(name)s leaves %(circle)s: no more reminders or questions about it. Their answers stay in "
                    "the circle's records.",
                    name=name,
                    circle=found.name,
                ),
                said=audience.text_of(removal.said(found), found) if to else None,
                recipients=[{"name": name, "handle": None, "channel": to.channel}] if to else [],
                action=url_for("pages.roster_remove", code=found.code, enrollment_id=enrollment_id),
                hidden={},
                button=_("Yes, remove %(name)s", name=name),
                danger=True,
                undo=_("To undo, add them again on the roster page, or they text JOIN %(code)s.", code=found.code),
                back=back,
            )
        removal.remove(db, found, enrollment_id, now())
        db.commit()
    flash(_("%(name)s was removed from the circle and gets one text saying so.", name=name), "info")
    return redirect(back)
