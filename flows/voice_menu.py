"""After the phone code, outside a meeting: a new caller joins by phone; a learner gets the keypad menu.

Pure: the call's state rides in each ``<Gather>``'s (signed) action URL, like ``flows.voice``; the service
(``bot.inbound.voice_menu``) reads the circle and the caller (``Found``) and applies the effects.

States and transitions::

    code typed ─a new caller──▶ OFFER ──1──▶ NAME ──speech──▶ CONFIRM ──1──▶ Enroll: goodbye (or into the meeting)
                                  │ in the call window: 2 or silence ─▶ into the meeting   │ 2 ─▶ NAME again
                                  │ nothing usable said twice ─▶ CONFIRM with "Caller ending 0271"
                                  │ a known caller (another circle's learner): 1 joins at once, name kept
    code typed ─a learner of it─▶ MENU ─1─▶ the next meeting and the phone code, MENU again
                                    ├─2─▶ RSVP "no" for the next meeting, the facilitator told; goodbye
                                    ├─3─▶ the facilitator asked (by text) to call back; goodbye
                                    ├─7─▶ reminders by text (offered when the number can get texts); goodbye
                                    ├─8─▶ no more calls, confirmed once like STOP (then 6 offers them again)
                                    └─9─▶ ERASE ──9──▶ Erase (FORGET); any other key ─▶ nothing erased
    every prompt: silence or a wrong key says it once more, then goodbye
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Mapping

from flows import keys
from flows.results import Enroll, Erase, OptIn, OptOut, RecordRsvp, Reply, SetLanguage, SetName, When
from flows.signup import clean_name
from flows.voice import Goodbye, Join

OFFER, NAME, CONFIRM, MENU, ERASE = "offer", "name", "confirm", "menu", "erase"
STEPS = (OFFER, NAME, CONFIRM, MENU, ERASE)
MISSES = 1  # silence or a wrong key repeats the prompt once, then the call ends
CODE_MAX = 12
NAME_MAX = 20  # as ``flows.signup.NAME_MAX``
# The menu's keys (the prompts say them: ``keys.VOICE_MENU_*``).
NEXT, CANT_COME, CALL_BACK, CALLS_AGAIN, TEXTS, STOP_CALLS, FORGET = "1", "2", "3", "6", "7", "8", "9"
JOIN, INTO_MEETING, YES, AGAIN = "1", "2", "1", "2"


@dataclass(frozen=True)
class MenuState:
    """Where the call is: the step, the language, the circle's phone code, the name heard, the misses."""

    step: str
    lang: str
    code: str
    name: str = ""
    misses: int = 0

    def as_query(self) -> dict[str, str]:
        """The state as URL parameters (the next ``<Gather>``'s action)."""
        query = {"step": self.step, "lang": self.lang, "code": self.code, "misses": str(self.misses)}
        return {**query, "name": self.name} if self.name else query

    @classmethod
    def from_query(cls, args: Mapping[str, str], languages: tuple[str, ...]) -> MenuState | None:
        """The state read back from URL parameters; None when the step or the code is not one."""
        step, lang, code = args.get("step"), args.get("lang"), str(args.get("code") or "")
        if step not in STEPS or not (code.isascii() and code.isdigit() and len(code) <= CODE_MAX):
            return None
        misses = str(args.get("misses") or "0")
        return cls(
            str(step),
            lang if lang is not None and lang in languages else languages[0],
            code,
            (clean_name(str(args.get("name") or "")) or "")[:NAME_MAX],
            min(int(misses), 9) if misses.isascii() and misses.isdigit() and len(misses) <= 2 else 0,
        )


@dataclass(frozen=True)
class Found:
    """What the service found for the typed code and the caller: all the flow needs to decide.

    Attributes:
        code: the circle's join code (``Enroll`` names it); ``circle``, ``venue``, ``timezone``: for the words.
        phone_code: the digits typed to reach it by phone.
        next_meeting: the next meeting not cancelled that has not started (id and start), if any.
        meeting_now: the meeting whose call window is open now (a caller who joins goes into it).
        full: no place is free (a new learner goes on the waiting list).
        enrolled: the caller is in the circle or on its waiting list (``waitlisted``: on the list).
        known: the caller's number belongs to a contact.
        can_text: reminders could go by text instead (the number gets texts and they go by call now).
        calls_stopped: the caller's voice address opted out (6 offers the calls again, 8 is not said).
        unheard_name: the name a caller nobody could hear gets ("Caller ending 0271", in their language).
        name: the caller's name when the bot knows it (a learner of another circle): not asked again.
    """

    code: str
    circle: str
    venue: str
    timezone: str
    phone_code: str
    next_meeting: tuple[int, datetime] | None = None
    meeting_now: int | None = None
    full: bool = False
    enrolled: bool = False
    waitlisted: bool = False
    known: bool = False
    can_text: bool = False
    calls_stopped: bool = False
    unheard_name: str = ""
    name: str = ""


