"""bench/circle.py runs a whole circle in memory; its invariants hold (its time is never asserted here)."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import circle as bench
from flows import planner
from flows.plans import Learner, To


@pytest.fixture(scope="module")
def report():
    return bench.simulate(seed=3, learners=12, weeks=6)


def test_everyone_joins_and_the_circle_runs_its_course(report):
    store = report.store
    assert len(store.people) == 12
    assert all(p.status == "active" and p.name and p.language for p in store.people.values())
    assert report.inbound > 3 * 12 and report.rendered > report.inbound  # answers were given; every text rendered
    assert report.planned["reminder"] > 0 and report.planned["tally"] == 6
    assert report.planned["checkin"] + report.planned["missyou"] > 0 and report.planned["survey"] > 0
    assert all(row.text for row in store.outbox.values() if row.status == bench.SENT)  # rendered through Babel


def test_stop_ends_everything_for_that_learner(report):
    stopped = [p for p in report.store.people.values() if p.stopped_at is not None]
    assert report.stops == len(stopped) >= 2
    for person in stopped:
        assert person.opted_out
        assert [k for when, k, _ in report.inbox[person.phone] if when > person.stopped_at] == []
        assert [
            r.message.key
            for r in report.store.outbox.values()
            if r.message.to.contact_id == person.contact_id and r.planned_at > person.stopped_at
        ] == []


def test_one_survey_each_and_the_keen_answers_are_stored(report):
    store = report.store
    for phone, kind in report.behaviour.items():
        person = store.people[phone]
        if person.stopped_at is not None:
            continue
        got = Counter(
            r.message.key.split(":")[0]
            for r in store.outbox.values()
            if r.message.to.contact_id == person.contact_id and r.status == bench.SENT
        )
        assert got["survey"] == 1 and got["survey-reminder"] <= 1, (phone, got)
        if kind == "keen":
            stored = {
                k: v
                for (s, k), v in store.answers.items()
                if s == f"enrollment:{person.enrollment_id}" and k.startswith("learner:")
            }
            assert stored and stored == report.survey_sent[phone]


def test_the_same_seed_gives_the_same_circle(report):
    again = bench.simulate(seed=3, learners=12, weeks=6, render_texts=False)
    assert again.inbound == report.inbound and again.planned == report.planned and again.stops == report.stops


def test_a_planner_that_forgets_stop_is_caught(monkeypatch):
    real = planner.reminders_due

    def deaf(circle, meeting, learners, *args, **kwargs):  # as if STOP did not reach the planner
        heard = [
            Learner(one.enrollment_id, To(**{**one.to.__dict__, "opted_out": False}), one.name) for one in learners
        ]
        return real(circle, meeting, heard, *args, **kwargs)

    monkeypatch.setattr(bench.planner, "reminders_due", deaf)
    with pytest.raises(AssertionError, match="planned after STOP"):
        bench.simulate(seed=3, render_texts=False)


def test_the_bench_prints_its_figures(capsys):
    bench.main(["--seed", "2", "--runs", "1"])
    out = capsys.readouterr().out
    for needle in (
        "inbound handled:",
        "messages planned by kind:",
        "STOPs:",
        "replies rendered",
        "whole circle:",
        "per step",
        "load average",
        "ratio circle / routing",
        "target < 1 s:",
    ):
        assert needle in out, needle
