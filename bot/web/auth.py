"""Sign-in by a one-time code sent as a text (or a Telegram message), sign-out, the language picker."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, session, url_for

from bot.domain import login as codes
from bot.runtime import current as runtime
from bot.web import access, limits, sessions
from bot.web.access import SESSION_KEY, forget, now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import LANGUAGE_KEY, _, current
from flows import languages

PENDING_KEY = "login_address"
# Where the language picker may send you back: a path of these pages, no other site, no control characters.
SAME_SITE_PAGE = re.compile(r"/facilitator(?:/[A-Za-z0-9._~%!$&'()*+,;=:@-]+)*/?")


@bp.get("/login")
def login():
    """The form that asks for a phone number or a Telegram ``@username`` (or ``telegram:<chat id>``)."""
    return render_template("pages/login.html")


@bp.post("/login")
def login_post():
    """Sends a code when the address is a facilitator's; answers the same for any address."""
    rt = runtime()
    typed = request.form.get("address", "")
    found = codes.normalize(typed, rt.settings.default_region)
    if not typed.strip():
        flash(_("Type your phone number or Telegram username."), "error")
        return render_template("pages/login.html"), 400
    key = f"{found[0]}:{found[1]}" if found else typed.strip().lower()[:64]
    if not limits.code_request_allowed(key):
        flash(_("Too many codes were asked for. Wait 10 minutes and try again."), "error")
        return render_template("pages/login.html"), 429
    pending = found or ("phone", "?")  # anything else is counted like an unknown number
    with rt.uow() as db:
        codes.issue(db, rt.settings.secret_key or "", pending[0], pending[1], current(), now())
        db.commit()
    session[PENDING_KEY] = list(pending)
    return redirect(url_for("pages.code"))


@bp.get("/login/code")
def code():
    """The form for the 6-digit code."""
    if PENDING_KEY not in session:
        return redirect(url_for("pages.login"))
    return render_template("pages/code.html")


@bp.post("/login/code")
def code_post():
    """Checks the code: signs in, or says it was wrong, expired or locked."""
    pending = session.get(PENDING_KEY)
    if not pending:
        return redirect(url_for("pages.login"))
    if not limits.code_check_allowed():
        flash(_("Too many tries. Wait 10 minutes and try again."), "error")
        return render_template("pages/code.html"), 429
    rt = runtime()
    with rt.uow() as db:
        checked = codes.check(
            db, rt.settings.secret_key or "", pending[0], pending[1], request.form.get("code", ""), now()
        )
        db.commit()
    if checked.status != codes.OK:
        flash(
            {
                codes.WRONG: _("That code is not right. Check the text and try again."),
                codes.EXPIRED: _("That code has expired. Ask for a new one."),
                codes.LOCKED: _("Too many wrong tries. Ask for a new code."),
                codes.LOCKED_TODAY: _("Too many wrong tries today. Try again tomorrow."),
            }[checked.status],
            "error",
        )
        return render_template("pages/code.html"), 400
    with rt.uow() as db:
        token = sessions.start(db, checked.contact_id, access.session_clock())
        db.commit()
    forget()
    session[SESSION_KEY] = token
    session.permanent = False
    return redirect(url_for("pages.circles"))


@bp.post("/logout")
def logout():
    """Signs out: ends the session on the server too, so a copy of the cookie signs no one in (keeps the
    chosen language)."""
    with runtime().uow() as db:
        sessions.end(db, session.get(SESSION_KEY))
        db.commit()
    forget()
    flash(_("You are signed out."), "info")
    return redirect(url_for("pages.login"))


@bp.post("/language")
def language():
    """Sets the interface language (one of the shipped locales)."""
    wanted = request.form.get("language", "")
    if wanted in languages.SHIPPED:
        session[LANGUAGE_KEY] = wanted
    back = request.form.get("next", "")
    return redirect(back if SAME_SITE_PAGE.fullmatch(back) else url_for("pages.login"))


@bp.get("/")
@signed_in
def home():
    """The signed-in start page: the circles."""
    return redirect(url_for("pages.circles"))
