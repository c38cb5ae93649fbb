"""Which question a keyboard asked (issue 22, item 4): a short name a Telegram button carries with its answer.

A button used to carry only its position ("1"), so a tap on a weeks-old keyboard answered whatever was open
now. Each question with fixed answers now has a *topic* naming it, and a tap counts only for the question its
keyboard asked, while that question is open; otherwise it is refused politely and nothing changes.

  reminder of meeting 12        r:12
  check-in after meeting 3      c:KC42:3
  survey question               s:learner:confidence
  LEAVE's question              l:1796400000       (its expiry; each button's value is its phrase, LEAVE KC42)
  FORGET's question             f:1796400000       (its expiry: each FORGET question is its own)

A button's callback data is ``<topic>|<value>``; Telegram allows 64 bytes, and a topic stays well under.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flows.results import Reply, StateDict

SEPARATOR = "|"
CALLBACK_MAX = 64  # bytes, Telegram's limit on callback data


def of_reminder(meeting_id: int) -> str:
    """The topic of the reminder of meeting ``meeting_id`` (its RSVP question)."""
    return f"r:{meeting_id}"


def reminder_of(topic: str) -> int | None:
    """The meeting id a reminder's topic names (None for any other topic)."""
    kind, _, rest = topic.partition(":")
    return int(rest) if kind == "r" and rest.isdecimal() else None


def of_state(state: StateDict | None) -> str | None:
    """The topic of the question an open conversation waits on (None: a flow whose buttons name no question)."""
    if not state:
        return None
    flow = state.get("flow")
    if flow == "checkin":
        return f"c:{state.get('code')}:{state.get('seq')}"
    if flow == "survey":
        return f"s:{state.get('survey')}:{state.get('q', state.get('i'))}"
    if flow in ("leave", "forget"):
        expires = state.get("expires")
        return f"{flow[0]}:{int(datetime.fromisoformat(expires).timestamp())}" if expires else f"{flow[0]}:"
    return None


def tag(replies: tuple[Reply, ...], topic: str | None) -> tuple[Reply, ...]:
    """The replies with ``topic`` on the last one's choices (unchanged without a topic or choices)."""
    if not topic or not replies or replies[-1].choices is None:
        return replies
    last = replies[-1]
    assert last.choices is not None  # for mypy: checked above
    return (*replies[:-1], replace(last, choices=replace(last.choices, topic=topic)))


def callback(topic: str | None, value: str) -> str:
    """A button's callback data: ``<topic>|<value>``, or the value alone for a question without a topic."""
    data = f"{topic}{SEPARATOR}{value}" if topic else value
    return data if len(data.encode()) <= CALLBACK_MAX else value[:CALLBACK_MAX]


def split(data: str) -> tuple[str | None, str]:
    """``(topic, value)`` of a button's callback data; ``(None, data)`` for a button with no topic."""
    if SEPARATOR not in data:
        return None, data
    topic, value = data.rsplit(SEPARATOR, 1)
    return (topic or None), value
