"""Issue 12 (6, 7, 8): odd but signed input gets a polite reply or a clear 4xx, never a 5xx, the same
on both backends, and every TwiML reply parses."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.store.models import DeliveryEvent, Meeting, Message
from tests.helpers import make_circle, post_signed, replies, sms, text

FAC = "+18165550100"
AMINA = "+18165550123"
TOO_FAR = "That date is too far ahead."


def join(client, phone=AMINA, name="Amina"):
    text(client, "JOIN KC42", phone), text(client, name, phone), text(client, "1", phone)


def starts(uow):
    with uow() as session:
        return sorted(session.scalars(select(Meeting.starts_at)).all())


# 6. A facilitator's date that cannot be a meeting.
@pytest.mark.parametrize(
    "command",
    [
        "MOVE KC42 9999-12-31 18:00",  # OverflowError in to_utc on the old code
        "MOVE KC42 9999-12-31 11:59PM",
        "MOVE KC42 2099-01-01 18:00",  # computable, but no meeting is 70 years ahead
    ],
)
def test_a_move_too_far_ahead_is_answered_politely(client, uow, command):
    make_circle(uow)
    join(client)
    before = starts(uow)
    answer = text(client, command, FAC)
    assert len(answer) == 1 and answer[0].startswith(TOO_FAR)
    assert starts(uow) == before


def test_the_first_day_of_the_calendar_is_answered_politely(client, uow):
    """Year 1 at midnight in Tokyo (LMT +9:19) is before the first moment ``datetime`` holds."""
    make_circle(uow, tz="Asia/Tokyo")
    before = starts(uow)
    for command in ("MOVE KC42 0001-01-01 00:00", "CANCEL KC42 0001-01-01", "CANCEL KC42 9999-12-31"):
        answer = text(client, command, FAC)  # a 500 on the old code for the first
        assert answer == ["Kansas City Basics has no meeting that fits. Text CIRCLES to see the next ones."], (
            command,
            answer,
        )
    assert starts(uow) == before


def test_the_cli_refuses_a_move_too_far_ahead(cli_env, uow):
    from bot.cli import main

    make_circle(uow)
    before = starts(uow)
    for to in ("9999-12-31T23:30", "9999-12-31T23:30-05:00", "2099-01-01T18:00"):
        result = CliRunner().invoke(main, ["meeting", "move", "KC42", "1", "--to", to])
        assert result.exit_code == 2 and "too far ahead" in result.output, (to, result.output, result.exception)
    assert starts(uow) == before


# 7. Characters XML 1.0 forbids never reach a TwiML reply.
FORBIDDEN = ["\uffff", "\ufffe", "\x01", "\x0b", "\x1f", "\x00"]


@pytest.mark.parametrize("bad", FORBIDDEN, ids=[f"U+{ord(c):04X}" for c in FORBIDDEN])
def test_forbidden_characters_are_removed_on_the_way_in(client, uow, bad):
    make_circle(uow)
    learner = [f"JOIN {bad}", f"FIND {bad}", f"JOIN KC42{bad}", f"{bad}"]
    facilitator = [
        f"TALLY {bad}",
        f"HOW {bad}",
        f"CANCEL {bad}",
        f"MOVE {bad}",
        f"MOVE KC42 {bad} 18:00",
        f"MSG KC42 hello{bad}",
    ]
    for phone, bodies in ((AMINA, learner), (FAC, facilitator)):
        for body in bodies:
            response = post_signed(client, "/twilio/sms", sms(body, phone))
            assert response.status_code == 200, (body, response.get_data(as_text=True))
            ET.fromstring(response.get_data())  # raises on the old code for U+FFFF and U+FFFE
            assert bad not in response.get_data(as_text=True)
    with uow() as session:
        assert not [b for b in session.scalars(select(Message.body)) if bad in b]


def test_clean_text_keeps_what_xml_allows_and_drops_the_rest():
    from webhooks.text import clean_text

    kept = "Olá 😀 𝄞 ß\tnew\nline 日本 \u00a0\ue000\ufffd\U0010fffd"
    assert clean_text(kept) == kept
    assert clean_text("a\ud800b\udfffc\ufffe\uffffd\x00e\x1bf\x7fg\rh") == "abcdefgh"
    assert clean_text("x" * 5000) == "x" * 4096
    every = "".join(map(chr, range(0x110000)))
    assert clean_text(every, limit=len(every)) == "".join(  # the regex is exactly XML 1.0's rule, and Cc
        c for c in every if c in "\t\n" or (unicodedata.category(c) not in ("Cc", "Cs") and c not in "\ufffe\uffff")
    )


# 8. The same answer on both backends: NUL in a MessageSid, a status that lower-cases longer.
def test_a_message_sid_with_nul_is_cleaned_like_the_status_webhook(client, uow):
    make_circle(uow)
    sid = "SM" + "a" * 10 + "\x00" + "b" * 10
    first = post_signed(client, "/twilio/sms", sms("HELP", AMINA, sid=sid))
    assert first.status_code == 200, first.get_data(as_text=True)  # 503 on PostgreSQL with the old code
    replay = post_signed(client, "/twilio/sms", sms("HELP", AMINA, sid=sid.replace("\x00", "")))
    assert replies(replay) == replies(first)  # the same message: answered again, stored once
    with uow() as session:
        stored = session.scalars(select(Message.provider_id).where(Message.direction == "in")).all()
    assert stored == [sid.replace("\x00", "")]


@pytest.mark.parametrize(
    "status, code",
    [
        ("İ" * 9, 400),  # 9 characters, 18 once lower-cased: past the 16-character column
        ("İ" * 16, 400),
        ("DELIVERED", 204),
        ("x" * 17, 400),
        ("\x00sent\x00", 204),
    ],
)
def test_status_sizes_are_checked_after_normalisation(client, uow, status, code):
    params = {"MessageSid": "SM" + "c" * 32, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
    response = post_signed(client, "/twilio/status", params)
    assert response.status_code == code, response.get_data(as_text=True)
    with uow() as session:
        stored = session.scalars(select(DeliveryEvent.status)).all()
        assert stored == ([status.replace("\x00", "").lower()] if code == 204 else [])
        assert session.scalar(select(func.count()).select_from(DeliveryEvent)) == len(stored)
