"""The pages' blueprint (``/facilitator``): every page module adds its routes to ``bp``."""

from __future__ import annotations

from flask import Blueprint, current_app, request

bp = Blueprint("pages", __name__, url_prefix="/facilitator")


@bp.before_request
def _csrf():
    """Every POST to the pages carries the session's CSRF token (form field or X-CSRFToken header)."""
    if request.method == "POST":
        current_app.extensions["circlebot_csrf"].protect()
