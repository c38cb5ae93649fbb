"""Routes one inbound message (DESIGN.md §4).

Order:
  1. global keywords, when they are the whole text: STOP, START, HELP, LANGUAGE (an opted-out sender
     gets only START, HELP and FORGET with its confirmation: erasure never depends on being opted in);
  2. a facilitator's commands (CIRCLES, TALLY, CANCEL, MOVE, MSG, HOW, ``#N text``);
  3. FORGET, FIND and LEAVE; LINK and a lone 6-digit LINK code;
  4. an answer to the most recent reminder (offered only when it is newer than the conversation);
  5. triggers: ``JOIN <code>`` and ``/start <code>`` (in an open conversation, only a real code);
  6. the open conversation (signup, language, check-in, survey, FORGET's confirmation);
  7. a bare circle code;
  8. a learner's free text, relayed to their facilitator; else a help reply.

A command word inside a sentence is a sentence (DESIGN.md §4). A command's first word counts only:
  - when a circle code follows it ("SAIR KC42", "TALLY KC42"): a real one, not a word shaped like one
    (with nothing open, a typed code of letters and digits, "CANCEL ZZ99", also counts);
  - or when it stands alone (or with "me", "the group"…: keywords.OBJECT_WORDS), and, inside an open
    conversation, the open question would not take the text as its answer (``accepts``): a lone
    "Grupy" answers the HOW reflection, a lone "LEAVE" during a 1–5 question leaves.
FORGET is the exception that stands alone even then, like STOP: erasure is never swallowed by a survey.
FIND also takes a postal code, a place the service found, or (with nothing open) one or two words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from flows import checkin, facilitator, keys, keywords, language, learner_commands, link, offer, rsvp, signup, survey
from flows.context import Context
from flows.inbound import Inbound
from flows.results import OptIn, OptOut, Reply, Result, StateDict


@dataclass(frozen=True)
class Flow:
    """A flow an open conversation may be in: how it goes on with the next text (None: the text is not
    for it), and, for a flow with a question of its own, whether it takes the text as its answer."""

    resume: Callable[[StateDict, Inbound, Context], Result | None]
    accepts: Callable[[StateDict, Inbound, Context], bool] | None = None


FLOWS: dict[str, Flow] = {
    signup.FLOW: Flow(signup.resume),
    language.FLOW: Flow(language.resume),
    checkin.FLOW: Flow(checkin.resume, checkin.accepts),
    survey.FLOW: Flow(survey.resume, survey.accepts),
    learner_commands.FLOW: Flow(learner_commands.resume, learner_commands.accepts),
    learner_commands.LEAVE_FLOW: Flow(learner_commands.resume, learner_commands.accepts),
    offer.FLOW: Flow(offer.resume, offer.accepts),
    link.FLOW: Flow(link.resume),
}
LEARNER_COMMANDS = {name: keywords.COMMANDS[name] for name in (keywords.FIND, keywords.LEAVE, keywords.CALL)}
FORGET_COMMAND = {keywords.FORGET: keywords.COMMANDS[keywords.FORGET]}
CIRCLES_COMMAND = "/circles"


def handle(state: StateDict | None, inbound: Inbound, ctx: Context) -> Result:
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
    if inbound.text.strip().lower() == CIRCLES_COMMAND:  # Telegram's menu: a facilitator's CIRCLES, a learner's HELP
        inbound = replace(inbound, text="CIRCLES" if ctx.facilitator is not None else "HELP")

    found = keywords.match(inbound.text, own)
    keyword, kw_lang = found if found else (None, None)
    lang = own or kw_lang

    if ctx.contact.opted_out:
        if keyword == keywords.START:
            return Result(None, (Reply(keys.START_CONFIRMED),), (OptIn(),), language=lang)
        if keyword == keywords.HELP:
            return Result(state, (Reply(keys.HELP_STOPPED),), language=lang)
        return _forget(state, inbound, ctx) or Result(state)
    if keyword == keywords.STOP:
        if ctx.facilitator is not None and ctx.facilitator.circles:  # say what stops, and how to cancel instead
            code = ctx.facilitator.circles[0].circle.code
            return Result(None, (Reply(keys.FAC_STOP_CONFIRMED, {"code": code}),), (OptOut(),), language=lang)
        return Result(None, (Reply(keys.STOP_CONFIRMED),), (OptOut(),), language=lang)
    if keyword == keywords.START:
        return Result(state, (Reply(keys.START_CONFIRMED),), language=lang)
    if keyword == keywords.HELP:
        reply = Reply(keys.FAC_HELP) if ctx.facilitator else help_reply(ctx)
        return Result(state, (reply,), language=lang)
    if keyword == keywords.LANGUAGE:
        return language.start(ctx, lang or ctx.default_language, resume=state)

    lone_ok = state is None or not accepts(state, inbound, ctx)
    if ctx.facilitator is not None:
        result = facilitator.handle(state, inbound, ctx, lone_ok)
        if result is not None:
            return result

    result = _forget(state, inbound, ctx, resume=False) or _learner_command(state, inbound, ctx, lone_ok)
    if result is not None:
        return result
    if lone_ok:
        result = link.handle(inbound, ctx)
        if result is not None:
            return result

    if ctx.pending_rsvp is not None:
        answer = keywords.answer(inbound.text)
        if answer is not None:
            return rsvp.on_answer(state, answer, ctx.pending_rsvp)

    result = _join(state, inbound, ctx)
    if result is not None:
        return result

    flow = FLOWS.get(state.get("flow", "")) if state else None
    if state and flow is not None:
        result = flow.resume(state, inbound, ctx)
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
    if ctx.facilitator is not None:  # a facilitator gets their own help, not the learner's "text JOIN"
        return Result(None, (Reply(keys.FAC_HELP),), language=own)
    return Result(None, (Reply(keys.FALLBACK),), language=own)


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True when the open conversation would take ``inbound`` as the answer to its question.

    Only flows with a question of their own say so (survey, check-in rating, FORGET's confirmation);
    signup's name step and the language menu take no command word.
    """
    flow = FLOWS.get(state.get("flow", ""))
    return bool(flow is not None and flow.accepts is not None and flow.accepts(state, inbound, ctx))