@dataclass(frozen=True)
class Ask:
    """Say ``replies`` and gather for ``state``: a key (or, at the name step, speech)."""

    state: MenuState
    replies: tuple[Reply, ...]

    @property
    def speech(self) -> bool:
        """True when the caller is asked to speak (their name)."""
        return self.state.step == NAME


# The menu's own effects (the others are ``flows.results``'s, applied as for a text).
@dataclass(frozen=True)
class ConsentByPhone:
    """The caller agreed, on this call, to be called: consent "joined by phone" on their voice address."""


@dataclass(frozen=True)
class TellFacilitator:
    """Text the circle's facilitator: ``key`` names the learner (and the meeting, for "can't come")."""

    key: str
    meeting_id: int | None = None


@dataclass(frozen=True)
class TextsInstead:
    """Reminders go by text to the caller's number from now on."""


Step = Ask | Join | Goodbye
Effect = (
    ConsentByPhone
    | TellFacilitator
    | TextsInstead
    | Enroll
    | SetName
    | SetLanguage
    | RecordRsvp
    | OptOut
    | OptIn
    | Erase
)


@dataclass(frozen=True)
class Outcome:
    """What one key press (or the typed code) leads to: the next step and what to apply first."""

    step: Step
    effects: tuple[Effect, ...] = ()


def _when(found: Found) -> When | None:
    return When(found.next_meeting[1], found.timezone) if found.next_meeting else None


def _not_now(found: Found) -> Reply:
    if found.next_meeting is None:
        return Reply(keys.VOICE_NONE_PLANNED, {"circle": found.circle})
    return Reply(keys.VOICE_NOT_MEETING, {"circle": found.circle, "when": _when(found)})


def menu_prompts(found: Found) -> tuple[Reply, ...]:
    """The menu's lines, in key order (6 only when calls were stopped, 7 when reminders could go by text)."""
    lines = [keys.VOICE_MENU_NEXT, keys.VOICE_MENU_CANT_COME, keys.VOICE_MENU_CALL_BACK]
    if found.calls_stopped:
        lines.append(keys.VOICE_MENU_START)
    if found.can_text:
        lines.append(keys.VOICE_MENU_TEXTS)
    if not found.calls_stopped:
        lines.append(keys.VOICE_MENU_STOP)
    lines.append(keys.VOICE_MENU_ERASE)
    return tuple(Reply(key) for key in lines)


def offer_prompts(found: Found) -> tuple[Reply, ...]:
    """The offer to join, and (in the call window) the key that goes into the meeting instead."""
    offer = (Reply(keys.VOICE_JOIN_OFFER, {"circle": found.circle}),)
    return offer + ((Reply(keys.VOICE_JOIN_OR_MEETING),) if found.meeting_now is not None else ())


def start(lang: str, found: Found, facilitator: bool) -> Outcome | None:
    """After the right code: the offer to join (a new caller), the menu (a learner outside a meeting), or
    None when the call goes on as before (a learner or the facilitator in the call window, the facilitator)."""
    if facilitator:
        return None
    state = MenuState(OFFER, lang, found.phone_code)
    if not found.enrolled:
        if found.meeting_now is None and found.next_meeting is None:
            return None  # nothing to join: "no more meetings", as before
        intro = (_not_now(found),) if found.meeting_now is None else ()
        return Outcome(Ask(state, intro + offer_prompts(found)))
    if found.meeting_now is not None:
        return None
    return Outcome(Ask(replace(state, step=MENU), (_not_now(found), *menu_prompts(found))))


