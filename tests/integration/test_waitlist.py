"""Issue 12 (5): a freed place is offered to the waiting list in order, in each learner's language; a
no or an offer left unanswered passes it on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.store.models import Enrollment
from tests.helpers import contact_of, make_circle
from tests.integration.sim import Sim

AMINA, BEN, CARLA, DIEGO = "+18165550141", "+18165550142", "+18165550143", "+18165550144"


def join(sim, phone, name, number="1"):
    sim.text(phone, "JOIN KC42"), sim.text(phone, name)
    return sim.text(phone, number)


def status(runtime, phone):
    with runtime.uow() as session:
        return session.scalar(select(Enrollment.status).where(Enrollment.contact_id == contact_of(session, phone).id))


def offers(sim, phone):
    return [b for _, b in sim.inbox(phone) if "place" in b or "lugar" in b]


def test_a_place_freed_by_leave_goes_to_the_waiting_list_in_order(runtime):
    make_circle(runtime.uow, capacity=1)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    join(sim, BEN, "Ben", number="2")  # Spanish
    join(sim, CARLA, "Carla")
    join(sim, DIEGO, "Diego")
    sim.advance(timedelta(minutes=1))
    assert not offers(sim, BEN)  # no free place yet
    assert "LEAVE KC42" in sim.text(AMINA, "LEAVE")[0]  # LEAVE alone asks; only its phrase leaves (issue 22)
    sim.text(AMINA, "LEAVE KC42")
    sim.advance(timedelta(minutes=1))
    offer = offers(sim, BEN)
    assert (
        len(offer) == 1 and offer[0].startswith("¡Buenas noticias, Ben") and offer[0].endswith("Responde 1 si, 2 no.")
    )  # folded to GSM-7 on SMS
    assert not offers(sim, CARLA)
    assert sim.text(BEN, "no")[0].startswith("De acuerdo")  # Ben declines: the place passes to Carla
    sim.advance(timedelta(minutes=1))
    assert status(runtime, BEN) == "left" and len(offers(sim, CARLA)) == 1
    sim.advance(timedelta(days=2, minutes=5))  # Carla never answers: the offer lapses and passes on
    assert len(offers(sim, DIEGO)) == 1 and status(runtime, CARLA) == "waitlist"
    assert sim.text(DIEGO, "1")[0].startswith("You're in, Diego!")
    assert status(runtime, DIEGO) == "active"
    sim.advance(timedelta(days=3))
    assert len(offers(sim, CARLA)) == 1  # a place is offered once per learner


def test_a_place_freed_by_forget_is_offered_and_a_taken_place_is_said_so(runtime):
    make_circle(runtime.uow, capacity=1)
    sim = Sim(runtime, quiet_hours="")
    join(sim, AMINA, "Amina")
    join(sim, BEN, "Ben")
    sim.text(AMINA, "FORGET"), sim.text(AMINA, "FORGET YES")
    sim.advance(timedelta(minutes=1))
    assert len(offers(sim, BEN)) == 1
    assert sim.text(BEN, "yes")[0].startswith("You're in, Ben!")
