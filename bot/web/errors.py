"""Error pages for people (the webhooks keep their JSON errors)."""

from __future__ import annotations

from flask import render_template

from bot.web.i18n import _


def page(code: int):
    """A short page in the facilitator's language that says what to do next."""
    said = {
        400: _("The form had expired or was incomplete. Go back, reload the page and try again."),
        403: _("Only facilitators can do this."),
        404: _("This page does not exist, or it is not one of your circles."),
        429: _("Too many tries. Wait 10 minutes and try again."),
    }.get(code, _("Something went wrong. Please try again."))
    return render_template("pages/error.html", said=said, code=code), code
