"""A facilitator's text commands (recognised by their number), and ``#N text`` replies.

    CIRCLES              their circles and next meetings
    TALLY [code]         RSVP tally of the next meeting
    CANCEL code [date]   cancel the next meeting (or the one on that date); learners are told
    MOVE code date time  move the next meeting; learners are told and re-reminded
    MSG code text        text every active learner of the circle (through the outbox, paced)
    HOW code             the after-meeting check-in: rating, how many came, one reflection
    HERE code names      who came in person to the last meeting (first names or #relay numbers; the list
                         a bare ``HERE code`` sends numbers learners by those same relay numbers)
    1 3 4                right after that list (its conversation is open): the numbers of who came
    ADD code phone name  a learner with only a landline: reminders and surveys come as calls
    #N text              answer learner #N (only learners of their own circles)
Anything else is not a facilitator command and is routed as any other text. A command word counts
when a real circle code follows it, or when it stands alone and the open question (the HOW survey) does
not take it as an answer: "Grupy były za duże" and a lone "Grupy" as a reflection are answers.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Callable

from flows import dates, facilitator_words, keys, keywords, standing, survey, surveys
from flows.context import Context, FacilitatedCircle, FacilitatorView, MeetingView
from flows.facilitator_here import (  # noqa: F401  (HERE by text; HERE_FLOW, ATTENDANCE_EARLY as before)
    _NUMBER_LIST,
    _NUMBER_SPLIT,
    ATTENDANCE_EARLY,
    HERE_FLOW,
    _here,
    _here_list,
    _is,
)
from flows.inbound import Inbound
from flows.results import (
    AddLandline,
    Broadcast,
    ChangeMeeting,
    CircleLine,
    RelayToLearner,
    Reply,
    Result,
    StateDict,
    When,
)

_HANDLE = re.compile(r"^#\s*(\d{1,6})\b\s*(.*)$", re.S)


# One command: (the open conversation, the text, the context, the circle named, the command word's
# language, the words after the code) -> the result.
Command = Callable[[StateDict | None, Inbound, Context, FacilitatedCircle, str, list[str]], Result]


def _facilitator(ctx: Context) -> FacilitatorView:
    """The sender's facilitator view (the router asks this module only for a facilitator's number)."""
    if ctx.facilitator is None:
        raise ValueError("the facilitator's commands need a facilitator's number")
    return ctx.facilitator


def handle(state: StateDict | None, inbound: Inbound, ctx: Context, lone_ok: bool = True) -> Result | None:
    """The facilitator's command, or None when the text is not one.

    Args:
        lone_ok: whether a command word standing alone is a command (False when the open
            conversation takes the text as its answer).
    """
    fac = _facilitator(ctx)
    text = (inbound.text or "").strip()
    listed = _here_list(state)
    if listed is not None and ctx.pending_rsvp is None and _NUMBER_LIST.match(text):
        circle = fac.circle(listed["code"])
        if circle is not None:  # "1 3 4" answers the HERE list (a newer RSVP question would take it instead)
            return _here(state, inbound, ctx, circle, None, _NUMBER_SPLIT.split(text.strip(" ,")))
    match = _HANDLE.match(text)
    if match:
        number, words = int(match[1]), match[2].strip()
        if not words:
            return Result(state, (Reply(keys.FAC_HELP),))
        if number not in fac.handles:
            return Result(state, (Reply(keys.RELAY_UNKNOWN_HANDLE, {"number": number}),))
        return Result(state, (Reply(keys.RELAYED),), (RelayToLearner(number, words),))
    found = keywords.command(text, facilitator_words.FACILITATOR_COMMANDS)
    if found is None:
        return _retired(state, inbound, ctx)
    name, lang, rest = found
    if not rest:
        if not lone_ok or name == facilitator_words.CANCEL:  # a lone CANCEL is the carriers' STOP word, handled before
            return None
        if name == facilitator_words.CIRCLES:
            return Result(state, (_circles(ctx),))
        if len(fac.circles) != 1:
            return _which(state, ctx, name)
        return COMMANDS[name](state, inbound, ctx, fac.circles[0], lang, [])
    if name == facilitator_words.CIRCLES:
        return None  # "Grupy były za duże" is a sentence
    known = set(ctx.circles) | {c.circle.code for c in fac.circles}
    split = keywords.split_code(rest, known, typed=state is None)
    if split is None:
        return None  # "Como siempre…", "Mudar o horário…": no circle code follows
    code, args = split
    circle = fac.circle(code)
    if circle is None:
        return Result(state, (Reply(keys.FAC_NOT_YOURS, {"code": code[:12]}),))
    return COMMANDS[name](state, inbound, ctx, circle, lang, args)


def _retired(state: StateDict | None, inbound: Inbound, ctx: Context) -> Result | None:
    """An old HOW word ("COMO KC42") counts only before one of the facilitator's own circle codes."""
    found = keywords.command(inbound.text, facilitator_words.RETIRED_FACILITATOR_COMMANDS)
    if found is None:
        return None
    name, lang, rest = found
    fac = _facilitator(ctx)
    split = keywords.split_code(rest, {c.circle.code for c in fac.circles})
    circle = fac.circle(split[0]) if split is not None and not split[1] else None
    if circle is None:
        return None
    return COMMANDS[name](state, inbound, ctx, circle, lang, [])


