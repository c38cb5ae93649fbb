"""``circle edit|archive``, ``meeting restore``, plural forms, ``demo --reset`` and ``web`` (both backends)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

from bot.cli import main
from bot.domain import circles as ops
from bot.store.models import Circle, Enrollment, Facilitator, Meeting, Outbox
from tests.helpers import add_contact, make_circle, text


@pytest.fixture
def runner(cli_env):
    return CliRunner()


def invoke(runner, args):
    result = runner.invoke(main, args, catch_exceptions=False)
    return result


def enroll(uow, phone="+18165550123", name="Amina", status="active"):
    now = datetime.now(timezone.utc)
    with uow() as session:
        contact = add_contact(session, phone, now, name=name, language="en")
        circle_id = session.scalar(select(Circle.id).where(Circle.code == "KC42"))
        session.add(Enrollment(contact_id=contact.id, circle_id=circle_id, status=status, created_at=now))
        session.commit()


def test_edit_changes_details_and_keeps_capacity_above_the_enrolled(runner, uow):
    make_circle(uow, code="KC42", capacity=3)
    for i in range(2):
        enroll(uow, phone=f"+1816555012{i}", name=f"L{i}")
    enroll(uow, phone="+18165550129", name="W", status="waitlist")
    result = invoke(
        runner,
        [
            "circle",
            "edit",
            "kc42",
            "--venue",
            "Central Library, Room 3",
            "--city",
            "Kansas City",
            "--postal-code",
            "64105",
            "--capacity",
            "4",
            "--facilitator-phone",
            "(816) 555-0177",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "KC42: changed venue, city, postal code, capacity, facilitator phone" in result.output
    assert "1 learner is on the waitlist; they are not moved up on their own" in result.output
    with uow() as session:
        circle = session.scalar(select(Circle))
        assert (circle.venue, circle.city, circle.postal_code, circle.capacity) == (
            "Central Library, Room 3",
            "Kansas City",
            "64105",
            4,
        )
        assert ops.facilitator_phone(session, session.get(Facilitator, circle.facilitator_id)) == "+18165550177"
    shown = invoke(runner, ["circle", "show", "KC42"]).output
    assert "2 of 4 places are taken; 1 learner on the waitlist" in shown
    too_small = runner.invoke(main, ["circle", "edit", "KC42", "--capacity", "1"])
    assert (
        too_small.exit_code == 2
        and "2 learners are enrolled already; the capacity cannot go below 2" in too_small.output
    )
    assert "nothing changed" in invoke(runner, ["circle", "edit", "KC42", "--capacity", "4"]).output
    assert runner.invoke(main, ["circle", "edit", "KC42"]).exit_code == 2
    bad = runner.invoke(main, ["circle", "edit", "KC42", "--language", "de"])
    assert bad.exit_code == 2 and "language must be one of" in bad.output


def test_places_have_proper_plural_forms(runner, uow):
    make_circle(uow, code="KC42", capacity=1)
    shown = invoke(runner, ["circle", "show", "KC42"]).output
    assert "0 of 1 place are taken; 0 learners on the waitlist" in shown
    enroll(uow)
    shown = invoke(runner, ["circle", "show", "KC42"]).output
    assert "1 of 1 place is taken" in shown


def test_archive_needs_no_meeting_ahead_then_leaves_list_and_find(runner, uow, client):
    make_circle(uow, code="KC42", weeks=2)
    assert "KC42" in invoke(runner, ["circle", "list"]).output
    refused = runner.invoke(main, ["circle", "archive", "KC42"])
    assert refused.exit_code == 2 and "KC42 still has 2 meetings ahead" in refused.output
    assert "circlebot meeting cancel KC42 1" in refused.output
    for n in ("1", "2"):
        assert invoke(runner, ["meeting", "cancel", "KC42", n]).exit_code == 0
    archived = invoke(runner, ["circle", "archive", "kc42"])
    assert archived.exit_code == 0 and "Archived KC42" in archived.output
    assert "KC42" not in invoke(runner, ["circle", "list"]).output
    assert "(archived)" in invoke(runner, ["circle", "list", "--all"]).output
    assert "(archived)" in invoke(runner, ["circle", "show", "KC42"]).output
    assert invoke(runner, ["export", "KC42"]).output.startswith("handle,name,phone")  # its data stays
    assert invoke(runner, ["circle", "archive", "KC42", "--undo"]).exit_code == 0
    assert "KC42" in invoke(runner, ["circle", "list"]).output


def test_find_leaves_out_archived_circles(runner, uow, client):
    make_circle(uow, code="KC42")
    assert invoke(runner, ["circle", "edit", "KC42", "--postal-code", "64105"]).exit_code == 0
    assert "Kansas City Basics" in " ".join(text(client, "FIND 64105", "+18165550150"))
    with uow() as session:
        session.execute(update(Circle).values(archived_at=datetime.now(timezone.utc)))
        session.commit()
    assert "Kansas City Basics" not in " ".join(text(client, "FIND 64105", "+18165550151"))


def test_restore_a_cancelled_meeting_plans_its_reminder_and_a_new_cancel_is_told(runner, uow, monkeypatch):
    monkeypatch.setenv("QUIET_HOURS", "")
    make_circle(uow, code="KC42", weeks=2)
    soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=3)
    with uow() as session:
        session.execute(
            update(Meeting).where(Meeting.seq == 1).values(starts_at=soon, ends_at=soon + timedelta(hours=2))
        )
        session.commit()
    enroll(uow)
    not_cancelled = runner.invoke(main, ["meeting", "restore", "KC42", "1"])
    assert not_cancelled.exit_code == 2 and "meeting 1 of KC42 is not cancelled" in not_cancelled.output
    assert "1 text queued" in invoke(runner, ["meeting", "cancel", "KC42", "1"]).output
    restored = invoke(runner, ["meeting", "restore", "kc42", "1"])
    assert restored.exit_code == 0, restored.output
    assert "meeting 1 of KC42 is back on" in restored.output and "2 texts queued" not in restored.output

    def rows():
        with uow() as session:
            return session.execute(
                select(Outbox.kind, Outbox.status).where(Outbox.kind != "tally").order_by(Outbox.id)
            ).all()

    with uow() as session:
        assert session.scalar(select(Meeting.status).where(Meeting.seq == 1)) == "moved"  # not its weekly time
    assert rows() == [("change", "pending"), ("reminder", "pending")]
    assert "1 text queued" in invoke(runner, ["meeting", "cancel", "KC42", "1"]).output  # told again
    assert invoke(runner, ["meeting", "restore", "KC42", "1"]).exit_code == 0
    assert rows() == [("change", "pending"), ("reminder", "cancelled"), ("change", "pending"), ("reminder", "pending")]


def test_restore_keeps_the_weekly_status_and_refuses_a_past_meeting(runner, uow):
    make_circle(uow, code="KC42", weeks=2)
    invoke(runner, ["meeting", "cancel", "KC42", "2"])
    assert invoke(runner, ["meeting", "restore", "KC42", "2"]).exit_code == 0
    with uow() as session:
        assert session.scalar(select(Meeting.status).where(Meeting.seq == 2)) == "scheduled"
        past = datetime.now(timezone.utc) - timedelta(days=1)
        session.execute(update(Meeting).where(Meeting.seq == 1).values(starts_at=past, status="cancelled"))
        session.commit()
    result = runner.invoke(main, ["meeting", "restore", "KC42", "1"])
    assert result.exit_code == 2 and "which has passed; nothing to restore" in result.output
    assert "has no meeting 7" in runner.invoke(main, ["meeting", "restore", "KC42", "7"]).output


def test_demo_reset_refuses_a_configured_database(runner, uow):
    make_circle(uow, code="KC42")
    result = runner.invoke(main, ["demo", "--reset"])
    assert result.exit_code == 2 and "only works on the embedded demo database" in result.output
    with uow() as session:
        assert session.scalars(select(Circle.code)).all() == ["KC42"]


def test_web_refuses_to_start_without_secret_key(runner, monkeypatch):
    import os

    started = []
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setattr(os, "execvp", lambda *args: started.append(args))
    result = runner.invoke(main, ["web"])
    assert result.exit_code == 1 and "SECRET_KEY is not set" in result.output and "token_hex" in result.output
    assert started == []
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    assert runner.invoke(main, ["web", "--bind", "127.0.0.1:0"]).exit_code == 0
    assert started and "bot:create_app()" in started[0][1]
