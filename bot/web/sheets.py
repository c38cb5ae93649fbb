"""The roster page's upload of a paper sign-up sheet (``circlebot learner import`` on the page)."""

from __future__ import annotations

from flask import render_template, request

from bot.domain import sheet as sheets
from bot.domain.circles import NAME_MAX
from bot.runtime import current as runtime
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _
from bot.web.roster import _known_elsewhere as known_elsewhere


@bp.post("/circles/<code>/roster/import")
@signed_in
def roster_import(code):
    """Adds every line of the uploaded CSV like "add on paper"; shows what was added and each line refused."""
    rt = runtime()
    with rt.uow() as db:
        found = circle_or_404(db, code)
        circle_id, circle_code, circle_name = found.id, found.code, found.name
    upload = request.files.get("sheet")
    data = upload.read(sheets.MOST_BYTES + 1) if upload else b""
    problem = None
    try:
        lines = sheets.read(data) if data else None
    except sheets.SheetError as exc:
        problem = _sheet_problem(exc.reason)
    else:
        if lines is None:
            problem = _("Choose a CSV file to import.")
    if problem:
        return render_template(
            "pages/sheet_report.html", code=circle_code, name=circle_name, problem=problem, report=None
        ), 400
    report = sheets.add(
        rt.uow,
        rt.settings,
        circle_id,
        lines,
        now(),
        rt.settings.default_region,
        allowed=lambda db, number: not known_elsewhere(db, number),
    )
    refused = [_refusal(r, circle_code) for r in report.refused]
    return render_template(
        "pages/sheet_report.html", code=circle_code, name=circle_name, problem=None, report=report, refused=refused
    )


def _sheet_problem(reason: str) -> str:
    if reason == "columns":
        return _("The first line must name the columns: name, phone (and language, channel).")
    if reason == "too_big":
        return _("The file is too big: at most %(most)s lines.", most=sheets.MOST_LINES)
    return _("The file is empty.")


def _refusal(refused: sheets.Refused, code: str) -> str:
    """One refused line, said in the facilitator's language (never why a number cannot be added)."""
    line, value = refused.line, refused.value
    if refused.reason == sheets.NO_NAME:
        return _("Line %(line)s: the name is missing.", line=line)
    if refused.reason == sheets.LONG_NAME:
        return _("Line %(line)s: the name is longer than %(most)s characters.", line=line, most=NAME_MAX)
    if refused.reason == sheets.BAD_PHONE:
        return _('Line %(line)s: "%(value)s" is not a phone number.', line=line, value=value)
    if refused.reason == sheets.BAD_LANGUAGE:
        return _(
            'Line %(line)s: "%(value)s" is not a language we speak (en, es, fr, pt, pl, sw).', line=line, value=value
        )
    if refused.reason == sheets.BAD_CHANNEL:
        return _('Line %(line)s: "%(value)s" is not a channel; write sms or voice.', line=line, value=value)
    return _(
        "Line %(line)s: we can't add this number. Ask the learner to text JOIN %(code)s to sign up.",
        line=line,
        code=code,
    )
