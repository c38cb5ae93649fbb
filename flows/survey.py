"""A survey by text: one question at a time, SKIP to skip, a hint when a reply does not fit.

(the worker sends the first question and opens this conversation)
ASK(i) ──fits──▶ RecordAnswer ──▶ ASK(i+1) … ──▶ SURVEY_DONE, state closed
  │  └─SKIP──▶ RecordAnswer(None) ──▶ ASK(i+1)
  └─does not fit──▶ hint + the same question
Pausing is free: the state waits (up to its expiry, 14 days), answers given are kept.
"""

from __future__ import annotations

import enum
from typing import NotRequired, TypedDict, cast

from flows import keys, keywords, surveys
from flows.context import Context
from flows.inbound import Inbound
from flows.results import RecordAnswer, Reply, Result, StateDict

FLOW = "survey"


class State(str, enum.Enum):
    """The one step of a survey: asking question ``i``."""

    ASK = "ask"


class SurveyState(TypedDict):
    """The stored state: which survey, who answers it (``enrollment:<id>``, ``facilitator:<id>:<code>``),
    about which circle, and the key of the question asked."""

    flow: str
    step: str
    survey: str
    subject: str
    code: str
    q: NotRequired[str]
    i: NotRequired[int]  # an old state's question index, before states named the question by key
    opened: NotRequired[str]  # ISO-8601, when the worker sent the first question (the planner adds it)
    expires: NotRequired[str]  # ISO-8601 (the planner adds it)
    reminded: NotRequired[bool]  # the one reminder was planned


def opening(survey_name: str, subject: str, code: str, index: int = 0) -> SurveyState:
    """The state the worker opens when it sends question ``index`` of a survey.

    The state names the question by its *key*, so a survey whose questions change while a learner
    is half-way files every later answer under the right key.
    """
    questions = surveys.by_name(survey_name).questions
    return {
        "flow": FLOW,
        "step": State.ASK.value,
        "survey": survey_name,
        "subject": subject,
        "code": code,
        "q": questions[index].key,
    }


def _position(state: SurveyState) -> int:
    """Where the state is in its survey: by question key (an old state may still hold an index)."""
    questions = surveys.by_name(state["survey"]).questions
    if "q" in state:
        for i, q in enumerate(questions):
            if q.key == state["q"]:
                return i
        return min(len(questions) - 1, int(state.get("i", 0)))  # a removed question: go on from there
    return min(len(questions) - 1, int(state.get("i", 0)))


def question(state: StateDict) -> surveys.Question:
    """The question the state is waiting on (a survey's state, as kept: the planner reads it too)."""
    stored = cast(SurveyState, state)
    return surveys.by_name(stored["survey"]).questions[_position(stored)]


def on_ask(state: SurveyState, inbound: Inbound, ctx: Context) -> Result:
    """Stores the answer (or the skip) and asks the next question, or explains and asks again."""
    current = question(state)
    skip = keywords.command(inbound.text, {keywords.SKIP: keywords.COMMANDS[keywords.SKIP]})
    if skip is not None and len(keywords.words(inbound.text)) == 1:
        value = None
    else:
        value = surveys.parse(current, inbound.text)
        if value is None:
            return Result(state, (Reply(surveys.HINTS[current.kind]), current.ask()))
    record = RecordAnswer(state["subject"], state["code"], _answer_key(state, current), value)
    questions = surveys.by_name(state["survey"]).questions
    position = _position(state)
    if position + 1 >= len(questions):
        return Result(None, (Reply(keys.SURVEY_DONE),), (record,))
    following = questions[position + 1]
    nxt = {key: value for key, value in state.items() if key != "i"} | {"q": following.key}
    return Result(nxt, (following.ask(),), (record,))


def _answer_key(state: SurveyState, current: surveys.Question) -> str:
    return current.key if state["survey"].startswith("how") else f"{state['survey']}:{current.key}"


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True when ``inbound`` answers the open question (any text answers a free-text question)."""
    return surveys.parse(question(state), inbound.text) is not None


HANDLERS = {State.ASK: on_ask}


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result:
    """Runs the handler for the conversation's current step."""
    stored = cast(SurveyState, state)  # the state kept as JSON, written by this flow or the planner
    return HANDLERS[State(stored["step"])](stored, inbound, ctx)
