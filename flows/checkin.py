"""The learner's check-in the day after a meeting: "1 great, 2 okay, 3 I'm stuck".

(the worker sends the question and opens this conversation)
ANSWER ──1/2──▶ RecordAnswer + CHECKIN_THANKS (the learner's first check-in only), closed
       ──3────▶ RecordAnswer(stuck) + RelayToFacilitator(stuck) + CHECKIN_RELAYED, closed
       ──any other text──▶ RelayToFacilitator(text) + CHECKIN_RELAYED, closed
"""

from __future__ import annotations

import enum
from typing import NotRequired, TypedDict, cast

from flows import choices, keys, keywords
from flows.context import Context
from flows.inbound import Inbound
from flows.results import RecordAnswer, RelayToFacilitator, Reply, Result, StateDict

FLOW = "checkin"
RATINGS = {"1": "great", "2": "okay", "3": "stuck"}


class State(str, enum.Enum):
    """The one step of a check-in."""

    ANSWER = "answer"


class CheckinState(TypedDict):
    """The stored state: who answers (``enrollment:<id>``), about which circle and meeting."""

    flow: str
    step: str
    subject: str
    code: str
    seq: int
    thank: bool
    name: NotRequired[str]  # the circle's name, for asking again (the planner adds it)
    expires: NotRequired[str]  # ISO-8601 (the planner adds it)


def opening(subject: str, code: str, seq: int, first: bool = True) -> CheckinState:
    """The state the worker opens when it sends the check-in for meeting ``seq``.

    ``first`` is True for the learner's first check-in in the circle: only that "1" or "2" is thanked.
    Later ratings are stored without a reply, which saves a segment a week (issue 16: a whole circle
    costs a learner at most 30 segments); the learner has already seen that the answer counts.
    """
    return {"flow": FLOW, "step": State.ANSWER.value, "subject": subject, "code": code, "seq": seq, "thank": first}


def question(circle_name: str) -> Reply:
    """The check-in question with its three choices."""
    return Reply(keys.CHECKIN_QUESTION, {"circle": circle_name}, choices.CHECKIN)


def on_answer(state: CheckinState, inbound: Inbound, ctx: Context) -> Result:
    """Stores the rating; a "stuck" or any free text goes to the facilitator."""
    parts = keywords.words(inbound.text)
    key = f"checkin:{state['seq']}"
    if len(parts) == 1 and parts[0] in RATINGS:
        rating = RATINGS[parts[0]]
        record = RecordAnswer(state["subject"], state["code"], key, rating)
        if rating != "stuck":
            thanks = (Reply(keys.CHECKIN_THANKS),) if state.get("thank", True) else ()
            return Result(None, thanks, (record,))
        relay = RelayToFacilitator(state["code"], inbound.text, stuck_after_meeting=state["seq"])
        return Result(None, (Reply(keys.CHECKIN_RELAYED),), (record, relay))
    if not any(ch.isalnum() for ch in inbound.text):
        return Result(state, (question(state.get("name", state["code"])),))
    return Result(None, (Reply(keys.CHECKIN_RELAYED),), (RelayToFacilitator(state["code"], inbound.text),))


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True for a rating; other words are relayed when nothing else claims them, but answer nothing."""
    parts = keywords.words(inbound.text)
    return len(parts) == 1 and parts[0] in RATINGS


HANDLERS = {State.ANSWER: on_answer}


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result:
    """Runs the handler for the conversation's current step."""
    stored = cast(CheckinState, state)  # the state kept as JSON, written by this flow
    return HANDLERS[State(stored["step"])](stored, inbound, ctx)
