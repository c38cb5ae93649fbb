"""Recorded prompts (issue 29), kept in the database (table ``voice_prompt``, the audio in the row).

The database is the one store every web process shares, so any of them serves a recording at
``PUBLIC_BASE_URL/voice/prompts/<lang>/<key>?v=<digest>`` (``bot/web/voice_audio.py``). Recordings come
from files (``circlebot voice prompts import``, the organizer's page) or from a call (``record``).
Which keys a language needs is decided by ``bot/render/voice_prompts.py``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.render import voice_prompts as keys
from bot.render.voice_prompts import Prompt, Recorded
from bot.store.models import Circle, VoicePrompt

WAV, MP3 = "audio/wav", "audio/mpeg"
EXTENSIONS = {".wav": WAV, ".mp3": MP3}
MAX_BYTES = 4 << 20  # a prompt is seconds long; 4 MB is minutes of telephone-quality WAV
SOURCES = ("file", "page", "phone")
PATH = "/voice/prompts"


class BadAudio(ValueError):
    """A file that is not a WAV or MP3 recording, or too large."""


@dataclass(frozen=True)
class Status:
    """One needed recording and whether it is there."""

    prompt: Prompt
    recorded: bool


def audio_type(data: bytes) -> str:
    """The content type of a recording from its first bytes: WAV (RIFF/WAVE) or MP3 (ID3 tag or frame sync).

    Raises:
        BadAudio: anything else, an empty file, or one over ``MAX_BYTES``.
    """
    if not data:
        raise BadAudio("the file is empty")
    if len(data) > MAX_BYTES:
        raise BadAudio(f"the file is over {MAX_BYTES >> 20} MB")
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return WAV
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return MP3
    raise BadAudio("not a WAV or MP3 recording")


def check_language(lang: str) -> str:
    """``lang`` when its line plays recordings.

    Raises:
        ValueError: a language with a Twilio voice (it needs no recordings) or not shipped.
    """
    if lang not in keys.LANGUAGES:
        raise ValueError(
            f"{lang!r} needs no recordings: the phone line speaks it (recorded: {', '.join(keys.LANGUAGES)})"
        )
    return lang


def save(session: Session, lang: str, key: str, data: bytes, source: str, now: datetime) -> VoicePrompt:
    """Stores (or replaces) the recording of ``key`` in ``lang``.

    Raises:
        BadAudio: the data is not a recording.
        ValueError: the language needs no recordings, or the key has a wrong shape.
    """
    check_language(lang)
    if not keys.valid_key(key):
        raise ValueError(f"{key!r} is not a prompt key")
    content_type = audio_type(data)
    digest = hashlib.sha256(data).hexdigest()[:16]
    row = session.scalar(select(VoicePrompt).where(VoicePrompt.language == lang, VoicePrompt.key == key))
    if row is None:
        row = VoicePrompt(language=lang, key=key)
        session.add(row)
    row.content_type, row.audio, row.digest, row.source, row.updated_at = content_type, data, digest, source, now
    session.flush()
    return row


def circles(session: Session) -> dict[str, str]:
    """The circles whose name may be recorded: code → name (archived circles left out)."""
    rows = session.execute(select(Circle.code, Circle.name).where(Circle.archived_at.is_(None)))
    return {code: name for code, name in rows}


def venues(session: Session) -> dict[str, str]:
    """The venues that may be recorded, one per circle: code → venue (archived circles left out)."""
    rows = session.execute(select(Circle.code, Circle.venue).where(Circle.archived_at.is_(None)))
    return {code: venue for code, venue in rows if venue}


def status(session: Session, lang: str) -> list[Status]:
    """Every recording ``lang`` needs, each marked recorded or missing."""
    check_language(lang)
    have = set(session.scalars(select(VoicePrompt.key).where(VoicePrompt.language == lang)))
    return [Status(prompt, prompt.key in have) for prompt in keys.needed(lang, circles(session), venues(session))]


def known_keys(session: Session, lang: str) -> set[str]:
    """The keys a recording may be stored under in ``lang``."""
    return {prompt.key for prompt in keys.needed(lang, circles(session), venues(session))}


def import_files(session: Session, lang: str, folder: str, now: datetime) -> tuple[list[str], list[tuple[str, str]]]:
    """Stores every ``<key>.wav`` or ``<key>.mp3`` in ``folder``.

    Returns:
        The keys stored, and each file left alone with the reason (an unknown key, not audio...).
    """
    check_language(lang)
    known = known_keys(session, lang)
    stored, refused = [], []
    for name in sorted(os.listdir(folder)):
        key, ext = os.path.splitext(name)
        path = os.path.join(folder, name)
        if not os.path.isfile(path) or name.startswith("."):
            continue
        if ext.lower() not in EXTENSIONS:
            refused.append((name, "not a .wav or .mp3 file"))
            continue
        if key not in known:
            refused.append((name, f"{key} is not a prompt {lang} needs (circlebot voice prompts list {lang})"))
            continue
        with open(path, "rb") as fp:
            data = fp.read(MAX_BYTES + 1)
        try:
            save(session, lang, key, data, "file", now)
        except BadAudio as error:
            refused.append((name, str(error)))
            continue
        stored.append(key)
    return stored, refused


def audio_url(base: str, lang: str, key: str, digest: str) -> str:
    """Where Twilio fetches a recording: under ``PUBLIC_BASE_URL``, the digest against stale caches."""
    return f"{base}{PATH}/{quote(lang)}/{quote(key)}?v={digest}"


def recorded(session: Session, base: str) -> dict[str, Recorded]:
    """The recordings the line can play, per language (the audio itself is not read)."""
    rows = session.execute(select(VoicePrompt.language, VoicePrompt.key, VoicePrompt.digest)).all()
    if not rows:
        return {}
    names = circles(session) if any(key.startswith(keys.CIRCLE_PREFIX) for _l, key, _d in rows) else {}
    places = venues(session) if any(key.startswith(keys.VENUE_PREFIX) for _l, key, _d in rows) else {}
    out: dict[str, Recorded] = {}
    for lang in sorted({lang for lang, _k, _d in rows if lang in keys.LANGUAGES}):
        urls = {key: audio_url(base, lang, key, digest) for row_lang, key, digest in rows if row_lang == lang}
        by_name = {name: urls[keys.circle_key(code)] for code, name in names.items() if keys.circle_key(code) in urls}
        # Circles may share a venue: any of their recordings says it.
        by_venue = {venue: urls[keys.venue_key(code)] for code, venue in places.items() if keys.venue_key(code) in urls}
        out[lang] = Recorded(lang, urls, by_name, by_venue)
    return out


def audio(session: Session, lang: str, key: str) -> VoicePrompt | None:
    """The stored recording of ``key`` in ``lang``, or None."""
    return session.scalar(select(VoicePrompt).where(VoicePrompt.language == lang, VoicePrompt.key == key))


def remove(session: Session, lang: str, key: str) -> bool:
    """Deletes a recording (the line falls back to its voice for it); False when there was none."""
    row = audio(session, lang, key)
    if row is None:
        return False
    session.delete(row)
    return True
