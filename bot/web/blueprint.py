"""The pages' blueprint (``/facilitator``): every page module adds its routes to ``bp``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request

bp = Blueprint("pages", __name__, url_prefix="/facilitator")
# Every id in a page URL is ``<int(max=2147483647):…>`` (the largest INTEGER): past it is a 404, never a
# database error.


@bp.before_request
def _csrf():
    """Every POST to the pages carries the session's CSRF token (form field or X-CSRFToken header)."""
    if request.method == "POST":
        current_app.extensions["circlebot_csrf"].protect()


@bp.before_request
def _no_nul():
    """A NUL in the path, the query or a form is refused (400): no database stores one."""
    values = [request.path, *request.args.values()]
    if request.method == "POST":
        values.extend(request.form.values())
    if any("\x00" in value for value in values):
        abort(400)
