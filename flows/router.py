"""Routes one inbound message (DESIGN.md §4): ``ROUTES`` is the order, one table walked top to bottom.

Order:
  0. a Telegram button tap that names its question (``Inbound.asked``): it counts for that question while
     it is open (the open conversation's, or that meeting's reminder), else it is refused politely;
  1. global keywords, when they are the whole text: STOP, START, HELP, LANGUAGE (an opted-out sender
     gets only START, HELP and FORGET with its confirmation: erasure never depends on being opted in);
  2. a facilitator's commands (CIRCLES, TALLY, CANCEL, MOVE, MSG, HOW, ``#N text``);
  3. FORGET (alone it asks; only its question's exact phrase, within 15 minutes, erases), FIND and LEAVE;
     LINK and a lone 6-digit LINK code;
  4. an answer to the most recent reminder (offered only when it is newer than the conversation); else
     a word that may mean STOP (pt "Cancelar", pl "Koniec": ``keywords.ASK_FIRST_STOP``) asks first;
  5. triggers: ``JOIN <code>`` and ``/start <code>`` (in an open conversation, only a real code);
  6. the open conversation (signup, language, check-in, survey, FORGET's confirmation);
  7. a bare circle code;
  8. a learner's free text, relayed to their facilitator; else a help reply.

Each route is a name, a matcher and a handler. The first route whose matcher says yes and whose handler
gives a result decides; a handler may still decline (None) once it reads the text closely (a command
word that opens a sentence, a text the open question does not expect), and the walk goes on.

A command word inside a sentence is a sentence (DESIGN.md §4). A command's first word counts only:
  - when a circle code follows it ("SAIR KC42", "TALLY KC42"): a real one, not a word shaped like one
    (with nothing open, a typed code of letters and digits, "CANCEL ZZ99", also counts);
  - or when it stands alone (or with "me", "the group"…: keywords.OBJECT_WORDS), and, inside an open
    conversation, the open question would not take the text as its answer (``accepts``): a lone
    "Grupy" answers the HOW reflection, a lone "LEAVE" during a 1–5 question asks which circle to leave.
FORGET is the exception that stands alone even then, like STOP: erasure is never swallowed by a survey.
FIND also takes a postal code, a place the service found, or (with nothing open) one or two words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Callable

from flows import (
    answers,
    asked,
    checkin,
    commands,
    consent,
    facilitator,
    keys,
    keywords,
    language,
    learner_commands,
    learner_text,
    link,
    offer,
    rsvp,
    signup,
    stopping,
    survey,
)
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
    stopping.FLOW: Flow(stopping.resume, stopping.accepts),
    consent.FLOW: Flow(consent.resume, consent.accepts),
}


@dataclass(frozen=True)
class Message:
    """One inbound message as the routes read it: the open conversation, the text, the context, and
    what the text is (read once, when a route first asks)."""

    state: StateDict | None
    inbound: Inbound
    ctx: Context
    keyword: str | None = None  # the global keyword the whole text is (STOP, START, HELP, LANGUAGE)
    lang: str | None = None  # the sender's own language, else the keyword's

    @classmethod
    def read(cls, state: StateDict | None, inbound: Inbound, ctx: Context) -> Message:
        """The message with its global keyword read (Telegram's ``/circles`` read as CIRCLES or HELP)."""
        said = (
            commands.for_sender(inbound.text, facilitator=ctx.facilitator is not None)
            if inbound.text.lstrip().startswith("/")
            else None
        )
        if said is not None:  # Telegram's menu: a facilitator's CIRCLES, a learner's HELP
            inbound = replace(inbound, text=said)
        found = keywords.match(inbound.text, ctx.contact.language)
        keyword, kw_lang = found if found else (None, None)
        return cls(dict(state) if state else None, inbound, ctx, keyword, ctx.contact.language or kw_lang)

    @property
    def own(self) -> str | None:
        """The sender's own language (None when it is not known yet)."""
        return self.ctx.contact.language

    @cached_property
    def lone_ok(self) -> bool:
        """Whether a command word standing alone is a command: nothing is open, or the open question would
        not take the text as its answer."""
        return self.state is None or not accepts(self.state, self.inbound, self.ctx)

    @cached_property
    def flow(self) -> Flow | None:
        """The flow of the open conversation, if it is one the router knows."""
        return FLOWS.get(self.state.get("flow", "")) if self.state else None

    @cached_property
    def rsvp_answer(self) -> str | None:
        """``yes`` or ``no`` when the text answers a reminder."""
        return answers.answer(self.inbound.text)


Matcher = Callable[[Message], bool]
Handler = Callable[[Message], Result | None]


@dataclass(frozen=True)
class Route:
    """One line of the routing table: its name, whether it applies, and what it does (None: it declines)."""

    name: str
    matches: Matcher
    handle: Handler


def _always(message: Message) -> bool:
    return True


def _keyword(word: str, opted_out: bool | None = None) -> Matcher:
    """Matches a text that is the global keyword ``word`` (from an opted-out sender, or not, when asked)."""

    def matches(message: Message) -> bool:
        return message.keyword == word and (opted_out is None or message.ctx.contact.opted_out == opted_out)

    return matches


def _opted_out(message: Message) -> bool:
    return message.ctx.contact.opted_out


def _from_facilitator(message: Message) -> bool:
    return message.ctx.facilitator is not None


def _lone_ok(message: Message) -> bool:
    return message.lone_ok


def _about_link(message: Message) -> bool:
    return keywords.about_link(message.inbound.text) and message.lone_ok


def _rsvp_answer(message: Message) -> bool:
    return message.ctx.pending_rsvp is not None and message.rsvp_answer is not None


def _asks_first(message: Message) -> bool:
    """pt "Cancelar", pl "Koniec" with no reminder to answer (a second one answers the open question)."""
    return keywords.ask_first_stop(message.inbound.text) is not None and (message.state or {}).get("flow") != (
        stopping.FLOW
    )


def _open_flow(message: Message) -> bool:
    return message.flow is not None


def _short(message: Message) -> bool:
    return len(keywords.words(message.inbound.text)) <= 2


def _tapped(message: Message) -> bool:
    return message.inbound.asked is not None


def _tap(message: Message) -> Result:
    """A button tap counts for the question its keyboard asked (``flows.asked``) while that question is open:
    the open conversation's, or the reminder it names. Otherwise it is refused politely and nothing changes
    (an opted-out sender's tap changes nothing and gets nothing)."""
    state, inbound, ctx, topic = message.state, message.inbound, message.ctx, message.inbound.asked
    if ctx.contact.opted_out:
        return Result(state)
    flow = message.flow
    if state and flow is not None and topic == asked.of_state(state) and state.get("flow") != learner_commands.FLOW:
        result = flow.resume(state, inbound, ctx)
        if result is not None:
            return result
    pending = ctx.pending_rsvp
    if pending is not None and topic == asked.of_reminder(pending.meeting_id) and message.rsvp_answer is not None:
        return rsvp.on_answer(state, message.rsvp_answer, pending)
    return Result(state, (Reply(keys.TAP_CLOSED),), language=message.own)


def _bad_address(message: Message) -> Result:
    return Result(None, (Reply(keys.BAD_ADDRESS),), language=message.own)


def _opt_in(message: Message) -> Result:
    return Result(None, (Reply(keys.START_CONFIRMED),), (OptIn(),), language=message.lang)


def _help_stopped(message: Message) -> Result:
    return Result(message.state, (Reply(keys.HELP_STOPPED),), language=message.lang)


def _stopped(message: Message) -> Result:
    """An opted-out sender: FORGET (or a yes to its question) still works; anything else gets nothing."""
    return learner_text.forget(message.state, message.inbound, message.ctx) or Result(message.state)


def _stop(message: Message) -> Result:
    """STOP; a facilitator hears what stops, and how to cancel a meeting instead."""
    return Result(None, (stopping.confirmation(message.ctx),), (OptOut(),), language=message.lang)


def _start(message: Message) -> Result:
    return Result(message.state, (Reply(keys.START_CONFIRMED),), language=message.lang)


def _help(message: Message) -> Result:
    replies = (Reply(keys.FAC_HELP),) if message.ctx.facilitator else learner_text.help_reply(message.ctx)
    return Result(message.state, replies, language=message.lang)


def _language(message: Message) -> Result:
    return language.start(message.ctx, message.lang or message.ctx.default_language, resume=message.state)


def _facilitator_command(message: Message) -> Result | None:
    return facilitator.handle(message.state, message.inbound, message.ctx, message.lone_ok)


def _forget_command(message: Message) -> Result | None:
    return learner_text.forget(message.state, message.inbound, message.ctx, resume=False)


def _learner(message: Message) -> Result | None:
    return learner_text.learner_command(message.state, message.inbound, message.ctx, message.lone_ok)


def _link(message: Message) -> Result | None:
    return link.handle(message.inbound, message.ctx)


def _rsvp(message: Message) -> Result | None:
    pending, answer = message.ctx.pending_rsvp, message.rsvp_answer
    return rsvp.on_answer(message.state, answer, pending) if pending is not None and answer is not None else None


def _ask_stop(message: Message) -> Result:
    return stopping.ask(message.own or keywords.ask_first_stop(message.inbound.text), resume=message.state)


def _join_trigger(message: Message) -> Result | None:
    return learner_text.join(message.state, message.inbound, message.ctx)


def _resume(message: Message) -> Result | None:
    flow = message.flow
    return flow.resume(message.state, message.inbound, message.ctx) if flow is not None and message.state else None


def _bare_code(message: Message) -> Result | None:
    for code in keywords.candidate_codes(message.inbound.text):
        if code in message.ctx.circles:
            return signup.start(code, None, message.inbound, message.ctx)
    return None


def _relay(message: Message) -> Result | None:
    return learner_text.relay(message.inbound, message.ctx)


def _facilitator_help(message: Message) -> Result:
    """A facilitator gets their own help, not the learner's "text JOIN"."""
    return Result(None, (Reply(keys.FAC_HELP),), language=message.own)


def _fallback(message: Message) -> Result:
    return Result(None, (Reply(keys.FALLBACK),), language=message.own)


ROUTES: tuple[Route, ...] = (
    Route("bad address", lambda m: not m.inbound.address_ok, _bad_address),
    # 0. a button tap: it answers the question its keyboard asked, or is refused
    Route("tap", _tapped, _tap),
    # 1. the global keywords; an opted-out sender gets START, HELP and FORGET only
    Route("opted out: START", _keyword(keywords.START, opted_out=True), _opt_in),
    Route("opted out: HELP", _keyword(keywords.HELP, opted_out=True), _help_stopped),
    Route("opted out: FORGET or nothing", _opted_out, _stopped),
    Route("STOP", _keyword(keywords.STOP), _stop),
    Route("START", _keyword(keywords.START), _start),
    Route("HELP", _keyword(keywords.HELP), _help),
    Route("LANGUAGE", _keyword(keywords.LANGUAGE), _language),
    # 2.–3. commands
    Route("facilitator command", _from_facilitator, _facilitator_command),
    Route("FORGET", _always, _forget_command),
    Route("FIND, LEAVE, CALL ME", _always, _learner),
    Route("LINK", _about_link, _link),
    # 4. an answer to the latest reminder
    Route("RSVP", _rsvp_answer, _rsvp),
    # pt "Cancelar", pl "Koniec" with no reminder open: ask before stopping every text
    Route("STOP? (asked first)", _asks_first, _ask_stop),
    # 5. triggers
    Route("JOIN", _always, _join_trigger),
    # 6. the open conversation
    Route("open conversation", _open_flow, _resume),
    # 7. a bare code
    Route("bare code", _short, _bare_code),
    # 8. the rest
    Route("relay", _always, _relay),
    Route("facilitator help", _from_facilitator, _facilitator_help),
    Route("fallback", _always, _fallback),
)


def route(state: StateDict | None, inbound: Inbound, ctx: Context) -> tuple[str, Result]:
    """Walks ``ROUTES``: the name of the route that decided, and its result."""
    message = Message.read(state, inbound, ctx)
    for entry in ROUTES:
        if entry.matches(message):
            result = entry.handle(message)
            if result is not None:
                return entry.name, result
    raise AssertionError("the last route always answers")


def handle(state: StateDict | None, inbound: Inbound, ctx: Context) -> Result:
    """Decides the reply, effects and next state for one inbound message.

    Args:
        state: the sender's open conversation, or None.
        inbound: the message.
        ctx: what the flow may know (the time, the sender, the circles named).
    """
    return route(state, inbound, ctx)[1]


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True when the open conversation would take ``inbound`` as the answer to its question.

    Only flows with a question of their own say so (survey, check-in rating, FORGET's confirmation);
    signup's name step and the language menu take no command word.
    """
    flow = FLOWS.get(state.get("flow", ""))
    return bool(flow is not None and flow.accepts is not None and flow.accepts(state, inbound, ctx))
