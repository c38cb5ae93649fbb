"""A facilitator's text commands (recognised by their number), and ``#N text`` replies.

    CIRCLES              their circles and next meetings
    TALLY [code]         RSVP tally of the next meeting
    CANCEL code [date]   cancel the next meeting (or the one on that date); learners are told
    MOVE code date time  move the next meeting; learners are told and re-reminded
    MSG code text        text every active learner of the circle (through the outbox, paced)
    HOW code             the after-meeting check-in: rating, how many came, one reflection
    #N text              answer learner #N (only learners of their own circles)
Anything else is not a facilitator command and is routed as any other text.
"""
from __future__ import annotations

import re

from flows import dates, keys, keywords, survey, surveys
from flows.context import Context, FacilitatedCircle
from flows.inbound import Inbound
from flows.results import Broadcast, ChangeMeeting, CircleLine, RelayToLearner, Reply, Result, When

_HANDLE = re.compile(r"^#\s*(\d{1,6})\b\s*(.*)$", re.S)


def handle(state, inbound: Inbound, ctx: Context) -> Result | None:
    """The facilitator's command, or None when the text is not one."""
    fac = ctx.facilitator
    text = (inbound.text or "").strip()
    match = _HANDLE.match(text)
    if match:
        number, words = int(match[1]), match[2].strip()
        if not words:
            return Result(state, (Reply(keys.FAC_HELP),))
        if number not in fac.handles:
            return Result(state, (Reply(keys.RELAY_UNKNOWN_HANDLE, {"number": number}),))
        return Result(state, (Reply(keys.RELAYED),), (RelayToLearner(number, words),))
    found = keywords.command(text, keywords.FACILITATOR_COMMANDS)
    if found is None:
        return None
    name, lang, rest = found
    if name == keywords.CIRCLES:
        lines = tuple(_line(c, ctx) for c in fac.circles[:3])
        return Result(state, (Reply(keys.FAC_CIRCLES, {"lines": lines}),))
    if name == keywords.CANCEL and not rest:
        return None  # a lone CANCEL is the carriers' STOP word, handled before this
    circle = fac.circle(rest[0]) if rest else (fac.circles[0] if len(fac.circles) == 1 else None)
    if circle is None:
        return Result(state, (Reply(keys.FAC_NOT_YOURS, {"code": (rest[0] if rest else "?")[:12]}),))
    return COMMANDS[name](state, inbound, ctx, circle, lang, rest[1:])


def _line(c: FacilitatedCircle, ctx: Context) -> CircleLine:
    nxt = c.next_meeting(ctx.now)
    when = When(nxt.starts_at, c.circle.timezone) if nxt else None
    return CircleLine(c.circle.code, c.circle.name, c.circle.venue, when)


def _tally(state, inbound, ctx, circle: FacilitatedCircle, lang, args) -> Result:
    """TALLY: the RSVP counts of the next meeting."""
    nxt = circle.next_meeting(ctx.now)
    if nxt is None:
        return Result(state, (Reply(keys.FAC_NO_MEETING, {"circle": circle.circle.name}),))
    params = {"circle": circle.circle.name, "when": When(nxt.starts_at, circle.circle.timezone),
              "yes": nxt.yes, "no": nxt.no, "none": nxt.none}
    return Result(state, (Reply(keys.FACILITATOR_TALLY, params),))


def _pick_meeting(circle: FacilitatedCircle, ctx: Context, lang: str, args: list[str]):
    if not args:
        return circle.next_meeting(ctx.now), None
    day = dates.parse_date(args[0], lang, dates.local_date(ctx.now, circle.circle.timezone))
    if day is None:
        return None, Reply(keys.FAC_BAD_DATE)
    meeting = next((m for m in circle.meetings if m.status != "cancelled" and m.starts_at > ctx.now
                    and dates.local_date(m.starts_at, circle.circle.timezone) == day), None)
    return meeting, None


def _cancel(state, inbound, ctx, circle: FacilitatedCircle, lang, args) -> Result:
    """CANCEL: the next meeting, or the one on the date given."""
    meeting, problem = _pick_meeting(circle, ctx, lang, args[:1])
    if problem:
        return Result(state, (problem,))
    if meeting is None:
        return Result(state, (Reply(keys.FAC_NO_MEETING, {"circle": circle.circle.name}),))
    when = When(meeting.starts_at, circle.circle.timezone)
    return Result(state, (Reply(keys.FAC_CANCELLED, {"circle": circle.circle.name, "when": when}),),
                  (ChangeMeeting(circle.circle.code, meeting.id),))


def _move(state, inbound, ctx, circle: FacilitatedCircle, lang, args) -> Result:
    """MOVE: the next meeting to a new date and time (the circle's local time)."""
    tz = circle.circle.timezone
    day = dates.parse_date(args[0], lang, dates.local_date(ctx.now, tz)) if len(args) >= 2 else None
    at = dates.parse_time(" ".join(args[1:])) if len(args) >= 2 else None
    if day is None or at is None:
        return Result(state, (Reply(keys.FAC_BAD_DATE),))
    to = dates.to_utc(day, at, tz)
    meeting = circle.next_meeting(ctx.now)
    if meeting is None or to <= ctx.now:
        return Result(state, (Reply(keys.FAC_NO_MEETING, {"circle": circle.circle.name}),))
    return Result(state, (Reply(keys.FAC_MOVED, {"circle": circle.circle.name, "when": When(to, tz)}),),
                  (ChangeMeeting(circle.circle.code, meeting.id, to),))


def _msg(state, inbound, ctx, circle: FacilitatedCircle, lang, args) -> Result:
    """MSG: the rest of the text goes to every active learner of the circle."""
    words = keywords.rest_of(keywords.rest_of(inbound.text))
    if not words:
        return Result(state, (Reply(keys.FAC_HELP),))
    return Result(state, (Reply(keys.FAC_BROADCAST_SENT, {"circle": circle.circle.name}),),
                  (Broadcast(circle.circle.code, words),))


def _how(state, inbound, ctx, circle: FacilitatedCircle, lang, args) -> Result:
    """HOW: starts the after-meeting check-in for the most recent meeting."""
    last = circle.last_meeting(ctx.now)
    if last is None:
        return Result(state, (Reply(keys.FAC_NO_MEETING, {"circle": circle.circle.name}),))
    how = surveys.how(last.seq)
    opened = survey.opening(how.name, f"facilitator:{ctx.facilitator.id}:{circle.circle.code}", circle.circle.code)
    return Result(opened, (Reply(keys.HOW_INTRO, {"circle": circle.circle.name}), how.questions[0].ask()))


COMMANDS = {keywords.TALLY: _tally, keywords.CANCEL: _cancel, keywords.MOVE: _move, keywords.MSG: _msg,
            keywords.HOW: _how}
