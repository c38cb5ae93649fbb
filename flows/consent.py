"""Express consent (issue 29, Kenya's Data Protection Act 2019): a learner whose facilitator added them
on paper, in a country that asks for express opt-in, is asked to reply YES before any scheduled text.

(the worker sends the question and opens this conversation; it lapses after 30 days)
ASK ──yes──▶ RecordConsent + CONSENT_GIVEN     (their address becomes the one scheduled texts go to)
    ──no───▶ OptOut + STOP_CONFIRMED
    ──anything else──▶ routed as usual; the question stays open until it lapses
"""

from __future__ import annotations

import enum
from typing import TypedDict, cast

from flows import answers, keys, keywords
from flows.context import Context
from flows.inbound import Inbound
from flows.results import OptOut, RecordConsent, Reply, Result, StateDict

FLOW = "consent"
LIFETIME_DAYS = 30


class State(str, enum.Enum):
    """The one step: the question was asked."""

    ASK = "ask"


class ConsentState(TypedDict):
    """The stored state: the circle the learner was added to, until when (ISO-8601)."""

    flow: str
    step: str
    code: str
    expires: str


def opening(code: str, expires: str) -> ConsentState:
    """The state opened when the question is sent for circle ``code``."""
    return {"flow": FLOW, "step": State.ASK.value, "code": code, "expires": expires}


def question(name: str, circle_name: str, venue: str) -> Reply:
    """The question: reply YES for the circle's texts, STOP for none."""
    return Reply(keys.CONSENT_ASK, {"name": name, "circle": circle_name, "venue": venue})


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True for a yes or a no."""
    return answers.answer(inbound.text) is not None


def on_ask(state: ConsentState, inbound: Inbound, ctx: Context) -> Result | None:
    """Yes records consent; no stops every text, as STOP does."""
    answer = answers.answer(inbound.text)
    if answer is None:
        return None
    if answer == keywords.NO:
        return Result(None, (Reply(keys.STOP_CONFIRMED),), (OptOut(),))
    circle = ctx.circles.get(state["code"])
    named = circle.name if circle is not None else state["code"]
    return Result(
        None, (Reply(keys.CONSENT_GIVEN, {"name": ctx.contact.name or "", "circle": named}),), (RecordConsent(),)
    )


HANDLERS = {State.ASK: on_ask}


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result | None:
    """Runs the handler for the conversation's current step."""
    stored = cast(ConsentState, state)  # the state kept as JSON, written when the question was sent
    return HANDLERS[State(stored["step"])](stored, inbound, ctx)
