"""Rate limits on sign-in (Flask-Limiter's storage: Redis when ``REDIS_URL`` is set, else memory).

Per IP address and per typed phone or chat id, so one person cannot flood another's phone with codes
and one machine cannot try many numbers.
"""

from __future__ import annotations

import functools
import hashlib

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

KEY_PREFIX = "circlebot-limits"
PER_IP = parse("20 per 10 minutes")
PER_ADDRESS = parse("3 per 10 minutes")
CHECKS_PER_IP = parse("30 per 10 minutes")


def init_app(app: Flask, settings) -> None:
    """Makes this app's limiter, with its storage."""
    storage = settings.redis_url or "memory://"
    # In Redis the counters live in this deployment's namespace (CIRCLEBOT_QUEUE), like every other key.
    options: dict[str, str | int] = {"key_prefix": f"{settings.queue_name}:limits"} if settings.redis_url else {}
    limiter = Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage,
        key_prefix=KEY_PREFIX,
        storage_options=options,
        default_limits=[],
        headers_enabled=False,
    )
    # No route carries a decorator or default limit: sign-in counts its own hits (``allow``). A filter that
    # always answers "exempt" (``bool(True)``) spares each webhook the limiter's per-request lookup.
    limiter.request_filter(functools.partial(bool, True))
    app.extensions["circlebot_limiter"] = limiter


def allow(item, *identifiers: str) -> bool:
    """Counts one hit of ``item`` for these identifiers; False once the limit is passed."""
    limiter = current_app.extensions["circlebot_limiter"]
    return limiter.limiter.hit(item, *identifiers)


def code_request_allowed(address_key: str) -> bool:
    """One more code may be sent: within the per-IP and the per-address limits."""
    hashed = hashlib.sha256(address_key.encode()).hexdigest()[:32]
    by_ip = allow(PER_IP, "code-ip", get_remote_address() or request.remote_addr or "?")
    by_address = allow(PER_ADDRESS, "code-address", hashed)
    return by_ip and by_address


def code_check_allowed() -> bool:
    """One more code may be checked from this IP (the 5 tries per code limit the guessing too)."""
    return allow(CHECKS_PER_IP, "check-ip", get_remote_address() or "?")
