"""Signup: a learner joins a circle by text.

JOIN <code> / <code> / /start <code>
      │ (unknown code → SIGNUP_UNKNOWN_CODE; already in → SIGNUP_ALREADY_*)
      ▼
  ASK_NAME ──name──▶ ASK_LANGUAGE ──number──▶ enrolled (or waitlisted), state closed
  (the welcome adds the voice line's number and the circle's phone code, when there is a voice line)
  (skipped when the name is known; ASK_LANGUAGE skipped when the language is known)
"""

from __future__ import annotations

import enum
from typing import NotRequired, TypedDict, cast

from flows import choices, keys, keywords
from flows.context import CircleView, Context
from flows.inbound import Inbound
from flows.results import Effect, Enroll, RecordConsent, Reply, Result, SetLanguage, SetName, StateDict, When

FLOW = "signup"
NAME_MAX = 20


class State(str, enum.Enum):
    """The steps of signup."""

    ASK_NAME = "ask_name"
    ASK_LANGUAGE = "ask_language"


class SignupState(TypedDict):
    """The stored state: the circle, the language to answer in, and what was given so far."""

    flow: str
    code: str
    lang: str
    step: NotRequired[str]  # a ``State`` value (absent only before the first question is asked)
    name: NotRequired[str]
    chosen: NotRequired[bool]  # True once the learner picked a language from the menu


def start(code: str | None, trigger_language: str | None, inbound: Inbound, ctx: Context) -> Result:
    """Starts signup for circle ``code``, or explains what went wrong."""
    if not code:
        return Result(None, (Reply(keys.SIGNUP_NEED_CODE),), language=trigger_language)
    circle = ctx.circles.get(code)
    if circle is None:
        return Result(None, (Reply(keys.SIGNUP_UNKNOWN_CODE, {"code": code}),), language=trigger_language)
    existing = ctx.contact.enrollment(code)
    if existing is not None:
        key = keys.SIGNUP_ALREADY_IN if existing.status == "active" else keys.SIGNUP_ALREADY_WAITLISTED
        return Result(None, (Reply(key, _circle_params(circle)),))
    lang = ctx.contact.language or trigger_language or inbound.language or circle.language or ctx.default_language
    state: SignupState = {"flow": FLOW, "code": code, "lang": lang}
    return _next_step(state, ctx, circle, ())


def on_ask_name(state: SignupState, inbound: Inbound, ctx: Context) -> Result:
    """Stores the name and asks for the language."""
    name = clean_name(inbound.text)
    circle = ctx.circles.get(state["code"])
    if circle is None:
        return Result(None, (Reply(keys.SIGNUP_UNKNOWN_CODE, {"code": state["code"]}),), language=state["lang"])
    if name is None:
        return Result(state, (Reply(keys.SIGNUP_BAD_NAME),), language=state["lang"])
    return _next_step({**state, "name": name}, ctx, circle, (SetName(name),))


def on_ask_language(state: SignupState, inbound: Inbound, ctx: Context) -> Result:
    """Stores the language and enrolls the learner."""
    lang = keywords.menu_choice(inbound.text, ctx.languages)
    circle = ctx.circles.get(state["code"])
    if circle is None:
        return Result(None, (Reply(keys.SIGNUP_UNKNOWN_CODE, {"code": state["code"]}),), language=state["lang"])
    if lang is None:
        reply = Reply(keys.SIGNUP_BAD_LANGUAGE, choices=choices.language_menu(ctx.languages))
        return Result(state, (reply,), language=state["lang"])
    return _next_step({**state, "lang": lang, "chosen": True}, ctx, circle, (SetLanguage(lang),))


HANDLERS = {State.ASK_NAME: on_ask_name, State.ASK_LANGUAGE: on_ask_language}


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result:
    """Runs the handler for the conversation's current step."""
    stored = cast(SignupState, state)  # the state kept as JSON, written by this flow
    return HANDLERS[State(stored["step"])](stored, inbound, ctx)


def _next_step(state: SignupState, ctx: Context, circle: CircleView, effects: tuple[Effect, ...]) -> Result:
    name = state.get("name") or ctx.contact.name
    if not name:
        reply = Reply(keys.SIGNUP_ASK_NAME, {"circle": circle.name})
        return Result({**state, "step": State.ASK_NAME.value}, (reply,), effects, language=state["lang"])
    if not (ctx.contact.language or state.get("chosen")):
        reply = Reply(keys.SIGNUP_ASK_LANGUAGE, {"name": name}, choices.language_menu(ctx.languages))
        return Result({**state, "step": State.ASK_LANGUAGE.value}, (reply,), effects, language=state["lang"])
    waitlist = circle.full
    params = {**_circle_params(circle), "name": name}
    replies: tuple[Reply, ...] = (Reply(keys.SIGNUP_WAITLISTED if waitlist else keys.SIGNUP_CONFIRMED, params),)
    if not waitlist and circle.phone_code and ctx.dial_in:  # a phone-only learner can still dial in
        replies += (Reply(keys.SIGNUP_PHONE_LINE, {"dial_in": ctx.dial_in, "phone_code": circle.phone_code}),)
    effects = effects + (RecordConsent(), Enroll(circle.code, waitlist))
    return Result(None, replies, effects, language=state["lang"])


def _circle_params(circle: CircleView) -> dict[str, str | When | None]:
    return {
        "circle": circle.name,
        "venue": circle.venue,
        "when": When(circle.next_meeting, circle.timezone) if circle.next_meeting else None,
    }


def clean_name(text: str) -> str | None:
    """Returns a usable first name from ``text``, or None when it holds no letters."""
    text = " ".join((text or "").split())
    if not any(ch.isalpha() for ch in text):
        return None
    kept = "".join(ch for ch in text if ch.isalpha() or ch in " -'.")
    name = " ".join(kept.split())[:NAME_MAX].strip(" -'.")
    return name or None
