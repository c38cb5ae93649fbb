"""The ``circlebot`` command, through Click's runner, on every backend."""

from __future__ import annotations

import json
import os
import re

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.domain import circles as ops

CREATE = [
    "circle",
    "create",
    "--name",
    "Kansas City Basics",
    "--venue",
    "Central Library",
    "--weekday",
    "tue",
    "--time",
    "18:00",
    "--timezone",
    "America/Chicago",
    "--starts",
    "2031-10-21",
    "--weeks",
    "6",
    "--language",
    "en",
    "--facilitator-phone",
    "+1 816 555 0100",
    "--capacity",
    "10",
    "--city",
    "Kansas City",
    "--postal-code",
    "64105",
]


@pytest.fixture
def runner(cli_env):
    return CliRunner()


def invoke(runner, args):
    return runner.invoke(main, args, catch_exceptions=False)


def test_db_upgrade_then_create_show_list(runner):
    assert invoke(runner, ["db", "upgrade"]).exit_code == 0
    result = invoke(runner, CREATE + ["--json"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert len(created["code"]) == 4 and created["phone_code"].isdigit() and isinstance(created["id"], int)
    assert created["meetings"][:3] == ["2031-10-21T23:00:00Z", "2031-10-28T23:00:00Z", "2031-11-05T00:00:00Z"]
    assert len(created["meetings"]) == 6

    shown = json.loads(invoke(runner, ["circle", "show", created["code"].lower(), "--json"]).output)
    assert shown["code"] == created["code"] and shown["name"] == "Kansas City Basics"
    assert shown["enrolled"] == 0 and shown["waitlisted"] == 0
    assert [m["starts_at"] for m in shown["meetings"]] == created["meetings"]
    assert set(shown["meetings"][0]) >= {"starts_at", "status", "yes", "no", "attended"}

    listed = invoke(runner, ["circle", "list"]).output.splitlines()
    assert listed[0].split() == ["CODE", "NAME", "PLACES", "TAKEN", "WAITLIST", "NEXT", "MEETING"]
    assert created["code"] in listed[1] and "Kansas City Basics" in listed[1] and "0 of 10" in listed[1]
    assert listed[1].endswith("Tuesday, October 21, 2031, 6:00 PM CDT")
    shown = invoke(runner, ["circle", "show", created["code"]]).output
    assert created["code"] in shown and "0 of 10 places are taken; 0 learners on the waitlist" in shown
    # local time with its zone, across the end of daylight saving time; never UTC
    assert "Tuesday, October 28, 2031, 6:00 PM CDT" in shown and "Tuesday, November 4, 2031, 6:00 PM CST" in shown
    assert "T23:00" not in shown and not re.search(r"\d:\d\dZ", shown)


def test_explicit_code_and_taken_code(runner):
    assert json.loads(invoke(runner, CREATE + ["--code", "kc42", "--json"]).output)["code"] == "KC42"
    again = runner.invoke(main, CREATE + ["--code", "KC42"])
    assert again.exit_code == 2 and "taken" in again.output


def test_create_prints_local_times_with_the_zone(runner):
    args = list(CREATE)
    args[args.index("--time") + 1] = "18:30"
    args[args.index("--starts") + 1] = "2031-12-02"
    result = invoke(runner, args + ["--code", "KC42"])
    assert result.exit_code == 0, result.output
    assert "first  Tuesday, December 2, 2031, 6:30 PM CST" in result.output
    assert "last   Tuesday, January 6, 2032, 6:30 PM CST" in result.output
    assert "JOIN KC42" in result.output and "Z" not in result.output.replace("KC42", "")


def test_a_start_date_in_the_past_is_refused(runner):
    args = list(CREATE)
    args[args.index("--starts") + 1] = "2020-01-07"
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "the start date 2020-01-07 (Tuesday, January 7, 2020) is in the past" in result.output


def test_a_start_date_on_another_weekday_names_the_real_first_date(runner):
    args = list(CREATE)
    args[args.index("--weekday") + 1] = "mon"  # 2031-10-21 is a Tuesday
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "2031-10-21 is a Tuesday, but the circle meets on Mondays" in result.output
    assert "Monday, October 27, 2031" in result.output and "--starts 2031-10-27" in result.output
    assert "--weekday tue" in result.output


def test_without_starts_the_circle_starts_on_the_next_meeting_day(runner):
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    args = list(CREATE)
    del args[args.index("--starts") : args.index("--starts") + 2]
    created = json.loads(invoke(runner, args + ["--json"]).output)
    first = datetime.fromisoformat(created["meetings"][0].replace("Z", "+00:00"))
    now = datetime.now(timezone.utc)
    assert now < first <= now + timedelta(days=7)
    local = first.astimezone(ZoneInfo("America/Chicago"))
    assert (local.weekday(), local.hour, local.minute) == (1, 18, 0)


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("(816) 555-0199", "+18165550199"),
        ("816-555-0199", "+18165550199"),
        ("+1 816 555 0199", "+18165550199"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_facilitator_phone_in_national_format(runner, uow, typed, stored):
    from sqlalchemy import select

    from bot.store.models import Facilitator

    args = list(CREATE)
    args[args.index("--facilitator-phone") + 1] = typed
    assert invoke(runner, args).exit_code == 0
    with uow() as session:
        assert [ops.facilitator_phone(session, f) for f in session.scalars(select(Facilitator))] == [stored]


def test_default_region_setting(runner, uow, monkeypatch):
    from sqlalchemy import select

    from bot.store.models import Facilitator

    monkeypatch.setenv("DEFAULT_REGION", "GB")
    args = list(CREATE)
    args[args.index("--facilitator-phone") + 1] = "020 7946 0958"
    assert invoke(runner, args).exit_code == 0
    with uow() as session:
        assert [ops.facilitator_phone(session, f) for f in session.scalars(select(Facilitator))] == ["+442079460958"]


@pytest.mark.parametrize(
    "typed,message",
    [
        ("(816) 555-019", "'(816) 555-019' is not a phone number (too few digits)"),
        ("555-0199", "'555-0199' needs its area code"),
        ("call me", "'call me' is not a phone number: type it as you would dial it locally, e.g. (201) 555-0123"),
    ],
)
def test_phone_errors_are_worded_for_a_librarian(runner, typed, message):
    args = list(CREATE)
    args[args.index("--facilitator-phone") + 1] = typed
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and message in result.output, result.output
    assert "E.164" not in result.output


@pytest.mark.parametrize(
    "flag,value,message",
    [
        ("--facilitator-phone", "call me", "not a phone number"),
        (
            "--timezone",
            "Mars/Olympus",
            "unknown time zone 'Mars/Olympus': use the name of a zone, like America/Chicago",
        ),
        ("--weekday", "funday", "unknown weekday"),
        ("--time", "6pm", "HH:MM"),
        ("--starts", "next week", "YYYY-MM-DD"),
        ("--language", "de", "language must be one of"),
        ("--weeks", "0", "weeks must be"),
    ],
)
def test_bad_create_arguments_exit_2_with_a_message(runner, flag, value, message):
    args = list(CREATE)
    args[args.index(flag) + 1] = value
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and message in result.output


@pytest.mark.parametrize("typed", ["Nairobi", "nairobi time", "Africa/Nairobi"])
def test_create_takes_a_zones_city_and_keeps_its_name(runner, uow, typed):
    from sqlalchemy import select

    from bot.store.models import Circle

    args = list(CREATE)
    args[args.index("--timezone") + 1] = typed
    result = invoke(runner, args)
    assert result.exit_code == 0 and "in Africa/Nairobi time" in result.output, result.output
    with uow() as session:
        assert session.scalars(select(Circle.timezone)).all() == ["Africa/Nairobi"]


def test_show_unknown_code(runner):
    result = runner.invoke(main, ["circle", "show", "NOPE"])
    assert result.exit_code == 2 and "there is no circle with the code NOPE" in result.output


def test_worker_burst_sends_due_outbox_rows(runner, uow):
    from datetime import datetime, timezone

    from sqlalchemy import select

    from bot.store.models import Message
    from tests.helpers import add_outbox

    now = datetime.now(timezone.utc)
    with uow() as session:
        add_outbox(session, "test:burst", "sms", "+18165550123", "Hello", now, now)
        session.commit()
    result = invoke(runner, ["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with uow() as session:
        assert session.scalars(select(Message.body).where(Message.direction == "out")).all() == ["Hello"]


def test_segments_table(runner):
    result = invoke(runner, ["segments"])
    assert result.exit_code == 0, result.output
    assert "signup.ask_name" in result.output and "0 over budget" in result.output
    assert "Whole circle" in result.output and "6 locales, 0 over 30 segments a circle" in result.output


def test_meeting_move_and_cancel(runner, uow):
    from sqlalchemy import select

    from bot.store.models import Meeting, Outbox
    from tests.helpers import make_circle

    make_circle(uow, code="KC42")
    moved = invoke(runner, ["meeting", "move", "kc42", "2", "--to", "2031-01-07T19:30"])
    assert moved.exit_code == 0 and "moved to Tuesday, January 7, 2031, 7:30 PM CST" in moved.output
    assert "0 texts queued" in moved.output
    assert invoke(runner, ["meeting", "cancel", "KC42", "3"]).exit_code == 0
    with uow() as session:
        assert (
            session.scalar(select(Meeting.starts_at).where(Meeting.seq == 2)).isoformat() == "2031-01-08T01:30:00+00:00"
        )  # Chicago local time, stored in UTC
    with uow() as session:
        statuses = dict(session.execute(select(Meeting.seq, Meeting.status)).all())
        assert session.scalars(select(Outbox)).all() == []  # nobody enrolled: nobody to tell
    assert statuses[2] == "moved" and statuses[3] == "cancelled" and statuses[1] == "scheduled"
    for args, message in (
        (["meeting", "cancel", "KC42", "9"], "has no meeting 9"),
        (["meeting", "move", "KC42", "1", "--to", "2001-01-01T10:00"], "must be in the future"),
        (["meeting", "move", "KC42", "1", "--to", "soon"], "ISO-8601"),
        (["meeting", "move", "NOPE", "1", "--to", "2031-01-01T10:00"], "no circle"),
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and message in result.output, result.output


def test_export_csv_command(runner, uow, tmp_path):
    from tests.helpers import make_circle

    make_circle(uow, code="KC42")
    out = invoke(runner, ["export", "KC42", "--format", "csv"])
    assert out.exit_code == 0 and out.output.startswith("handle,name,phone,status,rsvp_1,")
    target = tmp_path / "kc42.csv"
    wrote = invoke(runner, ["export", "kc42", "--output", str(target)])
    assert wrote.exit_code == 0 and wrote.output == f"Wrote 0 learners of KC42 to {target}\n"
    assert target.read_text().startswith("handle,name,phone,status")
    facilitator = invoke(runner, ["export", "kc42", "--what", "facilitator"])
    assert facilitator.output.splitlines() == ["facilitator,meeting,question,answer"]
    assert runner.invoke(main, ["export", "NOPE"]).exit_code == 2
    assert runner.invoke(main, ["export", "KC42", "--format", "xlsx"]).exit_code == 2


def test_the_worker_runs_its_jobs_in_its_own_process(runner, cli_env, tmp_path):
    """``circlebot worker`` runs each job in its own process (RQ's ``SimpleWorker``, issue 31): a work horse
    forked per job opened a database connection per text and could not keep up with 200 texts a second."""
    if not cli_env["REDIS_URL"]:
        pytest.skip("RQ's worker: the embedded queue runs its jobs in its process anyway")
    from bot.cli.base import runtime

    noted = tmp_path / "pids"
    queue = runtime().queue
    for n in range(3):
        assert queue.enqueue("tests.e2e.worker_probe.note_pid", str(noted), key=f"probe-{tmp_path.name}-{n}")
    result = invoke(runner, ["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert noted.read_text().split() == [str(os.getpid())] * 3
