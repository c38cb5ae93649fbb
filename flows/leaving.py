"""LEAVE (issue 22): a circle is left only on its exact phrase, ``LEAVE <code>``, never on a digit or a yes.

LEAVE (alone, any number of circles) ──▶ WHICH: asks, naming each circle with its phrase in the learner's
         language ("To leave Public Speaking, reply LEAVE KC42." / a line "SALIR KC42 (Tech Basics)" each)
WHICH ──LEAVE <code> (the question's language or English)──▶ Leave(code), LEAVE_DONE
WHICH ──a digit or a yes-word, within 15 minutes──▶ LEAVE_EXACT with each circle's phrase (nothing changes)
WHICH ──anything else, or after 15 minutes──▶ routed as usual (None)
LEAVE <code> with no question open ──▶ Leave(code) at once: it names the circle exactly, as the phrase does
         (a Telegram button's value is the phrase itself, so a tap is the phrase typed)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NotRequired, TypedDict

from flows import answers, choices, keys, keywords
from flows.context import Context, EnrollmentView
from flows.inbound import Inbound
from flows.results import Choices, Leave, Reply, Result, StateDict

FLOW = "leave"
STEP = "which"
CHOICES_MAX = 5
TTL = timedelta(minutes=15)  # how long LEAVE's question reminds a digit or a yes of its phrase
ENGLISH = "en"
# The LEAVE word each question shows, written as its language writes it (the SMS renderer folds).
PHRASE_WORDS = {"en": "LEAVE", "es": "SALIR", "fr": "QUITTER", "pt": "SAIR", "pl": "WYPISZ", "sw": "ONDOKA"}


class LeaveState(TypedDict):
    """LEAVE's open question: the circles it named, its language and the end of its 15 minutes."""

    flow: str
    step: str
    codes: list[str]
    lang: NotRequired[str]
    expires: NotRequired[str]  # ISO-8601


def phrase(code: str, lang: str) -> str:
    """The exact phrase that leaves circle ``code``, in ``lang`` ("SALIR KC42")."""
    return f"{PHRASE_WORDS.get(lang, PHRASE_WORDS[ENGLISH])} {code}"


def question_language(ctx: Context, word_lang: str | None) -> str:
    """The learner's own language; else the LEAVE word's (English says nothing); else the default."""
    own = ctx.contact.language
    lang = own if own in ctx.languages else word_lang if word_lang and word_lang != ENGLISH else ctx.default_language
    return lang if lang in PHRASE_WORDS else ENGLISH


def leave(state: StateDict | None, inbound: Inbound, ctx: Context, rest: list[str]) -> Result:
    """LEAVE [code]: the phrase of one of her circles leaves it; anything else asks which, naming each phrase.

    While a question is open, only the LEAVE word of its language or English counts; another gets a reminder.
    """
    current = ctx.contact.current
    if not current:
        return Result(state, (Reply(keys.LEAVE_NONE),))
    said = keywords.command(inbound.text, {keywords.LEAVE: keywords.COMMANDS[keywords.LEAVE]})
    word_lang = said[1] if said else None
    chosen = next((e for e in current if rest and e.circle.code == "".join(rest)[:8]), None)
    if chosen is not None and is_open(state, ctx):
        assert state is not None  # for mypy: is_open checked it
        if word_lang not in (ENGLISH, _language(state, ctx)):
            return remind(state, ctx)
    if chosen is not None:
        return left(chosen)
    return ask(ctx, question_language(ctx, word_lang))


def ask(ctx: Context, lang: str) -> Result:
    """The question: one circle named with its phrase, or a line per circle (Telegram: a button per phrase)."""
    listed = ctx.contact.current[:CHOICES_MAX]
    which: LeaveState = {
        "flow": FLOW,
        "step": STEP,
        "codes": [e.circle.code for e in listed],
        "lang": lang,
        "expires": (ctx.now + TTL).isoformat(),
    }
    return Result(which, question(listed, lang), language=lang)


def question(listed: tuple[EnrollmentView, ...], lang: str) -> tuple[Reply, ...]:
    """The replies that ask which circle to leave, in ``lang``."""
    if len(listed) == 1:
        only = listed[0]
        key = keys.LEAVE_ASK_LIST if only.status == "waitlist" else keys.LEAVE_ASK
        return (Reply(key, {"circle": only.circle.name, "phrase": phrase(only.circle.code, lang)}),)
    return (Reply(keys.LEAVE_WHICH, choices=menu(listed, lang)),)


def menu(listed: tuple[EnrollmentView, ...], lang: str) -> Choices:
    """A line (Telegram: a button) per circle: its phrase, then its name ("SALIR KC42 (Tech Basics)")."""
    return choices.phrases(tuple((phrase(e.circle.code, lang), e.circle.name) for e in listed), keys.PROMPT_LEAVE)


def left(chosen: EnrollmentView) -> Result:
    """Leaves ``chosen``'s circle (or its waiting list)."""
    return Result(None, (Reply(keys.LEAVE_DONE, {"circle": chosen.circle.name}),), (Leave(chosen.circle.code),))


def remind(state: StateDict, ctx: Context) -> Result:
    """A digit, a yes or another language's word: one text saying so, with each circle's phrase; nothing changes."""
    codes = state.get("codes", [])
    listed = tuple(e for e in ctx.contact.current if e.circle.code in codes) or ctx.contact.current[:CHOICES_MAX]
    lang = _language(state, ctx)
    return Result(state, (Reply(keys.LEAVE_EXACT, choices=menu(listed, lang)),), language=lang)


def is_open(state: StateDict | None, ctx: Context) -> bool:
    """True while LEAVE's question waits (its 15 minutes; a question stored without an end is over)."""
    if not state or state.get("flow") != FLOW:
        return False
    expires = state.get("expires")
    return isinstance(expires, str) and ctx.now < datetime.fromisoformat(expires)


def _language(state: StateDict, ctx: Context) -> str:
    lang = state.get("lang") or ctx.contact.language or ENGLISH
    return lang if lang in PHRASE_WORDS else ENGLISH


def exact(state: StateDict, inbound: Inbound, ctx: Context) -> EnrollmentView | None:
    """Her circle that ``inbound`` names by the exact phrase (the question's LEAVE word or English's)."""
    parts = keywords.words(inbound.text)
    if len(parts) != 2:
        return None
    allowed = {
        *keywords.COMMANDS[keywords.LEAVE][ENGLISH],
        *keywords.COMMANDS[keywords.LEAVE].get(_language(state, ctx), ()),
    }
    if parts[0] not in allowed:
        return None
    return next((e for e in ctx.contact.current if e.circle.code == parts[1]), None)


def unsure(inbound: Inbound) -> bool:
    """True for a digit or a yes-word ("1", "YES", "Sí", "Sawa", "OK"): never a way to leave."""
    parts = keywords.words(inbound.text)
    return (len(parts) == 1 and parts[0].isdecimal()) or answers.answer(inbound.text) == keywords.YES


def on_which(state: StateDict, inbound: Inbound, ctx: Context) -> Result | None:
    """The exact phrase leaves; a digit or a yes within the question's time is reminded of it; else None."""
    chosen = exact(state, inbound, ctx)
    if chosen is not None:
        return left(chosen)
    if is_open(state, ctx) and unsure(inbound):
        return remind(state, ctx)
    return None


def accepts(state: StateDict, inbound: Inbound, ctx: Context) -> bool:
    """True when LEAVE's open question takes ``inbound``: its phrase, or a digit or yes it reminds."""
    return on_which(state, inbound, ctx) is not None
