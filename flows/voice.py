"""A call to the bot's number: greeting, language menu, the circle's phone code, then the conference.

Pure: the caller's state travels in the (signed) action URL of each ``<Gather>``, so a replayed
request gets the same answer and nothing is stored until the caller is put into a conference.

States and transitions::

    start ──known number──> CODE
      └────unknown────────> MENU ──key 1..6──> CODE ──right code, meeting now──> Join
                             │ silence: once again   │ wrong code: 2 more tries   └─not now──> Goodbye (next meeting)
                             └ twice: Goodbye         └ third wrong / 2nd silence ──> Goodbye
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Mapping, Sequence

from flows import keys
from flows.results import Reply, When

MENU, CODE = "menu", "code"
CODE_TRIES = 3  # the first try and two more
SILENCES = 1  # silence repeats the prompt once, then the call ends
PIN_SEPARATOR = "*"


@dataclass(frozen=True)
class CallState:
    """Where a call is: which prompt, in which language, and how many misses so far."""

    step: str = MENU
    lang: str = "en"
    tries: int = 0
    silences: int = 0

    def as_query(self) -> dict[str, str]:
        """The state as URL parameters (the next ``<Gather>``'s action)."""
        return {"step": self.step, "lang": self.lang, "tries": str(self.tries), "silences": str(self.silences)}

    @classmethod
    def from_query(cls, args: Mapping[str, str], languages: tuple[str, ...]) -> "CallState":
        """The state read back from URL parameters; anything odd becomes the start of its step."""

        def number(name: str) -> int:
            raw = str(args.get(name) or "0")
            return min(int(raw), 9) if raw.isascii() and raw.isdigit() and len(raw) <= 2 else 0

        step = args.get("step")
        lang = args.get("lang")
        return cls(
            step if step is not None and step in (MENU, CODE) else MENU,
            lang if lang is not None and lang in languages else languages[0],
            number("tries"),
            number("silences"),
        )


@dataclass(frozen=True)
class Ask:
    """Say ``replies`` and gather keys for ``state.step``; ``options`` is the language menu (key, language)."""

    state: CallState
    replies: tuple[Reply, ...]
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Join:
    """Put the caller into the meeting's conference, as the facilitator or as a learner."""

    lang: str
    meeting_id: int
    facilitator: bool
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class Goodbye:
    """Say ``replies`` and hang up."""

    lang: str
    replies: tuple[Reply, ...]


Step = Ask | Join | Goodbye


@dataclass(frozen=True)
class MeetingSlot:
    """One meeting of the circle whose code was typed."""

    id: int
    starts_at: datetime
    ends_at: datetime
    status: str


@dataclass(frozen=True)
class Typed:
    """What the service found for the typed code: the circle and what the flow needs about it."""

    circle: str
    timezone: str
    meetings: tuple[MeetingSlot, ...] = ()
    caller_is_facilitator: bool = False
    pin: str | None = None
    early: timedelta = timedelta(minutes=15)
    late: timedelta = timedelta(minutes=15)


def split_code(digits: str) -> tuple[str, str | None]:
    """``"424242*1234"`` → ``("424242", "1234")``: the phone code and a facilitator PIN, if typed."""
    code, _, pin = (digits or "").partition(PIN_SEPARATOR)
    return code.strip("*#"), (pin.strip("*#") or None)


def menu_options(languages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The language menu: key ``1`` for the first shipped language, and so on."""
    return tuple((str(i), lang) for i, lang in enumerate(languages, 1))


def start(known_language: str | None, languages: tuple[str, ...], default: str) -> Ask:
    """Greets the caller; a known number skips the language menu."""
    if known_language in languages:
        return Ask(CallState(CODE, known_language), (Reply(keys.VOICE_WELCOME), Reply(keys.VOICE_ASK_CODE)))
    return Ask(CallState(MENU, default), (Reply(keys.VOICE_WELCOME),), menu_options(languages))


def on_menu(state: CallState, digits: str, languages: tuple[str, ...]) -> Step:
    """Takes the language key, then asks for the circle's code in that language."""
    chosen = dict(menu_options(languages)).get((digits or "").strip("#*"))
    if chosen is not None:
        return Ask(CallState(CODE, chosen), (Reply(keys.VOICE_ASK_CODE),))
    if not digits:
        if state.silences >= SILENCES:
            return Goodbye(state.lang, (Reply(keys.VOICE_GOODBYE),))
        return Ask(replace(state, silences=state.silences + 1), (), menu_options(languages))
    if state.tries + 1 >= CODE_TRIES:
        return Goodbye(state.lang, (Reply(keys.VOICE_GOODBYE),))
    return Ask(replace(state, tries=state.tries + 1), (), menu_options(languages))


def on_code(state: CallState, digits: str, typed: Typed | None, now: datetime) -> Step:
    """Checks the typed code: into the conference, a retry, or goodbye with the next meeting."""
    lang = state.lang
    if not split_code(digits)[0]:
        if state.silences >= SILENCES:
            return Goodbye(lang, (Reply(keys.VOICE_GOODBYE),))
        return Ask(replace(state, silences=state.silences + 1), (Reply(keys.VOICE_ASK_CODE),))
    if typed is None:
        if state.tries + 1 >= CODE_TRIES:
            return Goodbye(lang, (Reply(keys.VOICE_WRONG_CODE_BYE),))
        return Ask(replace(state, tries=state.tries + 1), (Reply(keys.VOICE_WRONG_CODE),))
    current, following = meeting_now(typed.meetings, now, typed.early, typed.late)
    if current is None:
        if following is None:
            return Goodbye(lang, (Reply(keys.VOICE_NO_MEETINGS, {"circle": typed.circle}),))
        return Goodbye(
            lang,
            (Reply(keys.VOICE_NOT_NOW, {"circle": typed.circle, "when": When(following.starts_at, typed.timezone)}),),
        )
    facilitator = is_facilitator(typed.caller_is_facilitator, split_code(digits)[1], typed.pin)
    greeting = keys.VOICE_JOIN_FACILITATOR if facilitator else keys.VOICE_JOIN_LEARNER
    said: tuple[Reply, ...] = (Reply(greeting, {"circle": typed.circle}),)
    if facilitator:  # the host menu (flows/host_menu.py)
        said += (Reply(keys.VOICE_HOST_HINT),)
    return Join(lang, current.id, facilitator, said)


def is_facilitator(caller_is_facilitator: bool, typed_pin: str | None, pin: str | None) -> bool:
    """The facilitator is recognized by caller ID, or by the circle's PIN from another phone."""
    return caller_is_facilitator or (pin is not None and typed_pin is not None and typed_pin == pin)


def meeting_now(
    meetings: tuple[MeetingSlot, ...], now: datetime, early: timedelta, late: timedelta
) -> tuple[MeetingSlot | None, MeetingSlot | None]:
    """The meeting whose window (``early`` before its start to ``late`` after its end) holds ``now``,
    and the next meeting that is not cancelled (for "the next meeting is …")."""
    live = [m for m in meetings if m.status != "cancelled"]
    current = next((m for m in live if m.starts_at - early <= now <= m.ends_at + late), None)
    following = next((m for m in sorted(live, key=lambda m: m.starts_at) if m.starts_at > now), None)
    return current, following


@dataclass(frozen=True)
class ConferenceEventView:
    """One stored conference event, as the attendance computation reads it."""

    event: str
    call_sid: str
    at: datetime
    sequence: int = 0


@dataclass(frozen=True)
class Span:
    """One call's time in a conference."""

    call_sid: str
    joined_at: datetime | None
    left_at: datetime | None
    seconds: int


def attendance(events: Sequence[ConferenceEventView]) -> dict[str, Span]:
    """Each call's attendance from a conference's events, in any order and with duplicates.

    A call joined at its first join and left at its last leave (else at the conference's end). Only
    time while the conference runs counts: a learner waiting for the facilitator is not yet attending.
    A leave with no join counts from the conference's start.
    """
    starts = [e.at for e in events if e.event == "conference-start"]
    ends = [e.at for e in events if e.event == "conference-end"]
    started = min(starts) if starts else None
    ended = max(ends) if ends else None
    spans: dict[str, Span] = {}
    for sid in sorted({e.call_sid for e in events if e.call_sid}):
        joins = [e.at for e in events if e.call_sid == sid and e.event == "participant-join"]
        leaves = [e.at for e in events if e.call_sid == sid and e.event == "participant-leave"]
        joined = min(joins) if joins else None
        left = max(leaves) if leaves else ended
        begin = max(t for t in (joined, started) if t is not None) if (joined or started) else None
        seconds = 0
        if begin is not None and left is not None and (started is not None) and left > begin:
            seconds = int((left - begin).total_seconds())
        spans[sid] = Span(sid, joined, left, seconds)
    return spans
