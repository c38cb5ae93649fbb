"""The routing table (flows/router.py ``ROUTES``): which route decides a message, as a table.

Each case is a sender, what is open, and a text; the expected value is the name of the route that
answers. The order is the one flows/router.py's docstring gives (DESIGN.md §4 in detail): global
keywords, commands, the reminder's answer, triggers, the open conversation, a bare code, then the relay
or a help reply.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from flows import keys, survey
from flows.checkin import opening as checkin_opening
from flows.context import (
    CircleView,
    ContactView,
    Context,
    EnrollmentView,
    FacilitatedCircle,
    FacilitatorView,
    LinkView,
    MeetingView,
    PendingRsvp,
)
from flows.inbound import Inbound
from flows.router import ROUTES, handle, route

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
KC = CircleView("KC42", "Kansas City Basics", "Central Library", "America/Chicago", "en", 12, 5, None)
MIA = CircleView("MIA7", "Miami Ingles", "Little Havana", "America/New_York", "es", 12, 3, None)
PAST = MeetingView(11, 1, datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc), "scheduled", 4, 1, 0)
NEXT = MeetingView(12, 2, datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc), "scheduled", 3, 1, 1)
FAC = FacilitatorView(7, (FacilitatedCircle(KC, (PAST, NEXT)),), frozenset({3}))

NEW = ContactView()
LEARNER = ContactView(name="Amina", language="en", enrollments=(EnrollmentView(KC, "active"),))
TWO = ContactView(
    name="Amina", language="es", enrollments=(EnrollmentView(KC, "active"), EnrollmentView(MIA, "active"))
)
STOPPED = ContactView(name="Amina", language="es", opted_out=True, enrollments=(EnrollmentView(KC, "active"),))
FACILITATOR = ContactView(language="pl")

SCALE = survey.opening("learner", "enrollment:5", "KC42", 0)  # a 1–5 question
FREE_TEXT = survey.opening("learner", "enrollment:5", "KC42", 4)
HOW_REFLECTION = survey.opening("how1", "facilitator:7:KC42", "KC42", 2)
CHECKIN = checkin_opening("enrollment:5", "KC42", 1)
SIGNUP_NAME = {"flow": "signup", "code": "KC42", "lang": "en", "step": "ask_name"}
FORGET_ASKED = {"flow": "forget", "step": "confirm"}
STOP_ASKED = {"flow": "stop", "step": "confirm"}
PENDING = PendingRsvp(12, KC, NEXT.starts_at)
LINK_OFFERED = LinkView("654321")
LINK_MATCH = LinkView("654321", "match", ("sms", "telegram"))

ORDER = [
    "bad address",
    "tap",
    "opted out: START",
    "opted out: HELP",
    "opted out: FORGET or nothing",
    "STOP",
    "START",
    "HELP",
    "LANGUAGE",
    "facilitator command",
    "FORGET",
    "FIND, LEAVE, CALL ME",
    "LINK",
    "RSVP",
    "STOP? (asked first)",
    "JOIN",
    "open conversation",
    "bare code",
    "relay",
    "facilitator help",
    "fallback",
]


def run(text, state=None, contact=LEARNER, facilitator=None, pending=None, link=None, address_ok=True, asked=None):
    ctx = Context(
        now=NOW,
        contact=contact,
        circles={"KC42": KC, "MIA7": MIA},
        facilitator=facilitator,
        pending_rsvp=pending,
        link=link,
    )
    return route(state, Inbound("sms", "+18165550123", text, "SM1", NOW, address_ok, asked=asked), ctx)


CASES = [
    # (id, text, state, contact, facilitator, pending, link) -> the route that answers
    ("unreadable sender", dict(text="STOP", address_ok=False), "bad address"),
    ("a tap on an old reminder's button", dict(text="1", asked="r:3", pending=PENDING), "tap"),
    # the global keywords, whatever is open
    ("stop", dict(text="STOP"), "STOP"),
    ("stop in spanish", dict(text="alto"), "STOP"),
    ("stop with punctuation", dict(text="Stop."), "STOP"),
    ("stop during a survey", dict(text="STOP", state=SCALE), "STOP"),
    ("stop from a facilitator", dict(text="STOP", contact=FACILITATOR, facilitator=FAC), "STOP"),
    ("start", dict(text="START"), "START"),
    ("help", dict(text="HELP"), "HELP"),
    ("help in swahili", dict(text="msaada"), "HELP"),
    ("telegram's /circles from a learner", dict(text="/circles"), "HELP"),
    ("language", dict(text="LANGUAGE"), "LANGUAGE"),
    ("language during signup", dict(text="Idioma", state=SIGNUP_NAME), "LANGUAGE"),
    # an opted-out sender: START, HELP, FORGET, else nothing
    ("stopped: start", dict(text="START", contact=STOPPED), "opted out: START"),
    ("stopped: volver", dict(text="Volver", contact=STOPPED), "opted out: START"),
    ("stopped: help", dict(text="AYUDA", contact=STOPPED), "opted out: HELP"),
    ("stopped: forget", dict(text="Olvidar", contact=STOPPED), "opted out: FORGET or nothing"),
    ("stopped: stop again", dict(text="STOP", contact=STOPPED), "opted out: FORGET or nothing"),
    ("stopped: a sentence", dict(text="hola, nos vemos", contact=STOPPED), "opted out: FORGET or nothing"),
    ("stopped: a reminder's answer", dict(text="1", contact=STOPPED, pending=PENDING), "opted out: FORGET or nothing"),
    # a facilitator's commands
    ("tally", dict(text="TALLY KC42", contact=FACILITATOR, facilitator=FAC), "facilitator command"),
    ("lone tally", dict(text="TALLY", contact=FACILITATOR, facilitator=FAC), "facilitator command"),
    ("relay to learner #3", dict(text="#3 see you", contact=FACILITATOR, facilitator=FAC), "facilitator command"),
    ("telegram's /circles from a facilitator", dict(text="/circles", facilitator=FAC), "facilitator command"),
    ("not yours", dict(text="CANCEL MIA7", contact=FACILITATOR, facilitator=FAC), "facilitator command"),
    # FORGET, FIND, LEAVE, CALL ME, LINK
    ("forget", dict(text="FORGET"), "FORGET"),
    ("forget yes", dict(text="FORGET YES"), "FORGET"),
    ("forget during a survey", dict(text="Forget", state=SCALE), "FORGET"),
    ("find", dict(text="FIND 64105"), "FIND, LEAVE, CALL ME"),
    ("lone leave", dict(text="LEAVE"), "FIND, LEAVE, CALL ME"),
    ("leave a code", dict(text="Salir MIA7", contact=TWO), "FIND, LEAVE, CALL ME"),
    ("lone leave during a 1-5 question", dict(text="LEAVE", state=SCALE), "FIND, LEAVE, CALL ME"),
    ("call me", dict(text="CALL ME"), "FIND, LEAVE, CALL ME"),
    ("link", dict(text="LINK", link=LINK_OFFERED), "LINK"),
    ("a link code", dict(text="654321", link=LINK_MATCH), "LINK"),
    # an answer to the latest reminder
    ("rsvp 1", dict(text="1", pending=PENDING), "RSVP"),
    ("rsvp si", dict(text="Sí", pending=PENDING), "RSVP"),
    ("rsvp during a check-in", dict(text="2", state=CHECKIN, pending=PENDING), "RSVP"),
    ("pt cancelar after a reminder says no", dict(text="Cancelar", pending=PENDING), "RSVP"),
    ("pl koniec after a reminder says no", dict(text="Koniec!", pending=PENDING), "RSVP"),
    # a word that may mean STOP, with no reminder to answer: ask first
    ("pt cancelar alone asks", dict(text="Cancelar"), "STOP? (asked first)"),
    ("pl koniec during a survey asks", dict(text="koniec", state=FREE_TEXT), "STOP? (asked first)"),
    (
        "koniec from a facilitator asks",
        dict(text="KONIEC", contact=FACILITATOR, facilitator=FAC),
        "STOP? (asked first)",
    ),
    # triggers
    ("join", dict(text="JOIN KC42", contact=NEW), "JOIN"),
    ("join in spanish", dict(text="unirme mia7", contact=NEW), "JOIN"),
    ("telegram deep link", dict(text="/start KC42", contact=NEW), "JOIN"),
    ("a lone join", dict(text="JOIN", contact=NEW), "JOIN"),
    ("a mistyped code", dict(text="JOIN KC24", contact=NEW), "JOIN"),
    ("join during signup", dict(text="JOIN MIA7", state=SIGNUP_NAME, contact=NEW), "JOIN"),
    # the open conversation
    ("a name", dict(text="Amina", state=SIGNUP_NAME, contact=NEW), "open conversation"),
    ("a scale answer", dict(text="4", state=SCALE), "open conversation"),
    ("free text answers the survey", dict(text="Leave the door open", state=FREE_TEXT), "open conversation"),
    ("a check-in rating", dict(text="1", state=CHECKIN), "open conversation"),
    (
        "a lone command word answers the reflection",
        dict(text="Grupy", state=HOW_REFLECTION, facilitator=FAC),
        "open conversation",
    ),
    ("a yes never confirms forget", dict(text="YES", state=FORGET_ASKED), "relay"),
    ("forget's phrase", dict(text="Forget yes", state=FORGET_ASKED), "FORGET"),
    ("yes to stop all texts", dict(text="Sim", state=STOP_ASKED), "open conversation"),
    ("koniec again stops", dict(text="Koniec", state=STOP_ASKED), "open conversation"),
    # a bare code
    ("a bare code", dict(text="KC42", contact=NEW), "bare code"),
    ("a code and a word", dict(text="kc42 please", contact=NEW), "bare code"),
    ("a code after the signup lapsed", dict(text="MIA7", state=FORGET_ASKED), "bare code"),
    # the rest
    ("a learner's sentence", dict(text="Stop by the front desk please"), "relay"),
    (
        "a facilitator's sentence",
        dict(text="Tally sheet is in my bag", contact=FACILITATOR, facilitator=FAC),
        "facilitator help",
    ),
    ("a stranger's text", dict(text="hello?", contact=NEW), "fallback"),
    ("a join without a code", dict(text="Join the video call or come in person?", contact=NEW), "fallback"),
]


@pytest.mark.parametrize("given,expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_which_route_answers(given, expected):
    name, result = run(**given)
    assert name == expected, result


def test_the_table_is_in_the_designed_order():
    assert [r.name for r in ROUTES] == ORDER


def test_every_route_is_in_the_table_of_cases():
    assert {expected for *_, expected in CASES} == set(ORDER)


def test_handle_is_the_route_s_result():
    ctx = Context(now=NOW, contact=LEARNER, circles={"KC42": KC})
    inbound = Inbound("sms", "+18165550123", "HELP", "SM1", NOW)
    assert handle(None, inbound, ctx) == route(None, inbound, ctx)[1]
    assert [r.key for r in handle(None, inbound, ctx).replies] == [keys.HELP_CIRCLES, keys.HELP_MORE]
