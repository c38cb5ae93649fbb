"""Issue 22, item 4, end to end on ``POST /telegram`` (real PTB, the Bot API stand-in, both backends): a tap
counts for the question its keyboard asked, or is refused politely in the learner's language."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.render.i18n import gettext
from bot.render.texts import TEXTS
from bot.store.models import Answer, Circle, Enrollment, Meeting, Rsvp
from flows import keys
from tests.e2e.test_telegram import buttons, signup, tg  # noqa: F401 - the fixture
from tests.helpers import make_circle
from tests.integration.sim import Sim
from tests.telegram_helpers import answer, message_update, tap_update


def keyboards(api) -> list[list[str]]:
    """The callback data of every keyboard the bot sent through the Bot API, in order."""
    return [
        [b["callback_data"] for row in p["reply_markup"]["inline_keyboard"] for b in row]
        for p in api.of("sendMessage")
        if p.get("reply_markup")
    ]


def test_a_tap_on_an_old_reminder_is_refused_and_the_open_check_in_keeps_its_own(tg):  # noqa: F811
    client, rt, api = tg
    make_circle(rt.uow, weeks=3)
    signup(client)
    with rt.uow() as session:
        first_id, first = session.execute(select(Meeting.id, Meeting.starts_at).order_by(Meeting.seq)).first()
    sim = Sim(rt, quiet_hours="")
    sim.run_until(first - timedelta(hours=20), step=timedelta(hours=2))
    assert keyboards(api)[-1] == [f"r:{first_id}|1", f"r:{first_id}|2"]  # the reminder names its meeting
    sim.run_until(first + timedelta(hours=20), step=timedelta(hours=2))
    checkin = keyboards(api)[-1]
    assert checkin == ["c:KC42:1|1", "c:KC42:1|2", "c:KC42:1|3"]

    refused = answer(client, tap_update(f"r:{first_id}|1", message_id=7001))  # "Ndiyo" on the old reminder
    assert refused["method"] == "sendMessage"
    assert refused["text"] == gettext(TEXTS[keys.TAP_CLOSED], "sw")
    with rt.uow() as session:
        assert session.scalars(select(Rsvp)).all() == [] and session.scalars(select(Answer)).all() == []

    answer(client, tap_update(checkin[0], message_id=7002))
    with rt.uow() as session:
        assert session.execute(select(Answer.question_key, Answer.value)).all() == [("checkin:1", "great")]
        assert session.scalars(select(Rsvp)).all() == []


def test_a_tap_on_the_reminder_is_the_rsvp_while_the_leave_menu_is_open(tg):  # noqa: F811
    client, rt, api = tg
    make_circle(rt.uow, weeks=3)
    make_circle(rt.uow, code="MIA7", name="Miami Readers", facilitator="+13055550100", weeks=3)
    signup(client)
    answer(client, message_update("JOIN MIA7"))
    with rt.uow() as session:
        first = session.scalar(select(Meeting.starts_at).order_by(Meeting.starts_at))
    sim = Sim(rt, quiet_hours="")
    sim.run_until(first - timedelta(hours=20), step=timedelta(hours=2))
    reminder = keyboards(api)[-1]
    first_id = int(reminder[0].split("|")[0].removeprefix("r:"))
    assert reminder == [f"r:{first_id}|1", f"r:{first_id}|2"]
    menu = answer(client, message_update("LEAVE"))  # a newer question that also takes "1"
    assert len(buttons(menu)) == 2
    answer(client, tap_update(reminder[0], message_id=7003))  # yes, on the reminder's keyboard
    with rt.uow() as session:
        assert session.execute(select(Rsvp.meeting_id, Rsvp.answer)).all() == [(first_id, "yes")]
        assert session.scalars(select(Enrollment.status)).all() == ["active", "active"]  # nobody left


def test_an_old_leave_menu_never_leaves_another_circle(tg):  # noqa: F811
    client, rt, _ = tg
    make_circle(rt.uow)
    make_circle(rt.uow, code="MIA7", name="Miami Readers", facilitator="+13055550100")
    make_circle(rt.uow, code="ZZ99", name="Zanzibar Basics", facilitator="+254712000000")
    signup(client)
    answer(client, message_update("JOIN MIA7")), answer(client, message_update("JOIN ZZ99"))
    menu = answer(client, message_update("LEAVE"))
    old = [data for _, data in buttons(menu)]
    topic = old[0].split("|")[0]
    assert old == [f"{topic}|ONDOKA ZZ99", f"{topic}|ONDOKA MIA7", f"{topic}|ONDOKA KC42"]  # each its phrase
    answer(client, message_update("LEAVE ZZ99"))
    new = [data for _, data in buttons(answer(client, message_update("LEAVE")))]
    assert [data.split("|")[1] for data in new] == ["ONDOKA MIA7", "ONDOKA KC42"]
    refused = answer(client, tap_update(old[0], message_id=7004))  # its button 1 named Zanzibar Basics
    assert refused["text"] == gettext(TEXTS[keys.TAP_CLOSED], "sw")
    with rt.uow() as session:
        left = session.scalars(
            select(Circle.code).join(Enrollment).where(Enrollment.status == "left").order_by(Circle.code)
        ).all()
    assert left == ["ZZ99"]  # Miami Readers, today's button 1, is still hers


def test_a_tap_on_the_open_leave_question_is_its_phrase_and_a_typed_digit_never_leaves(tg):  # noqa: F811
    client, rt, _ = tg
    make_circle(rt.uow)
    make_circle(rt.uow, code="MIA7", name="Miami Readers", facilitator="+13055550100")
    signup(client)
    answer(client, message_update("JOIN MIA7"))
    menu = answer(client, message_update("Ondoka"))
    assert [text for text, _ in buttons(menu)] == ["ONDOKA MIA7 (Miami Readers)", "ONDOKA KC42 (Kansas City Basics)"]
    reminded = answer(client, message_update("1"))  # a digit: reminded of the phrases, nothing changes
    assert reminded["text"].startswith(gettext(TEXTS[keys.LEAVE_EXACT], "sw"))
    assert [data for _, data in buttons(reminded)] == [data for _, data in buttons(menu)]
    answer(client, message_update("Sawa"))
    with rt.uow() as session:
        assert session.scalars(select(Enrollment.status)).all() == ["active", "active"]
    answer(client, tap_update(buttons(menu)[1][1], message_id=7005))  # a tap is the phrase typed
    with rt.uow() as session:
        left = session.scalars(select(Circle.code).join(Enrollment).where(Enrollment.status == "left")).all()
    assert left == ["KC42"]
