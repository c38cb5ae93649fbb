"""A word that may mean "stop all texts", asked before anything stops (pt "Cancelar", pl "Koniec").

"Cancelar" / "Koniec" (keywords.ASK_FIRST_STOP)
   │ after a reminder: a no for its meeting (router's RSVP route, before this one)
   ▼
 CONFIRM ──yes──▶ OptOut, STOP_CONFIRMED
    ├────no───▶ STOP_KEPT, the interrupted conversation goes on
    └─anything else──▶ dropped, routed as usual (None)
STOP, PARAR, SITISHA… stop at once, as always; only these words ask first.
"""

from __future__ import annotations

import enum
from typing import NotRequired, TypedDict, cast

from flows import answers, choices, keys, keywords
from flows.context import Context
from flows.inbound import Inbound
from flows.results import OptOut, Reply, Result, StateDict

FLOW = "stop"


class State(str, enum.Enum):
    """The one step: waiting for a yes or a no."""

    CONFIRM = "confirm"


class StopState(TypedDict):
    """The stored state: the question, and the conversation it interrupted (which goes on after a no)."""

    flow: str
    step: str
    resume: NotRequired[StateDict]


def ask(lang: str | None, resume: StateDict | None = None) -> Result:
    """Asks whether to stop all texts; nothing stops yet."""
    state: StopState = {"flow": FLOW, "step": State.CONFIRM.value}
    if resume and resume.get("flow") != FLOW:
        state["resume"] = resume
    return Result(state, (Reply(keys.STOP_ASK, choices=choices.YES_NO),), language=lang)


def on_confirm(state: StopState, inbound: Inbound, ctx: Context) -> Result | None:
    """A yes (or the same word again: "Koniec", "Koniec") stops every text, a no keeps them; anything else
    is routed as usual."""
    said = answers.plain_answer(inbound.text)  # "Nitakuwepo" (I'll be there) is no yes to stopping
    if said == keywords.YES or keywords.ask_first_stop(inbound.text):
        return Result(None, (confirmation(ctx),), (OptOut(),))
    if said == keywords.NO:
        return Result(state.get("resume"), (Reply(keys.STOP_KEPT),))
    return None


def confirmation(ctx: Context) -> Reply:
    """What a STOP is confirmed with: a facilitator hears what stops for them, and how to cancel a meeting."""
    if ctx.facilitator is not None and ctx.facilitator.circles:
        return Reply(keys.FAC_STOP_CONFIRMED, {"code": ctx.facilitator.circles[0].circle.code})
    return Reply(keys.STOP_CONFIRMED)


HANDLERS = {State.CONFIRM: on_confirm}


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True when ``inbound`` answers the question (a yes or a no)."""
    return answers.plain_answer(inbound.text) is not None or keywords.ask_first_stop(inbound.text) is not None


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result | None:
    """Runs the handler for the conversation's current step."""
    stored = cast(StopState, state)  # the state kept as JSON, written by this flow
    return HANDLERS[State(stored.get("step", State.CONFIRM.value))](stored, inbound, ctx)
