"""Issue 22, item 4: a Telegram tap counts for the question its keyboard asked, or is refused politely.

Buttons used to carry only their position, so a tap on an old keyboard answered today's question. Now a
button's callback data names its question (``flows.asked``): ``r:<meeting>|1``, ``c:<code>:<seq>|1``,
``s:<survey>:<question>|4``, ``l:<expiry>|QUITTER KC42`` (LEAVE's button is its phrase). Pure router tables
and the renderer.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.render import telegram
from flows import asked, checkin, choices, keys, learner_commands, survey
from flows.context import CircleView, ContactView, Context, EnrollmentView, PendingRsvp
from flows.inbound import Inbound
from flows.results import Leave, RecordAnswer, RecordRsvp, Reply
from flows.router import route

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
KC = CircleView(
    "KC42", "Kansas City Basics", "Central Library", "America/Chicago", "en", 12, 5, NOW + timedelta(days=5)
)
MIA = CircleView("MIA7", "Miami Readers", "Main Library", "America/New_York", "en", 12, 5, NOW + timedelta(days=2))
ZZ = CircleView("ZZ99", "Zanzibar Basics", "Town Library", "Africa/Nairobi", "sw", 12, 5, NOW + timedelta(days=3))
LEARNER = ContactView(
    name="Amina", language="fr", enrollments=(EnrollmentView(ZZ, "active"), EnrollmentView(KC, "active"))
)
PENDING = PendingRsvp(12, KC, NOW + timedelta(days=1))
SURVEY = survey.opening("learner", "enrollment:5", "KC42", 1)  # "confidence", 1 to 5
CHECKIN = checkin.opening("enrollment:5", "KC42", 2)
LEAVE_NOW = {
    "flow": learner_commands.LEAVE_FLOW,
    "step": "which",
    "codes": ["ZZ99", "KC42"],
    "lang": "fr",
    "expires": (NOW + timedelta(minutes=10)).isoformat(),
}


def tap(data: str, state=None, pending=None, contact=LEARNER):
    topic, value = asked.split(data)
    ctx = Context(now=NOW, contact=contact, circles={"KC42": KC}, pending_rsvp=pending)
    inbound = Inbound("telegram", "5512345678", value, "tg-cb-1", NOW, asked=topic)
    return route(state, inbound, ctx)


def test_a_tap_on_the_reminder_is_the_rsvp_even_while_the_survey_is_open():
    name, result = tap("r:12|1", SURVEY, PENDING)
    assert name == "tap" and result.effects == (RecordRsvp(12, "yes"),)
    assert result.state == SURVEY  # the survey question stays open, unanswered


def test_a_tap_on_a_weeks_old_reminder_is_refused_and_the_survey_keeps_its_answer_open():
    name, result = tap("r:3|1", SURVEY, PENDING)  # "Oui" on meeting 3's reminder, long past
    assert result.effects == () and result.state == SURVEY
    assert [r.key for r in result.replies] == [keys.TAP_CLOSED]


def test_a_tap_on_the_open_survey_question_answers_it():
    _, result = tap(f"{asked.of_state(SURVEY)}|4", SURVEY, PENDING)
    assert result.effects == (RecordAnswer("enrollment:5", "KC42", "learner:confidence", "4"),)


def test_a_tap_on_an_older_survey_question_is_refused():
    _, result = tap("s:learner:goal|1", SURVEY)
    assert result.effects == () and [r.key for r in result.replies] == [keys.TAP_CLOSED]


@pytest.mark.parametrize(
    "data,effects",
    [
        ("c:KC42:2|1", [RecordAnswer("enrollment:5", "KC42", "checkin:2", "great")]),
        ("c:KC42:1|1", []),  # last week's check-in keyboard
        ("r:12|1", [RecordRsvp(12, "yes")]),
    ],
)
def test_check_in_and_reminder_taps_count_for_their_own_question(data, effects):
    _, result = tap(data, CHECKIN, PENDING)
    assert list(result.effects) == effects


def test_an_old_leave_question_leaves_nothing():
    old = "l:1796300000|QUITTER ZZ99"  # a tap on yesterday's LEAVE question
    _, result = tap(old, LEAVE_NOW)
    assert result.effects == () and [r.key for r in result.replies] == [keys.TAP_CLOSED]


def test_a_tap_on_the_open_leave_question_is_its_phrase_and_leaves_the_circle_it_names():
    asked_now = route(None, Inbound("telegram", "5512345678", "QUITTER", "tg-1", NOW), Context(NOW, LEARNER))[1]
    menu = asked.tag(asked_now.replies, asked.of_state(asked_now.state))[-1].choices
    assert menu is not None and [c.value for c in menu.items] == ["QUITTER ZZ99", "QUITTER KC42"]
    _, result = tap(asked.callback(menu.topic, menu.items[1].value), asked_now.state)
    assert result.effects == (Leave("KC42"),)


def test_a_leave_tap_with_a_digit_never_leaves():
    _, result = tap(f"{asked.of_state(LEAVE_NOW)}|2", LEAVE_NOW)  # an old-style button: its position
    assert result.effects == ()


def test_a_leave_menu_tap_after_the_menu_closed_is_refused():
    _, result = tap(f"{asked.of_state(LEAVE_NOW)}|QUITTER KC42", None)
    assert result.effects == () and [r.key for r in result.replies] == [keys.TAP_CLOSED]


def test_a_refusal_is_in_the_learners_language():
    _, result = tap("r:3|1", SURVEY, PENDING)
    assert result.language == "fr"


def test_an_opted_out_learners_tap_changes_nothing_and_says_nothing():
    stopped = ContactView(LEARNER.name, "fr", True, LEARNER.enrollments)
    _, result = tap("r:12|1", None, PENDING, stopped)
    assert result.effects == () and result.replies == ()


def test_a_tap_without_a_topic_is_read_as_typed():
    name, _ = tap("1", None, PENDING)
    assert name == "RSVP"


def test_buttons_carry_their_question_and_fit_telegrams_limit():
    reply = asked.tag(
        (Reply(keys.REMINDER, {"circle": "KC", "venue": "Library", "when": None}, choices.RSVP),),
        asked.of_reminder(123456789),
    )[0]
    rendered = telegram.render((reply,), "en")
    data = [b.callback_data for row in rendered["reply_markup"].inline_keyboard for b in row]
    assert data == ["r:123456789|1", "r:123456789|2"]
    longest = {"flow": "leave", "step": "which", "codes": ["ABCDEFGH"] * 5, "expires": "2099-12-31T23:59:59+00:00"}
    data = asked.callback(asked.of_state(longest), "QUITTER ABCDEFGH")
    assert len(data.encode()) <= asked.CALLBACK_MAX and asked.split(data) == (
        asked.of_state(longest),
        "QUITTER ABCDEFGH",
    )
    how = survey.opening("how12", "facilitator:7:KC42", "KC42", 0)
    assert asked.split(asked.callback(asked.of_state(how), "3")) == (asked.of_state(how), "3")


def test_forgets_question_has_no_button_on_telegram_only_its_phrase():
    rendered = telegram.render((Reply(keys.FORGET_CONFIRM, choices=choices.FORGET),), "en")
    assert "reply_markup" not in rendered and rendered["text"].endswith("To confirm, reply FORGET YES.")
