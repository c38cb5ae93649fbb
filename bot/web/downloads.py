"""Downloads of a circle: its meetings as a calendar file (``circlebot export CODE --what calendar``)."""

from __future__ import annotations

from flask import Response

from bot.domain import phone as phones
from bot.reports import calendar
from bot.runtime import current as runtime
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp


@bp.get("/circles/<code>/calendar.ics")
@signed_in
def calendar_ics(code):
    """One event per meeting (venue, dial-in line, cancelled ones marked cancelled), as ``kc42.ics``."""
    rt = runtime()
    number = rt.settings.texting_number
    with rt.uow() as db:
        found = circle_or_404(db, code)
        data = calendar.ics(found, phones.display(number) if number else None, rt.settings.public_base_url, now())
        name = calendar.filename(found)
    return Response(data, mimetype="text/calendar", headers={"Content-Disposition": f'attachment; filename="{name}"'})
