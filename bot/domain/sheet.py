"""Paper sign-up sheets: a CSV of ``name, phone[, language, channel]``, each line added like "add on paper".

``circlebot learner import CODE sheet.csv`` and the roster page's upload both read a sheet here. Each line
is added in its own transaction (consent source "added by facilitator", one welcome text, or reminder calls
for ``channel = voice``), so a line that cannot be added is reported, with its line number and why, and
every other line is still added. A number already in the circle counts as in and is not added twice, so the
same sheet imported again adds nobody.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import phone as phones
from bot.domain import roster
from bot.domain.circles import NAME_MAX
from bot.domain.enrollments import EnrollmentStatus
from bot.store.models import Circle
from flows import languages

COLUMNS = ("name", "phone", "language", "channel")
CHANNELS = ("sms", "voice")  # sms: texts; voice: reminder calls (a landline)
MOST_BYTES, MOST_LINES = 256 * 1024, 2000
# Why a line was refused (each said in the facilitator's words by the CLI and the pages).
NO_NAME, LONG_NAME, BAD_PHONE, BAD_LANGUAGE, BAD_CHANNEL = "no_name", "long_name", "phone", "language", "channel"
STOPPED, ELSEWHERE = "stopped", "elsewhere"


class SheetError(ValueError):
    """A sheet that cannot be read at all; ``reason``: ``empty``, ``columns``, ``too_big`` or ``encoding``."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Line:
    """One line of the sheet as typed: ``number`` is its line in the file (the header is line 1)."""

    number: int
    name: str
    phone: str
    language: str
    channel: str


@dataclass(frozen=True)
class Refused:
    """A line that was not added: its number, the reason (one of the constants above) and the cell at fault."""

    line: int
    reason: str
    value: str


@dataclass
class Report:
    """What an import did: learners added to the circle, put on its waiting list, already in, and refused."""

    added: int = 0
    waitlisted: int = 0
    already: int = 0
    refused: list[Refused] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every line is in the circle (or its waiting list) now."""
        return not self.refused


def read(data: bytes) -> list[Line]:
    """The sheet's lines. The first line names the columns (any order, any case; ``name`` and ``phone``
    needed); the separator may be a comma, a semicolon or a tab (spreadsheets in many languages save with
    semicolons); UTF-8 (with or without the BOM Excel writes) or, failing that, Windows-1252.

    Raises:
        SheetError: the sheet is empty, too big, or has no ``name`` and ``phone`` columns.
    """
    if len(data) > MOST_BYTES:
        raise SheetError(f"the sheet is larger than {MOST_BYTES // 1024} KB", "too_big")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if not text.strip():
        raise SheetError("the sheet is empty", "empty")
    first = text.splitlines()[0]
    delimiter = max(",;\t", key=first.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [cell.strip().lower() for cell in next(rows)]
    if "name" not in header or "phone" not in header:
        raise SheetError("the first line must name the columns: name, phone (and language, channel)", "columns")
    where = {column: header.index(column) for column in COLUMNS if column in header}
    lines = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue  # a blank line between blocks of names

        def cell(column: str, row: list[str] = row) -> str:
            at = where.get(column)
            return row[at].strip() if at is not None and at < len(row) else ""

        lines.append(Line(rows.line_num, cell("name"), cell("phone"), cell("language"), cell("channel")))
        if len(lines) > MOST_LINES:
            raise SheetError(f"the sheet has more than {MOST_LINES} lines", "too_big")
    return lines


def check(line: Line, region: str, circle_language: str) -> tuple[str, str, str] | Refused:
    """The line's (E.164 phone, language, channel), or why it cannot be added."""
    if not line.name:
        return Refused(line.number, NO_NAME, "")
    if len(line.name) > NAME_MAX:
        return Refused(line.number, LONG_NAME, line.name)
    try:
        number = phones.parse(line.phone, region)
    except phones.PhoneError:
        return Refused(line.number, BAD_PHONE, line.phone)
    language = _language(line.language) if line.language else circle_language
    if language is None:
        return Refused(line.number, BAD_LANGUAGE, line.language)
    channel = (line.channel or "sms").lower()
    if channel not in CHANNELS:
        return Refused(line.number, BAD_CHANNEL, line.channel)
    return number, language, channel


def _language(typed: str) -> str | None:
    """A language code (``es``) or its own name (``Español``), any case; None when circlebot has no such one."""
    folded = typed.strip().casefold()
    for code, name in languages.NAMES.items():
        if folded in (code, name.casefold(), name.split(" ")[0].casefold()):
            return code
    return None


def add(
    uow: Callable,
    settings,
    circle_id: int,
    lines: Iterable[Line],
    now: datetime,
    region: str,
    allowed: Callable[[object, str], bool] | None = None,
) -> Report:
    """Adds every line to the circle, each in its own unit of work (committed, its texts queued).

    ``allowed(session, number)``: False refuses a number (``elsewhere``) without saying why, as the
    pages do for a number none of the facilitator's circles has ever had. ``lines`` may be a progress
    bar wrapping the list.
    """
    report = Report()
    for line in lines:
        checked = None
        with uow() as session:
            circle = session.get(Circle, circle_id)
            checked = check(line, region, circle.language)
            if isinstance(checked, Refused):
                report.refused.append(checked)
                continue
            number, language, channel = checked
            if allowed is not None and not allowed(session, number):
                report.refused.append(Refused(line.number, ELSEWHERE, line.phone))
                continue
            adder = roster.add_landline if channel == "voice" else roster.add_on_paper
            try:
                status, _planned = adder(session, settings, circle, line.name, number, language, now)
            except roster.RosterError as exc:
                session.rollback()
                if exc.reason == "already":
                    report.already += 1
                else:
                    report.refused.append(Refused(line.number, STOPPED, line.phone))
                continue
            session.commit()
        if status == EnrollmentStatus.WAITLIST:
            report.waitlisted += 1
        else:
            report.added += 1
    return report
