"""Routes one inbound message (DESIGN.md §4).

Order:
  1. global keywords: STOP, START, HELP, LANGUAGE (an opted-out sender gets only START and HELP);
  2. a facilitator's commands (CIRCLES, TALLY, CANCEL, MOVE, MSG, HOW, ``#N text``);
  3. FORGET; FIND and LEAVE when no conversation is open or the text is the bare word;
  4. an answer to the most recent reminder (offered only when it is newer than the conversation);
  5. triggers: ``JOIN <code>`` and ``/start <code>`` (in an open conversation, only a real code);
  6. the open conversation (signup, language, check-in, survey, FORGET's confirmation);
  7. a bare circle code;
  8. a learner's free text, relayed to their facilitator; else a help reply.
"""
from __future__ import annotations

from typing import Any, Mapping

from flows import checkin, facilitator, keys, keywords, language, learner_commands, rsvp, signup, survey
from flows.context import Context
from flows.inbound import Inbound
from flows.results import OptIn, OptOut, Reply, Result

FLOWS = {signup.FLOW: signup, language.FLOW: language, checkin.FLOW: checkin, survey.FLOW: survey,
         learner_commands.FLOW: learner_commands, learner_commands.LEAVE_FLOW: learner_commands}
LEARNER_COMMANDS = {name: table for name, table in keywords.COMMANDS.items() if name != keywords.SKIP}


def handle(state: Mapping[str, Any] | None, inbound: Inbound, ctx: Context) -> Result:
    """Decides the reply, effects and next state for one inbound message.

    Args:
        state: the sender's open conversation, or None.
        inbound: the message.
        ctx: what the flow may know (the time, the sender, the circles named).
    """
    state = dict(state) if state else None
    own = ctx.contact.language
    if not inbound.address_ok:
        return Result(None, (Reply(keys.BAD_ADDRESS),), language=own)

    found = keywords.match(inbound.text, own)
    keyword, kw_lang = found if found else (None, None)
    lang = own or kw_lang

    if ctx.contact.opted_out:
        if keyword == keywords.START:
            return Result(None, (Reply(keys.START_CONFIRMED),), (OptIn(),), language=lang)
        if keyword == keywords.HELP:
            return Result(state, (Reply(keys.HELP_STOPPED),), language=lang)
        return Result(state)
    if keyword == keywords.STOP:
        return Result(None, (Reply(keys.STOP_CONFIRMED),), (OptOut(),), language=lang)
    if keyword == keywords.START:
        return Result(state, (Reply(keys.START_CONFIRMED),), language=lang)
    if keyword == keywords.HELP:
        reply = Reply(keys.FAC_HELP) if ctx.facilitator else help_reply(ctx)
        return Result(state, (reply,), language=lang)
    if keyword == keywords.LANGUAGE:
        return language.start(ctx, lang or ctx.default_language, resume=state)

    if ctx.facilitator is not None:
        result = facilitator.handle(state, inbound, ctx)
        if result is not None:
            return result

    command = keywords.command(inbound.text, LEARNER_COMMANDS)
    if command is not None and (state is None or command[0] == keywords.FORGET
                                or len(keywords.words(inbound.text)) == 1):
        name, _, rest = command
        if name == keywords.FIND:
            return learner_commands.find(inbound, ctx, rest)
        if name == keywords.FORGET:
            return learner_commands.forget(inbound, ctx, rest)
        return learner_commands.leave(state, inbound, ctx, rest)

    if ctx.pending_rsvp is not None:
        answer = keywords.answer(inbound.text)
        if answer is not None:
            return rsvp.on_answer(state, answer, ctx)

    trigger = keywords.join_trigger(inbound.text)
    if trigger is not None and (state is None or trigger[0] in ctx.circles):
        code, trigger_lang = trigger
        return signup.start(code, trigger_lang, inbound, ctx)

    if state and state.get("flow") in FLOWS:
        result = FLOWS[state["flow"]].resume(state, inbound, ctx)
        if result is not None:
            return result
        state = None

    parts = keywords.words(inbound.text)
    if len(parts) <= 2:
        for code in keywords.candidate_codes(inbound.text):
            if code in ctx.circles:
                return signup.start(code, None, inbound, ctx)

    relayed = learner_commands.relay(inbound, ctx)
    if relayed is not None:
        return relayed
    return Result(None, (Reply(keys.FALLBACK),), language=own)


def help_reply(ctx: Context) -> Reply:
    """HELP: the sender's circles and what they can text."""
    current = ctx.contact.current
    if not current:
        return Reply(keys.HELP_NO_CIRCLES)
    listed = "; ".join(f"{e.circle.name} ({e.circle.code})" for e in current[:3])
    return Reply(keys.HELP_CIRCLES, {"circles": listed})
