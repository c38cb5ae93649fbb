"""Checking ``X-Twilio-Signature`` with the twilio SDK's RequestValidator."""

from __future__ import annotations

import functools

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator, compare, get_signature_algorithm

SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def signed_url(path: str) -> str:
    """The URL Twilio signed for this request (``public_url``)."""
    settings = current_app.extensions["circlebot"].settings
    return public_url(settings.public_base_url, path, request.query_string.decode("latin-1"))


def public_url(base: str, path: str, query: str) -> str:
    """The URL Twilio signed: ``PUBLIC_BASE_URL`` + path (+ query), since proxies change the host."""
    return base + path + (f"?{query}" if query else "")


class _Params(dict):
    """The form as the validator reads it fastest: ``getall`` is the first lookup it tries (werkzeug's
    MultiDict has only ``getlist``, so each field cost the validator a caught AttributeError, twice)."""

    def getall(self, name: str) -> list[str]:
        return self[name]


def valid(token: str, url: str, params: _Params, signature: str, settings_header: str | None) -> bool:
    """Whether ``signature`` is the SDK's signature of ``url`` and ``params`` under ``token`` (False without either)."""
    if not token or not signature:
        return False
    validator, algorithm = RequestValidator(token), get_signature_algorithm(settings_header)
    try:  # the URL as given (how Twilio signs it): one HMAC, where the SDK's validate() always computes two
        as_given = validator.compute_signature(url, params, algorithm)
    except ValueError:  # an algorithm the SDK does not know: validate() logs it and refuses
        as_given = None
    if as_given is not None and compare(as_given, signature):
        return True
    return validator.validate(url, params, signature, algorithm)  # the port added or taken away


def verified(view):
    """Rejects with 403 any request whose Twilio signature does not verify."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = current_app.extensions["circlebot"].settings.twilio_auth_token
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not token or not signature:
            abort(403, description="missing or unverifiable Twilio signature")
        params = _Params(request.form.to_dict(flat=False))
        if not valid(token, signed_url(request.path), params, signature, request.headers.get(SETTINGS_HEADER)):
            abort(403, description="the Twilio signature does not match")
        return view(*args, **kwargs)

    return wrapper
