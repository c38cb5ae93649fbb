"""Charts: RSVPs per meeting, check-ins per week, the survey per question (SVG drawn on the server)."""

from __future__ import annotations

from flask import render_template

from bot.render.texts import TEXTS
from bot.reports import stats
from bot.runtime import current as runtime
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp


@bp.get("/circles/<code>/charts")
@signed_in
def charts(code):
    """The three charts, each with its numbers written on it and a table as its text alternative."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        data = {
            "rsvps": stats.rsvps(db, found),
            "checkins": stats.checkins(db, found, now()),
            "enrolled": stats.enrolled(db, found),
            "survey": stats.survey(db, found),
        }
        return render_template("pages/charts.html", circle=found, texts=TEXTS, **data)
