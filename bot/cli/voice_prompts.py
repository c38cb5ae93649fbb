"""``circlebot voice prompts list|import|record``: recorded prompts for a language with no Twilio voice.

``list LANG`` prints one key per line (then whether it is recorded, then the words to say), ``import LANG
DIR`` stores ``<key>.wav`` and ``<key>.mp3`` files, and ``record LANG --phone P`` calls P and records each
missing prompt (``bot/outbound/prompt_calls.py``).
"""

from __future__ import annotations

import click

from bot.cli.base import now, runtime


def _language(lang: str) -> str:
    from bot.domain import voice_prompts

    try:
        return voice_prompts.check_language(lang)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc


@click.group()
def voice() -> None:
    """The phone line."""


@voice.group()
def prompts() -> None:
    """Recorded prompts for a language Twilio has no voice for (Swahili)."""


@prompts.command("list")
@click.argument("lang")
@click.option("--missing", "only_missing", is_flag=True, help="only the keys still missing")
def prompts_list(lang: str, only_missing: bool) -> None:
    """Prints every recording the line needs in LANG, one key per line: KEY, recorded or missing, the words.

    The fixed prompts come first (the call-in line's, then the placed calls' and the choices' labels), then
    the fragments dates and numbers are said with, then each circle's name and venue (optional: a prompt is
    phrased without a name or venue that is not recorded). A missing recording is said by the nearest voice,
    as without recordings.
    """
    from bot.domain import voice_prompts

    lang = _language(lang)
    with runtime().uow() as session:
        rows = voice_prompts.status(session, lang)
    for row in rows:
        if only_missing and row.recorded:
            continue
        mark = "recorded" if row.recorded else ("missing (optional)" if row.prompt.optional else "missing")
        click.echo(f"{row.prompt.key}\t{mark}\t{row.prompt.text}")
    from bot.render.voice_prompts import unsayable

    never = unsayable()
    if never and not only_missing:
        click.echo(f"said by the nearest voice, as they hold words no recording can say: {', '.join(never)}", err=True)
    needed = [row for row in rows if not row.prompt.optional]
    missing = sum(1 for row in needed if not row.recorded)
    if missing:
        click.echo(
            f"{missing} of {len(needed)} recordings missing: the line says those in English, as without recordings",
            err=True,
        )
    else:
        click.echo(f"all {len(needed)} recordings are there: the {lang} line plays no <Say>", err=True)


@prompts.command("import")
@click.argument("lang")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, dir_okay=True))
def prompts_import(lang: str, folder: str) -> None:
    """Stores each FOLDER/<key>.wav or <key>.mp3 as the recording of <key> in LANG (replacing an older one).

    Exits 1 when a file was refused (each is named with the reason); the others are stored.
    """
    from bot.domain import voice_prompts

    lang = _language(lang)
    with runtime().uow() as session:
        stored, refused = voice_prompts.import_files(session, lang, folder, now())
        session.commit()
        rows = voice_prompts.status(session, lang)
    for name, reason in refused:
        click.echo(f"{name}: {reason}", err=True)
    missing = sum(1 for row in rows if not row.recorded and not row.prompt.optional)
    click.echo(f"stored {len(stored)} recordings for {lang}; {missing} still missing")
    if refused:
        raise SystemExit(1)


@prompts.command("record")
@click.argument("lang")
@click.option("--phone", required=True, help="the facilitator's or organizer's phone the bot calls")
@click.option("--all", "every", is_flag=True, help="record every prompt again, not only the missing ones")
def prompts_record(lang: str, phone: str, every: bool) -> None:
    """Calls PHONE and records the missing prompts of LANG one by one.

    For each prompt the call says its number and words, beeps, and records until the pound key. Each
    recording is fetched from Twilio, kept here and deleted at Twilio. Prints the script to read along.
    Needs Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM) and a PUBLIC_BASE_URL Twilio reaches.
    """
    from twilio.base.exceptions import TwilioRestException

    from bot.domain import phone as phones
    from bot.domain import voice_prompts
    from bot.outbound import prompt_calls

    lang = _language(lang)
    rt = runtime()
    if not rt.settings.twilio_enabled or not rt.settings.twilio_from:
        raise click.UsageError("recording by phone needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM")
    try:
        number = phones.parse(phone, rt.settings.default_region)
    except phones.PhoneError as exc:
        raise click.UsageError(f"--phone: {exc}") from exc
    try:
        placed = prompt_calls.place(rt.uow, rt.settings, lang, number, every)
    except (prompt_calls.NotStaff, prompt_calls.NothingToRecord) as exc:
        raise click.ClickException(str(exc)) from exc
    except TwilioRestException as exc:
        raise click.ClickException(f"Twilio refused the call: {exc.msg}") from exc
    with rt.uow() as session:
        rows = [row for row in voice_prompts.status(session, lang) if every or not row.recorded]
    click.echo(f"calling {phones.mask(number)} to record {placed.count} {lang} prompts (call {placed.call_sid})")
    for n, row in enumerate(rows, 1):
        click.echo(f"{n}\t{row.prompt.key}\t{row.prompt.text}")
