"""The Flask app factory (``bot.create_app``)."""
from __future__ import annotations

import logging
import os

from flask import Flask, jsonify
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from bot.runtime import Runtime, install
from bot.settings import Settings, instance_path_default

log = logging.getLogger(__name__)


def create_app(overrides: dict | None = None) -> Flask:
    """Creates the app.

    Args:
        overrides: settings to use instead of the environment's (keys as in ``Settings`` or
            the environment names, e.g. ``{"DATABASE_URL": ...}``).
    """
    settings = Settings.from_env(overrides=overrides)
    instance = settings.extra.get("INSTANCE_PATH") or instance_path_default()
    app = Flask("bot", instance_path=instance)
    if settings.simulator:
        settings = settings.ensure_secret_key()
        if not settings.twilio_auth_token:
            import secrets

            settings = settings.with_overrides({"twilio_auth_token": secrets.token_hex(16)})
    app.config["SECRET_KEY"] = settings.secret_key
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024
    runtime = install(Runtime.build(settings, instance))
    app.extensions["circlebot"] = runtime

    from webhooks import health, twilio_sms, twilio_status

    app.register_blueprint(twilio_sms.bp)
    app.register_blueprint(twilio_status.bp)
    app.register_blueprint(health.bp)
    if settings.simulator:
        from bot import simulator

        app.register_blueprint(simulator.bp)
    _register_errors(app)
    return app


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        return jsonify(error=exc.name, detail=exc.description), exc.code

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        log.error("database error: %s", exc.__class__.__name__)
        detail = "the database is unavailable, please retry" if isinstance(exc, OperationalError) else "database error"
        return jsonify(error="Service Unavailable", detail=detail), 503
