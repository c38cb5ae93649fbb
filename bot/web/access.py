"""Who is signed in, and the circle they asked for (404 when it is not theirs)."""

from __future__ import annotations

import functools
from datetime import datetime

from flask import abort, g, redirect, request, session, url_for

from bot.domain import roles
from bot.runtime import current as runtime

SESSION_KEY = "contact_id"


def now() -> datetime:
    """The runtime clock (the demo's may run ahead)."""
    return runtime().clock()


def signed_in(view):
    """Runs ``view`` with ``g.person`` set; sends anyone else to the sign-in page."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        contact_id = session.get(SESSION_KEY)
        if contact_id is None:
            return redirect(url_for("pages.login", next=request.path))
        with runtime().uow() as db:
            who = roles.person(db, contact_id)
        if who is None:
            session.clear()
            return redirect(url_for("pages.login"))
        g.person = who
        return view(*args, **kwargs)

    return wrapper


def circle_or_404(db, code: str):
    """The circle ``code`` if the signed-in person may see it; a 404 otherwise (never their data)."""
    found = roles.circle_for(db, g.person, code)
    if found is None:
        abort(404)
    return found
