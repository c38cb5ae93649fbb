"""``circlebot learner add``: a learner who signed up on paper, reached by texts or, for a landline, by calls."""

from __future__ import annotations

import sys

import click

from bot.cli.base import find_circle, now, runtime
from bot.domain import phone as phones
from bot.domain.enrollments import EnrollmentStatus
from flows import languages


@click.group()
def learner() -> None:
    """Learners of a circle."""


@learner.command("add")
@click.argument("code")
@click.argument("phone")
@click.option("--name", required=True, help="their first name")
@click.option("--landline", is_flag=True, help="reach them by phone calls (reminders, surveys) instead of texts")
@click.option("--language", type=click.Choice(languages.SHIPPED), help="their language (default: the circle's)")
def learner_add(code, phone, name, landline, language) -> None:
    """Adds the learner at PHONE to circle CODE; consent is recorded as added by the facilitator.

    By text they get one welcome text that says how to STOP; with --landline they get reminder calls, and
    the first call says how to stop. A full circle puts them on the waiting list.
    """
    from bot.domain import contacts, express_consent, roster

    rt = runtime()
    try:
        number = phones.parse(phone, rt.settings.default_region)
    except phones.PhoneError as exc:
        raise click.UsageError(f"phone: {exc}") from exc
    name = name.strip()
    if not name or len(name) > 40:
        raise click.UsageError("--name: give a first name of at most 40 characters")
    with rt.uow() as session:
        found = find_circle(session, code)
        add = roster.add_landline if landline else roster.add_on_paper
        asked = not landline and express_consent.required(rt.settings, found.timezone)
        asked = asked and contacts.by_phone(session, number) is None
        try:
            status, planned = add(session, rt.settings, found, name, number, language or found.language, now())
        except roster.RosterError as exc:
            raise click.ClickException(
                {
                    "already": "they are already in this circle or on its waiting list",
                    "stopped": "that number asked us to stop, so it cannot be added",
                }.get(exc.reason, exc.reason)
            ) from exc
        session.commit()
        circle_code = found.code
    how = "reminder calls (the first says how to stop)" if landline else "one welcome text that says how to STOP"
    if asked:  # express consent (Kenya): bot/domain/express_consent.py
        how = "one text asking them to reply YES, and nothing scheduled until they do"
    where = "the waiting list of" if status == EnrollmentStatus.WAITLIST else "circle"
    click.echo(f"{phones.mask(number)} ({name}) is on {where} {circle_code}; they get {how}")


REFUSALS = {
    "no_name": lambda v: "the name is missing",
    "long_name": lambda v: f'"{v}" is longer than 40 characters',
    "phone": lambda v: f'"{v}" is not a phone number',
    "language": lambda v: f'"{v}" is not a language circlebot speaks ({", ".join(languages.SHIPPED)})',
    "channel": lambda v: f'"{v}" is not a channel: write sms or voice',
    "stopped": lambda v: "that number asked us to stop, so it cannot be added",
}


@learner.command("import")
@click.argument("code")
@click.argument("sheet", type=click.Path(exists=True, dir_okay=False, readable=True))
def learner_import(code, sheet) -> None:
    """Adds every learner of a paper sign-up SHEET (CSV) to circle CODE, like ``learner add`` for each line.

    The first line names the columns: name, phone, and optionally language (en, es, fr, pt, pl, sw; the
    circle's when blank) and channel (sms, or voice for a landline). A line that cannot be added is named
    with its line number and why; every other line is added. Learners already in the circle are not added
    twice. Exit status 0 when every line is in the circle, 1 when some line was refused.
    """
    from bot.domain import sheet as sheets

    rt = runtime()
    with open(sheet, "rb") as fp:
        data = fp.read(sheets.MOST_BYTES + 1)
    try:
        lines = sheets.read(data)
    except sheets.SheetError as exc:
        raise click.ClickException(f"{sheet}: {exc}") from exc
    with rt.uow() as session:
        found = find_circle(session, code)
        circle_id, circle_code = found.id, found.code
    with click.progressbar(lines, label=f"Adding to {circle_code}", file=sys.stderr) as bar:
        report = sheets.add(rt.uow, rt.settings, circle_id, bar, now(), rt.settings.default_region)
    for refused in report.refused:
        click.echo(f"line {refused.line}: {REFUSALS[refused.reason](refused.value)}", err=True)
    parts = [f"{report.added} added"]
    if report.waitlisted:
        parts.append(f"{report.waitlisted} on the waiting list (the circle is full)")
    if report.already:
        parts.append(f"{report.already} already in the circle")
    if report.refused:
        parts.append(f"{len(report.refused)} refused (above)")
    click.echo(f"{circle_code}: " + ", ".join(parts))
    if report.refused:
        raise SystemExit(1)
