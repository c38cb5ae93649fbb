"""HERE with a number list: a bare ``HERE KC42`` lists the learners numbered; ``HERE KC42 1 3`` or a bare
``1 3`` right after marks them; a number sentence or a newer RSVP question is never taken for it."""

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
from flows.facilitator import HERE_FLOW
from flows.inbound import Inbound
from flows.results import RecordAttendance
from flows.router import handle

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)  # an hour into the first meeting
KC = CircleView("KC42", "Kansas City Basics", "Central Library", "America/Chicago", "en", 12, 4)
FIRST = MeetingView(11, 1, datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc), "scheduled")
NEXT = MeetingView(12, 2, datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc), "scheduled")
LEARNERS = (LearnerName(101, "Amina"), LearnerName(102, "Rosa", 7), LearnerName(103, "José"), LearnerName(104, "Bo"))
FAC = FacilitatorView(9, (FacilitatedCircle(KC, (FIRST, NEXT), LEARNERS),), frozenset({7}))


def run(text, state=None, pending=None, facilitator=FAC):
    ctx = Context(now=NOW, contact=ContactView(), circles={}, facilitator=facilitator, pending_rsvp=pending)
    return handle(state, Inbound("sms", "+18165550100", text, "SM1", NOW), ctx)


def test_a_bare_here_lists_the_learners_numbered_and_opens_the_list():
    from bot.render import sms

    result = run("HERE KC42")
    assert [r.key for r in result.replies] == [keys.FAC_HERE_LIST] and result.effects == ()
    said = sms.render((result.replies[0],), "en")
    assert said.endswith("1 Amina, 2 Rosa, 3 José, 4 Bo") and "like 1 3" in said
    assert result.state["flow"] == HERE_FLOW and result.state["ids"] == [101, 102, 103, 104]
    assert result.state["meeting"] == FIRST.id and result.state["expires"] > NOW.isoformat()
    assert run("HERE").state == result.state  # one circle: the code may be left out


def test_numbers_after_the_list_mark_those_learners():
    listed = run("HERE KC42").state
    for text in ("1 3", "1, 3", "1,3", "HERE KC42 1 3"):
        result = run(text, listed)
        assert result.effects == (RecordAttendance(FIRST.id, (101, 103)),), text
        assert result.replies[0].key == keys.FAC_HERE_DONE and result.replies[0].params["names"] == "Amina, José"
    mixed = run("4 9", listed)  # 9 is on no list: said back, 4 still counts
    assert mixed.effects == (RecordAttendance(FIRST.id, (104,)),)
    assert [r.key for r in mixed.replies] == [keys.FAC_HERE_DONE, keys.FAC_HERE_UNKNOWN]
    assert mixed.replies[1].params["names"] == "9"
    assert run("HERE KC42 #7", listed).effects == (RecordAttendance(FIRST.id, (102,)),)  # #7: Rosa's relay number


def test_without_a_list_a_number_is_a_relay_number_and_bare_numbers_are_no_command():
    assert run("HERE KC42 7").effects == (RecordAttendance(FIRST.id, (102,)),)
    assert run("HERE KC42 1").effects == ()  # nobody has relay number 1
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
