"""HERE with a number list: a bare ``HERE KC42`` lists the learners by their relay numbers (one numbering:
the list, ``#7`` and the roster agree); ``HERE KC42 4 2`` or a bare ``4 2`` right after marks them; a number
sentence or a newer RSVP question is never taken for it."""

from __future__ import annotations

from datetime import datetime, timezone

from flows import keys
from flows.context import (
    CircleView,
    ContactView,
    Context,
    FacilitatedCircle,
    FacilitatorView,
    LearnerName,
    MeetingView,
    PendingRsvp,
)
from flows.facilitator_here import HERE_FLOW
from flows.inbound import Inbound
from flows.results import RecordAttendance
from flows.router import handle

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)  # an hour into the first meeting
KC = CircleView("KC42", "Kansas City Basics", "Central Library", "America/Chicago", "en", 12, 4)
FIRST = MeetingView(11, 1, datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc), "scheduled")
NEXT = MeetingView(12, 2, datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc), "scheduled")
LEARNERS = (
    LearnerName(101, "Amina", 4),
    LearnerName(102, "Rosa", 7),
    LearnerName(103, "José", 2),
    LearnerName(104, "Bo", 9),
)
FAC = FacilitatorView(9, (FacilitatedCircle(KC, (FIRST, NEXT), LEARNERS),), frozenset({2, 4, 7, 9}))


def run(text, state=None, pending=None, facilitator=FAC):
    ctx = Context(now=NOW, contact=ContactView(), circles={}, facilitator=facilitator, pending_rsvp=pending)
    return handle(state, Inbound("sms", "+18165550100", text, "SM1", NOW), ctx)


def test_a_bare_here_lists_the_learners_by_their_relay_numbers_and_opens_the_list():
    from bot.render import sms

    result = run("HERE KC42")
    assert [r.key for r in result.replies] == [keys.FAC_HERE_LIST] and result.effects == ()
    said = sms.render((result.replies[0],), "en")
    assert said.endswith("4 Amina, 7 Rosa, 2 José, 9 Bo") and "like 1 3" in said  # the numbers #4, #7… of relays
    assert result.state["flow"] == HERE_FLOW and result.state["ids"] == [101, 102, 103, 104]
    assert result.state["meeting"] == FIRST.id and result.state["expires"] > NOW.isoformat()
    assert run("HERE").state == result.state  # one circle: the code may be left out


def test_numbers_after_the_list_mark_those_learners():
    listed = run("HERE KC42").state
    for text in ("4 2", "4, 2", "4,2", "HERE KC42 4 2", "HERE KC42 #4 #2"):
        result = run(text, listed)
        assert result.effects == (RecordAttendance(FIRST.id, (101, 103)),), text
        assert result.replies[0].key == keys.FAC_HERE_DONE and result.replies[0].params["names"] == "Amina, José"
    mixed = run("9 3", listed)  # 3 is nobody's number: said back, 9 still counts
    assert mixed.effects == (RecordAttendance(FIRST.id, (104,)),)
    assert [r.key for r in mixed.replies] == [keys.FAC_HERE_DONE, keys.FAC_HERE_UNKNOWN]
    assert mixed.replies[1].params["names"] == "3"
    assert run("HERE KC42 #7", listed).effects == (RecordAttendance(FIRST.id, (102,)),)  # #7: Rosa's relay number


def test_without_a_list_a_number_is_a_relay_number_and_bare_numbers_are_no_command():
    assert run("HERE KC42 7").effects == (RecordAttendance(FIRST.id, (102,)),)
    assert run("HERE KC42 1").effects == ()  # nobody has relay number 1


def test_the_list_number_is_the_relay_number_whether_or_not_a_list_is_open():
    """Issue 24: Rosa is #7 in relays, so "7" marks Rosa with the list open and without it (never the 7th)."""
    listed = run("HERE KC42").state
    assert run("7", listed).effects == run("HERE KC42 7").effects == (RecordAttendance(FIRST.id, (102,)),)


def test_a_learner_without_a_relay_number_is_listed_by_name_and_marked_by_name():
    from bot.render import sms

    fac = FacilitatorView(9, (FacilitatedCircle(KC, (FIRST, NEXT), (LearnerName(101, "Amina"),)),), frozenset())
    said = sms.render((run("HERE KC42", facilitator=fac).replies[0],), "en")
    assert said.endswith("3. Amina")
    assert run("HERE KC42 Amina", facilitator=fac).effects == (RecordAttendance(FIRST.id, (101,)),)
    assert run("1 3").effects == ()


def test_sentences_with_numbers_and_a_newer_rsvp_question_are_not_the_list():
    listed = run("HERE KC42").state
    for sentence in ("3 people came tonight", "1 3 and more", "13:30", "1. 3", "+1 816 555 0123"):
        assert run(sentence, listed).effects == (), sentence
    pending = PendingRsvp(NEXT.id, KC, NEXT.starts_at)
    assert not any(isinstance(e, RecordAttendance) for e in run("1", listed, pending=pending).effects)


def test_a_list_of_another_circle_does_not_number_this_one():
    other = {"flow": HERE_FLOW, "code": "ZZ99", "meeting": 99, "ids": [555], "expires": "x"}
    assert run("1 3", other).effects == ()  # not one of their circles
    assert run("HERE KC42 7", other).effects == (RecordAttendance(FIRST.id, (102,)),)
