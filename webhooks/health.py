"""``GET /healthz``: the database and queue status; 503 when either is down."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Reports ``{"database": ..., "queue": ...}``."""
    runtime = current_app.extensions["circlebot"]
    status = {
        "database": _check(runtime.uow.ping),
        "queue": _check(runtime.queue.ping),
        "queue_backend": runtime.queue.backend,
    }
    ok = status["database"] == "ok" and status["queue"] == "ok"
    return jsonify(status), 200 if ok else 503


def _check(ping) -> str:
    try:
        return "ok" if ping() else "down"
    except Exception as exc:  # any driver error means down
        return f"down: {exc.__class__.__name__}"