CIRCLES_SHOWN = 3
OTHERS_SHOWN = 3
TALLY_AHEAD = timedelta(days=7)


def _circles(ctx: Context) -> Reply:
    """CIRCLES: the first three with their next meeting, then the codes of the others."""
    circles = _facilitator(ctx).circles
    lines = tuple(_line(c, ctx) for c in circles[:CIRCLES_SHOWN])
    if len(circles) <= CIRCLES_SHOWN:
        return Reply(keys.FAC_CIRCLES, {"lines": lines})
    rest = circles[CIRCLES_SHOWN:]
    others = ", ".join(c.circle.code for c in rest[:OTHERS_SHOWN]) + (", ..." if len(rest) > OTHERS_SHOWN else "")
    return Reply(keys.FAC_CIRCLES_MORE, {"lines": lines, "count": len(rest), "others": others})


def _which(state: StateDict | None, ctx: Context, name: str) -> Result:
    """A command without a code from a facilitator of several circles: TALLY answers for every circle
    that meets within a week; the others ask which circle."""
    fac = _facilitator(ctx)
    if name == facilitator_words.TALLY:
        soon = [
            (c, nxt)
            for c in fac.circles
            if (nxt := c.next_meeting(ctx.now)) is not None and nxt.starts_at <= ctx.now + TALLY_AHEAD
        ]
        if soon:
            return Result(state, tuple(_tally_reply(c, nxt) for c, nxt in soon[:CIRCLES_SHOWN]))
    codes = ", ".join(c.circle.code for c in fac.circles[:12])
    return Result(state, (Reply(keys.FAC_WHICH_CIRCLE, {"codes": codes}),))


def _tally_reply(circle: FacilitatedCircle, nxt: MeetingView) -> Reply:
    params = {
        "circle": circle.circle.name,
        "when": When(nxt.starts_at, circle.circle.timezone),
        "yes": nxt.yes,
        "no": nxt.no,
        "none": nxt.none,
    }
    return Reply(keys.FACILITATOR_TALLY, params)


def _line(c: FacilitatedCircle, ctx: Context) -> CircleLine:
    nxt = c.next_meeting(ctx.now)
    when = When(nxt.starts_at, c.circle.timezone) if nxt else None
    return CircleLine(c.circle.code, c.circle.name, c.circle.venue, when, ended=nxt is None and c.ended(ctx.now))


def _tally(
    state: StateDict | None, inbound: Inbound, ctx: Context, circle: FacilitatedCircle, lang: str, args: list[str]
) -> Result:
    """TALLY: the RSVP counts of the next meeting."""
    nxt = circle.next_meeting(ctx.now)
    if nxt is None:
        return Result(state, (Reply(keys.FAC_NO_MEETING, {"circle": circle.circle.name}),))
    return Result(state, (_tally_reply(circle, nxt),))


def _pick_meeting(
    circle: FacilitatedCircle, ctx: Context, lang: str, args: list[str]
) -> tuple[MeetingView | None, Reply | None]:
    if not args:
        return circle.next_meeting(ctx.now), None
    tz = circle.circle.timezone
    day = dates.parse_date(args[0], lang, dates.local_date(ctx.now, tz), tz)
    if day is None:
        return None, Reply(keys.FAC_BAD_DATE)
    meeting = next(
        (
            m
            for m in circle.meetings
            if m.status != "cancelled"
            and m.starts_at > ctx.now
            and dates.local_date(m.starts_at, circle.circle.timezone) == day
        ),
        None,
    )
    return meeting, None


def _cancel(
    state: StateDict | None, inbound: Inbound, ctx: Context, circle: FacilitatedCircle, lang: str, args: list[str]
) -> Result:
    """CANCEL: the next meeting, or the one on the date given."""
    meeting, problem = _pick_meeting(circle, ctx, lang, args[:1])
    if problem:
        return Result(state, (problem,))
    if meeting is None:
        return Result(state, (Reply(keys.FAC_NO_MEETING, {"circle": circle.circle.name}),))
    when = When(meeting.starts_at, circle.circle.timezone)
    return Result(
        state,
        (Reply(keys.FAC_CANCELLED, {"circle": circle.circle.name, "when": when}),),
        (ChangeMeeting(circle.circle.code, meeting.id),),
    )


