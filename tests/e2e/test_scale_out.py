"""Scale-out: two web processes and three workers on one database and queue, on both backends.

Real processes throughout: two gunicorn servers on ``bot:create_app()`` (each its own port), three
``circlebot worker`` processes, and the Twilio stand-in. Ten circles of twelve learners fill up by
signed ``POST /twilio/sms`` requests, each learner's conversation hopping between the two web
processes; the facilitators' "joined" notices go out while the joins go on. Then the first meetings
are moved to 12 hours ahead, the workers are restarted (a deploy; three startup ticks plan at the
same time), and the stand-in's record must show every reminder and every notice exactly once.

On "sqlite" every process opens the same SQLite file (WAL, ``BEGIN IMMEDIATE``, busy time-out), and
each worker has its own in-process queue: jobs queued by a web process are never run by it, so its
notices wait for a worker's tick to sweep them, and three workers sweeping the same rows each queue
them — only the atomic claim in ``send_outbox`` keeps a text from going out more than once.
"""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode
from urllib.request import Request

from sqlalchemy import func, select, update

from bot.domain import batches as dispatch
from bot.domain import outbox
from bot.store.models import Enrollment, Meeting, Outbox
from tests.helpers import AUTH_TOKEN, BASE_URL, make_circle, sign, sms
from tests.processes import (
    HTTP,
    circlebot_env,
    free_port,
    gunicorn_command,
    wait_http_ok,
    wait_until,
    worker_command,
)

CIRCLES, PER_CIRCLE = 10, 12
WORKERS = 3
LIMIT = 180.0  # seconds for each phase at most (a loaded 2-core machine needs more than an idle one)


def facilitator_phone(c: int) -> str:
    return f"+1816555{1000 + c}"


def learner_phone(c: int, n: int) -> str:
    return f"+1816201{c:02d}{n:02d}"


def learner_name(c: int, n: int) -> str:
    return "Ada" + chr(ord("a") + c) + chr(ord("a") + n)


def circle_name(c: int) -> str:
    return f"Scale Circle {chr(ord('A') + c)}"


