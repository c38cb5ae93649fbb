"""Issue 12 proof "log privacy": the web app and the worker, logging at DEBUG through real flows,
never write a full phone number (nor the auth token) in any record.

The web app runs in this process (every record captured); the worker is ``circlebot worker --burst``
at ``LOG_LEVEL=DEBUG`` sending through the Twilio stand-in, which answers the first send with
Twilio's 21211 error naming the number (``Invalid 'To' Phone Number: +1816…``). The twilio library's
own request lines (``Query Params: {'To': '+1816…'}``) are produced by a reconciliation lookup.
On the old code the worker's warning carried the number in the provider's error text.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from bot import create_app
from tests.helpers import AUTH_TOKEN, BASE_URL, make_circle, post_signed, sms
from tests.processes import TWILIO_SID, circlebot_env, worker_command

FAC = "+18165550100"
LEARNERS = {"+18165550123": "Amina", "+18165550124": "Ben", "+447946095800": "Carla"}
NUMBERS = [FAC, *LEARNERS]


def leaks(text: str) -> list[str]:
    """Every full number (E.164, without its +, or URL-encoded) found in ``text``."""
    found = []
    for number in NUMBERS:
        for form in (number, number[1:], "%2B" + number[1:], number[2:]):
            if form in text:
                found.append(form)
    return found


def test_no_full_number_in_any_record_of_the_web_app_or_the_worker(backend, tmp_path, standin, procs, caplog):
    caplog.set_level(logging.DEBUG)
    app = create_app(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "REDIS_URL": backend["REDIS_URL"],
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "INSTANCE_PATH": str(tmp_path),
            "queue_name": backend["CIRCLEBOT_QUEUE"],
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_FROM": "+18165550199",
            "TWILIO_API_BASE": standin.url,
            "QUIET_HOURS": "",
        }
    )
    runtime = app.extensions["circlebot"]
    client = app.test_client()
    try:
        make_circle(runtime.uow, facilitator=FAC)
        for phone, name in LEARNERS.items():  # joins: notices to the facilitator, reminders
            for body in ("JOIN KC42", name, "1", "Is there parking?"):
                assert post_signed(client, "/twilio/sms", sms(body, phone)).status_code == 200
        assert post_signed(client, "/twilio/sms", sms("MSG KC42 Bring a pen", FAC)).status_code == 200
        assert post_signed(client, "/twilio/sms", sms("HELP", "not a number \x00")).status_code in (200, 400)

        standin.fail_next(1, status=400, code=21211)  # "Invalid 'To' Phone Number: +1816…"
        env = circlebot_env(backend, tmp_path / "instance", standin.url, LOG_LEVEL="DEBUG", QUIET_HOURS="")
        worker = procs.start("worker", worker_command(burst=True), env)
        assert worker.wait(120) == 0, worker.output()
        assert len(standin.messages) >= 5, worker.output()
        assert any(
            "Invalid 'To' Phone Number" in r.getMessage() for r in caplog.records
        ) or "Invalid 'To' Phone Number" in worker.output(tail=10**7), "the stand-in's error must reach a log"

        # A reconciliation lookup: the twilio library logs its query (To=…) at INFO.
        adapter = runtime.channels.adapter("sms")
        adapter.find_sent("+18165550123", "x", datetime.now(timezone.utc) - timedelta(minutes=5))
        assert any(r.name.startswith("twilio") for r in caplog.records)
    finally:
        runtime.uow.engine.dispose()

    records = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in caplog.records)
    output = worker.output(tail=10**7)
    assert "DEBUG" in output or "INFO" in output, "the worker must really log at DEBUG"
    assert leaks(records) == [], [line for line in records.splitlines() if leaks(line)][:5]
    assert leaks(output) == [], [line for line in output.splitlines() if leaks(line)][:5]
    assert AUTH_TOKEN not in records + output and "test-token" not in records + output