def _move(
    state: StateDict | None, inbound: Inbound, ctx: Context, circle: FacilitatedCircle, lang: str, args: list[str]
) -> Result:
    """MOVE: the next meeting to a new date and time (the circle's local time)."""
    tz = circle.circle.timezone
    today = dates.local_date(ctx.now, tz)
    day = dates.parse_date(args[0], lang, today, tz) if len(args) >= 2 else None
    at = dates.parse_time(" ".join(args[1:])) if len(args) >= 2 else None
    if day is None or at is None:
        return Result(state, (Reply(keys.FAC_BAD_DATE),))
    if dates.too_far(day, today):
        return Result(state, (Reply(keys.FAC_DATE_TOO_FAR),))
    to = dates.to_utc(day, at, tz)  # None only at the calendar's first day: long past
    meeting = circle.next_meeting(ctx.now)
    if meeting is None or to is None or to <= ctx.now:
        return Result(state, (Reply(keys.FAC_NO_MEETING, {"circle": circle.circle.name}),))
    taken = next(
        (m for m in circle.meetings if m.id != meeting.id and m.status != "cancelled" and m.starts_at == to), None
    )
    if taken is not None:
        return Result(state, (Reply(keys.FAC_TIME_TAKEN, {"circle": circle.circle.name, "when": When(to, tz)}),))
    passed = standing.passed_by(meeting, to, circle.meetings)
    if passed is not None:  # MOVE never silently puts the next meeting after a later one
        order = {
            "circle": circle.circle.name,
            "seq": meeting.seq,
            "other": passed.seq,
            "when": When(passed.starts_at, tz),
        }
        return Result(state, (Reply(keys.FAC_MOVE_ORDER, order),))
    params = {
        "circle": circle.circle.name,
        "seq": meeting.seq,
        "old": When(meeting.starts_at, tz),
        "when": When(to, tz),
    }
    return Result(state, (Reply(keys.FAC_MOVED, params),), (ChangeMeeting(circle.circle.code, meeting.id, to),))


def _msg(
    state: StateDict | None, inbound: Inbound, ctx: Context, circle: FacilitatedCircle, lang: str, args: list[str]
) -> Result:
    """MSG: the rest of the text goes to every active learner of the circle."""
    words = keywords.rest_of(keywords.rest_of(inbound.text))
    if not words:
        return Result(state, (Reply(keys.FAC_MSG_EMPTY, {"code": circle.circle.code}),))
    return Result(
        state,
        (Reply(keys.FAC_BROADCAST_SENT, {"circle": circle.circle.name}),),
        (Broadcast(circle.circle.code, words),),
    )


def _how(
    state: StateDict | None, inbound: Inbound, ctx: Context, circle: FacilitatedCircle, lang: str, args: list[str]
) -> Result:
    """HOW: starts the after-meeting check-in for the most recent meeting."""
    last = circle.last_meeting(ctx.now)
    if last is None:
        nxt = circle.next_meeting(ctx.now)
        when = When(nxt.starts_at, circle.circle.timezone) if nxt else None
        return Result(state, (Reply(keys.FAC_HOW_TOO_EARLY, {"circle": circle.circle.name, "when": when}),))
    how = surveys.how(last.seq)
    opened = survey.opening(how.name, f"facilitator:{_facilitator(ctx).id}:{circle.circle.code}", circle.circle.code)
    return Result(opened, (Reply(keys.HOW_INTRO, {"circle": circle.circle.name}), how.questions[0].ask()))


_PHONE_PART = re.compile(r"^[+()\d.\-]+$")


def _add(
    state: StateDict | None, inbound: Inbound, ctx: Context, circle: FacilitatedCircle, lang: str, args: list[str]
) -> Result:
    """ADD: a landline learner, by number and first name; consent is "added by facilitator"."""
    words = keywords.rest_of(keywords.rest_of(inbound.text)).split()
    if words and words[0].upper() == circle.circle.code:  # "ADD KC42 …" where the code was one word
        words = words[1:]
    phone_parts: list[str] = []
    while words and _PHONE_PART.match(words[0]):
        phone_parts.append(words.pop(0))
    phone = "".join(ch for ch in "".join(phone_parts) if ch.isdigit() or ch == "+")
    name = " ".join(words).strip()[:20]
    digits = phone.lstrip("+")
    if not name or not digits.isdigit() or not 10 <= len(digits) <= 15 or "+" in digits:
        return Result(state, (Reply(keys.FAC_ADD_HOW, {"code": circle.circle.code}),))
    return Result(
        state,
        (Reply(keys.FAC_ADDED, {"name": name, "circle": circle.circle.name}),),
        (AddLandline(circle.circle.code, phone, name),),
    )


COMMANDS: dict[str, Command] = {
    facilitator_words.ADD: _add,
    facilitator_words.HERE: _here,
    facilitator_words.TALLY: _tally,
    facilitator_words.CANCEL: _cancel,
    facilitator_words.MOVE: _move,
    facilitator_words.MSG: _msg,
    facilitator_words.HOW: _how,
}
