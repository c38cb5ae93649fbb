"""Issue 12's replay proof: every inbound message of a whole simulated circle delivered three times
leaves the database exactly as delivering each once does (both backends, a fresh database per run)."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import create_engine, inspect, select
from sqlalchemy import text as sql

from bot import create_app
from bot.inbound.service import handle_inbound
from bot.store.migrate import upgrade
from bot.store.models import Meeting
from flows.inbound import Inbound
from tests.conftest import DEFAULT_POSTGRES, _drop_postgres, _fresh_postgres
from tests.helpers import said
from tests.integration.sim import Sim

START = datetime(2031, 3, 3, 15, 0, tzinfo=timezone.utc)
START_DAY = START.date() + timedelta(days=3)
LEARNERS = ("+18165550131", "+18165550132", "+18165550133", "+18165550134")
FAC = "+18165550100"
# Real time and random provider ids of the simulator's outbound rows differ between any two runs.
VOLATILE = {
    ("message", "created_at"),
    ("message", "provider_id"),
    ("circle", "phone_code"),
    ("circle", "facilitator_pin"),
    ("outbox", "provider_id"),
}  # + a random code, and the simulator's random message ids


class Delivering(Sim):
    """A Sim whose every inbound message reaches the service ``times`` times (Twilio retrying)."""

    def __init__(self, runtime, times: int):
        super().__init__(runtime, start=START, quiet_hours="")
        self.times, self.count = times, 0

    def text(self, phone, body, channel="sms"):
        self.count += 1
        inbound = Inbound(channel, phone, body, f"SMreplay{self.count:05d}", self.now)
        answers = {
            tuple(said(handle_inbound(self.rt.uow, inbound, self.rt.settings), channel)) for _ in range(self.times)
        }
        assert len(answers) == 1, answers  # a replay gets the same answer
        return list(answers.pop())


def script(sim: Sim, uow) -> None:
    for i, phone in enumerate(LEARNERS):
        sim.text(phone, "JOIN KC42"), sim.text(phone, f"Learner{i}"), sim.text(phone, "1" if i != 2 else "2")
    sim.text(LEARNERS[0], "Is there parking?")
    sim.text(FAC, "#1 Yes, behind the library.")
    with uow() as session:
        starts = session.scalars(select(Meeting.starts_at).order_by(Meeting.seq)).all()
    sim.now = starts[0] - timedelta(hours=24)
    sim.advance(timedelta(minutes=1))
    (
        sim.text(LEARNERS[0], "1"),
        sim.text(LEARNERS[1], "no"),
        sim.text(LEARNERS[3], "LANGUAGE"),
        sim.text(LEARNERS[3], "3"),
    )
    sim.run_until(starts[0] + timedelta(days=1, hours=2))
    sim.text(LEARNERS[0], "1"), sim.text(LEARNERS[1], "I'm stuck on lesson 2"), sim.text(FAC, "HOW KC42")
    sim.text(FAC, "4"), sim.text(FAC, "3"), sim.text(FAC, "Good questions")
    (
        sim.text(LEARNERS[2], "STOP"),
        sim.text(LEARNERS[2], "START"),
        sim.text(LEARNERS[3], "FORGET"),
        sim.text(LEARNERS[3], "FORGET YES"),
    )
    sim.run_until(starts[-1] + timedelta(days=1, hours=2))
    for answer in ("4", "5", "SKIP", "10", "Keep going"):
        sim.text(LEARNERS[0], answer)


def dump(url: str) -> dict:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    out = {}
    with engine.connect() as conn:
        for table in sorted(inspect(engine).get_table_names()):
            if table == "alembic_version":
                continue
            columns = [c["name"] for c in inspect(engine).get_columns(table) if (table, c["name"]) not in VOLATILE]
            names = [c["name"] for c in inspect(engine).get_columns(table)]
            key = "id" if "id" in names else names[0]  # login_guard is keyed by its hashed address
            rows = conn.execute(sql(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {key}")).all()
            out[table] = [tuple(str(v) for v in row) for row in rows]
    engine.dispose()
    return out


def run(url: str, tmp_path, times: int) -> dict:
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "REDIS_URL": None, "INSTANCE_PATH": str(tmp_path)})
    runtime = app.extensions["circlebot"]
    from bot.domain.circles import NewCircle, create_circle

    with runtime.uow() as session:  # at a fixed moment, so both runs write the same times
        create_circle(
            session,
            NewCircle(
                name="Basics",
                venue="Central Library",
                weekday=START_DAY.weekday(),
                start_time=time(18, 0),
                timezone="America/Chicago",
                starts=START_DAY,
                weeks=3,
                language="en",
                facilitator_phone=FAC,
                code="KC42",
            ),
            START,
        )
        session.commit()
    sim = Delivering(runtime, times)
    script(sim, runtime.uow)
    runtime.uow.engine.dispose()
    return dump(url)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_whole_circle_replayed_three_times_leaves_the_same_database(kind, tmp_path):
    urls = []
    for name in ("once", "thrice"):
        if kind == "sqlite":
            urls.append(f"sqlite:///{tmp_path}/{name}.sqlite3")
        else:
            urls.append(_fresh_postgres(os.environ.get("CIRCLEBOT_TEST_POSTGRES", DEFAULT_POSTGRES) + f"_{name}"))
    try:
        once = run(urls[0], tmp_path / "a", 1)
        thrice = run(urls[1], tmp_path / "b", 3)
    finally:
        if kind == "postgres":
            for url in urls:
                _drop_postgres(url)
    assert sum(len(rows) for rows in once.values()) > 100
    for table in once:
        assert thrice[table] == once[table], table