def _forget(state: StateDict | None, inbound: Inbound, ctx: Context, resume: bool = True) -> Result | None:
    """FORGET alone, FORGET YES, or (``resume``) a yes to the open FORGET question."""
    command = keywords.command(inbound.text, FORGET_COMMAND)
    if command is not None:
        rest = command[2]
        if keywords.bare(rest) or (len(rest) == 1 and keywords.answer(rest[0]) == keywords.YES):
            return learner_commands.forget(inbound, ctx, rest)
    if resume and state and state.get("flow") == learner_commands.FLOW:
        return learner_commands.resume(state, inbound, ctx)
    return None


def _learner_command(state: StateDict | None, inbound: Inbound, ctx: Context, lone_ok: bool) -> Result | None:
    """FIND or LEAVE, when the text is the command and not a sentence that starts with its word."""
    command = keywords.command(inbound.text, LEARNER_COMMANDS)
    if command is None:
        return None
    name, _, rest = command
    if keywords.bare(rest):
        if not lone_ok:
            return None
        if name == keywords.FIND:
            return learner_commands.find(inbound, ctx, [])
        if name == keywords.CALL:
            return learner_commands.call_me(state, ctx, None)
        return learner_commands.leave(state, inbound, ctx, [])
    if name == keywords.CALL:  # "CALL ME KC42"; "Call me when you get there" is a sentence
        found = keywords.split_code([w for w in rest if w not in keywords.OBJECT_WORDS], known_codes(ctx))
        return learner_commands.call_me(state, ctx, found[0]) if found and not found[1] else None
    if name == keywords.LEAVE:
        found = keywords.split_code(rest, known_codes(ctx), typed=state is None)
        return learner_commands.leave(state, inbound, ctx, [found[0]]) if found else None
    postal = len(rest) <= 2 and all(any(ch.isdigit() for ch in word) for word in rest)
    if ctx.found or postal or (state is None and len(rest) <= 2):
        return learner_commands.find(inbound, ctx, rest)
    return None


def _join(state: StateDict | None, inbound: Inbound, ctx: Context) -> Result | None:
    """``JOIN <code>``, ``/start <code>`` or a lone JOIN; in an open conversation only a real code."""
    trigger = keywords.join_trigger(inbound.text)
    if trigger is None:
        return None
    code, trigger_lang = trigger
    if code is not None and code in ctx.circles:
        return signup.start(code, trigger_lang, inbound, ctx)
    if state is not None:
        return None
    rest = keywords.words(inbound.text)[1:]
    if keywords.bare(rest):
        return signup.start(None, trigger_lang, inbound, ctx)
    if len(rest) == 1:  # "JOIN KC24": a mistyped code gets "no circle with that code"
        return signup.start(code, trigger_lang, inbound, ctx)
    shaped = keywords.code_shaped(rest)
    return signup.start(shaped, trigger_lang, inbound, ctx) if shaped else None


def known_codes(ctx: Context) -> set[str]:
    """The circle codes a command may name: those in the message, and the sender's own."""
    codes = set(ctx.circles) | {e.circle.code for e in ctx.contact.enrollments}
    if ctx.facilitator is not None:
        codes |= {c.circle.code for c in ctx.facilitator.circles}
    return codes


def help_reply(ctx: Context) -> Reply:
    """HELP: the sender's circles and what they can text."""
    current = ctx.contact.current
    if not current:
        return Reply(keys.HELP_NO_CIRCLES)
    if all(e.status == "waitlist" for e in current):
        first = current[0]
        return Reply(keys.HELP_WAITLISTED, {"circle": first.circle.name, "position": first.position or 1})
    listed = "; ".join(f"{e.circle.name} ({e.circle.code})" for e in current[:3])
    return Reply(keys.HELP_CIRCLES, {"circles": listed})
