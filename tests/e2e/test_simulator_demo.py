"""The simulator's demo controls through HTTP: numbers read as the server reads them, the demo
clock, fast-forward through a whole circle, and reset. On both backends.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from bot import create_app
from bot.demo import seed as demo
from bot.domain.schedule import zone
from tests.helpers import RUN_QUEUE, replies

LEARNER = "+18165550123"
SECOND = "+18165550124"


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
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


@pytest.fixture
def seeded(sim):
    """The demo seeded at 9:00 in the demo's zone (its first meeting at noon), whatever the real time."""
    runtime = sim.extensions["circlebot"]
    local = runtime.clock().astimezone(zone(demo.DEMO_TIMEZONE))
    nine = datetime.combine(local.date() + timedelta(days=1), time(9, 0), tzinfo=zone(demo.DEMO_TIMEZONE))
    runtime.clock.move_to(nine)
    assert demo.seed(runtime) is True
    assert demo.seed(runtime) is False
    return sim


def say(client, phone: str, body: str) -> list[str]:
    signed = client.post("/simulator/sign", json={"from": phone, "body": body})
    assert signed.status_code == 200, signed.get_json()
    data = signed.get_json()
    return replies(client.post("/twilio/sms", data=data["params"], headers={"X-Twilio-Signature": data["signature"]}))


def conversation(client, phone: str) -> list[dict]:
    response = client.get("/simulator/messages", query_string={"phone": phone})
    assert response.status_code == 200
    return response.get_json()["messages"]


def test_the_page_shows_the_facilitator_and_the_controls(sim):
    html = sim.test_client().get("/simulator").get_data(as_text=True)
    assert demo.FACILITATOR_PHONE in html
    for control in ("fast-forward", "add-learner", "reset"):
        assert f'id="{control}"' in html
    for script in ("simulator.js", "voice.js"):
        assert sim.test_client().get(f"/simulator/static/{script}").status_code == 200


def test_numbers_are_read_as_the_server_reads_them_and_empty_texts_are_refused(seeded):
    client = seeded.test_client()
    signed = client.post("/simulator/sign", json={"from": "(816) 555-0127", "body": "JOIN DEMO"}).get_json()
    assert signed["params"]["From"] == "+18165550127"
    assert client.get("/simulator/messages?phone=(816) 555-0127").get_json()["phone"] == "+18165550127"
    for blank in ("", "   \n"):
        response = client.post("/simulator/sign", json={"from": LEARNER, "body": blank})
        assert response.status_code == 400 and "empty" in response.get_json()["detail"]
    bad = client.post("/simulator/sign", json={"from": "12", "body": "hi"})
    assert bad.status_code == 400 and "phone number" in bad.get_json()["detail"]
    assert client.post("/simulator/sign", data={"from": LEARNER, "body": "hi"}).status_code == 415


def test_inbound_texts_and_replies_carry_the_demo_clock(seeded):
    client = seeded.test_client()
    runtime = seeded.extensions["circlebot"]
    say(client, LEARNER, "JOIN DEMO")
    messages = conversation(client, LEARNER)
    assert [m["direction"] for m in messages] == ["in", "out"]
    assert messages[1]["key"] == messages[0]["key"] + "#0"
    at = datetime.fromisoformat(messages[0]["at"])
    assert abs(at - runtime.clock()) < timedelta(minutes=1)
    assert at > datetime.now(timezone.utc) + timedelta(hours=1)  # the clock was moved to tomorrow 9:00


def test_fast_forward_plays_a_whole_circle(seeded):
    client = seeded.test_client()
    runtime = seeded.extensions["circlebot"]
    start = runtime.clock()
    for phone, name in ((LEARNER, "Amina"), (SECOND, "Ben")):
        say(client, phone, "JOIN DEMO")
        say(client, phone, name)
        assert say(client, phone, "1")[0].startswith(f"You're in, {name}!")
    demo.send_due(runtime, runtime.clock())  # the first meeting's reminder goes out at once
    say(client, LEARNER, "1")  # Amina is coming to the first meeting; Ben never answers

    jumps = []
    for _ in range(40):
        response = client.post("/simulator/fast-forward", json={})
        assert response.status_code == 200
        data = response.get_json()
        if not data["moved"]:
            assert "nothing is planned" in data["detail"]
            break
        assert datetime.fromisoformat(data["now"]) >= datetime.fromisoformat(data["at"])
        jumps.append(data)
    else:
        pytest.fail("fast-forward never ran out of things to send")

    times = [datetime.fromisoformat(j["at"]) for j in jumps]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert times[-1] - start > timedelta(weeks=5)
    labels = [(s["label"], s["to"]) for j in jumps for s in j["sent"]]
    assert labels[0] == ("2-hour tally", demo.FACILITATOR_PHONE)
    assert ("check-in", LEARNER) in labels and ("check-in", SECOND) in labels
    assert ("we miss you", SECOND) in labels
    assert ("meeting reminder", LEARNER) in labels
    assert labels.count(("2-hour tally", demo.FACILITATOR_PHONE)) == 6
    surveys = [i for i, (label, _) in enumerate(labels) if label == "end-of-circle survey"]
    reminders = [i for i, (label, _) in enumerate(labels) if label == "survey reminder"]
    assert len(surveys) == 3 and len(reminders) == 3 and max(surveys) < min(reminders)  # 2 learners + facilitator
    # What fast-forward sent is on the phones, stamped with the demo clock.
    texts = conversation(client, LEARNER)
    checkin = next(m for m in texts if m["body"].startswith("How did this week"))
    assert min(abs(datetime.fromisoformat(checkin["at"]) - t) for t in times) < timedelta(seconds=5)
    assert texts[-1]["body"].startswith("Please finish our short survey")
    assert conversation(client, demo.FACILITATOR_PHONE)[-1]["body"].startswith("Please finish our short survey")
    # When nothing is left to send, the clock stays where the last text went out.
    assert datetime.fromisoformat(data["now"]) - times[-1] < timedelta(minutes=1)


def test_reset_starts_the_demo_again_on_the_real_time(seeded):
    client = seeded.test_client()
    runtime = seeded.extensions["circlebot"]
    say(client, LEARNER, "JOIN DEMO")
    say(client, LEARNER, "Amina")
    assert client.post("/simulator/fast-forward", json={}).get_json()["moved"]
    assert client.post("/simulator/reset").status_code == 415  # not JSON: no cross-site form can reset
    response = client.post("/simulator/reset", json={})
    assert response.status_code == 200
    assert abs(datetime.fromisoformat(response.get_json()["now"]) - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert conversation(client, LEARNER) == []
    with runtime.uow() as session:
        from bot.domain import circles

        found = circles.find(session, demo.DEMO_CODE)
        assert found is not None and circles.summary(session, found)["enrolled"] == 0
    assert say(client, LEARNER, "JOIN DEMO")[0].startswith("Welcome to Demo Circle")
    # The clock file in the instance folder follows: a restarted demo starts at the real time too.
    assert demo.DemoClock(str(seeded.instance_path) + "/" + demo.CLOCK_FILE).offset == timedelta(0)


def test_the_demo_clock_survives_a_restart(tmp_path):
    path = str(tmp_path / demo.CLOCK_FILE)
    clock = demo.DemoClock(path)
    clock.move_to(datetime.now(timezone.utc) + timedelta(days=3))
    clock.move_to(datetime.now(timezone.utc))  # never backward
    assert timedelta(days=3) - demo.DemoClock(path).offset < timedelta(seconds=5)