def prompts(state: MenuState, found: Found) -> tuple[Reply, ...]:
    """What ``state``'s step asks, said again after a miss."""
    if state.step == OFFER:
        return offer_prompts(found)
    if state.step == NAME:
        return (Reply(keys.VOICE_ASK_NAME),)
    if state.step == CONFIRM:
        return _confirm_prompts(state.name, found)
    if state.step == ERASE:
        return (Reply(keys.VOICE_ERASE_CONFIRM),)
    return menu_prompts(found)


def _confirm_prompts(name: str, found: Found) -> tuple[Reply, ...]:
    """The name heard (or, when none was, the one the facilitator will see) and the keys to confirm it."""
    if name:
        return (Reply(keys.VOICE_NAME_HEARD, {"name": name}),)
    return (Reply(keys.VOICE_NAME_UNHEARD, {"name": found.unheard_name}),)


def miss(state: MenuState, found: Found, silence: bool) -> Outcome:
    """Silence or a key that is not a choice: the prompt once more, then a polite goodbye."""
    if state.misses >= MISSES:
        return Outcome(Goodbye(state.lang, (Reply(keys.VOICE_GOODBYE if silence else keys.VOICE_MENU_BYE),)))
    sorry = Reply(keys.VOICE_NOT_HEARD if silence else keys.VOICE_NOT_A_CHOICE)
    return Outcome(Ask(replace(state, misses=state.misses + 1), (sorry, *prompts(state, found))))


def on_offer(state: MenuState, digits: str, found: Found) -> Outcome:
    """1 asks for the name; in the call window, 2 (or silence, as before this menu) goes into the meeting."""
    if found.enrolled:  # joined meanwhile (a replayed or second call): the menu
        return Outcome(Ask(MenuState(MENU, state.lang, state.code), menu_prompts(found)))
    if digits == JOIN and found.name:  # known already (another circle): joins with the name and language kept
        return _join(state.lang, found, found.name, (ConsentByPhone(), Enroll(found.code, found.full)))
    if digits == JOIN:
        return Outcome(Ask(MenuState(NAME, state.lang, state.code), (Reply(keys.VOICE_ASK_NAME),)))
    if found.meeting_now is not None and digits in (INTO_MEETING, ""):  # as before: silence goes in too
        return Outcome(_into_meeting(state.lang, found.meeting_now, found))
    return miss(state, found, silence=not digits)


def on_name(state: MenuState, said: str, found: Found) -> Outcome:
    """Keeps the words recognised as the name (never a recording); nothing usable twice: "Caller ending 0271"."""
    name = (clean_name(said) or "")[:NAME_MAX]
    if name:
        return Outcome(Ask(MenuState(CONFIRM, state.lang, state.code, name), _confirm_prompts(name, found)))
    if state.misses < MISSES:
        return Outcome(Ask(replace(state, misses=state.misses + 1), (Reply(keys.VOICE_NAME_AGAIN),)))
    return Outcome(Ask(MenuState(CONFIRM, state.lang, state.code), _confirm_prompts("", found)))


def on_confirm(state: MenuState, digits: str, found: Found) -> Outcome:
    """1 joins (on the waiting list when the circle is full); 2 asks for the name again."""
    if digits == AGAIN:
        return Outcome(Ask(MenuState(NAME, state.lang, state.code), (Reply(keys.VOICE_ASK_NAME),)))
    if digits != YES:
        return miss(state, found, silence=not digits)
    name = state.name or found.unheard_name
    # A replayed request (already in) hears the same words and changes nothing.
    effects: tuple[Effect, ...] = (
        ()
        if found.enrolled
        else (SetName(name), SetLanguage(state.lang), ConsentByPhone(), Enroll(found.code, found.full))
    )
    return _join(state.lang, found, name, effects)


def _join(lang: str, found: Found, name: str, effects: tuple[Effect, ...]) -> Outcome:
    """In the circle (or on its waiting list): said, then goodbye, or into the meeting under way."""
    if found.waitlisted if found.enrolled else found.full:
        said = Reply(keys.VOICE_JOINED_WAITLIST, {"circle": found.circle, "name": name})
        return Outcome(Goodbye(lang, (said,)), effects)
    said = Reply(keys.VOICE_JOINED, {"circle": found.circle, "name": name})
    if found.meeting_now is not None:
        return Outcome(_into_meeting(lang, found.meeting_now, found, said), effects)
    first = (Reply(keys.VOICE_FIRST_MEETING, {"when": _when(found)}),) if found.next_meeting else ()
    return Outcome(Goodbye(lang, (said, *first, Reply(keys.VOICE_MENU_BYE))), effects)


