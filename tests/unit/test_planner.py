"""The pure planner (flows/planner.py): who gets what, and when, with no database and no clock."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from flows import keys, planner, survey
from flows.plans import Circle, History, Learner, Meeting, OpenSurvey, To
from flows.timing import QuietHours, follow_up_time, zone

TZ = "America/Chicago"
QUIET = QuietHours.parse("21:00-08:00")
NONE = QuietHours.parse("")
DAY = timedelta(hours=24)
HORIZON = timedelta(hours=2)


def local(*args, tz=TZ):
    return datetime(*args, tzinfo=zone(tz)).astimezone(timezone.utc)


# Three Tuesday meetings at 18:00 Chicago time.
M1, M2, M3 = (Meeting(10 + i, i + 1, local(2027, 4, 6 + 7 * i, 18, 0)) for i in range(3))
FAC = To(1, 11, "sms", "+18165550100", "en")
CIRCLE = Circle(7, "KC42", "Kansas City Basics", "Central Library", TZ, "es", (M1, M2, M3), 3, FAC)
AMINA = Learner(21, To(2, 12, "sms", "+18165550123", "en"))  # her own language, the circle's zone
BEN = Learner(22, To(3, 13, "sms", "+18165550124", None, "Africa/Nairobi"))  # no language, his own zone
GONE = Learner(23, To(4, 14, "sms", "+18165550125", "en", opted_out=True))  # texted STOP
LEARNERS = (AMINA, BEN, GONE)


def by_contact(planned):
    return {p.to.contact_id: p for p in planned}


# -- reminders -------------------------------------------------------------------------------------
def test_reminder_lead_before_in_each_learners_zone_and_none_for_a_stopped_learner():
    now = M1.starts_at - DAY - timedelta(hours=1)
    got = by_contact(planner.reminders_due(CIRCLE, M1, LEARNERS, DAY, QUIET, now, HORIZON))
    assert set(got) == {2}  # Ben's 24 h before is 01:00 in Nairobi: quiet, so not due yet; Gone said STOP
    amina = got[2]
    assert amina.send_after == M1.starts_at - DAY and amina.kind == "reminder" and amina.meeting_id == M1.id
    assert amina.key == f"reminder:{M1.id}:2:{M1.starts_at:%Y%m%dT%H%MZ}"
    assert amina.to.language == "en" and amina.to.timezone == TZ  # the circle's zone where she has none


def test_reminder_in_quiet_hours_waits_for_their_end_in_the_learners_zone():
    # 18:00 Chicago (CDT) is 02:00 next day in Nairobi: 24 h before is in Ben's night; it goes at 08:00 there
    now = M1.starts_at - timedelta(hours=40)
    got = by_contact(planner.reminders_due(CIRCLE, M1, (BEN,), DAY, QUIET, now, timedelta(hours=48)))
    assert got[3].send_after == local(2027, 4, 6, 8, 0, tz="Africa/Nairobi")
    assert got[3].to.language == "es"  # no language of his own: the circle's
    without = by_contact(planner.reminders_due(CIRCLE, M1, (BEN,), DAY, NONE, now, timedelta(hours=48)))
    assert without[3].send_after == M1.starts_at - DAY


def test_reminder_not_yet_due_already_reminded_cancelled_or_started():
    early = M1.starts_at - DAY - HORIZON - timedelta(minutes=1)
    assert planner.reminders_due(CIRCLE, M1, (AMINA,), DAY, QUIET, early, HORIZON) == ()
    now = M1.starts_at - DAY
    assert planner.reminders_due(CIRCLE, M1, (AMINA,), DAY, QUIET, now, HORIZON, reminded=frozenset({2})) == ()
    cancelled = Meeting(M1.id, 1, M1.starts_at, "cancelled")
    assert planner.reminders_due(CIRCLE, cancelled, (AMINA,), DAY, QUIET, now, HORIZON) == ()
    assert planner.reminders_due(CIRCLE, M1, (AMINA,), DAY, QUIET, M1.starts_at, HORIZON) == ()


def test_late_joiner_is_reminded_at_once():
    now = M1.starts_at - timedelta(hours=3)
    (only,) = planner.reminders_due(CIRCLE, M1, (AMINA,), DAY, QUIET, now, HORIZON)
    assert only.send_after == now


def test_reminder_matches_the_database_planner():
    from bot.domain.planning import reminders

    assert planner.reminder_key(5, 6, M1.starts_at) == reminders.reminder_key(5, 6, M1.starts_at)
    assert planner.reminder_reply("A", "B", M1.starts_at, TZ) == reminders.reminder_reply("A", "B", M1.starts_at, TZ)
    (only,) = planner.reminders_due(CIRCLE, M1, (AMINA,), DAY, QUIET, M1.starts_at - DAY, HORIZON)
    assert only.replies == (reminders.reminder_reply(CIRCLE.name, CIRCLE.venue, M1.starts_at, TZ),)


def test_tally_two_hours_before_and_none_for_a_stopped_facilitator():
    now = M1.starts_at - timedelta(hours=3)
    tally = planner.tally_due(CIRCLE, M1, now, HORIZON)
    assert tally.send_after == M1.starts_at - timedelta(hours=2) and tally.to.contact_id == 1
    assert planner.tally_due(CIRCLE, M1, now - timedelta(hours=2), HORIZON) is None
    stopped = Circle(**{**CIRCLE.__dict__, "facilitator": To(1, 11, "sms", "+18165550100", "en", opted_out=True)})
    assert planner.tally_due(stopped, M1, now, HORIZON) is None


# -- after a meeting -------------------------------------------------------------------------------
def test_follow_up_is_the_next_day_at_ten_local_out_of_quiet_hours():
    assert follow_up_time(M1.starts_at, TZ, QUIET) == local(2027, 4, 7, 10, 0)
    late = QuietHours.parse("09:00-11:30")
    assert follow_up_time(M1.starts_at, TZ, late) == local(2027, 4, 7, 11, 30)
    due = local(2027, 4, 7, 10, 0)
    assert planner.follow_up_due(M1, TZ, QUIET, due - HORIZON - timedelta(minutes=1), HORIZON) is None
    assert planner.follow_up_due(M1, TZ, QUIET, due - HORIZON, HORIZON) == due
    assert planner.follow_up_due(M1, TZ, QUIET, due + timedelta(hours=5), HORIZON) == due + timedelta(hours=5)
    assert planner.follow_up_due(M1, TZ, QUIET, M1.starts_at + planner.LOOK_BACK, HORIZON) is None


def test_first_meeting_everyone_reachable_gets_a_check_in_that_opens_the_conversation():
    now = local(2027, 4, 7, 10, 0)
    got = by_contact(planner.follow_ups_due(CIRCLE, LEARNERS, History(), QUIET, now, HORIZON))
    assert set(got) == {2, 3}  # no "we miss you" after the first meeting; nothing for Gone
    assert {p.kind for p in got.values()} == {"checkin"}
    assert got[2].key == f"checkin:{M1.id}:2" and got[2].replies[0].key == keys.CHECKIN_QUESTION
    assert got[2].conversation["flow"] == "checkin" and got[2].conversation["thank"] is True
    assert got[2].conversation["subject"] == "enrollment:21" and got[2].conversation["seq"] == 1


@pytest.mark.parametrize(
    "history, amina_gets",
    [
        (History(), "missyou"),  # no yes, never came
        (History(yes=frozenset({(M1.id, 2)})), "checkin"),  # yes to the one before
        (History(yes=frozenset({(M2.id, 2)})), "checkin"),  # yes to this one
        (History(attended=frozenset({(M1.id, 2)})), "checkin"),  # came without answering
        (History(yes=frozenset({(M3.id, 2)})), "missyou"),  # a yes to a later one counts not
    ],
)
def test_check_in_or_we_miss_you_after_the_second_meeting(history, amina_gets):
    now = local(2027, 4, 14, 10, 0)
    got = by_contact(planner.follow_ups_due(CIRCLE, (AMINA,), history, QUIET, now, HORIZON))
    assert got[2].kind == amina_gets
    if amina_gets == "missyou":
        assert got[2].key == "miss:21" and got[2].conversation is None
        assert got[2].replies[0].params["when"].at == M3.starts_at  # invited to the next meeting


def test_a_cancelled_meeting_before_does_not_count_as_missed():
    first_cancelled = Circle(**{**CIRCLE.__dict__, "meetings": (Meeting(M1.id, 1, M1.starts_at, "cancelled"), M2, M3)})
    (got,) = planner.follow_ups_due(first_cancelled, (AMINA,), History(), QUIET, local(2027, 4, 14, 10, 0), HORIZON)
    assert got.kind == "checkin"  # meeting 2 is her first: nothing to miss yet


def test_only_the_first_check_in_is_thanked():
    now = local(2027, 4, 14, 10, 0)
    history = History(yes=frozenset({(M2.id, 2)}), checked_in=frozenset({(M1.id, 2)}))
    (checkin,) = planner.follow_ups_due(CIRCLE, (AMINA,), history, QUIET, now, HORIZON)
    assert checkin.conversation["thank"] is False
    again = History(yes=frozenset({(M2.id, 2)}), checked_in=frozenset({(M2.id, 2)}))  # this meeting's own
    assert planner.follow_ups_due(CIRCLE, (AMINA,), again, QUIET, now, HORIZON)[0].conversation["thank"] is True


def test_survey_after_the_last_meeting_not_a_check_in():
    now = local(2027, 4, 21, 10, 0)
    got = by_contact(planner.follow_ups_due(CIRCLE, LEARNERS, History(), QUIET, now, HORIZON))
    assert set(got) == {1, 2, 3}  # the facilitator and the two reachable learners
    assert got[2].key == "survey:21" and got[2].kind == "survey" and got[2].meeting_id is None
    assert [r.key for r in got[2].replies] == [keys.SURVEY_INTRO, keys.Q_GOAL]
    assert got[2].conversation["survey"] == "learner" and got[2].conversation["opened"] == now.isoformat()
    assert got[2].conversation["expires"] == (now + timedelta(days=14)).isoformat()
    assert got[1].key == "fsurvey:7" and got[1].conversation["subject"] == "facilitator:3:KC42"
    assert got[1].replies[0].key == keys.SURVEY_FACILITATOR_INTRO


def test_a_cancelled_last_meeting_makes_the_one_before_the_last():
    cancelled = Circle(**{**CIRCLE.__dict__, "meetings": (M1, M2, Meeting(M3.id, 3, M3.starts_at, "cancelled"))})
    got = planner.follow_ups_due(cancelled, (AMINA,), History(), QUIET, local(2027, 4, 14, 10, 0), HORIZON)
    assert {p.kind for p in got} == {"survey"}
    assert planner.follow_ups_due(cancelled, (AMINA,), History(), QUIET, local(2027, 4, 21, 10, 0), HORIZON) == ()


# -- a learner who joined late (issue 22, item 2) --------------------------------------------------
# Cara joined the day after meeting 1, once its check-ins had gone out.
CARA = Learner(24, To(5, 15, "sms", "+18165550126", "en"), joined_at=local(2027, 4, 7, 12, 0))


def test_a_late_joiner_gets_no_check_in_about_a_meeting_held_before_they_joined():
    now = local(2027, 4, 7, 12, 0)  # planned again after she joined: meeting 1's follow-up is still in reach
    got = by_contact(planner.follow_ups_due(CIRCLE, (AMINA, CARA), History(), QUIET, now, HORIZON))
    assert set(got) == {2}  # Amina's check-in only; nothing to Cara about a meeting she was not in


def test_joining_after_meeting_2_brings_no_we_miss_you_in_the_same_minute_as_the_welcome():
    dan = Learner(27, To(8, 18, "sms", "+18165550129", "en"), joined_at=local(2027, 4, 14, 11, 0))
    assert planner.follow_ups_due(CIRCLE, (dan,), History(), QUIET, local(2027, 4, 14, 11, 0), HORIZON) == ()


def test_a_late_joiner_is_not_missed_for_the_meeting_before_they_joined():
    now = local(2027, 4, 14, 10, 0)  # after meeting 2, her first: she said nothing and did not come
    (got,) = planner.follow_ups_due(CIRCLE, (CARA,), History(), QUIET, now, HORIZON)
    assert got.kind == "checkin" and got.key == f"checkin:{M2.id}:5"  # asked how it went, not "we miss you"
    assert got.conversation["thank"] is True  # her first check-in


def test_joining_while_a_meeting_is_on_makes_it_theirs():
    m1 = Meeting(M1.id, 1, M1.starts_at, ends_at=M1.starts_at + timedelta(hours=2))
    circle = Circle(**{**CIRCLE.__dict__, "meetings": (m1, M2, M3)})
    signed_up_there = Learner(
        25, To(6, 16, "sms", "+18165550127", "en"), joined_at=m1.starts_at + timedelta(minutes=30)
    )
    (got,) = planner.follow_ups_due(circle, (signed_up_there,), History(), QUIET, local(2027, 4, 7, 10, 0), HORIZON)
    assert got.kind == "checkin"
    after = Learner(25, signed_up_there.to, joined_at=m1.starts_at + timedelta(hours=2))  # as it ended: not theirs
    assert planner.follow_ups_due(circle, (after,), History(), QUIET, local(2027, 4, 7, 10, 0), HORIZON) == ()


def test_what_a_returning_learner_did_before_still_counts():
    back = Learner(24, CARA.to, joined_at=local(2027, 4, 10, 12, 0))  # left after meeting 1 and came back
    now = local(2027, 4, 14, 10, 0)
    (got,) = planner.follow_ups_due(CIRCLE, (back,), History(yes=frozenset({(M1.id, 5)})), QUIET, now, HORIZON)
    assert got.kind == "checkin"
    (got,) = planner.follow_ups_due(CIRCLE, (back,), History(attended=frozenset({(M1.id, 5)})), QUIET, now, HORIZON)
    assert got.kind == "checkin"


def test_the_survey_goes_to_who_was_in_the_circle_by_the_last_meeting():
    now = local(2027, 4, 21, 10, 0)
    after_the_end = Learner(26, To(7, 17, "sms", "+18165550128", "en"), joined_at=local(2027, 4, 21, 9, 0))
    got = by_contact(planner.follow_ups_due(CIRCLE, (CARA, after_the_end), History(), QUIET, now, HORIZON))
    assert set(got) == {1, 5} and got[5].conversation["survey"] == "learner"


# -- survey reminders ------------------------------------------------------------------------------
def open_survey(to, opened, **extra):
    state = {
        **survey.opening("learner", "enrollment:21", "KC42"),
        "opened": opened.isoformat(),
        "expires": (opened + timedelta(days=14)).isoformat(),
        **extra,
    }
    return OpenSurvey(to, state, opened + timedelta(days=14))


def test_survey_reminder_after_48_hours_once_on_the_question_the_learner_is_on():
    opened = local(2027, 4, 21, 10, 0)
    s = open_survey(AMINA.to, opened, q="course")
    circles = {"KC42": CIRCLE}
    assert planner.survey_reminders_due([s], circles, opened + timedelta(hours=47, minutes=59)) == ()
    (reminder,) = planner.survey_reminders_due([s], circles, opened + timedelta(hours=48))
    assert reminder.key == "survey-reminder:enrollment:21:learner"
    assert reminder.send_after == opened + timedelta(hours=48)
    assert [r.key for r in reminder.replies] == [keys.SURVEY_REMINDER, keys.Q_COURSE]
    assert reminder.conversation["reminded"] is True and reminder.conversation["q"] == "course"
    assert (
        planner.survey_reminders_due(
            [open_survey(AMINA.to, opened, reminded=True)], circles, opened + timedelta(days=3)
        )
        == ()
    )
    assert planner.survey_reminders_due([s], circles, opened + timedelta(days=14)) == ()  # lapsed
    assert planner.survey_reminders_due([open_survey(GONE.to, opened)], circles, opened + timedelta(days=3)) == ()


# -- the waiting list ------------------------------------------------------------------------------
def test_offers_fill_free_places_in_order_skipping_a_stopped_learner():
    circle = Circle(**{**CIRCLE.__dict__, "capacity": 5})
    now = local(2027, 4, 1, 12, 0)
    waiting = (GONE, AMINA, BEN)
    assert planner.offers_due(circle, 5, 0, waiting, now) == ()
    assert planner.offers_due(circle, 4, 1, waiting, now) == ()
    (first,) = planner.offers_due(circle, 4, 0, waiting, now)
    assert first[0] is AMINA and first[1].key == "offer:21" and first[1].conversation["flow"] == "offer"
    assert [learner for learner, _ in planner.offers_due(circle, 2, 0, waiting, now)] == [AMINA, BEN]


def test_old_names_still_import_from_bot():
    from bot.domain.planning import followups
    from bot.domain.schedule import QuietHours as OldQuiet
    from bot.domain.schedule import ScheduleError, reminder_time
    from flows import timing

    assert OldQuiet is timing.QuietHours and reminder_time is timing.reminder_time
    assert ScheduleError is timing.ScheduleError and followups.follow_up_time is timing.follow_up_time
    assert followups.SURVEY_REMINDER_AFTER == timedelta(hours=48)
