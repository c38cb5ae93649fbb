"""``circlebot export CODE``: learners or the facilitator's answers as CSV, never a full number."""

from __future__ import annotations

import click

from bot.cli.base import find_circle, now, runtime


@click.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option(
    "--what",
    type=click.Choice(["learners", "facilitator", "meetings", "calendar"]),
    default="learners",
    show_default=True,
    help="learners: one row per learner (name, #handle, RSVPs, check-ins, survey); "
    "facilitator: the facilitator's answers; meetings: one row per meeting, held by phone or not; "
    "calendar: the meetings as an .ics file (RFC 5545)",
)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="a file instead of standard output")
def export_circle(code, fmt, what, output) -> None:
    """Exports a circle's learners, its facilitator's answers or its meetings as CSV (numbers masked), or its
    meetings as a calendar (``--what calendar --output kc42.ics``)."""
    from bot.reports import export, held

    rt = runtime()
    with rt.uow() as session:
        found = find_circle(session, code)
        code = found.code
        if what == "calendar":
            return _calendar(rt, found, output)
        tables = {"learners": export.learners, "facilitator": export.facilitator, "meetings": held.meetings}
        table = tables[what](session, found)
    text = export.to_csv(table)
    if not output:
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8", newline="") as fp:
        fp.write(text)
    noun = {"learners": ("learner", "learners"), "meetings": ("meeting", "meetings")}.get(what, ("answer", "answers"))
    count = len(table.rows)
    click.echo(f"Wrote {count} {noun[0] if count == 1 else noun[1]} of {code} to {output}")


def _calendar(rt, found, output) -> None:
    """Writes the circle's meetings as iCalendar, to ``output`` or standard output."""
    from bot.domain import phone as phones
    from bot.reports import calendar

    number = rt.settings.texting_number
    data = calendar.ics(found, phones.display(number) if number else None, rt.settings.public_base_url, now())
    if not output:
        click.echo(data.decode("utf-8"), nl=False)
        return
    with open(output, "wb") as fp:
        fp.write(data)
    count = len(found.meetings)
    click.echo(f"Wrote {count} {'meeting' if count == 1 else 'meetings'} of {found.code} to {output}")
