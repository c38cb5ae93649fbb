"""A freed place offered to the next learner on a circle's waiting list.

(the worker sends the offer and opens this conversation; it lapses after 2 days)
ANSWER ──yes──▶ Enroll(code) + SIGNUP_CONFIRMED   (WAITLIST_TAKEN if the place went meanwhile)
       ──no───▶ Leave(code) + WAITLIST_DECLINED   (the planner offers the next learner)
       ──anything else──▶ routed as usual; the offer stays open until it lapses
"""

from __future__ import annotations

import enum
from typing import TypedDict, cast

from flows import answers, choices, keys, keywords
from flows.context import Context
from flows.inbound import Inbound
from flows.results import Enroll, Leave, Reply, Result, StateDict, When

FLOW = "offer"


class State(str, enum.Enum):
    """The one step of an offer."""

    ANSWER = "answer"


class OfferState(TypedDict):
    """The stored state: the circle whose place is offered, until when (ISO-8601)."""

    flow: str
    step: str
    code: str
    expires: str


def opening(code: str, expires: str) -> OfferState:
    """The state the worker opens when it sends the offer for circle ``code``."""
    return {"flow": FLOW, "step": State.ANSWER.value, "code": code, "expires": expires}


def question(name: str, circle_name: str) -> Reply:
    """The offer, with yes and no."""
    return Reply(keys.WAITLIST_OFFER, {"name": name, "circle": circle_name}, choices.YES_NO)


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True for a yes or a no."""
    return answers.answer(inbound.text) is not None


def on_answer(state: OfferState, inbound: Inbound, ctx: Context) -> Result | None:
    """Yes takes the place (if it is still free); no leaves the list so the next learner is asked."""
    answer = answers.answer(inbound.text)
    circle = ctx.circles.get(state["code"])
    if answer is None or circle is None:
        return None
    if answer == keywords.NO:
        return Result(None, (Reply(keys.WAITLIST_DECLINED, {"code": circle.code}),), (Leave(circle.code),))
    if circle.full:
        return Result(None, (Reply(keys.WAITLIST_TAKEN),))
    params = {
        "name": ctx.contact.name or "",
        "circle": circle.name,
        "venue": circle.venue,
        "when": When(circle.next_meeting, circle.timezone) if circle.next_meeting else None,
    }
    return Result(None, (Reply(keys.SIGNUP_CONFIRMED, params),), (Enroll(circle.code, waitlist=False),))


HANDLERS = {State.ANSWER: on_answer}


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result | None:
    """Runs the handler for the conversation's current step."""
    stored = cast(OfferState, state)  # the state kept as JSON, written by the planner
    return HANDLERS[State(stored["step"])](stored, inbound, ctx)
