"""A whole 6-week circle of 12 learners in pure code: signup, reminders, RSVPs, check-ins, the survey, STOPs.

    .venv/bin/python -m bench.circle                 # seed 1, best of 5
    .venv/bin/python -m bench.circle --seed 7 --runs 9 --learners 12 --weeks 6

Nothing here touches Flask, a database, Redis or a clock: every text goes through the real router
(``flows.router.handle``) with a ``Context`` built from an in-memory store (``bench/circle_store.py``),
what to send whom and when is decided by the pure planner (``flows.planner``) at each tick of a
simulated clock (one hour), and every message a learner or the facilitator receives is rendered
through Babel for SMS in the reader's language (``bot.render``), as the send job does.

Each learner, drawn with ``--seed``, is *keen* (answers everything), *patchy* (answers about half),
*silent* (never answers) or a *stopper* (texts STOP at a random hour of the circle, and otherwise
answers like a patchy one). Learners RSVP yes or no at random; most who say yes come; check-ins are
answered 1, 2 or 3 ("stuck", relayed to the facilitator); the survey is answered in full by the keen.

Checked on every run (an ``AssertionError`` stops the bench):
- nothing is planned for, or sent to, a learner after their STOP;
- each learner who did not stop got the survey exactly once, and at most one survey reminder;
- at most one reminder per meeting and learner;
- the keen learners' stored survey answers are the ones they sent.

Baseline, measured in the same run: the same inbound texts, with the same states and contexts that the
circle built, replayed through ``flows.router.handle`` alone (no planning, no store, no rendering).
The ratio says what planning, keeping the store and rendering cost on top of routing the texts.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from bench._common import machine
from bench.circle_store import PENDING, SENT, Person, Row, Store
from bot.domain.schedule import weekly_meetings
from bot.render import render
from flows import keys, languages, planner, router, survey, surveys
from flows.inbound import SMS, Inbound
from flows.plans import Circle, Meeting
from flows.results import Reply, When
from flows.timing import QuietHours

CODE, NAME, VENUE, TZ = "KC42", "Kansas City Basics", "Central Library", "America/Chicago"
STEP = timedelta(hours=1)
LEAD = timedelta(hours=24)  # REMINDER_LEAD's default
QUIET = QuietHours.parse("21:00-08:00")  # QUIET_HOURS' default
HORIZON = timedelta(hours=2)  # bot.domain.planning.reminders.PLAN_HORIZON
REMIND_WINDOW = LEAD + HORIZON + timedelta(hours=14)  # what reminders.plan's SELECT reads ahead
AFTER_LAST = timedelta(days=16)  # the survey, its reminder after 48 h, its lapse after 14 days
QUIET_KINDS = frozenset({"reminder", "tally", "checkin", "missyou", "survey"})  # bot.outbound.jobs
TARGET = 1.0
ANSWERS = {
    surveys.SCALE5: ("3", "4", "5"),
    surveys.SCALE10: ("7", "8", "9", "10"),
    surveys.TEXT: ("Keep learning",),
    surveys.YESNO: ("yes",),
    surveys.NUMBER: ("3",),
}
BEHAVIOURS = ("keen", "patchy", "silent")


@dataclass
class Report:
    """What one simulated circle did."""

    store: Store
    behaviour: dict[str, str]
    inbound: int = 0
    steps: int = 0
    planned: Counter = field(default_factory=Counter)  # outbox rows by kind (planned, notices and relays)
    sent: Counter = field(default_factory=Counter)  # by kind
    cancelled: int = 0
    deferred: int = 0
    rendered: int = 0
    segments: int = 0
    stops: int = 0
    survey_sent: dict[str, dict[str, str]] = field(default_factory=dict)  # phone → {question key: answer}
    inbox: dict[str, list[tuple[datetime, str, str]]] = field(default_factory=dict)  # phone → (when, kind, text)
    routed: list = field(default_factory=list)  # (state, inbound, ctx) of every text, for the baseline
    seconds: Counter = field(default_factory=Counter)  # wall time by phase: plan, send, learners


def make_store(weeks: int, start: date) -> Store:
    times = weekly_meetings(start, 1, clock_time(18, 0), TZ, weeks)  # Tuesdays 18:00, across the DST change
    meetings = tuple(Meeting(100 + i, i + 1, s) for i, (s, _) in enumerate(times))
    facilitator = Person(contact_id=1, phone="+18165550100", name="Fatima", language="en")
    circle = Circle(7, CODE, NAME, VENUE, TZ, "en", meetings, facilitator_id=3, facilitator=facilitator.to)
    return Store(circle, {m.id: e for m, (_, e) in zip(meetings, times, strict=True)}, facilitator)


class Simulation:
    """One circle, one seed."""

    def __init__(
        self,
        seed: int,
        learners: int,
        weeks: int,
        render_texts: bool = True,
        start: date = date(2027, 3, 1),
        record: bool = False,
    ):
        self.rng = random.Random(seed)
        self.store = make_store(weeks, start)
        self.render_texts, self.record = render_texts, record
        self.phones = [f"+1816555{1000 + i:04d}" for i in range(learners)]
        kinds = [self.rng.choice(BEHAVIOURS) for _ in self.phones]
        for i in self.rng.sample(range(learners), k=min(learners, self.rng.randint(2, 4))):
            kinds[i] = "stopper"
        self.behaviour = dict(zip(self.phones, kinds, strict=True))
        meetings = self.store.circle.meetings
        self.first, self.last = meetings[0].starts_at, meetings[-1].starts_at
        span = int((self.last + AFTER_LAST - self.first) / STEP)
        self.stop_at = {
            p: self.first + STEP * self.rng.randrange(-48, span) for p, k in self.behaviour.items() if k == "stopper"
        }
        self.report = Report(self.store, self.behaviour, inbox={p: [] for p in self.phones + ["+18165550100"]})
        self._ids = 0

    # -- a text from a learner --------------------------------------------------------------------
    def text(self, phone: str, body: str, now: datetime) -> list[str]:
        """The learner texts the bot: routed, applied to the store, the replies rendered."""
        person = self.store.person(phone)
        state, ctx = self.store.context(person, now)
        self._ids += 1
        inbound = Inbound(SMS, phone, body, f"SMbench{self._ids}", now)
        if self.record:
            self.report.routed.append((state, inbound, ctx))
        was_out = person.opted_out
        result = router.handle(state, inbound, ctx)
        self.store.apply(person, result, now)
        self.report.inbound += 1
        replies = result.replies
        if was_out and not any(r.key == keys.START_CONFIRMED for r in replies):
            replies = tuple(r for r in replies if r.key in keys.ALLOWED_WHEN_OPTED_OUT)
        if not replies:
            return []
        return [self._render(replies, result.language or person.language)]

    def _render(self, replies: tuple[Reply, ...], language: str | None) -> str:
        self.report.rendered += 1
        if not self.render_texts:
            return ""
        out = render(SMS, replies, languages.pick(language))
        self.report.segments += out.segments
        return out.text

    # -- the worker's tick ------------------------------------------------------------------------
    def plan(self, now: datetime) -> None:
        """What ``bot.outbound.jobs.plan_now`` plans, decided by the pure planner from the store."""
        circle, learners, history, open_surveys = self.store.planner_inputs()
        planned = []
        for meeting in circle.meetings:
            if now < meeting.starts_at <= now + REMIND_WINDOW:
                planned.extend(
                    planner.reminders_due(
                        circle, meeting, learners, LEAD, QUIET, now, HORIZON, self.store.reminded(meeting.id)
                    )
                )
                tally = planner.tally_due(circle, meeting, now, HORIZON)
                if tally is not None:
                    planned.append(tally)
        planned.extend(planner.follow_ups_due(circle, learners, history, QUIET, now, HORIZON))
        planned.extend(planner.survey_reminders_due(open_surveys, {CODE: circle}, now))
        stopped = {p.contact_id for p in self.store.people.values() if p.stopped_at is not None}
        for message in planned:
            assert message.to.contact_id not in stopped, f"planned after STOP: {message.key}"
            self.store.add(message, now)

    def send(self, now: datetime) -> None:
        """What the send job does with each row that is due: refuse, defer for quiet hours, or deliver."""
        for row in list(self.store.outbox.values()):
            if row.status != PENDING or row.send_after > now:
                continue
            message = row.message
            person = self._person_of(message.to.contact_id)
            meeting = next((m for m in self.store.circle.meetings if m.id == message.meeting_id), None)
            timed = message.kind in ("reminder", "tally") and meeting is not None
            if person.opted_out or (timed and (not meeting.held or meeting.starts_at <= now)):
                self.store.cancel(row)
                self.report.cancelled += 1
                continue
            later = QUIET.until(now, message.to.timezone) if message.kind in QUIET_KINDS else None
            if later is not None:
                if timed and meeting.starts_at <= later:
                    self.store.cancel(row)
                    self.report.cancelled += 1
                else:
                    row.send_after = later
                    self.report.deferred += 1
                continue
            self._deliver(row, person, now)

    def _deliver(self, row: Row, person: Person, now: datetime) -> None:
        message = row.message
        assert person.stopped_at is None or person.opted_out is False, f"sent after STOP: {message.key}"
        replies = tuple(message.replies)
        if message.kind == "tally":
            replies = (self._tally(message.meeting_id),)
        row.text = self._render(replies, person.language or message.to.language)
        row.status = SENT
        self.report.sent[message.kind] += 1
        self.report.inbox[person.phone].append((now, message.kind, row.text))
        if message.kind == "reminder":
            person.pending = (message.meeting_id, now)
        if message.conversation is not None:
            self.store.open_conversation(person, dict(message.conversation), now)

    def _tally(self, meeting_id: int) -> Reply:
        meeting = next(m for m in self.store.circle.meetings if m.id == meeting_id)
        active = {p.contact_id for p in self.store.learners()}
        answers = Counter(a for (m, c), a in self.store.rsvps.items() if m == meeting_id and c in active)
        counts = {"yes": answers["yes"], "no": answers["no"], "none": len(active) - answers["yes"] - answers["no"]}
        return Reply(keys.FACILITATOR_TALLY, {"circle": NAME, "when": When(meeting.starts_at, TZ), **counts})

    def _person_of(self, contact_id: int) -> Person:
        if contact_id == 1:
            return self.store.facilitator
        return next(p for p in self.store.people.values() if p.contact_id == contact_id)

    # -- the learners -----------------------------------------------------------------------------
    def act(self, now: datetime, seen: dict[str, int]) -> None:
        """Each learner reads what came since last time and answers as they are inclined to."""
        for phone in self.phones:
            person = self.store.people[phone]
            if person.stopped_at is not None:
                continue
            kind = self.behaviour[phone]
            if kind == "stopper" and now >= self.stop_at[phone]:
                self.text(phone, "STOP", now)
                self.report.stops += 1
                continue
            new = self.report.inbox[phone][seen[phone] :]
            seen[phone] += len(new)
            if kind == "silent":
                continue
            for _, what, _ in new:
                if kind != "keen" and self.rng.random() < 0.5:
                    continue
                if what == "reminder":
                    self.text(phone, self.rng.choice(("1", "1", "1", "2")), now)
                elif what == "checkin":
                    self.text(phone, self.rng.choice(("1", "2", "2", "3")), now)
                elif what == "survey" and kind == "keen":
                    self._answer_survey(phone, person, now)

    def _answer_survey(self, phone: str, person: Person, now: datetime) -> None:
        while person.state is not None and person.state.get("flow") == survey.FLOW:
            question = survey.question(person.state)
            answer = self.rng.choice(ANSWERS[question.kind])
            self.report.survey_sent.setdefault(phone, {})[f"learner:{question.key}"] = answer
            self.text(phone, answer, now)

    def meeting_starts(self, now: datetime) -> None:
        """At a meeting: most who said yes come, a few who did not come anyway (attendance is recorded)."""
        for meeting in self.store.circle.meetings:
            if now - STEP < meeting.starts_at <= now:
                for person in self.store.learners():
                    said = self.store.rsvps.get((meeting.id, person.contact_id))
                    if self.rng.random() < (0.85 if said == "yes" else 0.15):
                        self.store.attended.add((meeting.id, person.contact_id))

    # -- the whole circle -------------------------------------------------------------------------
    def run(self) -> Report:
        now = self.first - timedelta(days=5)
        for i, phone in enumerate(self.phones):  # signup: JOIN, a first name, a language from the menu
            lang = self.rng.randrange(len(languages.SHIPPED)) + 1
            for body in (f"JOIN {CODE}", f"Learner{chr(65 + i)}", str(lang)):
                self.text(phone, body, now + timedelta(minutes=i))
        seen = {p: 0 for p in self.phones}
        while now < self.last + AFTER_LAST:
            now += STEP
            self.report.steps += 1
            started = time.perf_counter()
            self.meeting_starts(now)
            self.plan(now)
            planned = time.perf_counter()
            self.send(now)
            sent = time.perf_counter()
            self.act(now, seen)
            seconds = self.report.seconds
            seconds["plan"] += planned - started
            seconds["send"] += sent - planned
            seconds["learners"] += time.perf_counter() - sent
        self.report.planned = Counter(row.message.kind for row in self.store.outbox.values())
        self.check()
        return self.report

    def check(self) -> None:
        """The invariants of a circle (see the module's docstring)."""
        report, store = self.report, self.store
        for phone in self.phones:
            person = store.people[phone]
            inbox = report.inbox[phone]
            if person.stopped_at is not None:
                late = [
                    r.message.key
                    for r in store.outbox.values()
                    if r.message.to.contact_id == person.contact_id and r.planned_at > person.stopped_at
                ]
                assert late == [], (phone, late)
                assert [k for when, k, _ in inbox if when > person.stopped_at] == [], phone
                continue
            kinds = Counter(k for _, k, _ in inbox)
            surveys_got = [
                r
                for r in store.outbox.values()
                if r.message.to.contact_id == person.contact_id
                and r.status == SENT
                and r.message.key.startswith("survey:")
            ]
            reminders_got = [
                r
                for r in store.outbox.values()
                if r.message.to.contact_id == person.contact_id
                and r.status == SENT
                and r.message.key.startswith("survey-reminder:")
            ]
            assert len(surveys_got) == 1 and len(reminders_got) <= 1, (phone, kinds)
            per_meeting = Counter(
                r.message.meeting_id
                for r in store.outbox.values()
                if r.message.to.contact_id == person.contact_id and r.message.kind == "reminder" and r.status == SENT
            )
            assert all(n == 1 for n in per_meeting.values()), (phone, per_meeting)
            if self.behaviour[phone] == "keen":
                stored = {
                    k: v
                    for (s, k), v in store.answers.items()
                    if s == f"enrollment:{person.enrollment_id}" and k.startswith("learner:")
                }
                assert stored == report.survey_sent.get(phone) and len(stored) == len(surveys.LEARNER.questions), (
                    phone,
                    stored,
                )


def simulate(
    seed: int = 1, learners: int = 12, weeks: int = 6, render_texts: bool = True, record: bool = False
) -> Report:
    """Runs one whole circle and checks its invariants; returns what happened."""
    return Simulation(seed, learners, weeks, render_texts, record=record).run()


def replay(routed: list) -> None:
    """The baseline: the same texts, states and contexts through the router alone."""
    for state, inbound, ctx in routed:
        router.handle(state, inbound, ctx)


def best_of(runs: int, fn) -> tuple[float, object]:
    """The shortest wall time of ``runs`` calls, and what that call returned."""
    best, out = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        got = fn()
        took = time.perf_counter() - started
        if took < best:
            best, out = took, got
    return best, out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5, help="best of N (default 5)")
    parser.add_argument("--learners", type=int, default=12)
    parser.add_argument("--weeks", type=int, default=6)
    args = parser.parse_args(argv)

    print(f"bench/circle.py · {machine()}")
    report = simulate(args.seed, args.learners, args.weeks, record=True)  # also warms Babel's catalogs
    routed = report.routed
    circle, best = best_of(args.runs, lambda: simulate(args.seed, args.learners, args.weeks))
    routing, _ = best_of(args.runs, lambda: replay(routed))
    unrendered, _ = best_of(args.runs, lambda: simulate(args.seed, args.learners, args.weeks, render_texts=False))
    split = " · ".join(f"{phase} {best.seconds[phase] * 1000:.1f} ms" for phase in ("plan", "send", "learners"))
    kinds = dict(sorted(Counter(report.behaviour.values()).items()))
    print(
        f"circle: {args.learners} learners, {args.weeks} meetings, seed {args.seed}, "
        f"{report.steps} steps of {STEP} · learners {kinds}"
    )
    print(f"inbound handled: {report.inbound} (signup {3 * args.learners}, the rest answers and STOPs)")
    print(f"messages planned by kind: {dict(sorted(report.planned.items()))}")
    print(
        f"  sent: {dict(sorted(report.sent.items()))} · cancelled at send time: {report.cancelled} · "
        f"deferred by quiet hours: {report.deferred}"
    )
    print(f"STOPs: {report.stops} · replies rendered (Babel, SMS): {report.rendered} · SMS segments: {report.segments}")
    print(
        "invariants: nothing planned or sent after STOP; one survey and at most one survey reminder each; "
        "one reminder per meeting; the keen's answers stored: ok"
    )
    print(
        f"whole circle: {circle * 1000:.1f} ms (best of {args.runs}) · per step {circle / report.steps * 1e6:.0f} µs "
        f"· whole circle ÷ inbound texts {circle / report.inbound * 1e6:.0f} µs"
    )
    print(
        f"  of which (best run): {split} (send renders the scheduled texts; learners route and render "
        f"their texts) · the whole circle without rendering: {unrendered * 1000:.1f} ms"
    )
    print(
        f"baseline: the same {len(routed)} texts through flows.router.handle alone: {routing * 1000:.1f} ms "
        f"(best of {args.runs}) · ratio circle / routing = {circle / routing:.1f}×"
    )
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"target < {TARGET:.0f} s: {'met' if circle < TARGET else 'MISSED'}")


if __name__ == "__main__":
    main()
