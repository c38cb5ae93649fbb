"""What a whole circle costs one learner (issue 16): at most 30 SMS segments, in every locale.

``bot.reports.circle_cost`` drives the real router through a 6-meeting circle for a learner who answers
everything, with the longest placeholder values, in milliseconds (no database, no clock).
"""

from datetime import datetime, timezone

import pytest

from bot.reports import circle_cost
from bot.settings import SHIPPED_LOCALES
from flows import checkin, keys
from flows.context import Context
from flows.inbound import SMS, Inbound

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("locale", SHIPPED_LOCALES)
def test_a_whole_circle_costs_a_learner_at_most_30_segments(locale):
    cost = circle_cost.circle_cost(locale)
    assert cost.segments <= circle_cost.MAX_PER_CIRCLE, circle_cost.table([cost])


def test_the_simulation_covers_the_whole_circle():
    cost = circle_cost.circle_cost("en")
    scheduled = [key for key, _ in cost.scheduled]
    assert scheduled.count(keys.REMINDER) == 6 and scheduled.count(keys.CHECKIN_QUESTION) == 5
    assert scheduled[-1] == keys.SURVEY_INTRO
    inline = [key for key, _ in cost.inline]
    assert inline[:3] == [keys.SIGNUP_ASK_NAME, keys.SIGNUP_ASK_LANGUAGE, keys.SIGNUP_CONFIRMED]
    assert inline.count(keys.RSVP_YES) == 6 and inline[-1] == keys.SURVEY_DONE
    assert cost.sent == 3 + 6 + 5 + 5  # signup, RSVPs, check-ins, survey answers


def test_only_the_first_check_in_is_thanked():
    inline = [key for key, _ in circle_cost.circle_cost("sw").inline]
    assert inline.count(keys.CHECKIN_THANKS) == 1


@pytest.mark.parametrize("first,replies", [(True, (keys.CHECKIN_THANKS,)), (False, ())])
def test_a_later_check_in_rating_is_stored_without_a_reply(first, replies):
    state = {**checkin.opening("enrollment:1", "KC42", 3, first), "name": "Intro"}
    result = checkin.resume(state, Inbound(SMS, "+18165550100", "2", "SM1", NOW), Context(now=NOW))
    assert tuple(r.key for r in result.replies) == replies
    assert [e.value for e in result.effects] == ["okay"] and result.state is None


def test_stuck_is_always_answered():
    state = checkin.opening("enrollment:1", "KC42", 3, first=False)
    result = checkin.resume(state, Inbound(SMS, "+18165550100", "3", "SM1", NOW), Context(now=NOW))
    assert [r.key for r in result.replies] == [keys.CHECKIN_RELAYED]


def test_the_table_names_every_locale():
    text = circle_cost.table(circle_cost.costs())
    assert all(f"\n{locale} " in text for locale in SHIPPED_LOCALES)
