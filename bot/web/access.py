"""Who is signed in, and the circle they asked for (404 when it is not theirs)."""

from __future__ import annotations

import functools
from datetime import datetime, timezone

from flask import abort, g, redirect, request, session, url_for

from bot.domain import roles
from bot.runtime import current as runtime
from bot.web import sessions
from bot.web.i18n import LANGUAGE_KEY

SESSION_KEY = "session"  # the cookie's random token; the web_session row says who (bot/web/sessions.py)


def now() -> datetime:
    """The runtime clock (the demo's may run ahead)."""
    return runtime().clock()


def session_clock() -> datetime:
    """The clock sessions age by: the real one, so fast-forwarding the demo's clock signs no one out."""
    return datetime.now(timezone.utc)


def signed_in(view):
    """Runs ``view`` with ``g.person`` set; sends anyone else to the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = session.get(SESSION_KEY)
        if token is None:
            return redirect(url_for("pages.login", next=request.path))
        with runtime().uow() as db:
            contact_id = sessions.contact_for(db, token, session_clock())
            who = roles.person(db, contact_id) if contact_id is not None else None
            db.commit()
        if who is None:
            forget()
            return redirect(url_for("pages.login"))
        g.person = who
        return view(*args, **kwargs)

    return wrapper


def forget() -> None:
    """Empties the cookie's session but keeps the chosen language."""
    lang = session.get(LANGUAGE_KEY)
    session.clear()
    if lang:
        session[LANGUAGE_KEY] = lang


def circle_or_404(db, code: str):
    """The circle ``code`` if the signed-in person may see it; a 404 otherwise (never their data)."""
    found = roles.circle_for(db, g.person, code)
    if found is None:
        abort(404)
    return found
