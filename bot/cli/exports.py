"""``circlebot export CODE``: learners or the facilitator's answers as CSV, never a full number."""

from __future__ import annotations

import click

from bot.cli.base import find_circle, runtime


@click.command("export")
@click.argument("code")
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option(
    "--what",
    type=click.Choice(["learners", "facilitator", "meetings"]),
    default="learners",
    show_default=True,
    help="learners: one row per learner (name, #handle, RSVPs, check-ins, survey); "
    "facilitator: the facilitator's answers; meetings: one row per meeting, held by phone or not",
)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="a file instead of standard output")
def export_circle(code, fmt, what, output) -> None:
    """Exports a circle's learners, or its facilitator's answers, as CSV (numbers masked)."""
    from bot.reports import export, held

    rt = runtime()
    with rt.uow() as session:
        found = find_circle(session, code)
        code = found.code
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
