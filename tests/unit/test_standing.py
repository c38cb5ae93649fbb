"""``flows.standing``: "held", "ended" and the meetings' order, and CIRCLES saying "ended" (issue 24)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.render import codec, sms
from flows import keys, standing
from flows.context import MeetingView
from flows.results import CircleLine, Reply

NOW = datetime(2027, 1, 25, 12, 0, tzinfo=timezone.utc)
JAN20 = MeetingView(1, 1, datetime(2027, 1, 20, 0, 0, tzinfo=timezone.utc), "scheduled")
JAN27 = MeetingView(2, 2, datetime(2027, 1, 27, 0, 0, tzinfo=timezone.utc), "scheduled")
FEB3 = MeetingView(3, 3, datetime(2027, 2, 3, 0, 0, tzinfo=timezone.utc), "moved")
GONE = MeetingView(4, 4, datetime(2027, 2, 10, 0, 0, tzinfo=timezone.utc), "cancelled")


@pytest.mark.parametrize(
    ("meeting", "shown"),
    [(JAN20, "held"), (JAN27, "scheduled"), (FEB3, "moved"), (GONE, "cancelled")],
)
def test_a_meeting_that_began_reads_held_and_a_cancelled_one_stays_cancelled(meeting, shown):
    assert standing.shown(meeting.status, meeting.starts_at, NOW) == shown
    assert standing.shown("cancelled", JAN20.starts_at, NOW) == "cancelled"


def test_a_circle_ends_when_no_meeting_that_is_not_cancelled_is_ahead():
    assert not standing.ended((JAN20, JAN27, FEB3), NOW)
    assert standing.ended((JAN20, GONE), NOW + timedelta(days=1))
    assert standing.ended((JAN20, JAN27, FEB3, GONE), datetime(2027, 2, 4, tzinfo=timezone.utc))
    assert not standing.ended((), NOW)  # no meetings at all: not "ended"


@pytest.mark.parametrize(
    ("to", "passed"),
    [
        (datetime(2027, 2, 4, 0, 0, tzinfo=timezone.utc), 3),  # past #3: the MOVE W7WW 2027-02-04
        (datetime(2027, 1, 30, 0, 0, tzinfo=timezone.utc), None),  # after #1's slot, before #3: in order
        (datetime(2027, 1, 20, 0, 0, tzinfo=timezone.utc), 1),  # onto #1's time or before it
        (datetime(2027, 2, 20, 0, 0, tzinfo=timezone.utc), 3),  # a cancelled #4 is passed by nobody
    ],
)
def test_a_move_that_changes_the_order_names_the_meeting_it_passes(to, passed):
    found = standing.passed_by(JAN27, to, (JAN20, JAN27, FEB3, GONE))
    assert (found.seq if found else None) == passed


def test_circles_says_ended_instead_of_to_be_announced_and_the_codec_keeps_it():
    lines = (CircleLine("OLD1", "Old circle", "Library", None, ended=True), CircleLine("TBA1", "New", "Hall", None))
    reply = Reply(keys.FAC_CIRCLES, {"lines": lines})
    for lang, ended, tba in (("en", "ended", "to be announced"), ("es", "terminado", "por confirmar")):
        said = sms.render((codec.load(codec.dump((reply,)))[0],), lang, fold=False)
        assert f"OLD1: Old circle, Library, {ended}" in said and f"TBA1: New, Hall, {tba}" in said
    old = {"$lines": [["OLD1", "Old circle", "Library", None]]}  # an outbox row written before issue 24
    assert codec.load([{"key": keys.FAC_CIRCLES, "params": {"lines": old}}])[0].params["lines"][0].ended is False