def on_menu(state: MenuState, digits: str, found: Found) -> Outcome:
    """One key of the menu: what it does, then goodbye (1 says the next meeting and the menu again)."""
    lang = state.lang
    if digits == NEXT:
        said = _not_now(found) if found.next_meeting is None else _next_meeting(found)
        return Outcome(Ask(MenuState(MENU, lang, state.code), (*said_tuple(said), *menu_prompts(found))))
    if digits == CANT_COME:
        if found.next_meeting is None:
            return Outcome(Goodbye(lang, (_not_now(found), Reply(keys.VOICE_MENU_BYE))))
        meeting_id = found.next_meeting[0]
        effects: tuple[Effect, ...] = (
            RecordRsvp(meeting_id, "no"),
            TellFacilitator(keys.FAC_PHONE_CANT_COME, meeting_id),
        )
        return Outcome(Goodbye(lang, (Reply(keys.VOICE_CANT_COME_DONE, {"when": _when(found)}),)), effects)
    if digits == CALL_BACK:
        return Outcome(Goodbye(lang, (Reply(keys.VOICE_CALL_BACK_DONE),)), (TellFacilitator(keys.FAC_PHONE_CALL_BACK),))
    if digits == TEXTS and found.can_text:
        return Outcome(Goodbye(lang, (Reply(keys.VOICE_TEXTS_DONE),)), (TextsInstead(),))
    if digits == STOP_CALLS:  # as STOP: at once, confirmed once (a replay only says it again)
        return Outcome(Goodbye(lang, (Reply(keys.VOICE_CALLS_STOPPED),)), () if found.calls_stopped else (OptOut(),))
    if digits == CALLS_AGAIN and found.calls_stopped:
        return Outcome(Goodbye(lang, (Reply(keys.VOICE_CALLS_AGAIN),)), (OptIn(),))
    if digits == FORGET:
        return Outcome(Ask(MenuState(ERASE, lang, state.code), (Reply(keys.VOICE_ERASE_CONFIRM),)))
    return miss(state, found, silence=not digits)


def on_erase(state: MenuState, digits: str, found: Found) -> Outcome:
    """9 again erases (as FORGET's confirmation does); silence asks once more; any other key keeps the data."""
    if digits == FORGET:  # erased already (a replay): the same words, nothing more
        return Outcome(Goodbye(state.lang, (Reply(keys.VOICE_ERASED),)), (Erase(),) if found.known else ())
    if not digits:
        return miss(state, found, silence=True)
    return Outcome(Goodbye(state.lang, (Reply(keys.VOICE_ERASE_KEPT),)))


def said_tuple(reply: Reply | tuple[Reply, ...]) -> tuple[Reply, ...]:
    """One reply or several, as a tuple."""
    return reply if isinstance(reply, tuple) else (reply,)


def _next_meeting(found: Found) -> tuple[Reply, ...]:
    params = {"circle": found.circle, "when": _when(found), "venue": found.venue}
    return (
        Reply(keys.VOICE_NEXT_MEETING, params),
        Reply(keys.VOICE_PHONE_CODE, {"phone_code": spaced(found.phone_code)}),
    )


def spaced(digits: str) -> str:
    """``"424242"`` → ``"4 2 4 2 4 2"``: a code read digit by digit, not as a number."""
    return " ".join(digits)


def _into_meeting(lang: str, meeting_id: int, found: Found, *before: Reply) -> Join:
    return Join(lang, meeting_id, False, (*before, Reply(keys.VOICE_JOIN_LEARNER, {"circle": found.circle})))


def gathered(state: MenuState, digits: str, said: str, found: Found) -> Outcome:
    """One answer (keys, or the words recognised at the name step) for ``state``'s step."""
    if state.step == NAME:
        return on_name(state, said or "", found)
    digits = (digits or "").strip("#")[:1]
    if state.step == OFFER:
        return on_offer(state, digits, found)
    if state.step == CONFIRM:
        return on_confirm(state, digits, found)
    if state.step == ERASE:
        return on_erase(state, digits, found)
    if not found.enrolled:  # left meanwhile: nothing of the menu applies any more
        return Outcome(Goodbye(state.lang, (Reply(keys.VOICE_MENU_BYE),)))
    return on_menu(state, digits, found)
