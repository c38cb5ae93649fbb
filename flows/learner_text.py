"""Which learner command a text is (FORGET, FIND, LEAVE, CALL ME, JOIN, HELP's answer), and not a sentence
that starts with its word, else the relay of a free text; the router (``flows.router``) decides when each is tried."""

from __future__ import annotations

from flows import answers, keys, keywords, learner_commands, signup
from flows.context import Context
from flows.inbound import Inbound
from flows.results import RelayToFacilitator, Reply, Result, StateDict

LEARNER_COMMANDS = {name: keywords.COMMANDS[name] for name in (keywords.FIND, keywords.LEAVE, keywords.CALL)}
FORGET_COMMAND = {keywords.FORGET: keywords.COMMANDS[keywords.FORGET]}


def forget(state: StateDict | None, inbound: Inbound, ctx: Context, resume: bool = True) -> Result | None:
    """The open FORGET question's exact phrase erases; FORGET standing alone asks (so does FORGET with a
    yes-word, which never erases by itself); with ``resume``, anything else goes to the open FORGET question."""
    if state and learner_commands.confirms(state, inbound, ctx):
        return learner_commands.resume(state, inbound, ctx)
    command = keywords.command(inbound.text, FORGET_COMMAND)
    if command is not None:
        _, word_lang, rest = command
        yes_only = bool(rest) and answers.answer(" ".join(rest)) == keywords.YES and len(rest) <= 2
        if keywords.bare(rest) or yes_only:
            own = ctx.contact.language
            lang = own if own in ctx.languages else word_lang if word_lang != "en" else ctx.default_language
            return learner_commands.forget(inbound, ctx, lang if lang in keywords.FORGET_CONFIRMATIONS else "en")
    if resume and state and state.get("flow") == learner_commands.FLOW:
        return learner_commands.resume(state, inbound, ctx)
    return None


def learner_command(state: StateDict | None, inbound: Inbound, ctx: Context, lone_ok: bool) -> Result | None:
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


def join(state: StateDict | None, inbound: Inbound, ctx: Context) -> Result | None:
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


def help_reply(ctx: Context) -> tuple[Reply, ...]:
    """HELP: the sender's circles and what they can text; then LANGUAGE, CALL ME and FORGET (a second text)."""
    current = ctx.contact.current
    if not current:
        return (Reply(keys.HELP_NO_CIRCLES),)
    if all(e.status == "waitlist" for e in current):
        first = current[0]
        return (Reply(keys.HELP_WAITLISTED, {"circle": first.circle.name, "position": first.position or 1}),)
    listed = "; ".join(f"{e.circle.name} ({e.circle.code})" for e in current[:3])
    return Reply(keys.HELP_CIRCLES, {"circles": listed}), Reply(keys.HELP_MORE)


def relay(inbound: Inbound, ctx: Context) -> Result | None:
    """A learner's free text no flow expects goes to the facilitator of their latest circle."""
    current = [e for e in ctx.contact.current if e.status == "active"] or list(ctx.contact.current)
    if not current or not any(ch.isalnum() or ord(ch) > 0x2000 for ch in inbound.text):
        return None
    circle = current[0].circle
    reply = (
        Reply(keys.RELAYED)
        if circle.facilitator_reachable
        else Reply(keys.RELAY_HELD, {"circle": circle.name, "venue": circle.venue})
    )
    return Result(None, (reply,), (RelayToFacilitator(circle.code, inbound.text),))
