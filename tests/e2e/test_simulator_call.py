"""The simulator's call mode through HTTP, as the page drives it: signed /twilio/voice requests, the
pretend conference's signed events, and the attendance they leave. On both backends."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from bot import create_app
from bot.demo import seed as demo
from bot.domain.schedule import zone
from tests.helpers import RUN_QUEUE

LEARNER = "+18165550123"


@pytest.fixture
def sim(backend, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "REDIS_URL": backend["REDIS_URL"],
            "INSTANCE_PATH": str(tmp_path),
            "simulator": True,
            "PUBLIC_BASE_URL": "http://localhost:5000",
            "queue_name": RUN_QUEUE,
            "send_rate_per_second": 0.0,
        }
    )
    runtime = app.extensions["circlebot"]
    local = runtime.clock().astimezone(zone(demo.DEMO_TIMEZONE))
    nine = datetime.combine(local.date() + timedelta(days=1), time(9, 0), tzinfo=zone(demo.DEMO_TIMEZONE))
    runtime.clock.move_to(nine)
    demo.seed(runtime)
    yield app
    runtime.uow.engine.dispose()


class Phone:
    """What the simulator's voice.js does for one call: sign, post, parse the TwiML, show what <Say> would speak."""

    def __init__(self, client, number, sid):
        self.client, self.number, self.sid, self.transcript, self.action, self.room = (
            client,
            number,
            sid,
            [],
            None,
            None,
        )

    def step(self, path, digits=None):
        if digits is not None:
            self.transcript.append(f"  keys  {digits or '(silence)'}")
        signed = self.client.post(
            "/simulator/voice/sign", json={"from": self.number, "path": path, "digits": digits, "call_sid": self.sid}
        ).get_json()
        response = self.client.post(path, data=signed["params"], headers={"X-Twilio-Signature": signed["signature"]})
        assert response.status_code == 200, response.get_data(as_text=True)
        twiml = ET.fromstring(response.get_data(as_text=True))
        for say in twiml.iter("Say"):
            self.transcript.append(f"  bot   {say.text}  [{say.get('voice')}, {say.get('language')}]")
        gather = twiml.find("Gather")
        self.action = (lambda u: u.path + "?" + u.query)(urlsplit(gather.get("action"))) if gather is not None else None
        conference = twiml.find("Dial/Conference")
        if conference is not None:
            self.room = conference.text
            role = "facilitator" if conference.get("startConferenceOnEnter") == "true" else "learner, waiting"
            self.transcript.append(f"  conf  joined {self.room} as {role}")
        return twiml

    def event(self, event, sequence):
        signed = self.client.post(
            "/simulator/conference/sign",
            json={"room": self.room, "call_sid": self.sid, "event": event, "sequence": sequence},
        ).get_json()
        response = self.client.post(
            "/twilio/conference", data=signed["params"], headers={"X-Twilio-Signature": signed["signature"]}
        )
        assert response.status_code == 204


def test_dial_in_from_the_simulator_records_attendance(sim, cli_env, capsys):
    from bot.cli import main
    from bot.store.models import Circle

    client = sim.test_client()
    runtime = sim.extensions["circlebot"]
    with runtime.uow() as session:
        circle = session.query(Circle).filter_by(code=demo.DEMO_CODE).one()
        phone_code, first = circle.phone_code, circle.meetings[0].starts_at
    runtime.clock.move_to(first - timedelta(minutes=1))
    facilitator = Phone(client, demo.FACILITATOR_PHONE, "CA" + "f" * 32)
    facilitator.step("/twilio/voice")  # a known number: straight to the code
    assert facilitator.step(facilitator.action, phone_code).find("Dial").get("hangupOnStar") == "true"  # issue 26
    facilitator.event("participant-join", 1)
    facilitator.event("conference-start", 2)
    learner = Phone(client, LEARNER, "CA" + "1" * 32)
    assert learner.step("/twilio/voice").find("Gather").get("numDigits") == "1"  # a new number: the menu
    learner.step(learner.action, "2")
    learner.step(learner.action, "999999")
    learner.step(learner.action, phone_code)
    assert "/twilio/voice/menu" in learner.action  # not in the circle: offered to join first (issue 27)
    joined = learner.step(learner.action, "2")  # 2: into the meeting without joining
    assert joined.find("Dial/Conference").get("startConferenceOnEnter") == "false"
    learner.event("participant-join", 3)
    runtime.clock.move_to(first + timedelta(minutes=45))
    learner.event("participant-leave", 4)
    facilitator.event("participant-leave", 5)
    facilitator.event("conference-end", 6)
    print("\n".join(["learner " + LEARNER] + learner.transcript + ["fac"] + facilitator.transcript))
    assert any("código" in line for line in learner.transcript)
    result = CliRunner().invoke(main, ["circle", "show", demo.DEMO_CODE, "--json"], catch_exceptions=False)
    assert json.loads(result.output)["meetings"][0]["attended"] == 1
    with runtime.uow() as session:
        from bot.store.models import Attendance

        seconds = sorted((a.facilitator, a.seconds) for a in session.query(Attendance))
    assert seconds == [(False, 46 * 60), (True, 46 * 60)]
