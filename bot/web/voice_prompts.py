"""The organizer's page for recorded prompts (issue 29): which keys are still missing, and an upload.

``/facilitator/voice-prompts/<lang>`` lists every recording the phone line needs in a language with no
Twilio voice (as ``circlebot voice prompts list``), and takes ``<key>.wav`` / ``<key>.mp3`` files, many
at once, stored as ``circlebot voice prompts import`` stores them (bot/domain/voice_prompts.py).
Organizers only: the recordings are the whole line's, not one circle's.
"""

from __future__ import annotations

import os

from flask import abort, flash, g, redirect, render_template, request, url_for

from bot.domain import voice_prompts
from bot.render.voice_prompts import LANGUAGES
from bot.runtime import current as runtime
from bot.web.access import now, signed_in
from bot.web.blueprint import bp
from bot.web.i18n import _, ngettext

UPLOAD_MAX = 32 << 20  # the whole form: several seconds-long prompts at once
ENDPOINT = "pages.voice_prompts_page"


def _upload_limit():
    """The upload may be larger than the app's 256 KB: set before the pages' CSRF check reads the form."""
    if request.endpoint == ENDPOINT and request.method == "POST":
        request.max_content_length = UPLOAD_MAX


bp.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)  # first of the pages' hooks


@bp.route("/voice-prompts/<lang>", methods=["GET", "POST"])
@signed_in
def voice_prompts_page(lang: str):
    """GET: the needed recordings, missing first; POST: store the uploaded files."""
    if not g.person.team_ids:
        abort(403)
    if lang not in LANGUAGES:
        abort(404)
    if request.method == "POST":
        stored, refused = _store(lang)
        if stored:
            flash(ngettext("%(count)s recording saved.", "%(count)s recordings saved.", stored, count=stored), "info")
        for name, reason in refused:
            flash(_("%(file)s was not saved: %(reason)s", file=name, reason=reason), "error")
        return redirect(url_for(ENDPOINT, lang=lang))
    with runtime().uow() as db:
        rows = voice_prompts.status(db, lang)
    missing = [row for row in rows if not row.recorded]
    return render_template(
        "pages/voice_prompts.html",
        lang=lang,
        missing=missing,
        recorded=[row for row in rows if row.recorded],
        required=sum(1 for row in missing if not row.prompt.optional),
    )


def _store(lang: str) -> tuple[int, list[tuple[str, str]]]:
    files = [f for f in request.files.getlist("files") if f and f.filename]
    stored, refused = 0, []
    with runtime().uow() as db:
        known = voice_prompts.known_keys(db, lang)
        for upload in files:
            name = os.path.basename(upload.filename or "")[:80]
            key, ext = os.path.splitext(name)
            if ext.lower() not in voice_prompts.EXTENSIONS:
                refused.append((name, _("only .wav and .mp3 files are taken")))
            elif key not in known:
                refused.append((name, _("no prompt has this name")))
            else:
                try:
                    voice_prompts.save(db, lang, key, upload.read(voice_prompts.MAX_BYTES + 1), "page", now())
                    stored += 1
                except voice_prompts.BadAudio:
                    refused.append((name, _("it is not a WAV or MP3 recording under 4 MB")))
        db.commit()
    return stored, refused
