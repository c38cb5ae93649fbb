"""The ``circlebot`` command, through Click's runner, on every backend."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main

CREATE = ["circle", "create", "--name", "Kansas City Basics", "--venue", "Central Library", "--weekday", "tue",
          "--time", "18:00", "--timezone", "America/Chicago", "--starts", "2026-10-20", "--weeks", "6",
          "--language", "en", "--facilitator-phone", "+1 816 555 0100", "--capacity", "10", "--city",
          "Kansas City", "--postal-code", "64105"]


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
    assert created["meetings"][:3] == ["2026-10-20T23:00:00Z", "2026-10-27T23:00:00Z", "2026-11-04T00:00:00Z"]
    assert len(created["meetings"]) == 6

    shown = json.loads(invoke(runner, ["circle", "show", created["code"].lower(), "--json"]).output)
    assert shown["code"] == created["code"] and shown["name"] == "Kansas City Basics"
    assert shown["enrolled"] == 0 and shown["waitlisted"] == 0
    assert [m["starts_at"] for m in shown["meetings"]] == created["meetings"]
    assert set(shown["meetings"][0]) >= {"starts_at", "status", "yes", "no", "attended"}

    listed = invoke(runner, ["circle", "list"]).output
    assert created["code"] in listed and "Kansas City Basics" in listed
    assert created["code"] in invoke(runner, ["circle", "show", created["code"]]).output


def test_explicit_code_and_taken_code(runner):
    assert json.loads(invoke(runner, CREATE + ["--code", "kc42", "--json"]).output)["code"] == "KC42"
    again = runner.invoke(main, CREATE + ["--code", "KC42"])
    assert again.exit_code == 2 and "taken" in again.output


@pytest.mark.parametrize("flag,value,message", [
    ("--facilitator-phone", "call me", "not a phone number"),
    ("--timezone", "Mars/Olympus", "unknown time zone"),
    ("--weekday", "funday", "unknown weekday"),
    ("--time", "6pm", "HH:MM"),
    ("--starts", "next week", "YYYY-MM-DD"),
    ("--language", "de", "language must be one of"),
    ("--weeks", "0", "weeks must be"),
])
def test_bad_create_arguments_exit_2_with_a_message(runner, flag, value, message):
    args = list(CREATE)
    args[args.index(flag) + 1] = value
    result = runner.invoke(main, args)
    assert result.exit_code == 2 and message in result.output


def test_show_unknown_code(runner):
    result = runner.invoke(main, ["circle", "show", "NOPE"])
    assert result.exit_code == 2 and "no circle with code NOPE" in result.output


def test_worker_burst_sends_due_outbox_rows(runner, uow):
    from datetime import datetime, timezone

    from sqlalchemy import select

    from bot import outbox
    from bot.models import Message

    now = datetime.now(timezone.utc)
    with uow() as session:
        outbox.add(session, "test:burst", "sms", "+18165550123", "Hello", now, now)
        session.commit()
    result = invoke(runner, ["worker", "--burst"])
    assert result.exit_code == 0, result.output
    with uow() as session:
        assert session.scalars(select(Message.body).where(Message.direction == "out")).all() == ["Hello"]


def test_segments_table(runner):
    result = invoke(runner, ["segments"])
    assert result.exit_code == 0, result.output
    assert "signup.ask_name" in result.output and "0 over budget" in result.output


def test_meeting_move_and_cancel(runner, uow):
    from sqlalchemy import select

    from bot.models import Meeting, Outbox
    from tests.helpers import make_circle

    make_circle(uow, code="KC42")
    moved = invoke(runner, ["meeting", "move", "kc42", "2", "--to", "2031-01-07T19:30"])
    assert moved.exit_code == 0 and "moved to 2031-01-08T01:30:00Z" in moved.output  # Chicago local → UTC
    assert invoke(runner, ["meeting", "cancel", "KC42", "3"]).exit_code == 0
    with uow() as session:
        statuses = dict(session.execute(select(Meeting.seq, Meeting.status)).all())
        assert session.scalars(select(Outbox)).all() == []  # nobody enrolled: nobody to tell
    assert statuses[2] == "moved" and statuses[3] == "cancelled" and statuses[1] == "scheduled"
    for args, message in ((["meeting", "cancel", "KC42", "9"], "has no meeting 9"),
                          (["meeting", "move", "KC42", "1", "--to", "2001-01-01T10:00"], "must be in the future"),
                          (["meeting", "move", "KC42", "1", "--to", "soon"], "ISO-8601"),
                          (["meeting", "move", "NOPE", "1", "--to", "2031-01-01T10:00"], "no circle")):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and message in result.output, result.output


def test_export_csv_command(runner, uow, tmp_path):
    from tests.helpers import make_circle

    make_circle(uow, code="KC42")
    out = invoke(runner, ["export", "KC42", "--format", "csv"])
    assert out.exit_code == 0 and out.output.startswith("learner,status,rsvp_1,")
    target = tmp_path / "kc42.csv"
    assert invoke(runner, ["export", "kc42", "--output", str(target)]).exit_code == 0
    assert target.read_text().startswith("learner,status")
    assert runner.invoke(main, ["export", "NOPE"]).exit_code == 2
    assert runner.invoke(main, ["export", "KC42", "--format", "xlsx"]).exit_code == 2
