"""Routes one inbound message (DESIGN.md §4).

Order: global keywords, then an answer to the most recent reminder (the service offers one only
when it is newer than the open conversation), then triggers (``JOIN <code>``, a bare code,
``/start <code>``), then a help reply. An opted-out sender gets nothing but START and HELP.
"""
from __future__ import annotations

from typing import Any, Mapping

from flows import keys, keywords, language, rsvp, signup
from flows.context import Context
from flows.inbound import Inbound
from flows.results import OptIn, OptOut, Reply, Result

FLOWS = {signup.FLOW: signup, language.FLOW: language}


def handle(state: Mapping[str, Any] | None, inbound: Inbound, ctx: Context) -> Result:
    """Decides the reply, effects and next state for one inbound message.

    Args:
        state: the sender's open conversation, or None.
        inbound: the message.
        ctx: what the flow may know (the time, the sender, the circles named).
    """
    state = dict(state) if state else None
    contact = ctx.contact
    own = contact.language
    if not inbound.address_ok:
        return Result(None, (Reply(keys.BAD_ADDRESS),), language=own)

    found = keywords.match(inbound.text, own)
    keyword, kw_lang = found if found else (None, None)

    if contact.opted_out:
        if keyword == keywords.START:
            return Result(None, (Reply(keys.START_CONFIRMED),), (OptIn(),), language=own or kw_lang)
        if keyword == keywords.HELP:
            return Result(state, (Reply(keys.HELP_STOPPED),), language=own or kw_lang)
        return Result(state)

    if keyword == keywords.STOP:
        return Result(None, (Reply(keys.STOP_CONFIRMED),), (OptOut(),), language=own or kw_lang)
    if keyword == keywords.START:
        return Result(state, (Reply(keys.START_CONFIRMED),), language=own or kw_lang)
    if keyword == keywords.HELP:
        return Result(state, (help_reply(ctx),), language=own or kw_lang)
    if keyword == keywords.LANGUAGE:
        return language.start(ctx, own or kw_lang or ctx.default_language)

    if ctx.pending_rsvp is not None:
        answer = keywords.answer(inbound.text)
        if answer is not None:
            return rsvp.on_answer(state, answer, ctx)

    trigger = keywords.join_trigger(inbound.text)
    if trigger is not None:
        code, trigger_lang = trigger
        return signup.start(code, trigger_lang, inbound, ctx)

    if state and state.get("flow") in FLOWS:
        return FLOWS[state["flow"]].resume(state, inbound, ctx)

    parts = keywords.words(inbound.text)
    if len(parts) <= 2:
        for code in keywords.candidate_codes(inbound.text):
            if code in ctx.circles:
                return signup.start(code, None, inbound, ctx)

    return Result(None, (Reply(keys.FALLBACK),), language=own)


def help_reply(ctx: Context) -> Reply:
    """HELP: the sender's circles and what they can text."""
    current = ctx.contact.current
    if not current:
        return Reply(keys.HELP_NO_CIRCLES)
    listed = "; ".join(f"{e.circle.name} ({e.circle.code})" for e in current[:3])
    return Reply(keys.HELP_CIRCLES, {"circles": listed})
