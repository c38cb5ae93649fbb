"""Check-ins, surveys, the relay, facilitator commands, FIND/FORGET/LEAVE: pure flow tables."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from flows import dates, keys, survey, surveys
from flows.checkin import opening as checkin_opening
from flows.context import (
    CircleView,
    ContactView,
    Context,
    EnrollmentView,
    FacilitatedCircle,
    FacilitatorView,
    MeetingView,
)
from flows.inbound import Inbound
from flows.results import (
    Broadcast,
    ChangeMeeting,
    Erase,
    Leave,
    RecordAnswer,
    RelayToFacilitator,
    RelayToLearner,
)
from flows.router import handle

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
KC = CircleView(
    "KC42",
    "Kansas City Basics",
    "Central Library",
    "America/Chicago",
    "en",
    12,
    5,
    datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc),
)
MIA = CircleView("MIA7", "Miami Ingles", "Little Havana", "America/New_York", "es", 12, 3, None)
LEARNER = ContactView(name="Amina", language="en", enrollments=(EnrollmentView(KC, "active"),))
TWO = ContactView(
    name="Amina", language="en", enrollments=(EnrollmentView(KC, "active"), EnrollmentView(MIA, "active"))
)
PAST = MeetingView(11, 1, datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc), "scheduled", 4, 1, 0)
NEXT = MeetingView(12, 2, datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc), "scheduled", 3, 1, 1)
FAC = FacilitatorView(7, (FacilitatedCircle(KC, (PAST, NEXT)),), frozenset({3}))
SURVEY = {**survey.opening("learner", "enrollment:5", "KC42"), "opened": "x", "expires": "y"}


def run(text, state=None, contact=LEARNER, facilitator=None, found=()):
    # the service loads every circle whose code the message names (here KC42 and MIA7)
    ctx = Context(now=NOW, contact=contact, circles={"KC42": KC, "MIA7": MIA}, facilitator=facilitator, found=found)
    return handle(state, Inbound("sms", "+18165550123", text, "SM1", NOW), ctx)


CASES = [
    # id, state, text, expected next state step, reply keys, effect types
    ("checkin great", checkin_opening("enrollment:5", "KC42", 1), "1", None, [keys.CHECKIN_THANKS], [RecordAnswer]),
    (
        "checkin stuck",
        checkin_opening("enrollment:5", "KC42", 1),
        "3",
        None,
        [keys.CHECKIN_RELAYED],
        [RecordAnswer, RelayToFacilitator],
    ),
    (
        "checkin words",
        checkin_opening("enrollment:5", "KC42", 1),
        "I lost my notes",
        None,
        [keys.CHECKIN_RELAYED],
        [RelayToFacilitator],
    ),
    ("survey answer", SURVEY, "4", "ask", [keys.Q_CONFIDENCE], [RecordAnswer]),
    ("survey skip", SURVEY, "skip", "ask", [keys.Q_CONFIDENCE], [RecordAnswer]),
    ("survey skip es", SURVEY, "SALTAR", "ask", [keys.Q_CONFIDENCE], [RecordAnswer]),
    ("survey invalid", SURVEY, "9", "ask", [keys.HINT_SCALE5, keys.Q_GOAL], []),
    ("survey words for a number", SURVEY, "pretty good", "ask", [keys.HINT_SCALE5, keys.Q_GOAL], []),
    ("survey last", {**SURVEY, "q": "next"}, "Find a job", None, [keys.SURVEY_DONE], [RecordAnswer]),
    ("help keeps survey", SURVEY, "HELP", "ask", [keys.HELP_CIRCLES, keys.HELP_MORE], []),
    ("stop ends survey", SURVEY, "STOP", None, [keys.STOP_CONFIRMED], ["OptOut"]),
    ("relay free text", None, "Can I bring my son?", None, [keys.RELAYED], [RelayToFacilitator]),
    ("find needs a place", None, "FIND", None, [keys.FIND_NEED_PLACE], []),
    ("find none", None, "find 99999", None, [keys.FIND_NONE], []),
    ("forget asks", None, "FORGET", "confirm", [keys.FORGET_CONFIRM], []),
    # issue 22: FORGET and a yes in one text ask; a yes never erases; only the question's phrase does
    ("forget yes asks", None, "forget yes", "confirm", [keys.FORGET_CONFIRM], []),
    ("forget confirm yes", {"flow": "forget", "step": "confirm"}, "YES", None, [keys.RELAYED], [RelayToFacilitator]),
    ("forget confirm phrase", {"flow": "forget", "step": "confirm"}, "Forget yes", None, [keys.FORGET_DONE], [Erase]),
    ("forget es asks", None, "OLVIDAR SI", "confirm", [keys.FORGET_CONFIRM], []),
    ("leave only circle asks", None, "LEAVE", "which", [keys.LEAVE_ASK], []),
    ("leave only circle's phrase", None, "LEAVE KC42", None, [keys.LEAVE_DONE], [Leave]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_learner_table(case):
    name, state, text, step, reply_keys, effects = case
    result = run(text, state)
    assert (result.state or {}).get("step") == step
    assert [r.key for r in result.replies] == reply_keys
    assert [e if isinstance(e, str) else e for e in [type(e).__name__ for e in result.effects]] == [
        e if isinstance(e, str) else e.__name__ for e in effects
    ]


def test_forget_confirm_anything_else_is_routed_normally():
    result = run("hello there", {"flow": "forget", "step": "confirm"})
    assert [r.key for r in result.replies] == [keys.RELAYED]


def test_survey_answers_are_stored_by_key():
    result = run("4", SURVEY)
    assert result.effects == (RecordAnswer("enrollment:5", "KC42", "learner:goal", "4"),)
    assert run("skip", SURVEY).effects == (RecordAnswer("enrollment:5", "KC42", "learner:goal", None),)


def test_language_switch_resumes_the_survey():
    menu = run("LANGUAGE", SURVEY)
    back = run("2", menu.state)
    assert back.state == SURVEY and back.language == "es"


def test_leave_with_several_circles_asks_which():
    assert [r.key for r in run("LEAVE", contact=TWO).replies] == [keys.LEAVE_WHICH]
    assert run("LEAVE MIA7", contact=TWO).effects == (Leave("MIA7"),)


def test_find_lists_circles():
    result = run("FIND 64105", found=(KC,))
    assert result.replies[0].key == keys.FIND_RESULTS and result.replies[0].params["lines"][0].code == "KC42"


def test_free_text_without_a_circle_is_not_relayed():
    assert [r.key for r in run("hello", contact=ContactView()).replies] == [keys.FALLBACK]


FAC_CASES = [
    ("circles", "CIRCLES", [keys.FAC_CIRCLES], []),
    ("tally", "tally kc42", [keys.FACILITATOR_TALLY], []),
    ("tally only circle", "TALLY", [keys.FACILITATOR_TALLY], []),
    ("not yours", "TALLY MIA7", [keys.FAC_NOT_YOURS], []),
    ("cancel next", "CANCEL KC42", [keys.FAC_CANCELLED], [ChangeMeeting]),
    ("cancel by date", "CANCEL KC42 12/8", [keys.FAC_CANCELLED], [ChangeMeeting]),
    ("cancel bad date", "CANCEL KC42 someday", [keys.FAC_BAD_DATE], []),
    ("cancel no such date", "CANCEL KC42 2026-12-25", [keys.FAC_NO_MEETING], []),
    ("move", "MOVE KC42 2026-12-10 6:30pm", [keys.FAC_MOVED], [ChangeMeeting]),
    ("move bad", "MOVE KC42 tomorrow", [keys.FAC_BAD_DATE], []),
    ("msg", "MSG KC42 Bring your library card!", [keys.FAC_BROADCAST_SENT], [Broadcast]),
    ("how", "HOW KC42", [keys.HOW_INTRO, keys.HOW_RATING], []),
    ("reply", "#3 See you Tuesday", [keys.RELAYED], [RelayToLearner]),
    ("reply to someone else's", "#4 hello", [keys.RELAY_UNKNOWN_HANDLE], []),
    ("help", "HELP", [keys.FAC_HELP], []),
    ("spanish command", "CONTEO KC42", [keys.FACILITATOR_TALLY], []),
    ("lone cancel is stop", "CANCEL", [keys.FAC_STOP_CONFIRMED], ["OptOut"]),
]


@pytest.mark.parametrize("case", FAC_CASES, ids=[c[0] for c in FAC_CASES])
def test_facilitator_table(case):
    name, text, reply_keys, effects = case
    result = run(text, contact=ContactView(language="en"), facilitator=FAC)
    assert [r.key for r in result.replies] == reply_keys
    assert [type(e).__name__ for e in result.effects] == [e if isinstance(e, str) else e.__name__ for e in effects]


def test_facilitator_effects_carry_the_right_values():
    move = run("MOVE KC42 2026-12-10 18:30", contact=ContactView(), facilitator=FAC).effects[0]
    assert move == ChangeMeeting("KC42", 12, datetime(2026, 12, 11, 0, 30, tzinfo=timezone.utc))
    assert run("MSG KC42 Bring your card", contact=ContactView(), facilitator=FAC).effects == (
        Broadcast("KC42", "Bring your card"),
    )
    assert run("#3 See you", contact=ContactView(), facilitator=FAC).effects == (RelayToLearner(3, "See you"),)
    how = run("HOW KC42", contact=ContactView(), facilitator=FAC)
    assert how.state["survey"] == "how1" and how.state["subject"] == "facilitator:7:KC42"
    tally = run("TALLY", contact=ContactView(), facilitator=FAC).replies[0].params
    assert (tally["yes"], tally["no"], tally["none"]) == (3, 1, 1)


@pytest.mark.parametrize(
    "text,lang,expected",
    [
        ("2026-12-01", "en", date(2026, 12, 1)),
        ("12/8", "en", date(2026, 12, 8)),
        ("8/12", "es", date(2026, 12, 8)),
        ("8.12", "pl", date(2026, 12, 8)),
        ("1/5", "en", date(2027, 1, 5)),
        ("31/2", "fr", None),
        ("soon", "en", None),
    ],
)
def test_parse_date(text, lang, expected):
    assert dates.parse_date(text, lang, date(2026, 12, 3)) == expected


@pytest.mark.parametrize(
    "tz,expected",
    [
        ("America/Chicago", date(2026, 12, 8)),
        ("Africa/Nairobi", date(2027, 8, 12)),
        ("Europe/London", date(2027, 8, 12)),
    ],
)
def test_english_dates_follow_the_circles_country(tz, expected):
    assert dates.parse_date("12/8", "en", date(2026, 12, 3), tz) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("18:00", time(18, 0)),
        ("6pm", time(18, 0)),
        ("6:30 PM", time(18, 30)),
        ("12am", time(0, 0)),
        ("6 p.m.", time(18, 0)),
        ("6 P. M.", time(18, 0)),
        ("18h30", time(18, 30)),
        ("18h", time(18, 0)),
        ("18.30", time(18, 30)),
        ("9:00 a.m.", time(9, 0)),
        ("12 a.m.", time(0, 0)),
        ("25:00", None),
        ("13pm", None),
        ("noon", None),
        ("18h70", None),
    ],
)
def test_parse_time(text, expected):
    assert dates.parse_time(text) == expected


@pytest.mark.parametrize(
    "kind,text,value",
    [
        (surveys.SCALE5, "3", "3"),
        (surveys.SCALE5, "0", None),
        (surveys.SCALE10, "10", "10"),
        (surveys.SCALE10, "11", None),
        (surveys.YESNO, "oui", "yes"),
        (surveys.YESNO, "hapana", "no"),
        (surveys.NUMBER, "7", "7"),
        (surveys.NUMBER, "seven", None),
        (surveys.TEXT, "  a  job ", "a job"),
        (surveys.TEXT, "", None),
    ],
)
def test_survey_parse(kind, text, value):
    assert surveys.parse(surveys.Question("k", kind, keys.Q_GOAL), text) == value


def test_how_reflection_rotates():
    assert {surveys.how(n).questions[2].text for n in range(1, 4)} == set(surveys.REFLECTIONS)
    assert surveys.how(4).questions[2].text == surveys.how(1).questions[2].text


def test_a_survey_answer_starting_with_join_is_an_answer():
    result = run("Join the next circle", {**SURVEY, "q": "next"})
    assert [r.key for r in result.replies] == [keys.SURVEY_DONE]
    assert result.effects[0].value == "Join the next circle"


def test_find_says_which_circle_the_learner_is_already_in():
    from bot.render import codec
    from bot.render.text import words
    from flows.results import Reply

    lines = run("FIND 64105", found=(KC, MIA)).replies[0].params["lines"]
    assert [(line.code, line.joined) for line in lines] == [("KC42", True), ("MIA7", False)]
    shown = {lang: words(Reply(keys.FIND_RESULTS, {"lines": lines}), lang) for lang in ("en", "es", "sw")}
    assert "KC42: Kansas City Basics (you're in)" in shown["en"] and "MIA7: Miami Ingles, Little Havana" in shown["en"]
    assert shown["en"].count("(you're in)") == 1  # MIA7 is offered, not marked
    assert "(ya te uniste)" in shown["es"] and "(umeshajiunga)" in shown["sw"]
    stored = codec.load(codec.dump((Reply(keys.FIND_RESULTS, {"lines": lines}),)))  # as a stored inbound keeps it
    assert [line.joined for line in stored[0].params["lines"]] == [True, False]
