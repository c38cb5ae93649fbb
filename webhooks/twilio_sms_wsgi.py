"""``POST /twilio/sms`` as plain WSGI, in front of Flask: the inbound hot path without Flask's request machinery
(issue 31).

Flask's request and response objects, its form parser and its hooks cost about a fifth of the CPU a text
costs (``bench/README.md``). This middleware answers the one request that comes thousands of times a day
itself: a form-encoded ``POST /twilio/sms`` whose Twilio signature verifies. It runs the same code as the
Flask view (``twilio_sms.parse``, ``handle_inbound``, ``twiml_of``) and answers with the same headers.

Everything else goes to Flask as it came (the body put back), so its answer is Flask's own: another path or
method, another content type, no length or too long a body, a body that is not UTF-8, a missing or wrong
signature (403), a missing field (400). An exception from the service goes through the Flask app's own
error handlers (the 503 of ``Unavailable`` or of a database error, a logged 500 for anything else).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from bot.inbound.service import handle_inbound
from webhooks.text import number
from webhooks.twilio_signature import SETTINGS_HEADER, SIGNATURE_HEADER, _Params, public_url, valid
from webhooks.twilio_sms import parse, twiml_of

PATH = "/twilio/sms"
FORM = "application/x-www-form-urlencoded"
_SIGNATURE = "HTTP_" + SIGNATURE_HEADER.upper().replace("-", "_")  # the headers as WSGI names them
_SETTINGS = "HTTP_" + SETTINGS_HEADER.upper().replace("-", "_")


class TwilioSmsFastPath:
    """WSGI middleware: answers a signed, form-encoded ``POST /twilio/sms``; passes anything else to ``wsgi_app``.

    ``headers``: what the app's ``after_request`` hooks add to every answer (``bot.app``), sent with its own.
    """

    def __init__(self, app: Flask, wsgi_app: Callable, headers: Iterable[tuple[str, str]] = ()):
        self.app = app
        self.wsgi_app = wsgi_app
        self.headers = list(headers)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.wsgi_app(environ, start_response)
        form = self._form(environ)
        runtime = self.app.extensions["circlebot"]
        if form is None or not _signed(environ, form, runtime.settings):
            return self.wsgi_app(environ, start_response)  # Flask answers: 400, 403, 413…
        try:
            inbound = parse(form, runtime.clock())
        except HTTPException:
            return self.wsgi_app(environ, start_response)  # the same 400, from the view
        try:
            handled = handle_inbound(runtime.uow, inbound, runtime.settings)
            body = twiml_of(handled, inbound.channel).encode()
        except Exception as exc:  # noqa: BLE001 - answered by the app's error handlers, as in the view
            return self._error(environ, start_response, exc)
        start_response(
            "200 OK",
            [("Content-Type", "application/xml; charset=utf-8"), ("Content-Length", str(len(body))), *self.headers],
        )
        return [body]

    def _form(self, environ: dict[str, Any]) -> MultiDict | None:
        """The form, parsed as werkzeug parses it; None when Flask should look at this request itself. The body
        is put back either way, for Flask to read again."""
        mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        length = number(environ.get("CONTENT_LENGTH"))
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        if mimetype != FORM or length is None or (limit is not None and length > limit):
            return None
        raw = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            text = raw.decode()
        except UnicodeDecodeError:
            return None
        return MultiDict(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))

    def _error(self, environ: dict[str, Any], start_response: Callable, exc: Exception) -> Iterable[bytes]:
        """The app's answer to ``exc`` raised by its view: its error handler's, else a logged 500."""
        app = self.app
        with app.request_context(environ):
            try:  # called while ``exc`` is being handled: Flask re-raises what no handler takes
                answer = app.handle_user_exception(exc)
            except Exception as unhandled:  # noqa: BLE001
                answer = app.handle_exception(unhandled)
            response = app.finalize_request(answer)
        return response(environ, start_response)


def _signed(environ: dict[str, Any], form: MultiDict, settings) -> bool:
    """As ``twilio_signature.verified``, from the WSGI environ."""
    url = public_url(settings.public_base_url, PATH, environ.get("QUERY_STRING", ""))
    params = _Params(form.to_dict(flat=False))
    return valid(settings.twilio_auth_token, url, params, environ.get(_SIGNATURE, ""), environ.get(_SETTINGS))
