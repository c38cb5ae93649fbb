"""WhatsApp Content Templates' wording (issue 28): one template per message and language, whose variables are
the message's parameters; the catalogs stay the one source of every word.

A template is named by the message keys of the outbox row it stands for (``reminder``, ``survey.intro+…``):
its body is the row's text as WhatsApp shows it (``bot.render.sms`` without folding), rendered from the
catalogs with every parameter (the circle's name, the venue, the meeting's time) replaced by ``{{1}}``,
``{{2}}``… in the order they appear, so WhatsApp reviews the fixed words and the variables carry only the
values. A message whose question has at most three answers is a ``twilio/quick-reply`` (one button per
answer; a tap's ``ButtonPayload`` is the answer's number). The sign-in code is WhatsApp's own
``whatsapp/authentication`` template: its words are WhatsApp's, its one variable the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.render import sms, text
from bot.render.i18n import gettext, pick
from bot.render.texts import N_, TEXTS
from flows import checkin, choices, keys, offer, surveys
from flows.results import INLINE, Choices, Reply

COPY_CODE = N_("Copy code")
# WhatsApp refuses a template that starts with a variable: such a message gets this line above it.
HEADING = N_("Your learning circle:")
MSGIDS = frozenset({COPY_CODE, HEADING})  # the templates' own words, beside ``TEXTS``
LOGIN = keys.PAGES_LOGIN_CODE
CODE_MINUTES = 10  # what the sign-in template's footer says; the code itself lives as long as bot.domain.login says
MAX_BUTTONS = 3
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters that no catalog text contains
_MARKER = re.compile(f"{_OPEN}([^{_CLOSE}]*){_CLOSE}")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Template:
    """A message as a template: ``body`` with ``{{n}}`` where its values go, the values themselves, and its
    quick-reply buttons as (title, id)."""

    name: str
    body: str
    variables: dict[str, str]
    buttons: tuple[tuple[str, str], ...] = ()


def name_of(replies: tuple[Reply, ...]) -> str:
    """The template a row's replies need: their message keys, joined with ``+``."""
    return "+".join(reply.key for reply in replies)


def _sample(key: str, asked: Choices | None = None) -> Reply:
    """``key`` with every placeholder of its English text (values do not matter: each becomes a variable)."""
    return Reply(key, {name: "" for name in _PLACEHOLDER.findall(str(TEXTS[key]))}, asked)


def _samples() -> tuple[tuple[Reply, ...], ...]:
    """One row of every message sent on the bot's own schedule, or long after the learner's last message:
    reminder, change notices, check-in, we-miss-you, survey start and reminder, offer of a place, sign-in."""
    out: list[tuple[Reply, ...]] = [
        (_sample(keys.REMINDER, choices.RSVP),),
        (_sample(keys.MEETING_MOVED),),
        (_sample(keys.MEETING_CANCELLED),),
        (_sample(keys.SCHEDULE_CHANGED),),
        (checkin.question(""),),
        (_sample(keys.MISS_YOU),),
        (_sample(keys.SURVEY_INTRO), surveys.LEARNER.questions[0].ask()),
        (_sample(keys.SURVEY_FACILITATOR_INTRO), surveys.FACILITATOR.questions[0].ask()),
        (offer.question("", ""),),
        (_sample(LOGIN),),
    ]
    for survey in (surveys.LEARNER, surveys.FACILITATOR):  # a survey's reminder repeats the open question
        out.extend((_sample(keys.SURVEY_REMINDER), question.ask()) for question in survey.questions)
    return tuple({name_of(sample): sample for sample in out}.values())


SAMPLES = _samples()
NAMES = tuple(dict.fromkeys(name_of(sample) for sample in SAMPLES))
_BY_NAME = {name_of(sample): sample for sample in SAMPLES}


def buttons(replies: tuple[Reply, ...], lang: str) -> tuple[tuple[str, str], ...]:
    """Quick-reply buttons for the last reply's answers, when it has at most three of them."""
    asked = replies[-1].choices if replies else None
    if asked is None or asked.style != INLINE or len(asked.items) > MAX_BUTTONS:
        return ()
    return tuple((text.button(choice, asked, lang), choice.value) for choice in asked.items)


def fill(replies: tuple[Reply, ...], lang: str) -> Template:
    """``replies`` as their template in ``lang``: the body with ``{{n}}`` and the values that fill it."""
    lang = pick(lang)
    values: dict[str, str] = {}
    marked = []
    for index, reply in enumerate(replies):
        params = dict(reply.params)
        for name, value in reply.params.items():
            if isinstance(value, int):  # a count chooses the plural form: it stays part of the words
                continue
            marker = f"{_OPEN}{index}.{name}{_CLOSE}"
            values[marker] = text.param(value, lang)
            params[name] = marker
        marked.append(Reply(reply.key, params, reply.choices))
    body = sms.render(tuple(marked), lang, fold=False)
    numbers: dict[str, str] = {}
    variables: dict[str, str] = {}

    def number(match: re.Match) -> str:
        marker = match.group(0)
        if marker not in numbers:
            numbers[marker] = str(len(numbers) + 1)
            variables[numbers[marker]] = values[marker]
        return "{{" + numbers[marker] + "}}"

    body = _MARKER.sub(number, body)
    if body.startswith("{{"):
        body = f"{gettext(HEADING, lang)}\n{body}"
    for n, value in variables.items():  # "at 6:00 p.m.." : the sentence's own full stop ends it once
        if value.endswith(".") and "{{" + n + "}}." in body:
            variables[n] = value[:-1]
    return Template(name_of(replies), body, variables, buttons(replies, lang))


def variables(replies: tuple[Reply, ...], lang: str) -> dict[str, str]:
    """The template's ``ContentVariables`` for a row's replies (the sign-in template's one is the code)."""
    if name_of(replies) == LOGIN:
        return {"1": str(replies[0].params.get("code", ""))}
    return fill(replies, lang).variables


def content(name: str, language: str) -> dict:
    """The Content API's ``POST /v1/Content`` JSON for the template ``name`` in ``language``."""
    friendly = "circlebot_" + re.sub(r"[^a-z0-9]+", "_", f"{name}_{language}".lower())
    if name == LOGIN:  # WhatsApp writes a sign-in code's words itself; a custom one is refused
        action = {"type": "COPY_CODE", "copy_code_text": gettext(COPY_CODE, language)}
        types: dict = {
            "whatsapp/authentication": {
                "add_security_recommendation": True,
                "code_expiration_minutes": CODE_MINUTES,
                "actions": [action],
            }
        }
        return {"friendly_name": friendly, "language": language, "variables": {"1": "123456"}, "types": types}
    template = fill(_BY_NAME[name], language)
    if template.buttons:
        actions = [{"title": title, "id": value} for title, value in template.buttons]
        types = {"twilio/quick-reply": {"body": template.body, "actions": actions}}
    else:
        types = {"twilio/text": {"body": template.body}}
    samples = {n: f"sample {n}" for n in template.variables}
    return {"friendly_name": friendly, "language": language, "variables": samples, "types": types}


def category(name: str) -> str:
    """WhatsApp's category for the template's approval request."""
    return "AUTHENTICATION" if name == LOGIN else "UTILITY"
