"""Co-facilitators on the circle's page: added by name and number (they get a text), removed by a button."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from bot.domain import co_facilitators as ops
from bot.domain import phone as phones
from bot.runtime import current as runtime
from bot.web.access import circle_or_404, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _


@bp.post("/circles/<code>/co-facilitators")
@signed_in
def co_facilitator_add(code):
    """Adds a co-facilitator by name and phone number; they get one text that says how to decline."""
    rt = runtime()
    name = " ".join((request.form.get("name") or "").split())
    with rt.uow() as db:
        found = circle_or_404(db, code)
        if len(name) > ops.NAME_MOST:
            flash(
                _("%(field)s can be at most %(most)s characters.", field=_("First name"), most=ops.NAME_MOST), "error"
            )
            return redirect(url_for("pages.circle", code=found.code, _anchor="co-h")), 303
        try:
            number = phones.parse(request.form.get("phone", ""), rt.settings.default_region)
        except phones.PhoneError:
            flash(_("That phone number cannot be read."), "error")
            return redirect(url_for("pages.circle", code=found.code, _anchor="co-h")), 303
        sign_in = rt.settings.public_base_url + url_for("pages.login")
        _who, planned = ops.add(db, found, number, name or None, sign_in, now())
        db.commit()
    if planned:
        flash(_("Co-facilitator added. They get a text that says how to decline."), "info")
    else:
        flash(_("Co-facilitator added."), "info")
    return redirect(url_for("pages.circle", code=found.code, _anchor="co-h"))


@bp.post("/circles/<code>/co-facilitators/<int(max=2147483647):facilitator_id>/remove")
@signed_in
def co_facilitator_remove(code, facilitator_id):
    """Takes a co-facilitator off the circle (they may remove themselves: how a text's "not for you" works)."""
    with runtime().uow() as db:
        found = circle_or_404(db, code)
        gone = ops.remove(db, found, facilitator_id)
        if gone is None:
            flash(_("That person is not a co-facilitator of this circle."), "error")
            return redirect(url_for("pages.circle", code=found.code, _anchor="co-h")), 303
        db.commit()
    flash(_("Co-facilitator removed."), "info")
    return redirect(url_for("pages.circle", code=found.code, _anchor="co-h"))
