"""Recording a language's prompts by phone (``circlebot voice prompts record LANG --phone P``, issue 29).

The bot calls a facilitator or organizer and walks through each missing prompt with ``<Record>``
(``bot/render/voice_recording.py``). Where the call is rides in the signed URLs: ``i``, the place in the
list of needed recordings (``voice prompts list``) to go on from, and ``n``, how many were asked so far.
When Twilio says a recording is ready, its audio is fetched from Twilio's Recordings API, kept in the
database like an imported file, and deleted at Twilio, so no copy of anyone's voice stays there.
"""

from __future__ import annotations

import base64
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from bot.domain import voice_prompts
from bot.domain.login import staff_address
from bot.outbound.channels.twilio_messages import DEFAULT_TWILIO_TIMEOUT, LOOPBACK, _http_client
from bot.render import voice_prompts as prompt_keys
from bot.render.voice import url
from bot.render.voice_recording import render_record_step

log = logging.getLogger(__name__)
STEP_PATH = "/twilio/voice/record"
READY_PATH = "/twilio/voice/recording"
TWILIO_API = "https://api.twilio.com"
RECORDING_SID = re.compile(r"^RE[0-9a-f]{32}$")


class NotStaff(ValueError):
    """The number is not a facilitator's or an organizer's: the bot calls no one else to record."""


class NothingToRecord(ValueError):
    """Every prompt of the language is recorded already."""


@dataclass(frozen=True)
class Placed:
    """A recording call placed: its CallSid and how many prompts it will ask for."""

    call_sid: str
    count: int


def _client(settings):
    from twilio.rest import Client

    timeout = float(settings.extra.get("TWILIO_TIMEOUT") or DEFAULT_TWILIO_TIMEOUT)
    return Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=_http_client(settings.twilio_api_base, timeout),
    )


def _todo(rows: list[voice_prompts.Status], every: bool) -> list[int]:
    """The places in ``rows`` of the recordings this call asks for."""
    return [i for i, row in enumerate(rows) if every or not row.recorded]


def step_url(base: str, lang: str, index: int, asked: int, every: bool) -> str:
    """The URL of the step that asks for the next recording from place ``index`` on."""
    return url(base, STEP_PATH, {"lang": lang, "i": index, "n": asked, "all": int(every)})


def place(uow, settings, lang: str, phone: str, every: bool = False) -> Placed:
    """Calls ``phone`` (E.164) to record the missing prompts of ``lang`` (``every``: all of them again).

    Raises:
        ValueError: ``lang`` needs no recordings; ``NotStaff``; ``NothingToRecord``.
        twilio.base.exceptions.TwilioRestException: Twilio refused the call.
    """
    with uow() as session:
        voice_prompts.check_language(lang)
        if staff_address(session, "phone", phone) is None:
            raise NotStaff("only a facilitator or an organizer is called to record prompts")
        count = len(_todo(voice_prompts.status(session, lang), every))
    if not count:
        raise NothingToRecord(f"every {lang} prompt is recorded (add --all to record them again)")
    call = _client(settings).calls.create(
        to=phone,
        from_=settings.twilio_from,
        url=step_url(settings.public_base_url, lang, 0, 0, every),
        method="POST",
    )
    return Placed(call.sid, count)


def step(uow, settings, lang: str, index: int, asked: int, every: bool):
    """The TwiML that asks for the next recording from place ``index`` on (or says goodbye)."""
    with uow() as session:
        rows = voice_prompts.status(session, lang)
    todo = _todo(rows, every)
    ahead = [i for i in todo if i >= index]
    base = settings.public_base_url
    if not ahead:
        return render_record_step(lang, None, asked + 1, asked, "", "")
    here = ahead[0]
    prompt = rows[here].prompt
    return render_record_step(
        lang,
        prompt,
        asked + 1,
        asked + len(ahead),
        step_url(base, lang, here + 1, asked + 1, every),
        url(base, READY_PATH, {"lang": lang, "key": prompt.key}),
    )


def keep(uow, settings, lang: str, key: str, recording_sid: str, now: datetime) -> bool:
    """A recording is ready: fetches its audio from Twilio, keeps it as ``key`` and deletes it at Twilio.

    Returns:
        False when there was nothing to keep (an odd sid or key, or a recording already gone: a replay).
    """
    if not RECORDING_SID.match(recording_sid) or not prompt_keys.valid_key(key):
        return False
    with uow() as session:
        if key not in voice_prompts.known_keys(session, voice_prompts.check_language(lang)):
            return False
    try:
        audio = _fetch(settings, recording_sid)
    except (urllib.error.URLError, TimeoutError) as error:
        log.warning("could not fetch recording %s from Twilio (%s): %s stays missing", recording_sid, error, key)
        return False
    if audio is None:
        return False
    with uow() as session:
        try:
            voice_prompts.save(session, lang, key, audio, "phone", now)
        except voice_prompts.BadAudio as error:
            log.warning("recording %s is not audio (%s): %s stays missing", recording_sid, error, key)
            return False
        session.commit()
    try:
        _client(settings).recordings(recording_sid).delete()
    except Exception as error:  # kept here; Twilio keeps its copy until deleted by hand (logged)
        log.warning("recording %s is kept but could not be deleted at Twilio: %s", recording_sid, error)
    return True


def _fetch(settings, recording_sid: str) -> bytes | None:
    """The recording's WAV from Twilio's Recordings API (basic auth), or None when it is gone."""
    base = (settings.twilio_api_base or TWILIO_API).rstrip("/")
    media = f"{base}/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/{recording_sid}.wav"
    token = base64.b64encode(f"{settings.twilio_account_sid}:{settings.twilio_auth_token}".encode()).decode()
    request = urllib.request.Request(media, headers={"Authorization": f"Basic {token}"})
    timeout = float(settings.extra.get("TWILIO_TIMEOUT") or DEFAULT_TWILIO_TIMEOUT)
    local = urllib.parse.urlsplit(base).hostname in LOOPBACK  # a stand-in: no proxy from the environment
    opener = urllib.request.build_opener(*([urllib.request.ProxyHandler({})] if local else []))
    try:
        with opener.open(request, timeout=timeout) as answer:  # noqa: S310 (Twilio's API or its stand-in)
            return answer.read(voice_prompts.MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            log.info("recording %s is gone at Twilio (kept already)", recording_sid)
            return None
        raise
