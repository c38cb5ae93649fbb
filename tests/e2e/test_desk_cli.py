"""Issue 24 in the CLI and by text: a meeting that began reads "held", a circle whose meetings are all behind
it reads "ended" (``circle show``, ``circle list`` and the CIRCLES text), never "scheduled" or "to be
announced"; ``--json`` keeps the stored ``status`` and adds ``held`` and ``ended``."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.helpers import make_circle, text

A_PHONE = "+18165550100"


@pytest.fixture
def runner(cli_env):
    return CliRunner()


def test_a_finished_circle_reads_ended_and_its_meetings_held(runner, uow, client):
    today = datetime.now(timezone.utc).date()
    make_circle(uow, code="OLD1", starts=today - timedelta(days=30), weekday=today.weekday(), weeks=2)
    make_circle(uow, code="NEW1", name="Next circle", starts=today + timedelta(days=7), weekday=today.weekday())
    shown = runner.invoke(main, ["circle", "show", "OLD1"], catch_exceptions=False).output
    assert "(ended)" in shown.splitlines()[0]
    rows = [line for line in shown.splitlines() if line.strip().startswith("#")]
    assert len(rows) == 2 and all(" held " in row and "scheduled" not in row for row in rows)
    info = json.loads(runner.invoke(main, ["circle", "show", "OLD1", "--json"], catch_exceptions=False).output)
    assert info["ended"] is True and [m["over"] for m in info["meetings"]] == [True, True]
    assert {m["status"] for m in info["meetings"]} == {"scheduled"}  # the stored status, as before
    fresh = json.loads(runner.invoke(main, ["circle", "show", "NEW1", "--json"], catch_exceptions=False).output)
    assert fresh["ended"] is False and not any(m["over"] for m in fresh["meetings"])
    listed = {
        line.split()[0]: line
        for line in runner.invoke(main, ["circle", "list"], catch_exceptions=False).output.splitlines()
    }
    assert listed["OLD1"].rstrip().endswith("ended") and "none ahead" not in listed["OLD1"]
    said = "\n".join(text(client, "CIRCLES", A_PHONE))
    assert "OLD1: Kansas City Basics, Central Library, ended" in said and "to be announced" not in said


def test_a_circle_whose_meetings_are_ahead_is_not_ended(runner, uow):
    make_circle(uow, code="KC42", starts=date.today() + timedelta(days=3))
    shown = runner.invoke(main, ["circle", "show", "KC42"], catch_exceptions=False).output
    assert "(ended)" not in shown and "held" not in shown