def post_sms(port: int, body: str, sender: str) -> list[str]:
    """Posts a signed inbound SMS to the web process on ``port``; returns the TwiML replies.

    The signature is made for PUBLIC_BASE_URL + path, as Twilio would behind a proxy.
    """
    import xml.etree.ElementTree as ET

    params = sms(body, sender)
    request = Request(
        f"http://127.0.0.1:{port}/twilio/sms",
        data=urlencode(params).encode(),
        method="POST",
        headers={
            "X-Twilio-Signature": sign("/twilio/sms", params),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    with HTTP.open(request, timeout=30) as answer:
        assert answer.status == 200
        root = ET.fromstring(answer.read().decode("utf-8"))
    return [(m.text or "") for m in root.iter("Message")]


def join(ports: list[int], c: int, n: int) -> int:
    """One learner's whole signup, each step to the next web process; returns how many ports it used."""
    sender, code = learner_phone(c, n), f"SCALE{c}"
    used = set()
    steps = [
        (f"JOIN {code}", "Welcome to"),
        (learner_name(c, n), "Which language"),
        ("1", f"You're in, {learner_name(c, n)}!"),
    ]
    for step, (body, expected) in enumerate(steps):
        port = ports[(c + n + step) % len(ports)]
        used.add(port)
        replies = post_sms(port, body, sender)
        assert replies and expected in replies[0], (body, replies)
    return len(used)


def outbox_counts(uow) -> Counter:
    with uow() as session:
        return Counter(
            {
                (kind, status): n
                for kind, status, n in session.execute(
                    select(Outbox.kind, Outbox.status, func.count()).group_by(Outbox.kind, Outbox.status)
                )
            }
        )


def test_two_web_processes_and_three_workers_send_everything_exactly_once(backend, uow, standin, procs, tmp_path):
    for c in range(CIRCLES):
        make_circle(
            uow,
            code=f"SCALE{c}",
            name=circle_name(c),
            capacity=PER_CIRCLE,
            venue="Branch Library",
            facilitator=facilitator_phone(c),
        )
    env = circlebot_env(
        backend,
        tmp_path / "instance",
        standin.url,
        auth_token=AUTH_TOKEN,
        PUBLIC_BASE_URL=BASE_URL,
        SECRET_KEY="scale-out-test",
        # no crash here: a long stuck time, so a slow send is never taken over
        OUTBOX_STUCK_AFTER="60s",
        TWILIO_TIMEOUT="10",
    )
    ports = [free_port(), free_port()]
    webs = [procs.start(f"web-{i}", gunicorn_command(port), env) for i, port in enumerate(ports)]
    workers = [procs.start(f"worker-{i}", worker_command(), env) for i in range(WORKERS)]
    for web, port in zip(webs, ports, strict=True):
        wait_http_ok(f"http://127.0.0.1:{port}/healthz", 30, web)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        spans = list(pool.map(lambda cn: join(ports, *cn), [(c, n) for c in range(CIRCLES) for n in range(PER_CIRCLE)]))
    joined_in = time.monotonic() - started
    assert spans == [len(ports)] * (CIRCLES * PER_CIRCLE), "every conversation must use both web processes"
    with uow() as session:
        assert (
            session.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.status == "active"))
            == CIRCLES * PER_CIRCLE
        )

    facilitators = {facilitator_phone(c) for c in range(CIRCLES)}

    def notices_out():
        return (
            sum(1 for m in standin.messages if m["to"] in facilitators) >= CIRCLES * PER_CIRCLE
            and outbox_counts(uow)[("notice", outbox.SENT)] == CIRCLES * PER_CIRCLE
        )

    wait_until(
        notices_out,
        LIMIT,
        0.2,
        "every joined notice",
        lambda: f"{outbox_counts(uow)}; {len(standin.messages)} accepted\n{procs.logs()}",
    )
    assert len(standin.messages) == CIRCLES * PER_CIRCLE, "only the notices may have gone out so far"

    # The meetings come due: the first meeting of every circle is now 12 hours ahead.
    now = datetime.now(timezone.utc)
    with uow() as session:
        session.execute(
            update(Meeting)
            .where(Meeting.seq == 1)
            .values(starts_at=now + timedelta(hours=12), ends_at=now + timedelta(hours=14))
        )
        session.commit()
    t_notices = time.monotonic()
    for worker in workers:  # a deploy: each worker stops (warm) and a new one starts
        assert worker.alive(), worker.output()
        worker.stop(timeout=10)
    t_stopped = time.monotonic()
    old_workers, workers = (
        workers,
        [procs.start(f"worker-{WORKERS + i}", worker_command(), env) for i in range(WORKERS)],
    )
    total = 2 * CIRCLES * PER_CIRCLE
    wait_until(
        lambda: (
            len(standin.messages) >= total and outbox_counts(uow)[("reminder", outbox.SENT)] == CIRCLES * PER_CIRCLE
        ),
        LIMIT,
        0.2,
        "every reminder",
        lambda: f"{outbox_counts(uow)}; {len(standin.messages)} accepted\n{procs.logs()}",
    )
    reminders_in = time.monotonic() - t_stopped
    time.sleep(1.0)  # a late duplicate would arrive now

    messages = standin.messages
    per_number = Counter(m["to"] for m in messages)
    assert len(messages) == total, f"{len(messages)} messages for {total} texts: {per_number.most_common(3)}"
    assert outbox_counts(uow) == Counter({("notice", outbox.SENT): total // 2, ("reminder", outbox.SENT): total // 2})
    by_number = defaultdict(list)
    for m in messages:
        by_number[m["to"]].append(m["body"])
    for c in range(CIRCLES):
        names = [learner_name(c, n) for n in range(PER_CIRCLE)]
        for n in range(PER_CIRCLE):  # each learner: exactly one text, the reminder for their own circle
            bodies = by_number[learner_phone(c, n)]
            assert len(bodies) == 1 and bodies[0].startswith(circle_name(c) + ": ") and "Reply 1" in bodies[0], (
                learner_phone(c, n),
                bodies,
            )
        notices = by_number[facilitator_phone(c)]
        assert len(notices) == PER_CIRCLE, (facilitator_phone(c), notices)
        heard = sorted(body.split(" joined ", 1)[0] for body in notices)
        assert heard == sorted(names), f"circle {c}: notices named {heard}"
        assert all(f" joined {circle_name(c)}. " in body for body in notices)
        taken = sorted(int(body.rsplit(". ", 1)[1].split(" of ")[0]) for body in notices)
        assert taken == list(range(1, PER_CIRCLE + 1)), f"circle {c}: places taken {taken}"
    assert all(w.alive() for w in workers + webs), procs.logs()
    if backend["REDIS_URL"]:  # RQ logs each job it ran: the work really was shared
        logs = [w.output(tail=10**7) for w in old_workers + workers]
        ran = [log.count(f"Job OK ({backend['CIRCLEBOT_QUEUE']}_outbox-") for log in logs]  # a notice each
        batches = [log.count(f"Job OK ({backend['CIRCLEBOT_QUEUE']}_batch-") for log in logs]  # the reminders
        assert sum(ran) >= total // 2 and sum(1 for n in ran if n) >= 2, f"send jobs per worker: {ran}"
        assert sum(batches) >= math.ceil(total // 2 / dispatch.BATCH_SIZE), f"batch jobs per worker: {batches}"
    print(
        f"\n[{backend['name']}] {CIRCLES * PER_CIRCLE} joins ({3 * CIRCLES * PER_CIRCLE} signed requests over "
        f"{len(ports)} web processes) in {joined_in:.1f}s, all notices out after {t_notices - started:.1f}s; "
        f"{total // 2} reminders {reminders_in:.1f}s after the restart; {total} texts, each once"
    )
