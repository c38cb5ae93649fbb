"""Issue 23 through the real service and send job, on both backends: the welcome tells the phone line, the
first relay a facilitator gets says how to answer, and pt "Cancelar" / pl "Koniec" never stop texts unasked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from bot.domain.circles import find
from bot.render import sms
from bot.store.models import Meeting, Rsvp
from flows import keys
from flows.results import Reply
from tests.helpers import address_of, make_circle
from tests.integration.sim import Sim

AMINA, BEN, FAC = "+18165550123", "+18165550124", "+18165550100"
LINE = "+18165550199"  # the number learners text, which is also the voice line


def join(sim, phone, name, menu_number="1", code="KC42"):
    sim.text(phone, f"JOIN {code}"), sim.text(phone, name)
    return sim.text(phone, menu_number)


def phone_code(uow, code="KC42"):
    with uow() as session:
        return find(session, code).phone_code


def test_the_welcome_gives_the_dial_in_number_and_the_phone_code(runtime, uow):
    make_circle(uow)
    sim = Sim(runtime)
    without = join(sim, BEN, "Ben", "4")  # no voice line configured: nothing to tell
    assert len(without) == 1 and phone_code(uow) not in without[0]
    runtime.settings = replace(runtime.settings, twilio_from=LINE)
    welcome = join(sim, AMINA, "Amina")
    assert len(welcome) == 2 and welcome[0].startswith("You're in, Amina!")
    assert welcome[1] == (
        f"To join a meeting by phone, call (816) 555-0199 and type the code {phone_code(uow)}. "
        "A friend with only a landline can join the circle by that call too."
    )


def test_only_the_first_relay_says_how_to_answer(runtime, uow):
    make_circle(uow, facilitator=FAC)
    make_circle(uow, code="OTH1", facilitator="+18165550190")
    sim = Sim(runtime)
    join(sim, AMINA, "Amina"), join(sim, BEN, "Ben"), join(sim, "+18165550191", "Zed", code="OTH1")
    sim.text(AMINA, "Is the library open on Monday?")
    sim.advance(timedelta(minutes=1))
    sim.text(BEN, "Is there parking?")
    sim.text(AMINA, "Thanks!")
    sim.text("+18165550191", "Hello from OTH1")
    sim.advance(timedelta(minutes=1))
    relays = [body for _, body in sim.inbox(FAC) if "(#" in body]
    assert relays == [
        "Amina (#1): Is the library open on Monday?\nTo answer, text #1 and your message.",
        "Ben (#2): Is there parking?",
        "Amina (#1): Thanks!",
    ]
    other = [body for _, body in sim.inbox("+18165550190") if "(#" in body]
    assert other == ["Zed (#1): Hello from OTH1\nTo answer, text #1 and your message."]


def test_cancelar_after_a_reminder_says_no_and_stops_nothing(runtime, uow):
    make_circle(uow)
    sim = Sim(runtime)
    join(sim, AMINA, "Amina", "4")  # pt
    with uow() as session:
        first = session.scalars(select(Meeting.starts_at).order_by(Meeting.starts_at)).first()
    sim.run_until(first - timedelta(hours=6))  # the first reminder went out
    answer = sim.text(AMINA, "Cancelar")
    assert answer == [sms.render((Reply(keys.RSVP_NO),), "pt")]
    with uow() as session:
        assert session.scalar(select(Rsvp.answer)) == "no"
        assert address_of(session, AMINA).opted_out_at is None


def test_koniec_with_no_reminder_asks_and_stops_only_on_a_yes(runtime, uow):
    make_circle(uow)
    sim = Sim(runtime)
    join(sim, AMINA, "Amina", "5")  # pl
    asked = sim.text(AMINA, "Koniec")
    assert len(asked) == 1 and asked[0].startswith(
        "Chcesz wylaczyc wszystkie nasze SMS-y?"
    )  # SMS folds what GSM-7 lacks
    with uow() as session:
        assert address_of(session, AMINA).opted_out_at is None
    assert sim.text(AMINA, "Nie") == ["Dobrze, nadal bedziesz dostawac od nas SMS-y."]
    sim.text(AMINA, "Koniec")
    stopped = sim.text(AMINA, "Tak")
    assert len(stopped) == 1
    with uow() as session:
        assert address_of(session, AMINA).opted_out_at is not None
