"""The history of what the circle's facilitators sent (broadcasts, relay answers) and how each copy fared."""

from __future__ import annotations

from flask import render_template

from bot.domain import history as sent_history
from bot.runtime import current as runtime
from bot.web.access import circle_or_404, signed_in
from bot.web.blueprint import bp


@bp.get("/circles/<code>/history")
@signed_in
def history(code):
    """Every broadcast and relay answer, newest first: time, text and each learner's delivery status."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        return render_template(
            "pages/history.html", circle=found, sent=sent_history.entries(db, found), Copy=sent_history.Copy
        )
