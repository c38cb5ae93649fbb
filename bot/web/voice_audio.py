"""``GET /voice/prompts/<lang>/<key>``: a recorded prompt's audio, for Twilio's ``<Play>`` (issue 29).

Served from the database by any web process, with the recording's own content type (``audio/wav`` or
``audio/mpeg``). The URL the line plays carries ``?v=<digest>``, so a replaced recording is a new URL and
the audio can be cached for long. Prompts are the bot's own words (and circles' names), not personal data.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from bot.domain import voice_prompts
from bot.render.voice_prompts import LANGUAGES, valid_key
from bot.runtime import current as runtime

bp = Blueprint("voice_audio", __name__)
CACHE_SECONDS = 86400


@bp.get(voice_prompts.PATH + "/<lang>/<key>")
def audio(lang: str, key: str):
    """The recording, or 404."""
    if lang not in LANGUAGES or not valid_key(key):
        abort(404)
    with runtime().uow() as db:
        row = voice_prompts.audio(db, lang, key)
        if row is None:
            abort(404)
        data, content_type, digest = bytes(row.audio), row.content_type, row.digest
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.set_etag(digest)
    return response.make_conditional(request)
