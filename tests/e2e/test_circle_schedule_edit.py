"""Editing a circle's schedule on the facilitator pages: the meetings ahead are moved, cancelled or added with
the notices MOVE and CANCEL send, past meetings stay, and bad input changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.store.models import Circle, Meeting, Outbox
from tests.e2e.test_facilitator_pages import A_PHONE, add_learner, csrf, get, pages, post, sign_in  # noqa: F401
from tests.helpers import make_circle

CHICAGO = ZoneInfo("America/Chicago")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def schedule(uow) -> list[tuple[int, str, datetime]]:
    with uow() as db:
        return [(m.seq, m.status, m.starts_at) for m in db.scalars(select(Meeting).order_by(Meeting.seq))]


def notices(uow) -> list[str]:
    """The change notices planned, as ``schedule:<seq of the next meeting>`` / ``cancelled:<seq>`` (one per
    learner)."""
    with uow() as db:
        seqs = dict(db.execute(select(Meeting.id, Meeting.seq)).all())
        return sorted(
            f"{key.split(':')[0]}:{seqs[meeting]}"
            for key, meeting in db.execute(
                select(Outbox.dedupe_key, Outbox.meeting_id).where(Outbox.kind == "change")
            ).all()
        )


def edit_form(client, **changes) -> dict:
    """The edit form as the page fills it, with ``changes``."""
    import re

    page = get(client, "/facilitator/circles/KC42/edit").get_data(as_text=True)
    data = dict(re.findall(r'<input id="f-\w+" name="(\w+)" type="\w+" value="([^"]*)"', page))
    data.update(language="en", weekday=re.search(r'<option value="(\w+)" selected>\w+day', page).group(1))
    data.update(changes)
    return data


def test_a_new_time_and_fewer_weeks_move_and_cancel_the_meetings_ahead_with_notices(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, "+18165550123")
    sign_in(pages, uow)
    before = schedule(uow)
    token = csrf(pages, "/facilitator/circles/KC42/edit")
    same = post(pages, "/facilitator/circles/KC42/edit", edit_form(pages), token=token)
    assert same.status_code == 302 and schedule(uow) == before and notices(uow) == []

    response = post(
        pages,
        "/facilitator/circles/KC42/edit",
        edit_form(pages, time="19:30", weeks="4"),
        token=token,
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "moved: 4, cancelled: 2, added: 0" in response.get_data(as_text=True)
    after = schedule(uow)
    assert [st for _, st, _ in after] == ["scheduled"] * 4 + ["cancelled"] * 2
    assert all(at.astimezone(CHICAGO).time() == time(19, 30) for _, _, at in after[:4])
    assert all(
        at - old == timedelta(hours=1, minutes=30) for (_, _, at), (_, _, old) in zip(after[:4], before, strict=False)
    )
    assert after[4:] == [(5, "cancelled", before[4][2]), (6, "cancelled", before[5][2])]
    # One text per learner for the whole change (not one per meeting), naming the next meeting.
    assert notices(uow) == ["schedule:1"]
    with uow() as db:
        circle = db.scalars(select(Circle)).one()
        assert (circle.weeks, circle.start_time) == (4, time(19, 30))

    back = post(
        pages, "/facilitator/circles/KC42/edit", edit_form(pages, weeks="6"), token=token, follow_redirects=True
    )
    assert "moved: 0, cancelled: 0, added: 2" in back.get_data(as_text=True)
    assert [st for _, st, _ in schedule(uow)] == ["scheduled"] * 6
    assert notices(uow) == ["schedule:1"]  # nothing more told: the reminders carry the weeks that came back

    later = post(
        pages,
        "/facilitator/circles/KC42/edit",
        edit_form(pages, weeks="8", timezone="America/New_York"),
        token=token,
        follow_redirects=True,
    )
    assert "moved: 6, cancelled: 0, added: 2" in later.get_data(as_text=True)
    assert [s for s, _, _ in schedule(uow)] == list(range(1, 9))
    assert all(at.astimezone(ZoneInfo("America/New_York")).time() == time(19, 30) for _, _, at in schedule(uow))
    assert [st for _, st, _ in schedule(uow)] == ["scheduled"] * 8  # reminded like the others when they near


def test_past_meetings_stay_when_the_weekday_changes(pages, uow):
    today = datetime.now(CHICAGO).date()
    first = today - timedelta(days=10)
    make_circle(uow, facilitator=A_PHONE, starts=first, weekday=first.weekday(), at=time(12, 0))
    add_learner(uow, "+18165550123")
    sign_in(pages, uow)
    before = schedule(uow)
    now = datetime.now(timezone.utc)
    held = [row for row in before if row[2] <= now]
    assert len(held) == 2
    token = csrf(pages, "/facilitator/circles/KC42/edit")
    next_day = WEEKDAYS[(first.weekday() + 1) % 7]
    too_few = post(pages, "/facilitator/circles/KC42/edit", edit_form(pages, weekday=next_day, weeks="1"), token=token)
    assert too_few.status_code == 400 and "already met" in too_few.get_data(as_text=True)
    assert schedule(uow) == before

    response = post(pages, "/facilitator/circles/KC42/edit", edit_form(pages, weekday=next_day), token=token)
    assert response.status_code == 302
    after = schedule(uow)
    assert after[:2] == held  # past meetings stay
    assert all(at - old == timedelta(days=1) for (_, _, at), (_, _, old) in zip(after[2:], before[2:], strict=False))
    assert notices(uow) == ["schedule:3"]


def test_bad_schedule_input_changes_nothing(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    sign_in(pages, uow)
    before = schedule(uow)
    token = csrf(pages, "/facilitator/circles/KC42/edit")
    yesterday = datetime.now(CHICAGO).date() - timedelta(days=1)
    wrong_day = datetime.now(CHICAGO).date() + timedelta(days=14)
    cases = [
        ({"starts": "2027-02-30"}, "Type a real date, like 2026-12-01."),
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list"),
        ({"weeks": "0"}, "Weeks must be between 1 and 52."),
        ({"weeks": "x"}, "Weeks must be a whole number."),
        ({"time": "25:99"}, "Type the time like 18:30."),
        ({"weekday": "someday"}, "Choose a weekday."),
        ({"starts": yesterday.isoformat(), "weekday": WEEKDAYS[yesterday.weekday()]}, "The start date is in the past."),
        (
            {"starts": wrong_day.isoformat(), "weekday": WEEKDAYS[(wrong_day.weekday() + 1) % 7]},
            "The start date is not on the weekday you chose.",
        ),
        ({"name": "<script>alert(1)</script>" * 3, "weeks": "3"}, "at most 40 characters"),
    ]
    for changes, said in cases:
        response = post(pages, "/facilitator/circles/KC42/edit", edit_form(pages, **changes), token=token)
        assert response.status_code == 400, changes
        assert said in response.get_data(as_text=True), changes
        assert schedule(uow) == before and notices(uow) == []
    with uow() as db:
        assert db.scalars(select(Circle.weeks)).one() == 6


def test_a_meeting_cancelled_by_hand_stays_cancelled_at_its_new_time(pages, uow):
    make_circle(uow, facilitator=A_PHONE)
    add_learner(uow, "+18165550123")
    sign_in(pages, uow)
    token = csrf(pages, "/facilitator/circles/KC42/edit")
    assert (
        post(pages, "/facilitator/circles/KC42/meetings/3/cancel", {"confirm": "yes"}, token=token).status_code == 302
    )
    response = post(
        pages, "/facilitator/circles/KC42/edit", edit_form(pages, time="17:00"), token=token, follow_redirects=True
    )
    assert "moved: 5, cancelled: 0, added: 0" in response.get_data(as_text=True)
    after = schedule(uow)
    assert [st for _, st, _ in after] == ["scheduled", "scheduled", "cancelled", "scheduled", "scheduled", "scheduled"]
    assert all(at.astimezone(CHICAGO).time() == time(17, 0) for _, _, at in after)
    assert notices(uow) == ["cancelled:3", "schedule:1"]
