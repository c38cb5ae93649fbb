"""The meetings as a calendar (issue 24, item 9), on every backend: ``circlebot export CODE --what calendar
--output kc42.ics`` and the download on the circle's pages give the same RFC 5545 file, read back with the
``icalendar`` package: one event per meeting in the circle's zone, the venue, the dial-in line (with
"then press #"), and a cancelled meeting marked cancelled."""

from __future__ import annotations

from datetime import datetime, timezone

from click.testing import CliRunner
from icalendar import Calendar

from bot.cli import main
from bot.domain import meetings
from bot.domain.circles import find
from tests.e2e.test_facilitator_pages import get, pages, sign_in  # noqa: F401  (the fixture)
from tests.helpers import make_circle


def _cancel_second(runtime, uow):
    with uow() as session:
        meetings.cancel(session, runtime.settings, find(session, "KC42"), 2, datetime.now(timezone.utc))
        session.commit()


def _events(data: bytes):
    cal = Calendar.from_ical(data)
    return cal, sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_export_calendar_writes_one_event_per_meeting(cli_env, runtime, uow, tmp_path, monkeypatch):
    monkeypatch.setenv("TWILIO_FROM", "+18165550100")
    make_circle(uow, weeks=6, facilitator="+18165550199")
    _cancel_second(runtime, uow)
    target = tmp_path / "kc42.ics"
    result = CliRunner().invoke(main, ["export", "kc42", "--what", "calendar", "--output", str(target)])
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote 6 meetings of KC42 to {target}\n"
    cal, events = _events(target.read_bytes())
    assert len(events) == 6 and cal["version"] == "2.0"
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CANCELLED"] + ["CONFIRMED"] * 4
    first = events[0]
    assert str(first["location"]) == "Central Library"
    assert first.decoded("dtstart").tzinfo is not None and first["dtstart"].params["TZID"] == "America/Chicago"
    assert first.decoded("dtstart").hour == 18
    assert "(816) 555-0100" in str(first["description"]) and "then press #" in str(first["description"])
    assert "VTIMEZONE" in target.read_text() and len({str(e["uid"]) for e in events}) == 6
    with uow() as session:
        code = find(session, "KC42").phone_code
    assert code in str(first["description"])
    stdout = CliRunner().invoke(main, ["export", "KC42", "--what", "calendar"])
    assert stdout.exit_code == 0 and stdout.output.startswith("BEGIN:VCALENDAR")


def test_the_circle_page_offers_the_same_calendar(pages, runtime, uow):  # noqa: F811
    make_circle(uow, weeks=3, facilitator="+18165550100")
    _cancel_second(runtime, uow)
    sign_in(pages, uow, "+18165550100")
    overview = get(pages, "/facilitator/circles/KC42").get_data(as_text=True)
    assert 'href="/facilitator/circles/KC42/calendar.ics"' in overview
    answer = get(pages, "/facilitator/circles/KC42/calendar.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="kc42.ics"'
    _cal, events = _events(answer.data)
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert get(pages, "/facilitator/circles/NOPE/calendar.ics").status_code == 404
