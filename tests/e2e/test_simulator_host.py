"""The host menu in the simulator (issue 26), through HTTP as the simulator's voice.js drives it: the facilitator's
phone presses * and gets the menu, "2" mutes the learner's phone (which then reads "muted"), and "9", "9"
ends the call for everyone. With no Twilio credentials nothing is sent; the pretend conference's state
is what the phones read (``/simulator/call/state``). On both backends."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from bot.demo import seed as demo
from tests.e2e.test_simulator_call import LEARNER, Phone, sim

__all__ = ["sim"]


def state(client, sid):
    return client.get("/simulator/call/state", query_string={"call_sid": sid}).get_json()


def test_star_menu_mute_and_end_in_the_simulator(sim):
    from bot.store.models import Circle

    client = sim.test_client()
    runtime = sim.extensions["circlebot"]
    with runtime.uow() as session:
        circle = session.query(Circle).filter_by(code=demo.DEMO_CODE).one()
        phone_code, first = circle.phone_code, circle.meetings[0].starts_at
    runtime.clock.move_to(first - timedelta(minutes=1))
    facilitator = Phone(client, demo.FACILITATOR_PHONE, "CA" + "f" * 32)
    facilitator.step("/twilio/voice")
    dial = facilitator.step(facilitator.action, phone_code).find("Dial")
    host = (lambda u: u.path + "?" + u.query)(urlsplit(dial.get("action")))
    facilitator.event("participant-join", 1)
    facilitator.event("conference-start", 2)
    learner = Phone(client, LEARNER, "CA" + "1" * 32)
    learner.step("/twilio/voice")
    learner.step(learner.action, "1")
    assert learner.step(learner.action, phone_code).find("Dial") is None  # not in the circle: offered to join
    assert learner.step(learner.action, "2").find("Dial").get("hangupOnStar") is None  # 2: in without joining
    learner.event("participant-join", 3)
    assert state(client, learner.sid) == {"muted": False, "on_line": True}

    facilitator.event("participant-leave", 4)  # * : Twilio takes the facilitator out of the room
    menu = facilitator.step(host)
    assert "Host menu" in menu.find("Gather/Say").text
    back = facilitator.step(facilitator.action, "2")
    assert back.find("Dial/Conference").text == facilitator.room and "1 caller is muted" in back.find("Say").text
    assert state(client, learner.sid) == {"muted": True, "on_line": True}
    facilitator.event("participant-join", 5)

    facilitator.event("participant-leave", 6)
    facilitator.step(host)
    facilitator.step(facilitator.action, "9")
    ended = facilitator.step(facilitator.action, "9")
    assert ended.find("Hangup") is not None
    assert state(client, learner.sid)["on_line"] is False  # the simulator's phone ends its call
    assert client.get("/simulator/call/state").status_code == 400
