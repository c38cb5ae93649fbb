"""Flask's signed-cookie sessions, opened only for a request that carries the session cookie.

Flask builds the cookie's signer for every request before it looks for the cookie. The webhooks never
carry one (hundreds a second, issue 31), so a request without it gets a new empty session straight
away, as Flask would give it; a request with it is read exactly as Flask reads it.
"""

from __future__ import annotations

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieFirstSessions(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface``, looking for the cookie before building the signer."""

    def open_session(self, app, request) -> SecureCookieSession | None:
        if not app.secret_key:  # Flask's own answer: no sessions without a key
            return None
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
