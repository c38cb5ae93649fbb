"""The facilitator's pages under ``/facilitator``: sign-in by a one-time code, circles, roster, charts,
messages, the relay inbox and the export.

Every view is short: check who is signed in and which circle they may see (404 otherwise), call the
domain code the CLI and the text commands use, render a template. Every form carries a CSRF token
(Flask-WTF); sign-in is rate-limited (Flask-Limiter, in Redis when ``REDIS_URL`` is set).
"""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from bot.web import (  # noqa: F401  (they add routes to bp)
    auth,
    circles,
    history,
    i18n,
    inbox,
    limits,
    live_panel,
    meeting_actions,
    messaging,
    p2pu,
    removal,
    roster,
    stats,
)
from bot.web import co_facilitators as co_facilitators  # issue 24's pages add their routes to bp too
from bot.web import downloads as downloads
from bot.web import sheets as sheets
from bot.web.blueprint import bp
from bot.web.cookie_sessions import CookieFirstSessions
from bot.web.voice_audio import bp as audio_bp
from bot.web.voice_prompts import voice_prompts_page  # noqa: F401  (adds its route to bp)


def init_app(app: Flask, settings) -> None:
    """Registers the pages, CSRF protection, rate limits, session cookie flags and the Jinja i18n."""
    app.config.update(
        SESSION_COOKIE_SECURE=not settings.simulator,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    # Only the pages check CSRF (webhooks are signed by their provider instead): see ``blueprint._csrf``.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.session_interface = CookieFirstSessions()
    app.extensions["circlebot_csrf"] = CSRFProtect(app)
    limits.init_app(app, settings)
    i18n.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(audio_bp)  # the recorded prompts Twilio plays (issue 29)
