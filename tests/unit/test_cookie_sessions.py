"""Flask's session cookie, looked for before its signer is built (``bot/web/cookie_sessions.py``, issue 31)."""

from __future__ import annotations

from flask import Flask, request, session

from bot.web.cookie_sessions import CookieFirstSessions


def _app(calls: list[str]) -> Flask:
    class Counted(CookieFirstSessions):
        def get_signing_serializer(self, app):
            calls.append("signer")
            return super().get_signing_serializer(app)

    app = Flask(__name__)
    app.secret_key = "test"
    app.session_interface = Counted()

    @app.post("/hook")
    def hook():
        return "ok"

    @app.get("/sign-in")
    def sign_in():
        session["who"] = "Amina"
        return "in"

    @app.get("/who")
    def who():
        return session.get("who", "nobody")

    return app


def test_a_request_without_the_cookie_builds_no_signer_and_one_with_it_reads_it():
    calls: list[str] = []
    client = _app(calls).test_client()
    assert client.post("/hook").data == b"ok" and calls == []  # a webhook: no cookie, no signer
    assert client.get("/sign-in").data == b"in" and calls == ["signer"]  # writing the cookie signs it
    assert client.get("/who").data == b"Amina"  # read as Flask reads it (and signed again on the way out)


def test_a_forged_cookie_is_refused_as_flask_refuses_it():
    client = _app([]).test_client()
    client.set_cookie("session", "not-signed")
    assert client.get("/who").data == b"nobody"


def test_no_secret_key_means_no_session_as_in_flask():
    app = _app([])
    app.secret_key = None
    with app.test_request_context("/hook", method="POST"):
        assert app.session_interface.open_session(app, request) is None
