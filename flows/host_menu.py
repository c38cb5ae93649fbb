"""The facilitator's host menu on a conference call (issue 26): press ``*`` in the meeting, then one key.

Pure: the webhook (``webhooks/twilio_host.py``) reads who is on the line and acts; this module decides
what a key means and what the facilitator hears. Only the facilitator's ``<Dial>`` has ``hangupOnStar``,
so a learner's ``*`` never reaches it; the webhook checks the calling facilitator anyway.

States and transitions::

    in the meeting ──*──> MENU ──1──> the names on the line ──────────────> back in the meeting
                            ├──2/3──> mute / unmute every learner ─────────> back in the meeting
                            ├──4────> ROLL: one learner at a time, 1 here / 2 not ──> saved, back
                            ├──9────> CONFIRM ──9──> the conference ends for everyone (goodbye)
                            │                  └─any other key or silence──> back in the meeting
                            └──any other key or silence──> back in the meeting at once
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from flows import keys
from flows.results import Reply

WHO, MUTE_ALL, UNMUTE_ALL, ROLL_CALL, END, BACK, CONFIRM_END = (
    "who",
    "mute_all",
    "unmute_all",
    "roll_call",
    "end",
    "back",
    "confirm_end",
)
MENU_KEYS = {"1": WHO, "2": MUTE_ALL, "3": UNMUTE_ALL, "4": ROLL_CALL, "9": CONFIRM_END}
END_KEY = "9"
HERE_KEY, AWAY_KEY = "1", "2"
# How long the menu waits for a key after its prompt (seconds): the facilitator is out of the room
# for the prompt and this much more when they press nothing.
MENU_WAIT = 3


def choose(digits: str, confirming: bool = False) -> str:
    """What a key in the menu means: an action, ``confirm_end`` (ask for 9 again), or ``back``."""
    key = (digits or "").strip()[:1]
    if confirming:
        return END if key == END_KEY else BACK
    return MENU_KEYS.get(key, BACK)


@dataclass(frozen=True)
class Caller:
    """One learner's call on the line: their name, or None for a number the bot does not know."""

    name: str | None


def who_is_on(callers: Sequence[Caller]) -> tuple[Reply, ...]:
    """The names of the learners on the line and how many; the others as callers we do not know."""
    if not callers:
        return (Reply(keys.VOICE_HOST_NOBODY),)
    names = [c.name for c in callers if c.name]
    unknown = len(callers) - len(names)
    said = []
    if names:
        said.append(Reply(keys.VOICE_HOST_ON_LINE, {"count": len(callers), "names": ", ".join(names)}))
    if unknown:
        said.append(Reply(keys.VOICE_HOST_UNKNOWN, {"count": unknown}))
    return tuple(said)


def muted(count: int, mute: bool) -> Reply:
    """What the facilitator hears after muting (or unmuting) everyone."""
    return Reply(keys.VOICE_HOST_MUTED if mute else keys.VOICE_HOST_UNMUTED, {"count": count})


@dataclass(frozen=True)
class RollStep:
    """The roll call's next step: ask about ``ask`` (contact id, name), or it is done."""

    ask: tuple[int, str] | None
    replies: tuple[Reply, ...]


def roll_next(learners: Sequence[tuple[int, str]], after: int | None, here: int) -> RollStep:
    """The learner after ``after`` (the first when None) in the roll call, or the end with how many are here.

    Args:
        learners: the circle's active learners not on the line, in the order they are called.
        after: the contact id just answered (None at the start).
        here: how many were marked here so far.
    """
    if not learners:
        return RollStep(None, (Reply(keys.VOICE_HOST_ROLL_EMPTY),))
    ids = [contact_id for contact_id, _name in learners]
    start = ids.index(after) + 1 if after in ids else (0 if after is None else len(ids))
    if start < len(learners):
        contact_id, name = learners[start]
        return RollStep((contact_id, name), (Reply(keys.VOICE_HOST_ROLL_ASK, {"name": name}),))
    return RollStep(None, (Reply(keys.VOICE_HOST_ROLL_DONE, {"count": here}),))


def roll_answer(digits: str) -> bool | None:
    """A roll-call key: True (here), False (not here), None (anything else: back to the meeting)."""
    key = (digits or "").strip()[:1]
    return True if key == HERE_KEY else False if key == AWAY_KEY else None
