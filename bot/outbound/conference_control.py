"""The host's controls over a meeting's conference call: mute, unmute, remove a caller, end the meeting.

The keypad menu (``webhooks/twilio_host.py``) and the live panel (``bot/web/live_panel.py``) both act
through these functions, after checking who asks. Each one checks that the call is on the line in *this*
meeting's conference (a call from another conference is ``not_found``), asks Twilio's Conference
Participants API through the twilio SDK (``TWILIO_API_BASE`` points it at a stand-in), and records the
mute so the panel and the simulator show it. A participant who has already hung up (Twilio's 404) is
``gone``; any other Twilio error is ``failed``: both are said politely, never a 500.

Removing a caller or ending the meeting is also written at once as the conference event Twilio sends
after it, so the panel and the host's own call see it before Twilio's callback arrives. Without Twilio
credentials (the demo's simulator) nothing is sent; the mute and those events are all there is.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.domain import attendance, conference_room

log = logging.getLogger(__name__)
OK, GONE, FAILED, NOT_FOUND = "ok", "gone", "failed", "not_found"


@dataclass(frozen=True)
class Outcome:
    """What an action did: ``ok``, ``gone`` (the caller had already left), ``failed`` or ``not_found``;
    ``count`` is how many calls it changed."""

    status: str
    count: int = 0

    @property
    def ok(self) -> bool:
        return self.status == OK


class TwilioConferences:
    """The Conference and Participants API through the twilio SDK's REST client."""

    def __init__(self, settings):
        from twilio.rest import Client

        from bot.outbound.channels.twilio_messages import DEFAULT_TWILIO_TIMEOUT, _http_client

        timeout = float(settings.extra.get("TWILIO_TIMEOUT") or DEFAULT_TWILIO_TIMEOUT)
        self.client = Client(
            settings.twilio_account_sid,
            settings.twilio_auth_token,
            http_client=_http_client(settings.twilio_api_base, timeout),
        )

    def mute(self, conference_sid: str, call_sid: str, muted: bool) -> None:
        self.client.conferences(conference_sid).participants(call_sid).update(muted=muted)

    def remove(self, conference_sid: str, call_sid: str) -> None:
        self.client.conferences(conference_sid).participants(call_sid).delete()

    def end(self, conference_sid: str) -> None:
        self.client.conferences(conference_sid).update(status="completed")


class SimulatedConferences:
    """No Twilio (the simulator): nothing to send."""

    def mute(self, conference_sid: str, call_sid: str, muted: bool) -> None:
        pass

    def remove(self, conference_sid: str, call_sid: str) -> None:
        pass

    def end(self, conference_sid: str) -> None:
        pass


def provider(settings):
    """Twilio's API when credentials are set, else the simulator's pretend conference."""
    return TwilioConferences(settings) if settings.twilio_enabled else SimulatedConferences()


def _attempt(action) -> str:
    """Runs one API call: ``ok``, ``gone`` for Twilio's 404 (the caller hung up), ``failed`` otherwise."""
    from twilio.base.exceptions import TwilioException, TwilioRestException

    try:
        action()
    except TwilioRestException as exc:
        log.warning("conference control: Twilio answered %s (%s)", exc.status, exc.code)
        return GONE if exc.status == 404 else FAILED
    except (TwilioException, OSError) as exc:  # requests' connection errors are OSErrors
        log.warning("conference control failed: %s", type(exc).__name__)
        return FAILED
    return OK


def _lines(uow, meeting_id: int) -> tuple[str | None, list[conference_room.Line]]:
    with uow() as session:
        sid = conference_room.conference_sid(session, meeting_id)
        return sid, conference_room.on_the_line(session, meeting_id) if sid else []


def mute(uow, settings, meeting_id: int, call_sid: str, muted: bool, now: datetime) -> Outcome:
    """Mutes (or unmutes) one call of this meeting's conference."""
    sid, lines = _lines(uow, meeting_id)
    if sid is None or call_sid not in {line.call_sid for line in lines}:
        return Outcome(NOT_FOUND)
    status = _attempt(lambda: provider(settings).mute(sid, call_sid, muted))
    if status == OK:
        with uow() as session:
            conference_room.set_muted(session, meeting_id, [call_sid], muted, now)
            session.commit()
    return Outcome(status, 1 if status == OK else 0)


def mute_everyone(uow, settings, meeting_id: int, muted: bool, now: datetime) -> Outcome:
    """Mutes (or unmutes) every learner's call in the conference; never the facilitator's."""
    sid, lines = _lines(uow, meeting_id)
    if sid is None:
        return Outcome(NOT_FOUND)
    api = provider(settings)
    done, failed = [], 0
    for line in lines:
        if line.facilitator:
            continue
        status = _attempt(lambda line=line: api.mute(sid, line.call_sid, muted))
        if status == OK:
            done.append(line.call_sid)
        elif status == FAILED:
            failed += 1
    if done:
        with uow() as session:
            conference_room.set_muted(session, meeting_id, done, muted, now)
            session.commit()
    return Outcome(FAILED if failed and not done else OK, len(done))


def remove(uow, settings, meeting_id: int, call_sid: str, now: datetime) -> Outcome:
    """Takes one caller out of the conference (their call ends)."""
    sid, lines = _lines(uow, meeting_id)
    if sid is None or call_sid not in {line.call_sid for line in lines}:
        return Outcome(NOT_FOUND)
    status = _attempt(lambda: provider(settings).remove(sid, call_sid))
    if status in (OK, GONE):  # off the line now, before (or without) Twilio's leave event
        _record(uow, sid, "participant-leave", call_sid, now)
    return Outcome(status, 1 if status == OK else 0)


def end(uow, settings, meeting_id: int, now: datetime) -> Outcome:
    """Ends the meeting's conference for everyone."""
    sid, lines = _lines(uow, meeting_id)
    if sid is None:
        return Outcome(NOT_FOUND)
    status = _attempt(lambda: provider(settings).end(sid))
    if status in (OK, GONE):  # over now: the host's Dial, ending with it, must not open the menu or a new room
        _record(uow, sid, "conference-end", "", now)
    log.info("meeting %s: the facilitator ended the conference (%s)", meeting_id, status)
    return Outcome(status, len(lines) if status == OK else 0)


def _record(uow, conference_sid: str, event: str, call_sid: str, now: datetime) -> None:
    """The event Twilio sends after a removal or an end, written at once (the simulator has no Twilio to
    send it; with Twilio its own event follows and the later time counts)."""
    with uow() as session:
        if attendance.record_event(session, conference_sid, None, event, call_sid, 1_000_000, now, now):
            conference_room.record_held_for(session, conference_sid, now)
        session.commit()
