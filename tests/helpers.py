"""Test helpers: real payloads, real signatures (the twilio SDK's RequestValidator)."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from datetime import datetime, time, timedelta, timezone

from twilio.request_validator import RequestValidator

AUTH_TOKEN = "test-auth-token-0123456789abcdef"
BASE_URL = "https://circlebot.example.org"
PAYLOADS = os.path.join(os.path.dirname(__file__), "fixtures", "payloads")
# This test run's queue namespace (CIRCLEBOT_QUEUE): its RQ queue, job ids and Redis keys. Each run
# (and each xdist worker) has its own, as it has its own PostgreSQL database, so two runs sharing a
# Redis db never see or delete each other's jobs, even though RESTART IDENTITY repeats outbox ids.
RUN_QUEUE = f"circlebot-test-{os.getpid()}-{secrets.token_hex(3)}"
SECRET_KEY = "test-secret-key-for-sessions"  # the test apps' SECRET_KEY


def test_app(backend, tmp_path, **extra):
    """The app on ``backend`` with the tests' Twilio token, public URL, queue and secret (``extra`` adds
    settings: ``TRUSTED_PROXIES``, ``P2PU_API_BASE``…), in TESTING mode."""
    from bot import create_app

    app = create_app(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "REDIS_URL": backend["REDIS_URL"],
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "INSTANCE_PATH": str(tmp_path),
            "queue_name": RUN_QUEUE,
            "SECRET_KEY": SECRET_KEY,
            **extra,
        }
    )
    app.config["TESTING"] = True
    return app


test_app.__test__ = False  # a helper, not a test


def payload(name: str):
    """A sample provider payload from tests/fixtures/payloads (copied from shared/payloads)."""
    with open(os.path.join(PAYLOADS, name), encoding="utf-8") as fp:
        return json.load(fp)


def sign(path: str, params: dict, token: str = AUTH_TOKEN) -> str:
    """The X-Twilio-Signature Twilio would send for ``params`` posted to ``BASE_URL + path``."""
    return RequestValidator(token).compute_signature(BASE_URL + path, params)


def sms(body: str, sender: str = "+18165550123", sid: str | None = None, **extra) -> dict:
    """The real inbound SMS payload with a new MessageSid, sender and body."""
    params = payload("twilio-sms-inbound.json")
    sid = sid or "SM" + secrets.token_hex(16)
    params.update({"Body": body, "From": sender, "MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid})
    params.update(extra)
    return params


def post_signed(client, path: str, params: dict, signature: str | None = None):
    """Posts ``params`` as a form with a valid signature (or the one given)."""
    headers = {"X-Twilio-Signature": signature if signature is not None else sign(path, params)}
    return client.post(path, data=params, headers=headers)


def replies(response) -> list[str]:
    """The texts of the <Message> elements of a TwiML response."""
    import xml.etree.ElementTree as ET

    assert response.status_code == 200, response.get_data(as_text=True)
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return [(m.text or "") for m in root.iter("Message")]


def text(client, body: str, sender: str = "+18165550123") -> list[str]:
    """Texts the bot through the signed webhook and returns its replies."""
    return replies(post_signed(client, "/twilio/sms", sms(body, sender)))


def make_circle(
    uow,
    code="KC42",
    capacity=12,
    name="Kansas City Basics",
    venue="Central Library",
    starts=None,
    weekday=1,
    at=time(18, 0),
    tz="America/Chicago",
    weeks=6,
    language="en",
    facilitator="+18165550100",
):
    """Creates a circle through the same code the CLI uses, and commits."""
    from bot.domain.circles import NewCircle, create_circle

    starts = starts or datetime.now(timezone.utc).date() + timedelta(days=3)
    with uow() as session:
        circle = create_circle(
            session,
            NewCircle(
                name=name,
                venue=venue,
                weekday=weekday,
                start_time=at,
                timezone=tz,
                starts=starts,
                weeks=weeks,
                language=language,
                facilitator_phone=facilitator,
                capacity=capacity,
                code=code,
            ),
            datetime.now(timezone.utc),
        )
        session.commit()
        return circle.id


def address_of(session, value: str, channel: str = "sms"):
    """The ``Address`` row with this value on this channel (None when there is none)."""
    from sqlalchemy import select

    from bot.store.models import Address

    return session.scalar(select(Address).where(Address.value == value, Address.channel == channel))


def contact_of(session, value: str):
    """The ``Contact`` reached at ``value`` (a phone or a chat id) on any channel."""
    from sqlalchemy import select

    from bot.store.models import Address, Contact

    return session.scalar(
        select(Contact).join(Address, Address.contact_id == Contact.id).where(Address.value == value).limit(1)
    )


def add_contact(session, phone: str, now, channel: str = "sms", **fields):
    """A contact with one preferred, consented address (as a finished signup leaves it); flushed."""
    from bot.store.models import Address, Contact

    contact = Contact(created_at=now, **fields)
    session.add(contact)
    session.flush()
    session.add(
        Address(
            contact_id=contact.id,
            channel=channel,
            value=phone,
            preferred=True,
            consent_at=now,
            consent_source=channel,
            created_at=now,
        )
    )
    session.flush()
    return contact


def add_outbox(session, key: str, channel: str, address: str, body: str, send_after, now):
    """A notice with a finished ``body`` in the outbox, unless ``key`` is there already: the new row, or None."""
    from bot.domain import outbox
    from bot.store.models import Outbox

    row = {
        "dedupe_key": key,
        "kind": outbox.OutboxKind.NOTICE,
        "channel": channel,
        "address": address,
        "body": body,
        "send_after": send_after,
        "status": outbox.PENDING,
        "attempts": 0,
        "created_at": now,
    }
    planned = outbox.insert_new(session, [row])
    return session.get(Outbox, planned[0].row_id) if planned else None


@contextlib.contextmanager
def twilio_runtime_for(backend, instance_path, **extra):
    """A runtime that sends through the twilio SDK to a Twilio stand-in (tests/standin): yields
    ``(runtime, standin)``; ``extra`` adds settings (``OUTBOX_STUCK_AFTER``, ``TWILIO_TIMEOUT``…)."""
    from bot import create_app
    from tests.standin import TwilioStandIn

    with TwilioStandIn() as standin:
        app = create_app(
            {
                "DATABASE_URL": backend["DATABASE_URL"],
                "REDIS_URL": backend["REDIS_URL"],
                "INSTANCE_PATH": str(instance_path),
                "queue_name": RUN_QUEUE,
                "twilio_account_sid": "AC" + "0" * 32,
                "twilio_auth_token": "tok",
                "twilio_from": "+18165550100",
                "twilio_api_base": standin.url,
                "send_rate_per_second": 0,
                **extra,
            }
        )
        try:
            yield app.extensions["circlebot"], standin
        finally:
            app.extensions["circlebot"].uow.engine.dispose()


def said(handled, channel: str) -> list[str]:
    """What a webhook answers inline for ``handled`` (``bot.inbound.service.Handled``) on ``channel``."""
    from bot.demo.simulator import inline

    return inline(handled, channel)


def work_burst(queue, connection, **options) -> None:
    """Runs RQ's ``SimpleWorker`` in this process until ``queue`` has no due job (``options`` go to
    ``work``: ``with_scheduler=True`` as ``circlebot worker --burst``), ending as promptly as that
    worker does (``bot.cli.processes.PromptUnsubscribe``), not up to a minute after its last job."""
    from rq import SimpleWorker

    from bot.cli.processes import PromptUnsubscribe

    class Worker(PromptUnsubscribe, SimpleWorker):
        pass

    Worker([queue], connection=connection).work(burst=True, **options)
