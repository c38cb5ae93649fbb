"""Issue 12 (1): under load nothing a learner sends is lost.

gunicorn with two workers (the production web process) on each backend; 60 enrolled learners in four
circles send 180 signed texts at once from 16 threads: first relays to the same facilitators (the
``#N`` handle race), HELP and free text. Every response must be 2xx and every text stored once.
"""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request

from sqlalchemy import func, select

from bot.store.models import Circle, Enrollment, Message, RelayHandle
from tests.helpers import AUTH_TOKEN, BASE_URL, add_contact, make_circle, sign, sms
from tests.processes import HTTP, circlebot_env, free_port, gunicorn_command, wait_http_ok

CIRCLES, PER_CIRCLE = 4, 15


def learner(c: int, n: int) -> str:
    return f"+1816301{c:02d}{n:02d}"


def post(port: int, body: str, sender: str) -> int:
    params = sms(body, sender, sid="SM" + secrets.token_hex(16))
    request = Request(
        f"http://127.0.0.1:{port}/twilio/sms",
        data=urlencode(params).encode(),
        method="POST",
        headers={
            "X-Twilio-Signature": sign("/twilio/sms", params),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with HTTP.open(request, timeout=60) as answer:
            answer.read()
            return answer.status
    except HTTPError as exc:
        return exc.code


def test_concurrent_texts_on_gunicorn_are_all_answered_and_stored(backend, uow, standin, procs, tmp_path):
    now = datetime.now(timezone.utc)
    for c in range(CIRCLES):
        make_circle(uow, code=f"LOAD{c}", capacity=PER_CIRCLE, facilitator=f"+18165552{c:03d}")
    with uow() as session:
        circles = session.scalars(select(Circle.id).order_by(Circle.id)).all()
        for c, circle_id in enumerate(circles):
            for n in range(PER_CIRCLE):
                contact = add_contact(session, learner(c, n), now, name=f"Lea{chr(97 + n)}", language="en")
                session.add(Enrollment(contact_id=contact.id, circle_id=circle_id, status="active", created_at=now))
        session.commit()
    env = circlebot_env(
        backend,
        tmp_path / "instance",
        standin.url,
        auth_token=AUTH_TOKEN,
        PUBLIC_BASE_URL=BASE_URL,
        SECRET_KEY="load-test",
    )
    port = free_port()
    web = procs.start("web", gunicorn_command(port, workers=2), env)
    wait_http_ok(f"http://127.0.0.1:{port}/healthz", 30, web)

    texts = [
        (f"Question from {learner(c, n)[-4:]}: is there parking?", learner(c, n))
        for c in range(CIRCLES)
        for n in range(PER_CIRCLE)
    ]
    texts += [("HELP", learner(c, n)) for c in range(CIRCLES) for n in range(PER_CIRCLE)]
    texts += [("Thank you, see you soon", learner(c, n)) for c in range(CIRCLES) for n in range(PER_CIRCLE)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda t: post(port, *t), texts))

    assert [s for s in statuses if not 200 <= s < 300] == [], procs.logs()
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == len(texts)
        for facilitator_id, numbers in _handles(session).items():
            assert sorted(numbers) == list(range(1, PER_CIRCLE + 1)), facilitator_id


def _handles(session) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for facilitator_id, number in session.execute(select(RelayHandle.facilitator_id, RelayHandle.number)):
        out.setdefault(facilitator_id, []).append(number)
    return out
