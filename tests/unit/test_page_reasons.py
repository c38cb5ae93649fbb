"""The pages say why a circle or meeting change was refused from the domain error's reason code, never by
matching its English text (a reworded CLI message must not turn a page's answer into "could not be made")."""

from __future__ import annotations

import pytest

from bot import create_app
from bot.domain.circles import CircleError
from bot.domain.meetings import MeetingError
from bot.web import circles as page

GENERIC = "That change could not be made. Check the dates and try again."


@pytest.fixture
def app_context(tmp_path):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "REDIS_URL": None, "INSTANCE_PATH": str(tmp_path)}
    )
    with app.test_request_context("/"):
        yield


@pytest.mark.parametrize(
    "reason, said",
    [
        ("past", "The start date is in the past."),
        ("weekday", "The start date is not on the weekday you chose."),
        ("begun", "The first meeting would already have begun. Choose a later date or time."),
        ("too_far", "That date is too far ahead. A meeting can move to any time in the next ten years."),
        (None, GENERIC),
    ],
)
def test_a_refused_start_is_explained_by_its_reason(app_context, reason, said):
    assert page._explain(CircleError("reworded: nothing to match here", reason)) == said


@pytest.mark.parametrize(
    "reason, said",
    [
        ("past", "That time has passed."),
        ("cancelled", "That meeting is cancelled."),
        ("taken", "Another meeting is already at that time."),
        ("missing", "There is no such meeting."),
        ("too_far", "That date is too far ahead. A meeting can move to any time in the next ten years."),
        (None, GENERIC),
    ],
)
def test_a_refused_meeting_change_is_explained_by_its_reason(app_context, reason, said):
    assert page._explain_meeting(MeetingError("reworded", reason).reason) == said


def test_the_english_text_alone_no_longer_decides():
    assert CircleError("the start date 2020-01-01 is in the past").reason is None
