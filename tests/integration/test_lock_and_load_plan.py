"""The lock-and-load reads by key at a national network's size (issue 31), on PostgreSQL.

Two plans PostgreSQL chose were found only under load: joined to the involved circles' ids as a table, it
hashed every circle and every facilitator for each text (``bench/webhook.py --network 500``); with the
circles looked up through LATERAL but the sender's enrollment joined outside it, it sorted and merge-joined
every enrollment (``bench/soak.py`` at 300 circles × 49 learners fell from 200 to 18 texts/s). Here the
tables are filled to that size in bulk and analyzed, and the plan may read none of the tables that grow
with the learners in full. It guards against full scans at this size; it does not reproduce the soak's
merge join, whose plan came with the soak's own data (surveys open, more rows): the soak measures that.
Merge joins on the facilitator's contact and address remain; they stop after the facilitators' rows
(0.9 ms for the whole statement here).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

import pytest
from psycopg.sql import Literal
from sqlalchemy import insert, text

from bot.inbound import load
from bot.store.models import Address, Circle, Contact, Enrollment, Facilitator, Meeting, Outbox, RelayHandle

CIRCLES, PER_CIRCLE = 300, 49
# Tables that grow with the learners (or, for circle, the network). facilitator and meeting (300 rows here,
# one meeting per circle) may be read whole: PostgreSQL rightly finds that cheaper than an index.
BIG = ("address", "circle", "contact", "enrollment", "outbox", "relay_handle")
NOW = datetime(2027, 1, 4, 12, 0, tzinfo=timezone.utc)


def learner(i: int) -> str:
    return f"+1816{3000000 + i:07d}"


def fill(session) -> None:
    """300 circles of 49 learners, each with an address, a place, a #N and a reminder sent (bulk Core)."""
    people = CIRCLES * (PER_CIRCLE + 1)
    contact_ids = session.scalars(
        insert(Contact).returning(Contact.id, sort_by_parameter_order=True),
        [{"name": f"P{i}", "language": "en", "created_at": NOW} for i in range(people)],
    ).all()
    session.execute(
        insert(Address),
        [
            {"contact_id": c, "channel": "sms", "value": learner(i), "preferred": True, "created_at": NOW}
            for i, c in enumerate(contact_ids)
        ],
    )
    hosts, learners = contact_ids[:CIRCLES], contact_ids[CIRCLES:]
    facilitator_ids = session.scalars(
        insert(Facilitator).returning(Facilitator.id, sort_by_parameter_order=True),
        [{"contact_id": c, "created_at": NOW} for c in hosts],
    ).all()
    circle_ids = session.scalars(
        insert(Circle).returning(Circle.id, sort_by_parameter_order=True),
        [
            {
                "code": f"N{i:03d}",
                "phone_code": f"{7000 + i}",
                "name": f"Circle {i}",
                "venue": "Library",
                "language": "en",
                "timezone": "America/Chicago",
                "capacity": PER_CIRCLE,
                "weekday": 1,
                "start_time": time(18, 0),
                "starts_on": date(2027, 1, 5),
                "weeks": 6,
                "facilitator_id": f,
                "created_at": NOW,
            }
            for i, f in enumerate(facilitator_ids)
        ],
    ).all()
    meeting_ids = session.scalars(
        insert(Meeting).returning(Meeting.id, sort_by_parameter_order=True),
        [
            {
                "circle_id": c,
                "seq": 1,
                "starts_at": datetime(2027, 1, 6, 0, 0, tzinfo=timezone.utc),
                "ends_at": datetime(2027, 1, 6, 2, 0, tzinfo=timezone.utc),
                "status": "scheduled",
            }
            for c in circle_ids
        ],
    ).all()
    rows = [(k // PER_CIRCLE, k % PER_CIRCLE + 1, c) for k, c in enumerate(learners)]
    session.execute(
        insert(Enrollment),
        [{"contact_id": c, "circle_id": circle_ids[n], "status": "active", "created_at": NOW} for n, _, c in rows],
    )
    session.execute(
        insert(RelayHandle),
        [{"facilitator_id": facilitator_ids[n], "contact_id": c, "number": k, "created_at": NOW} for n, k, c in rows],
    )
    session.execute(
        insert(Outbox),
        [
            {
                "dedupe_key": f"reminder:{meeting_ids[n]}:{c}",
                "kind": "reminder",
                "contact_id": c,
                "channel": "sms",
                "address": learner(CIRCLES + k),
                "meeting_id": meeting_ids[n],
                "send_after": NOW,
                "status": "sent",
                "sent_at": NOW,
                "created_at": NOW,
            }
            for k, (n, _, c) in enumerate(rows)
        ],
    )


def _filled(uow):
    if uow.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner")
    with uow() as session:
        fill(session)
        session.commit()
    with uow.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


def _values(statement) -> dict:
    sender = learner(CIRCLES + 1234)  # a learner of circle 25, reminded, #8 with the facilitator
    values = dict(statement.fixed)
    values.update({"channel": "sms", "value": sender, "provider_id": "SMplan", "codes": ["N007"], "now": NOW})
    return values


def _assert_by_key(plan: str, codes_may_scan_circles: bool = False) -> None:
    lines = plan.splitlines()
    scanned = set()
    for i, line in enumerate(lines):
        found = re.search(r"Seq Scan on (\w+)", line)
        if not found or found.group(1) not in BIG:
            continue
        by_codes = i + 1 < len(lines) and "(code)::text = ANY" in lines[i + 1]
        if not (codes_may_scan_circles and found.group(1) == "circle" and by_codes):
            scanned.add(found.group(1))
    assert not scanned, plan
    assert not re.search(r"Sort Key: mine\.", plan), plan  # every enrollment sorted for a merge join


def test_the_lock_and_load_scans_no_big_table_in_full(uow):
    _filled(uow)
    with uow() as session:
        connection = session.connection()
        statement = load.prebuilt_statement(connection.dialect)
        assert statement is not None
        cursor = connection.connection.cursor()
        cursor.execute("EXPLAIN " + statement.sql, _values(statement))
        plan = "\n".join(line for (line,) in cursor.fetchall())
        session.rollback()
    _assert_by_key(plan)


def test_its_generic_plan_scans_no_big_table_in_full_either(uow):
    """The statement runs under PostgreSQL's generic plan (``bot.store.prebuilt``, ``generic``): one plan for
    every sender and every set of codes, made without their values. That plan is read here, through the
    prepared statement psycopg made of it (``EXPLAIN EXECUTE`` under ``force_generic_plan``).

    One full read is left to the planner's judgment: the circles whose codes the text names. Not knowing
    how many codes come, it counts on ten and finds reading 300 circles cheaper than ten index lookups;
    the read grows with the network until it turns to the index. At 500 circles (``bench/webhook.py``'s
    network) the whole statement ran in 0.21 ms of the executor's time (``auto_explain``)."""
    _filled(uow)
    with uow() as session:
        connection = session.connection()
        statement = load.prebuilt_statement(connection.dialect)
        assert statement is not None and statement.generic
        values = _values(statement)
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(statement.sql, values, prepare=True)
        cursor.fetchall()
        cursor.execute(
            "SELECT name, parameter_types::text[] FROM pg_prepared_statements WHERE statement LIKE %s",
            ("WITH sender AS%FOR UPDATE OF contact",),
        )
        [(name, types)] = cursor.fetchall()
        order = list(dict.fromkeys(re.findall(r"%\((\w+)\)s", statement.sql)))  # $1, $2… as psycopg numbered them
        assert len(order) == len(types)
        # EXPLAIN takes no parameters of its own: the values go in as literals, each cast to its parameter's type
        driver = connection.connection.driver_connection
        typed = zip(order, types, strict=True)
        arguments = ", ".join(f"{Literal(values[key]).as_string(driver)}::{kind}" for key, kind in typed)
        cursor.execute(f"EXPLAIN EXECUTE {name}({arguments})")
        plan = "\n".join(line for (line,) in cursor.fetchall())
        session.rollback()
    assert "$1" in plan or "$2" in plan, plan  # a generic plan names its parameters, not their values
    _assert_by_key(plan, codes_may_scan_circles=True)
