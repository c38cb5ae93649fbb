"""The statement budget of the inbound hot path (issues 15 and 31): one lock-and-load and one write.

On both backends an RSVP, HELP and a relay cost at most 3 SQL statements, a signup step at most 4. On
PostgreSQL the writes an RSVP, a survey answer, a signup step or HELP leave (the answer's upsert, the
conversation's state, the contact's name and version) go in the inbound row's INSERT as data-modifying CTEs
(``bot/inbound/service.py``): the lock-and-load and that one INSERT, 2 statements.

Statements are counted with a SQLAlchemy ``before_cursor_execute`` listener around one
``handle_inbound`` call, on both backends. SQLite's ``BEGIN IMMEDIATE`` (``bot/store/db.py``) is not counted:
psycopg sends PostgreSQL's BEGIN without a cursor, so leaving it out counts the same work on both.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.integration.test_followups import AMINA, BEN, FAC, meetings, setup

BUDGET = {  # on both backends
    "an RSVP": 3,
    "an RSVP in words": 3,
    "HELP": 3,
    "a first relay (the handle is made)": 4,
    "a relay": 3,
    "a signup step (the name)": 4,
    "a survey answer": 4,
}
# On PostgreSQL: the lock-and-load and the one write (a relay's outbox row and a first relay's handle are
# statements of their own: the queue needs the row's id, the relay's text the handle's number).
ON_POSTGRES = {
    "an RSVP": 2,
    "an RSVP in words": 2,
    "HELP": 2,
    "a first relay (the handle is made)": 4,
    # Learner #1 too: whether the facilitator ever got a relay (the one-time "how to answer" hint, #N being
    # made at enrollment since issue 24) is read by the lock-and-load.
    "a relay": 3,
    "a signup step (the name)": 2,
    "a survey answer": 2,
}


@contextlib.contextmanager
def counted(runtime):
    """Collects the SQL statements run on the app's engine inside the block."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    engine = runtime.uow.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def spent(runtime, sim, phone: str, body: str) -> tuple[list[str], list[str]]:
    """The replies to one text, and the statements it cost."""
    with counted(runtime) as statements:
        replies = sim.text(phone, body)
    return replies, statements


def within_budget(what: str, statements: list[str], runtime) -> None:
    listing = "\n\n".join(statements)
    print(f"{what}: {len(statements)} statements")
    budget = BUDGET[what]
    if runtime.uow.engine.dialect.name == "postgresql":
        budget = ON_POSTGRES[what]
    assert len(statements) <= budget, f"{what} took {len(statements)} statements (budget {budget}):\n{listing}"


def test_common_texts_cost_one_lock_and_load_and_one_write(runtime, uow):
    sim = setup(runtime, uow, weeks=2)
    first, last = meetings(uow)[0][2], meetings(uow)[-1][2]
    sim.run_until(first - timedelta(hours=20))  # the reminder for meeting 1 has gone out

    replies, statements = spent(runtime, sim, AMINA, "1")
    assert len(replies) == 1, replies
    within_budget("an RSVP", statements, runtime)
    replies, statements = spent(runtime, sim, BEN, "NO")
    within_budget("an RSVP in words", statements, runtime)

    replies, statements = spent(runtime, sim, AMINA, "HELP")
    within_budget("HELP", statements, runtime)

    replies, statements = spent(runtime, sim, AMINA, "Is the library open on Monday?")
    assert replies == ["Thanks, your message was passed on."]
    within_budget("a first relay (the handle is made)", statements, runtime)
    replies, statements = spent(runtime, sim, AMINA, "And on Tuesday?")
    within_budget("a relay", statements, runtime)

    sim.text("+18165550191", "JOIN KC42")
    replies, statements = spent(runtime, sim, "+18165550191", "Zed")
    within_budget("a signup step (the name)", statements, runtime)

    sim.run_until(last + timedelta(hours=30))  # the survey has started
    replies, statements = spent(runtime, sim, AMINA, "4")
    assert replies == ["How confident are you in the subject now? Reply 1 (not at all) to 5 (very)."]
    within_budget("a survey answer", statements, runtime)
    replies, statements = spent(runtime, sim, AMINA, "5")
    within_budget("a survey answer", statements, runtime)


def test_a_replay_costs_one_statement_and_changes_nothing(runtime, uow):
    from bot.inbound.service import handle_inbound
    from flows.inbound import Inbound

    sim = setup(runtime, uow, weeks=2)
    inbound = Inbound("sms", AMINA, "HELP", "SMreplay-budget", sim.now)
    first = handle_inbound(runtime.uow, inbound, runtime.settings)
    with counted(runtime) as statements:
        again = handle_inbound(runtime.uow, inbound, runtime.settings)
    assert again.replay and again.replies == first.replies
    assert len(statements) == 1, statements
    assert FAC  # the facilitator exists (setup) and got nothing from a replay


def test_the_hot_statements_stay_short_enough_for_psycopg_to_cache(runtime, uow):
    """psycopg converts a statement's ``%(name)s`` placeholders once and caches it only under 4,096
    characters (``psycopg._queries.MAX_CACHED_STATEMENT_LENGTH``); a longer one is parsed again on every
    execution. The lock-and-load with a few codes in the text and an RSVP's INSERT stay under it.
    (SQLite's driver has no such limit, and its lock-and-load, without LATERAL, is written longer.)"""
    if uow.engine.dialect.name != "postgresql":
        pytest.skip("a limit of psycopg's, on PostgreSQL only")
    sim = setup(runtime, uow, weeks=2)
    first = meetings(uow)[0][2]
    sim.run_until(first - timedelta(hours=20))
    longest = 0
    for body in ("1", "JOIN KC42 AB12 CD34 EF56", "Is the library open on Monday?"):
        _replies, statements = spent(runtime, sim, AMINA, body)
        longest = max(longest, *(len(s) for s in statements))
    assert longest < 4096, longest
