"""Signup and the global keywords as tables: state, inbound → state, replies, effects."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from flows import keys
from flows.context import CircleView, ContactView, Context, EnrollmentView
from flows.inbound import Inbound
from flows.results import Enroll, OptIn, OptOut, RecordConsent, SetLanguage, SetName
from flows.router import handle

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
MEETING = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)
KC42 = CircleView("KC42", "Kansas City Basics", "Central Library", "America/Chicago", "en", 12, 3, MEETING)
FULL = CircleView("FULL1", "Full Circle", "Branch", "America/Chicago", "es", 2, 2, MEETING)
CIRCLES = {"KC42": KC42, "FULL1": FULL}
NEW = ContactView()
KNOWN = ContactView(name="Amina", language="sw")
MEMBER = ContactView(name="Amina", language="en", enrollments=(EnrollmentView(KC42, "active"),))
STOPPED = ContactView(name="Amina", language="en", opted_out=True)
ASK_NAME = {"flow": "signup", "code": "KC42", "lang": "en", "step": "ask_name"}
ASK_LANG = {"flow": "signup", "code": "KC42", "lang": "en", "step": "ask_language", "name": "Amina"}


def run(text, state=None, contact=NEW, address_ok=True):
    inbound = Inbound("sms", "+18165550123", text, "SM1", NOW, address_ok)
    return handle(state, inbound, Context(now=NOW, contact=contact, circles=CIRCLES))


CASES = [
    # (id, state, contact, text, expected step or None, reply keys, effect types)
    ("join", None, NEW, "JOIN KC42", "ask_name", [keys.SIGNUP_ASK_NAME], []),
    ("bare code", None, NEW, "kc42", "ask_name", [keys.SIGNUP_ASK_NAME], []),
    ("spaced code", None, NEW, "join kc 42", "ask_name", [keys.SIGNUP_ASK_NAME], []),
    ("telegram start", None, NEW, "/start KC42", "ask_name", [keys.SIGNUP_ASK_NAME], []),
    ("spanish join", None, NEW, "UNIRSE KC42", "ask_name", [keys.SIGNUP_ASK_NAME], []),
    ("join no code", None, NEW, "JOIN", None, [keys.SIGNUP_NEED_CODE], []),
    ("unknown code", None, NEW, "JOIN ZZ99", None, [keys.SIGNUP_UNKNOWN_CODE], []),
    ("unknown bare word", None, NEW, "hello", None, [keys.FALLBACK], []),
    ("name", ASK_NAME, NEW, "Amina", "ask_language", [keys.SIGNUP_ASK_LANGUAGE], [SetName]),
    ("emoji name", ASK_NAME, NEW, "🙂", "ask_name", [keys.SIGNUP_BAD_NAME], []),
    ("language", ASK_LANG, NEW, "1", None, [keys.SIGNUP_CONFIRMED], [SetLanguage, RecordConsent, Enroll]),
    (
        "language by name",
        ASK_LANG,
        NEW,
        "kiswahili",
        None,
        [keys.SIGNUP_CONFIRMED],
        [SetLanguage, RecordConsent, Enroll],
    ),
    ("bad language", ASK_LANG, NEW, "9", "ask_language", [keys.SIGNUP_BAD_LANGUAGE], []),
    ("known contact skips steps", None, KNOWN, "JOIN KC42", None, [keys.SIGNUP_CONFIRMED], [RecordConsent, Enroll]),
    ("full circle", None, KNOWN, "JOIN FULL1", None, [keys.SIGNUP_WAITLISTED], [RecordConsent, Enroll]),
    ("already in", None, MEMBER, "JOIN KC42", None, [keys.SIGNUP_ALREADY_IN], []),
    ("stop mid signup", ASK_NAME, NEW, "STOP", None, [keys.STOP_CONFIRMED], [OptOut]),
    ("spanish stop", None, NEW, "alto", None, [keys.STOP_CONFIRMED], [OptOut]),
    ("french stop with accent", None, NEW, "Arrêt", None, [keys.STOP_CONFIRMED], [OptOut]),
    ("help keeps state", ASK_NAME, NEW, "help", "ask_name", [keys.HELP_NO_CIRCLES], []),
    ("help lists circles", None, MEMBER, "HELP", None, [keys.HELP_CIRCLES, keys.HELP_MORE], []),
    ("language menu", None, MEMBER, "LANGUAGE", "choose", [keys.LANGUAGE_MENU], []),
    ("language pick", {"flow": "language", "step": "choose"}, MEMBER, "2", None, [keys.LANGUAGE_SET], [SetLanguage]),
    ("stopped: text ignored", None, STOPPED, "JOIN KC42", None, [], []),
    ("stopped: yes is not opt-in", None, STOPPED, "YES", None, [], []),
    ("stopped: help answers", None, STOPPED, "HELP", None, [keys.HELP_STOPPED], []),
    ("stopped: start opts in", None, STOPPED, "START", None, [keys.START_CONFIRMED], [OptIn]),
    ("stopped: unstop opts in", None, STOPPED, "unstop", None, [keys.START_CONFIRMED], [OptIn]),
    ("bad address", None, NEW, "JOIN KC42", None, [keys.BAD_ADDRESS], []),
    ("join restarts mid signup", ASK_LANG, NEW, "JOIN KC42", "ask_name", [keys.SIGNUP_ASK_NAME], []),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_flow_table(case):
    name, state, contact, text, step, reply_keys, effect_types = case
    result = run(text, state, contact, address_ok=(name != "bad address"))
    assert (result.state or {}).get("step") == step
    assert [r.key for r in result.replies] == reply_keys
    assert [type(e) for e in result.effects] == effect_types


def test_enroll_effect_carries_waitlist_and_code():
    assert run("JOIN FULL1", contact=KNOWN).effects[-1] == Enroll("FULL1", True)
    assert run("JOIN KC42", contact=KNOWN).effects[-1] == Enroll("KC42", False)


def test_trigger_language_picks_the_starting_language():
    assert run("UNIRSE KC42").language == "es"
    assert run("JIUNGE KC42").language == "sw"
    assert run("JOIN FULL1").language == "es"  # the circle's language when the keyword is English
    assert run("JOIN KC42", contact=KNOWN).language == "sw"  # the learner's own language wins


def test_own_language_wins_on_collisions():
    # PARAR is STOP in both es and pt; the sender's language decides which language confirms it
    assert run("PARAR", contact=ContactView(language="pt")).language == "pt"


def test_confirmation_carries_circle_and_meeting():
    result = run("1", ASK_LANG)
    params = result.replies[0].params
    assert params["circle"] == "Kansas City Basics" and params["venue"] == "Central Library"
    assert params["when"].at == MEETING and params["when"].timezone == "America/Chicago"
    assert params["name"] == "Amina"


def test_names_are_cleaned_and_capped():
    from flows.signup import clean_name

    assert clean_name("  Amina   Otieno ") == "Amina Otieno"
    assert clean_name("🙂🙂") is None and clean_name("1234") is None and clean_name("") is None
    assert len(clean_name("A" * 500)) == 20
    assert clean_name("Zoë") == "Zoë"
