"""Issue 12 proof "Redis down": texts keep being stored and answered while Redis is away.

The test starts its own ``redis-server`` on its own port (so stopping it disturbs nobody), gunicorn with
two workers and a long-running ``circlebot worker``, both with ``REDIS_URL`` pointing at it. Learners'
reminders go out first (so RSVPs have a question to answer). Then signed texts arrive from a thread
while the Redis server is stopped under them: RSVPs, HELP, free-text relays to the facilitators, a
facilitator's MOVE (meeting-changed notices and new reminders) and a MSG broadcast.

Required while Redis is down: every text answered 200 with TwiML, every text stored, ``/healthz`` 503.
After Redis is back on the same port (empty, as after a crash): ``/healthz`` 200, and the same
``circlebot worker`` process, without a restart, sends everything planned meanwhile exactly once: the
stand-in's record and the outbox agree one to one (provider ids), no row is left due, and no text went
out twice. Before the outage the worker idles longer than the queue's 5 s socket timeout, which used
to end it. On today's code before the fix the worker quits ("Redis connection timeout") and nothing
planned during the outage is ever sent.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import datetime, timedelta, timezone
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot.domain import outbox
from bot.store.models import Enrollment, Meeting, Message, Outbox
from tests.helpers import AUTH_TOKEN, BASE_URL, add_contact, make_circle, sign, sms
from tests.processes import HTTP, circlebot_env, free_port, gunicorn_command, wait_http_ok, wait_until, worker_command

CIRCLES, PER_CIRCLE = 2, 4
TZ = "America/Chicago"
LIMIT = 60.0  # seconds for any one wait (the machine is shared)
IDLE = 7.0  # seconds the worker idles before the outage (more than the queue's 5 s socket timeout)
STUCK_AFTER = 2.0  # the processes' OUTBOX_STUCK_AFTER: Redis stays away longer (see below)

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server on PATH")


def learner(c: int, n: int) -> str:
    return f"+1816302{c:02d}{n:02d}"


def facilitator(c: int) -> str:
    return f"+18165553{c:03d}"


def redis_command(port: int) -> list[str]:
    """A throw-away Redis server on ``port`` that keeps nothing on disk (a restart starts empty)."""
    return [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
    ]


def start_redis(procs, port: int, name: str):
    from redis import Redis

    server = procs.start(name, redis_command(port), {})
    client = Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    try:
        wait_until(lambda: _pings(client), 15, 0.05, f"redis-server on port {port}", server.output)
    finally:
        client.close()
    return server


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


def registered_workers(redis_url: str) -> int:
    """How many RQ workers are registered (a worker that quits unregisters at once)."""
    from redis import Redis

    client = Redis.from_url(redis_url, socket_connect_timeout=1)
    try:
        return client.scard("rq:workers")
    finally:
        client.close()


def post(port: int, body: str, sender: str) -> tuple[int, str]:
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
            return answer.status, answer.read().decode("utf-8")
    except HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def health(port: int) -> int:
    try:
        with HTTP.open(f"http://127.0.0.1:{port}/healthz", timeout=20) as answer:
            return answer.status
    except HTTPError as exc:
        return exc.code


def enrolled_circles(uow) -> list[str]:
    """Circles of English-speaking learners; each first meeting is 12 h ahead (reminders due now)."""
    now = datetime.now(timezone.utc)
    codes = []
    for c in range(CIRCLES):
        code = f"RD{c}X"
        circle_id = make_circle(uow, code=code, capacity=PER_CIRCLE, facilitator=facilitator(c), tz=TZ)
        with uow() as session:
            session.execute(
                update(Meeting)
                .where(Meeting.circle_id == circle_id, Meeting.seq == 1)
                .values(starts_at=now + timedelta(hours=12), ends_at=now + timedelta(hours=14))
            )
            for n in range(PER_CIRCLE):
                contact = add_contact(session, learner(c, n), now, name=f"Rd{chr(97 + n)}", language="en")
                session.add(Enrollment(contact_id=contact.id, circle_id=circle_id, status="active", created_at=now))
            session.commit()
        codes.append(code)
    return codes


def outage_texts(codes: list[str]) -> list[tuple[str, str]]:
    """What arrives while Redis goes away: RSVPs, HELP, relays, a MOVE and a MSG, interleaved."""
    moved_to = (datetime.now(timezone.utc) + timedelta(hours=20)).astimezone(ZoneInfo(TZ))
    texts = []
    for n in range(PER_CIRCLE):
        for c in range(CIRCLES):
            texts.append(("1" if n % 2 else "2", learner(c, n)))
            texts.append((f"Hello, is there parking near {codes[c]}? ({n})", learner(c, n)))
            texts.append(("HELP", learner(c, n)))
    texts.insert(len(texts) // 2, (f"MOVE {codes[0]} {moved_to:%Y-%m-%d %H:%M}", facilitator(0)))
    texts.insert(len(texts) * 3 // 4, (f"MSG {codes[1]} Bring a pencil please", facilitator(1)))
    return texts


def outbox_rows(uow) -> list:
    with uow() as session:
        return session.execute(
            select(
                Outbox.id, Outbox.dedupe_key, Outbox.kind, Outbox.status, Outbox.provider_id, Outbox.send_after
            ).order_by(Outbox.id)
        ).all()


def test_texts_are_stored_and_answered_while_redis_is_down_and_sent_once_after(backend, uow, standin, procs, tmp_path):
    redis_port = free_port()
    redis_1 = start_redis(procs, redis_port, "redis-1")
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    codes = enrolled_circles(uow)
    env = circlebot_env(
        {**backend, "REDIS_URL": redis_url},
        tmp_path / "instance",
        standin.url,
        auth_token=AUTH_TOKEN,
        PUBLIC_BASE_URL=BASE_URL,
        SECRET_KEY="redis-down-test",
        OUTBOX_STUCK_AFTER=f"{STUCK_AFTER:g}s",
    )
    port = free_port()
    web = procs.start("web", gunicorn_command(port, workers=2), env)
    worker = procs.start("worker", worker_command(), env)
    wait_http_ok(f"http://127.0.0.1:{port}/healthz", LIMIT, web)

    # Before the outage: the worker's first tick plans and sends one reminder per learner.
    learners = CIRCLES * PER_CIRCLE
    wait_until(
        lambda: len(standin.messages) >= learners and all(r.status == outbox.SENT for r in outbox_rows(uow)),
        LIMIT,
        0.2,
        "the reminders before the outage",
        procs.logs,
    )
    before = {r.id for r in outbox_rows(uow)}
    assert len(before) == learners
    time.sleep(IDLE)  # an idle worker stays up (it used to quit "Redis connection timeout" after 5 s)
    assert worker.alive() and registered_workers(redis_url) == 1, f"the worker quit while idle:\n{worker.output()}"

    # The outage: texts arrive from a thread; Redis is stopped after the first few.
    texts = outage_texts(codes)
    answers: list[tuple[str, str, int, str]] = []
    started, stopped = threading.Event(), threading.Event()

    def send_all() -> None:
        for i, (body, sender) in enumerate(texts):
            if i == 3:  # the rest wait for Redis to be down (a fast webhook used to answer them all first)
                started.set()
                stopped.wait(LIMIT)
            answers.append((body, sender, *post(port, body, sender)))
        started.set()

    sender = threading.Thread(target=send_all, name="texts")
    sender.start()
    assert started.wait(LIMIT)
    redis_1.stop()  # SIGTERM, then SIGKILL
    stopped_at = len(answers)
    stopped.set()
    down_health = [health(port) for _ in range(3)]
    sender.join(LIMIT * 2)
    assert not sender.is_alive(), "the texts took too long"
    down_health += [health(port) for _ in range(3)]

    bad = [(b, s, code, reply[:300]) for b, s, code, reply in answers if code != 200 or not _twiml(reply)]
    assert bad == [], f"{len(bad)} texts not answered with 200 TwiML: {bad[:5]}\n{procs.logs()}"
    assert stopped_at < len(texts) - 8, "Redis went down too late to matter"
    assert down_health == [503] * 6, down_health
    with uow() as session:
        stored = session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))
    assert stored == len(texts)
    planned = [r for r in outbox_rows(uow) if r.id not in before]
    kinds = Counter(r.kind for r in planned)
    # (an RSVP digit sent after its meeting moved is no answer any more: it is relayed too)
    assert kinds["relay"] >= learners and kinds["broadcast"] == PER_CIRCLE, kinds
    assert kinds["change"] == kinds["reminder"] == PER_CIRCLE, f"the MOVE's notices and new reminders: {kinds}"

    # Redis comes back on the same port, empty. Health recovers, and the same worker process, which
    # kept waiting for Redis, sends everything planned meanwhile without a restart or a burst. A send
    # that Redis's loss broke off left its row claimed: Redis stays away until that row is stuck, so the
    # tick the worker runs when Redis is back sweeps it (else the next minute's tick did, up to 60 s on).
    with uow() as session:
        claimed = session.scalar(select(func.max(Outbox.claimed_at)).where(Outbox.status == outbox.SENDING))
    if claimed is not None:
        stuck_at = _utc(claimed) + timedelta(seconds=STUCK_AFTER + 0.5)
        time.sleep(max(0.0, (stuck_at - datetime.now(timezone.utc)).total_seconds()))
    start_redis(procs, redis_port, "redis-2")
    wait_until(lambda: health(port) == 200, LIMIT, 0.2, "/healthz 200 after Redis is back", procs.logs)
    wait_until(
        lambda: not _due(uow),
        LIMIT,
        0.2,
        "the worker to send what was planned during the outage",
        lambda: f"still due: {_due(uow)}\n{procs.logs()}",
    )
    assert worker.alive(), f"the worker ended when Redis went away:\n{worker.output()}"
    assert standin.wait_for(len(_sent(uow)), 10)
    worker.stop()
    rows = outbox_rows(uow)
    sent = [r for r in rows if r.status == outbox.SENT]
    assert _due(uow) == []
    assert {r.id for r in planned} <= {r.id for r in rows if r.status in (outbox.SENT, outbox.CANCELLED)}
    messages = standin.messages
    assert len(messages) == len(sent), f"stand-in got {len(messages)} texts, outbox has {len(sent)} sent rows"
    assert sorted(m["sid"] for m in messages) == sorted(r.provider_id for r in sent)
    assert len({(m["to"], m["body"]) for m in messages}) == len(messages), "a text went out twice"


def _due(uow) -> list:
    """Outbox rows that are due but not sent (pending or claimed)."""
    now = datetime.now(timezone.utc)
    return [r for r in outbox_rows(uow) if r.status in (outbox.PENDING, outbox.SENDING) and _utc(r.send_after) <= now]


def _sent(uow) -> list:
    return [r for r in outbox_rows(uow) if r.status == outbox.SENT]


def _twiml(text: str) -> bool:
    try:
        return ET.fromstring(text).tag == "Response"
    except ET.ParseError:
        return False


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
