"""``/healthz`` and the phone simulator."""

from __future__ import annotations

import pytest

from bot import create_app
from tests.helpers import AUTH_TOKEN, BASE_URL, RUN_QUEUE, make_circle


def test_healthz_ok(client, backend):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok" and body["queue"] == "ok"
    assert body["queue_backend"] == ("embedded" if backend["name"] == "sqlite" else "redis")


@pytest.mark.parametrize("down", ["database", "queue"])
def test_healthz_503_when_a_service_is_down(tmp_path, down):
    overrides = {"DATABASE_URL": f"sqlite:///{tmp_path}/ok.sqlite3", "INSTANCE_PATH": str(tmp_path)}
    if down == "database":
        overrides["DATABASE_URL"] = "postgresql://postgres@127.0.0.1:1/nothing"
    else:
        overrides["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = create_app(overrides).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()[down].startswith("down")


def test_database_down_gives_503_not_500(tmp_path):
    from tests.helpers import post_signed, sms

    app = create_app(
        {
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nothing",
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    response = post_signed(app.test_client(), "/twilio/sms", sms("JOIN KC42"))
    assert response.status_code == 503
    assert "retry" in response.get_json()["detail"]


def test_simulator_is_off_unless_enabled(client):
    assert client.get("/simulator").status_code == 404


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
        }
    )
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def test_simulator_posts_signed_requests_to_the_real_webhook(sim):
    runtime = sim.extensions["circlebot"]
    make_circle(runtime.uow, code="DEMO")
    client = sim.test_client()
    assert b"Phone simulator" in client.get("/simulator").data
    for body in ("JOIN DEMO", "Amina", "1"):
        signed = client.post("/simulator/sign", json={"from": "+18165550123", "body": body}).get_json()
        response = client.post(
            "/twilio/sms", data=signed["params"], headers={"X-Twilio-Signature": signed["signature"]}
        )
        assert response.status_code == 200
    forged = client.post("/twilio/sms", data=signed["params"], headers={"X-Twilio-Signature": "x"})
    assert forged.status_code == 403
    messages = client.get("/simulator/messages?phone=%2B18165550123").get_json()["messages"]
    assert [m["direction"] for m in messages] == ["in", "out", "in", "out", "in", "out", "out"]
    assert messages[-2]["body"].startswith("You're in, Amina!")
    assert messages[-1]["body"].startswith("To join a meeting by phone, call ")  # the demo's number is its voice line
    assert client.get("/simulator/messages?phone=nope").status_code == 400
