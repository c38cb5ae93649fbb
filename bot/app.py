"""The Flask app factory (``bot.create_app``)."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, g, jsonify, redirect, request
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot import logmask
from bot.runtime import Runtime, install
from bot.settings import Settings, SettingsError, instance_path_default

log = logging.getLogger(__name__)
# Every page: scripts and <style> blocks only from this site or with this response's nonce; no plugins,
# no <base>, forms post only here, and no other site may frame a page (clickjacking).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Every answer, page or webhook (the SMS webhook's WSGI hot path sends them itself: webhooks.twilio_sms_wsgi).
EVERY_RESPONSE = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))
# Pages that show people's data (the facilitator pages, their exports) are never kept by a browser or proxy.
NO_STORE_PREFIXES = ("/facilitator",)
HOME_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>circlebot</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem">
<h1>circlebot</h1>
<p>This is circlebot, a text-message and phone bot for library learning circles. Learners join a circle
by texting <strong>JOIN</strong> and the circle's code to the library's number, and get their reminders,
RSVPs and check-ins by text.</p>
<p>There is nothing to do on this page. To join a circle, ask your library for its code.</p>
</body></html>
"""


def create_app(overrides: dict | None = None) -> Flask:
    """Creates the app.

    Args:
        overrides: settings to use instead of the environment's (keys as in ``Settings`` or
            the environment names, e.g. ``{"DATABASE_URL": ...}``).
    """
    logmask.install()
    settings = Settings.from_env(overrides=overrides)
    instance = settings.extra.get("INSTANCE_PATH") or instance_path_default()
    app = Flask("bot", instance_path=instance)
    if settings.simulator:
        settings = settings.ensure_secret_key()
        if not settings.twilio_auth_token:
            import secrets

            settings = settings.with_overrides({"twilio_auth_token": secrets.token_hex(16)})
        if not settings.telegram_webhook_secret:  # the simulator's Telegram chats post with it
            import secrets

            settings = settings.with_overrides({"telegram_webhook_secret": secrets.token_urlsafe(24)})
        if not settings.extra.get("AFRICASTALKING_CALLBACK_KEY"):  # the simulator's Kenyan phones post with it
            import secrets

            settings = settings.with_overrides({"AFRICASTALKING_CALLBACK_KEY": secrets.token_urlsafe(24)})
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    runtime = install(Runtime.build(settings, instance))
    app.extensions["circlebot"] = runtime

    from webhooks import (
        africastalking,
        health,
        telegram,
        twilio_conference,
        twilio_host,
        twilio_sms,
        twilio_status,
        twilio_voice,
        twilio_voice_menu,
    )

    app.register_blueprint(telegram.bp)
    app.register_blueprint(twilio_sms.bp)
    app.register_blueprint(twilio_status.bp)
    app.register_blueprint(twilio_voice.bp)
    app.register_blueprint(twilio_voice_menu.bp)
    app.register_blueprint(twilio_conference.bp)
    from webhooks import twilio_recording

    app.register_blueprint(twilio_recording.bp)  # the call that records prompts (issue 29)
    app.register_blueprint(twilio_host.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(africastalking.bp)
    if settings.simulator:
        from bot.demo import simulator, simulator_host, simulator_telegram

        app.register_blueprint(simulator.bp)
        app.register_blueprint(simulator_telegram.bp)
        app.register_blueprint(simulator_host.bp)
    from bot import web as pages

    pages.init_app(app, settings)
    _register_home(app, settings.simulator)
    _register_errors(app)
    _register_headers(app)
    from webhooks.twilio_sms_wsgi import TwilioSmsFastPath

    app.wsgi_app = TwilioSmsFastPath(app, app.wsgi_app, EVERY_RESPONSE)  # type: ignore[method-assign]
    proxies = int(settings.trusted_proxies or 0)
    if proxies:  # the client's address and scheme as the trusted proxies saw them (per-IP limits, Secure)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    return app


def csp_nonce() -> str:
    """This response's nonce for inline ``<script>`` and ``<style>`` (the templates' ``csp_nonce()``)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _register_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def security_headers(response):
        """Content-Security-Policy on every page, nosniff everywhere, no-store on the facilitator's."""
        for name, value in EVERY_RESPONSE:
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY.format(nonce=csp_nonce()))
            response.headers.setdefault("X-Frame-Options", "DENY")
        if request.path.startswith(NO_STORE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
            response.headers.setdefault("Pragma", "no-cache")
        return response


def require_secret_key(settings: Settings) -> None:
    """Raises SettingsError with what to do when ``SECRET_KEY`` is missing (``circlebot web``)."""
    if not settings.secret_key:
        raise SettingsError(
            "SECRET_KEY is not set. circlebot web needs it to sign the facilitators' sessions. Set it to a "
            "long random value that stays the same across restarts, for example:\n"
            "  export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )


def _register_home(app: Flask, simulator: bool) -> None:
    @app.get("/")
    def home():
        """The demo's simulator, or a short page saying what this is."""
        if simulator:
            return redirect("/simulator")
        return HOME_PAGE, 200, {"Content-Type": "text/html; charset=utf-8"}


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        from flask import request

        if request.path.startswith("/facilitator"):
            from bot.web.errors import page

            return page(exc.code or 500)
        return jsonify(error=exc.name, detail=exc.description), exc.code

    from bot.inbound.service import Unavailable

    @app.errorhandler(Unavailable)
    def not_handled(exc: Unavailable):
        # The inbound row is kept (status "failed"); a retry with the same id is handled as new.
        return jsonify(error="Service Unavailable", detail="kept; please retry"), 503, {"Retry-After": "5"}

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        log.error("database error: %s", exc.__class__.__name__)
        detail = "the database is unavailable, please retry" if isinstance(exc, OperationalError) else "database error"
        return jsonify(error="Service Unavailable", detail=detail), 503
