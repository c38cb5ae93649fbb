"""``circlebot meeting move|cancel|restore``: every active learner is told once, in their language."""

from __future__ import annotations

from datetime import datetime, timezone

import click

from bot.cli.base import find_circle, now, runtime
from bot.domain import circles as ops


@click.group()
def meeting() -> None:
    """Move, cancel or restore a meeting (NUMBER is its # in circlebot circle show)."""


def _change_meeting(code: str, number: int, action) -> None:
    from bot.domain import meetings

    rt = runtime()
    with rt.uow() as session:
        found = find_circle(session, code)
        try:
            planned, message = action(session, rt, found, number)
        except (meetings.MeetingError, ops.CircleError) as exc:
            raise click.UsageError(str(exc)) from exc
        session.commit()
    click.echo(message)


def _texts(n: int) -> str:
    return ops.plural(n, "text", "texts") + " queued"


@meeting.command("move")
@click.argument("code")
@click.argument("number", type=int)
@click.option(
    "--to", "to", required=True, help="ISO-8601, e.g. 2026-12-08T18:30; without an offset it is the circle's local time"
)
def meeting_move(code, number, to) -> None:
    """Moves meeting NUMBER of circle CODE to a new time."""
    from bot.domain import meetings
    from bot.domain.schedule import zone

    def action(session, rt, found, n):
        try:
            new = datetime.fromisoformat(to.replace("Z", "+00:00"))
        except ValueError as exc:
            raise click.BadParameter(f"--to must be ISO-8601 like 2026-12-08T18:30, got {to!r}") from exc
        if new.tzinfo is None:
            new = new.replace(tzinfo=zone(found.timezone))
        try:
            new = new.astimezone(timezone.utc)
        except OverflowError as exc:
            raise click.BadParameter(f"--to is too far ahead: {to!r}") from exc
        planned = meetings.move(session, rt.settings, found, n, new, now())
        return planned, (
            f"meeting {n} of {found.code} moved to {ops.local_time(new, found.timezone)}; {_texts(len(planned))}"
        )

    _change_meeting(code, number, action)


@meeting.command("cancel")
@click.argument("code")
@click.argument("number", type=int)
def meeting_cancel(code, number) -> None:
    """Cancels meeting NUMBER of circle CODE (circlebot meeting restore undoes it)."""
    from bot.domain import meetings

    def action(session, rt, found, n):
        planned = meetings.cancel(session, rt.settings, found, n, now())
        when = ops.local_time(meetings.find(session, found, n).starts_at, found.timezone)
        return planned, f"meeting {n} of {found.code} ({when}) cancelled; {_texts(len(planned))}"

    _change_meeting(code, number, action)


@meeting.command("restore")
@click.argument("code")
@click.argument("number", type=int)
def meeting_restore(code, number) -> None:
    """Puts cancelled meeting NUMBER of circle CODE back at its time; its reminder goes out as usual."""

    def action(session, rt, found, n):
        restored, planned = ops.restore_meeting(session, rt.settings, found, n, now())
        return planned, (
            f"meeting {n} of {found.code} is back on, {ops.local_time(restored.starts_at, found.timezone)}."
            " Learners are not texted now: their reminder goes out as usual before it "
            f"(the facilitator can text them sooner with MSG {found.code} ...)"
        )

    _change_meeting(code, number, action)
