"""Paper sign-up sheets (issue 24, item 8), on every backend: ``circlebot learner import CODE sheet.csv``
and the same upload on the roster page.

Every line that can be added is added like "add on paper" (consent source "added by facilitator", one
welcome text; ``voice`` lines get calls instead); every other line is named with its line number and why;
the same sheet imported again adds nobody twice; the exit status is 0 only when every line is in.
"""

from __future__ import annotations

import io
import re

from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import main
from bot.domain.contacts import ConsentSource
from bot.store.models import Address, Enrollment, Outbox
from tests.e2e.test_facilitator_pages import csrf, get, pages, post, sign_in  # noqa: F401  (the fixture)
from tests.helpers import address_of, make_circle

SHEET = """name,phone,language,channel
Amina,(816) 555-0141,,
Bongani,+18165550142,es,SMS

Carla,816-555-0143,Français,voice
,8165550144,,
Dee,555-01,,
Eve,+18165550145,xx,
Fay,+18165550146,,fax
Amina,816 555 0141,,
"""
CLEAN = "Phone;Name\n(816) 555-0141;Amina\n+18165550147;Gus\n"  # semicolons, as many spreadsheets save


def _import(path) -> object:
    return CliRunner().invoke(main, ["learner", "import", "kc42", str(path)])


def _welcomes(uow, phone: str) -> int:
    with uow() as session:
        return session.scalar(select(func.count()).select_from(Outbox).where(Outbox.address == phone)) or 0


def test_learner_import_adds_every_good_line_and_names_every_bad_one(cli_env, uow, tmp_path):
    make_circle(uow, facilitator="+18165550100")
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(b"\xef\xbb\xbf" + SHEET.encode())  # the BOM Excel writes
    result = _import(sheet)
    assert result.exit_code == 1, result.output
    refusals = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert refusals == [
        "line 6: the name is missing",
        'line 7: "555-01" is not a phone number',
        'line 8: "xx" is not a language circlebot speaks (en, es, fr, pt, pl, sw)',
        'line 9: "fax" is not a channel: write sms or voice',
    ]
    assert result.stdout.strip() == "KC42: 3 added, 1 already in the circle, 4 refused (above)"
    with uow() as session:
        amina = address_of(session, "+18165550141")
        assert amina.consent_source == ConsentSource.ADDED_BY_FACILITATOR
        bongani = address_of(session, "+18165550142")
        assert bongani.contact.language == "es"
        carla = session.scalar(select(Address).where(Address.value == "+18165550143"))
        assert carla.channel == "voice" and carla.contact.language == "fr"
        assert session.scalar(select(func.count()).select_from(Enrollment)) == 3
    welcomed = _welcomes(uow, "+18165550141")
    assert welcomed >= 1

    again = _import(sheet)
    assert again.exit_code == 1 and again.stdout.strip() == "KC42: 0 added, 4 already in the circle, 4 refused (above)"
    clean = tmp_path / "clean.csv"
    clean.write_text(CLEAN)
    done = _import(clean)
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "KC42: 1 added, 1 already in the circle"
    assert _welcomes(uow, "+18165550141") == welcomed  # nobody added (or welcomed) twice
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Enrollment)) == 4

    empty = tmp_path / "empty.csv"
    empty.write_text("who,number\nAmina,+18165550141\n")
    refused = _import(empty)
    assert refused.exit_code == 1 and "the first line must name the columns" in refused.output
    assert CliRunner().invoke(main, ["learner", "import", "NOPE", str(clean)]).exit_code == 2


def test_the_roster_page_takes_the_same_sheet(pages, uow):  # noqa: F811
    make_circle(uow, facilitator="+18165550100")
    sign_in(pages, uow, "+18165550100")
    roster = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in roster and 'type="file"' in roster
    token = csrf(pages, "/facilitator/circles/KC42/roster")
    answer = post(
        pages,
        "/facilitator/circles/KC42/roster/import",
        {"sheet": (io.BytesIO(SHEET.encode()), "sheet.csv")},
        token=token,
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "3 learners added." in page
    assert re.search(r"Line 7: .{0,12}555-01.{0,12} is not a phone number", page)
    assert "Line 6: the name is missing." in page
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Enrollment)) == 3
    again = post(
        pages,
        "/facilitator/circles/KC42/roster/import",
        {"sheet": (io.BytesIO(CLEAN.encode()), "clean.csv")},
        token=token,
        content_type="multipart/form-data",
    )
    assert again.status_code == 200 and "1 learner added." in again.get_data(as_text=True)
    assert "1 was already in the circle." in again.get_data(as_text=True)
    nothing = post(pages, "/facilitator/circles/KC42/roster/import", {}, token=token)
    assert nothing.status_code == 400
