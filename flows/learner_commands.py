"""FIND, FORGET and LEAVE, and the relay of a learner's free text to their facilitator.

FIND <postal code or city> ──▶ up to 3 open circles nearby
FORGET (alone) ──▶ CONFIRM ──its exact phrase, within 15 minutes──▶ Erase, FORGET_DONE (also after STOP)
         the phrase is the question's language's (FORGET YES, OLVIDAR SÍ, FUTA NDIYO…); a digit, a
         yes-word, "FORGET YES" sent before any question, or the phrase after 15 minutes never erase
LEAVE <code> ──▶ Leave(code); LEAVE alone ──▶ WHICH ──only its exact phrase, LEAVE <code>──▶ Leave(code)
         (a digit or a yes-word never leaves: ``flows.leaving``)
free text from an enrolled learner ──▶ RelayToFacilitator
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from typing import NotRequired, TypedDict, cast

from flows import choices, keys, keywords, leaving
from flows.context import Context
from flows.inbound import Inbound
from flows.results import CircleLine, Erase, Reply, RequestCall, Result, StateDict, When

FLOW = "forget"
LEAVE_FLOW = leaving.FLOW
LEAVE_CHOICES_MAX = leaving.CHOICES_MAX
FORGET_TTL = timedelta(minutes=15)  # how long FORGET's question waits for its phrase


class State(str, enum.Enum):
    """FORGET waits for its confirmation; LEAVE for which circle."""

    CONFIRM = "confirm"
    WHICH = "which"


class CommandState(TypedDict):
    """The stored state: FORGET's confirmation (``forget``), or LEAVE's question (``leave``: ``leaving.LeaveState``)."""

    flow: str
    step: str
    codes: NotRequired[list[str]]
    lang: NotRequired[str]  # the language of the phrase the question showed
    expires: NotRequired[str]  # ISO-8601, the end of the question's 15 minutes


def find(inbound: Inbound, ctx: Context, rest: list[str]) -> Result:
    """FIND: the open circles the service matched by postal code or city."""
    if not rest:
        return Result(None, (Reply(keys.FIND_NEED_PLACE),))
    if not ctx.found:
        return Result(None, (Reply(keys.FIND_NONE, {"place": keywords.rest_of(inbound.text)[:20]}),))
    lines = tuple(
        CircleLine(
            c.code,
            c.name,
            c.venue,
            When(c.next_meeting, c.timezone) if c.next_meeting else None,
            ctx.contact.enrollment(c.code) is not None,
        )
        for c in ctx.found[:3]
    )
    return Result(None, (Reply(keys.FIND_RESULTS, {"lines": lines}),))


def forget(inbound: Inbound, ctx: Context, lang: str) -> Result:
    """FORGET asks its question in ``lang``; only that language's exact phrase erases, within ``FORGET_TTL``."""
    asked: CommandState = {
        "flow": FLOW,
        "step": State.CONFIRM.value,
        "lang": lang,
        "expires": (ctx.now + FORGET_TTL).isoformat(),
    }
    return Result(asked, (Reply(keys.FORGET_CONFIRM, choices=choices.FORGET),), language=lang)


def confirms(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True when ``inbound`` is the open FORGET question's exact phrase, in its language, in its time."""
    if state.get("flow") != FLOW or state.get("step", State.CONFIRM.value) != State.CONFIRM.value:
        return False
    expires = state.get("expires")
    if expires and datetime.fromisoformat(expires) <= ctx.now:
        return False
    lang = state.get("lang") or ctx.contact.language or "en"
    return keywords.confirms_forget(inbound.text, lang)


def on_confirm(state: CommandState, inbound: Inbound, ctx: Context) -> Result | None:
    """The exact phrase erases; anything else drops the request and is routed as usual (None)."""
    if confirms(state, inbound, ctx):
        return Result(None, (Reply(keys.FORGET_DONE),), (Erase(),))
    return None


def on_which(state: CommandState, inbound: Inbound, ctx: Context) -> Result | None:
    """LEAVE's question: only its exact phrase leaves (``flows.leaving``)."""
    return leaving.on_which(state, inbound, ctx)


HANDLERS = {State.CONFIRM: on_confirm, State.WHICH: on_which}


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True when ``inbound`` answers the open question: FORGET's phrase, or one of LEAVE's circles."""
    if state.get("step") == State.WHICH.value:
        return leaving.accepts(state, inbound, ctx)
    return confirms(state, inbound, ctx)


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result | None:
    """Runs the handler for the conversation's current step."""
    stored = cast(CommandState, state)  # the state kept as JSON, written by this flow
    return HANDLERS[State(stored.get("step", State.CONFIRM.value))](stored, inbound, ctx)


def call_me(state: StateDict | None, ctx: Context, code: str | None) -> Result:
    """CALL ME [code]: a call when the circle's next meeting starts (the soonest, without a code)."""
    active = [e for e in ctx.contact.current if e.status == "active" and (code is None or e.circle.code == code)]
    if not active:
        return Result(state, (Reply(keys.CALL_ME_NONE),))
    chosen = min(active, key=lambda e: (e.circle.next_meeting is None, e.circle.next_meeting or ctx.now))
    circle = chosen.circle
    when = When(circle.next_meeting, circle.timezone) if circle.next_meeting else None
    return Result(state, (Reply(keys.CALL_ME_OK, {"circle": circle.name, "when": when}),), (RequestCall(circle.code),))


def leave(state: StateDict | None, inbound: Inbound, ctx: Context, rest: list[str]) -> Result:
    """LEAVE [code]: only a circle's exact phrase leaves it; LEAVE alone asks (``flows.leaving``)."""
    return leaving.leave(state, inbound, ctx, rest)
