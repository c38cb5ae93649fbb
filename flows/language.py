"""Changing language at any time: LANGUAGE, then a number from the menu.

LANGUAGE ──▶ CHOOSE ──number──▶ language set, state closed
               └──anything else──▶ menu again
"""

from __future__ import annotations

import enum
from typing import NotRequired, TypedDict, cast

from flows import choices, keys, keywords
from flows.context import Context
from flows.inbound import Inbound
from flows.results import Reply, Result, SetLanguage, StateDict

FLOW = "language"


class State(str, enum.Enum):
    """The one step of the language menu."""

    CHOOSE = "choose"


class LanguageState(TypedDict):
    """The stored state: the menu, and the conversation it interrupted (which continues after it)."""

    flow: str
    step: str
    resume: NotRequired[StateDict]


def start(ctx: Context, language: str, resume: StateDict | None = None) -> Result:
    """Shows the numbered language menu; the open conversation (``resume``) continues after it."""
    state: LanguageState = {"flow": FLOW, "step": State.CHOOSE.value}
    if resume and resume.get("flow") != FLOW:
        state["resume"] = resume
    return Result(state, (Reply(keys.LANGUAGE_MENU, choices=choices.language_menu(ctx.languages)),), language=language)


def on_choose(state: LanguageState, inbound: Inbound, ctx: Context) -> Result:
    """Stores the chosen language and confirms in it."""
    lang = keywords.menu_choice(inbound.text, ctx.languages)
    if lang is None:
        return start(ctx, ctx.contact.language or ctx.default_language, state.get("resume"))
    reply = Reply(keys.LANGUAGE_SET, {"language": keywords.LANGUAGE_NAMES[lang]})
    return Result(state.get("resume"), (reply,), (SetLanguage(lang),), language=lang)


HANDLERS = {State.CHOOSE: on_choose}


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result:
    """Runs the handler for the conversation's current step."""
    stored = cast(LanguageState, state)  # the state kept as JSON, written by this flow
    return HANDLERS[State(stored["step"])](stored, inbound, ctx)
