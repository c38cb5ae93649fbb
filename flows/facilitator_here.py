"""HERE by text: who came in person to the meeting under way or the last one, by first name or relay number,
and the numbered list a bare HERE sends (``flows.facilitator`` routes the command here)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TypedDict, cast

from flows import keys, keywords
from flows.context import Context, FacilitatedCircle, LearnerName, MeetingView
from flows.inbound import Inbound
from flows.results import (
    RecordAttendance,
    Reply,
    Result,
    StateDict,
)

_HANDLE = re.compile(r"^#\s*(\d{1,6})\b\s*(.*)$", re.S)


class HereState(TypedDict):
    """The open HERE list: the circle, its meeting, and the contact ids behind the numbers 1, 2, 3…"""

    flow: str
    code: str
    meeting: int
    ids: list[int]
    expires: str  # ISO-8601


ATTENDANCE_EARLY = timedelta(minutes=30)  # HERE counts for a meeting from half an hour before it starts


def _is(learner: LearnerName, word: str) -> bool:
    number = word.lstrip("#")
    if number.isdecimal():
        return learner.handle is not None and int(number) == learner.handle
    first = keywords.words(learner.name)[:1]
    return bool(first) and first[0] == word


HERE_FLOW = "here"  # the open conversation after a bare HERE: the numbered list it sent
HERE_TTL = timedelta(hours=2)
_NUMBER_LIST = re.compile(r"^\d{1,3}(?:\s*[,;]?\s+\d{1,3}|\s*[,;]\s*\d{1,3})*$")
_NUMBER_SPLIT = re.compile(r"[\s,;]+")
HERE_LIST_CHUNK = 80  # characters of "1 Amina, 2 Rosa…" per text (the segment budget's longest names)


def _here_list(state: StateDict | None) -> HereState | None:
    """The open HERE list (the numbers it showed → contact ids), or None."""
    if state and state.get("flow") == HERE_FLOW and isinstance(state.get("ids"), list):
        return cast(HereState, state)  # the state kept as JSON, written by ``_listing``
    return None


def _listing(state: StateDict | None, ctx: Context, circle: FacilitatedCircle, meeting: MeetingView) -> Result:
    """A bare HERE: the circle's learners numbered 1, 2, 3…; the answer is those numbers."""
    learners = circle.learners
    if not learners:
        return Result(state, (Reply(keys.FAC_HERE_HOW, {"code": circle.circle.code}),))
    chunks: list[str] = []
    for learner in learners:  # one numbering: each learner's relay number, as ``#3`` and the roster show it
        item = f"{learner.handle} {learner.name[:20]}" if learner.handle is not None else learner.name[:20]
        if chunks and len(chunks[-1]) + 2 + len(item) <= HERE_LIST_CHUNK:
            chunks[-1] += ", " + item
        else:
            chunks.append(item)
    opened: HereState = {
        "flow": HERE_FLOW,
        "code": circle.circle.code,
        "meeting": meeting.id,
        "ids": [learner.contact_id for learner in learners],
        "expires": (ctx.now + HERE_TTL).isoformat(),
    }
    return Result(
        opened, tuple(Reply(keys.FAC_HERE_LIST, {"circle": circle.circle.name, "names": chunk}) for chunk in chunks)
    )


def _here(
    state: StateDict | None,
    inbound: Inbound,
    ctx: Context,
    circle: FacilitatedCircle,
    lang: str | None,
    args: list[str],
) -> Result:
    """HERE: marks learners present in person at the meeting under way or the last one.

    Each word is a learner's first name (any case, accents optional) or their relay number (``#3`` or ``3``):
    the list a bare HERE sends numbers them by that same relay number.
    A name two learners share marks both. Words that match nobody are said back.
    """
    meeting = circle.last_meeting(ctx.now + ATTENDANCE_EARLY)
    listed = _here_list(state)
    if listed is not None and listed.get("code") != circle.circle.code:
        listed = None
    if listed is not None:
        meeting = next((m for m in circle.meetings if m.id == listed.get("meeting")), meeting)
    if meeting is None:
        return Result(state, (Reply(keys.FAC_NO_MEETING, {"circle": circle.circle.name}),))
    if not args:
        return _listing(state, ctx, circle, meeting)
    found: list[int] = []
    unknown: list[str] = []
    for word in args:
        # "3" and "#3" are learner #3 (their relay number), whether or not a list is open
        matched = [learner.contact_id for learner in circle.learners if _is(learner, word)]
        if matched:
            found.extend(c for c in matched if c not in found)
        elif word not in ("AND", "Y", "ET", "E", "I", "NA", ",", "&", ""):
            unknown.append(word.lstrip("#"))
    names = ", ".join(learner.name for learner in circle.learners if learner.contact_id in found)[:80]
    replies: list[Reply] = []
    if found:
        replies.append(Reply(keys.FAC_HERE_DONE, {"circle": circle.circle.name, "count": len(found), "names": names}))
    if unknown:
        replies.append(Reply(keys.FAC_HERE_UNKNOWN, {"circle": circle.circle.name, "names": ", ".join(unknown)[:80]}))
    effects = (RecordAttendance(meeting.id, tuple(found)),) if found else ()
    return Result(state, tuple(replies), effects)
