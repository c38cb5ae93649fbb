"""What a whole circle costs one learner in SMS segments, per locale (issue 16: at most 30).

A pure simulation, no database and no clock: one learner who answers everything goes through a circle
of ``weeks`` meetings. What they are sent is what the product sends them:
  - the scheduled texts, built by the planners' own constructors (a reminder before every meeting, a
    check-in the day after every meeting but the last, the survey intro with its first question);
  - the inline replies, produced by the real router (``flows.router.handle``) for each text they send:
    JOIN, their name and language, ``1`` to every reminder and check-in, an answer to every survey question.
Every text is rendered for SMS in the learner's locale with the longest placeholder values
(``bot.reports.budget.longest_params``: 40-character names, the longest date), and its segments are counted the
way carriers count. ``circlebot segments`` prints the table; ``tests/unit/test_circle_cost.py`` enforces it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.planning.reminders import reminder_reply
from bot.render import segments, sms
from bot.reports import budget
from flows import checkin, keys, languages, router, survey, surveys
from flows.context import CircleView, ContactView, Context, EnrollmentView, PendingRsvp
from flows.inbound import SMS, Inbound
from flows.results import Reply, StateDict

MAX_PER_CIRCLE = 30
WEEKS = 6
CODE = "KC42"
# What the learner answers to each kind of survey question.
ANSWERS = {
    surveys.SCALE5: "4",
    surveys.SCALE10: "9",
    surveys.TEXT: "Keep learning",
    surveys.YESNO: "yes",
    surveys.NUMBER: "3",
}


@dataclass
class Cost:
    """One learner's whole circle in one locale: every text they got and what each cost."""

    locale: str
    scheduled: list[tuple[str, int]] = field(default_factory=list)  # (first message key, segments)
    inline: list[tuple[str, int]] = field(default_factory=list)
    sent: int = 0  # texts the learner sent

    @property
    def segments(self) -> int:
        """Every segment the learner received."""
        return sum(n for _, n in self.scheduled) + sum(n for _, n in self.inline)

    @property
    def ok(self) -> bool:
        """True when the circle is within :data:`MAX_PER_CIRCLE`."""
        return self.segments <= MAX_PER_CIRCLE


def _segments(replies: tuple[Reply, ...], locale: str) -> int:
    return segments.count(sms.render(replies, locale)).segments


@functools.lru_cache(maxsize=None)
def circle_cost(locale: str, weeks: int = WEEKS) -> Cost:
    """Drives one learner through a ``weeks``-meeting circle in ``locale`` and counts the segments."""
    params = budget.longest_params(locale)
    name, venue, when = params["circle"], params["venue"], params["when"]
    start = when.at
    meetings = [start + timedelta(weeks=i) for i in range(weeks)]
    circle = CircleView(
        CODE, name, venue, when.timezone, locale, 500, 1, next_meeting=meetings[0], phone_code=params["phone_code"]
    )
    cost = Cost(locale)
    state: StateDict | None = None
    contact = ContactView()

    def text(body: str, now: datetime, pending: PendingRsvp | None = None) -> None:
        nonlocal state
        ctx = Context(
            now=now,
            contact=contact,
            circles={CODE: circle},
            default_language=locale,
            languages=languages.SHIPPED,
            pending_rsvp=pending,
            dial_in=params["dial_in"],  # the welcome tells the voice line
        )
        result = router.handle(state, Inbound(SMS, "+18165550100", body, f"cost{cost.sent}", now), ctx)
        cost.sent += 1
        state = result.state
        if result.replies:  # a webhook answers each reply as a text of its own
            cost.inline.append((result.replies[0].key, sum(_segments((r,), locale) for r in result.replies)))

    def scheduled(replies: tuple[Reply, ...], opens: StateDict | None = None) -> None:
        nonlocal state
        cost.scheduled.append((replies[0].key, _segments(replies, locale)))
        state = opens if opens is not None else state

    joined = start - timedelta(days=3)
    text(f"JOIN {CODE}", joined)
    text(params["name"], joined)
    text(str(languages.SHIPPED.index(locale) + 1), joined)
    contact = ContactView(params["name"], locale, enrollments=(EnrollmentView(circle, "active"),))

    for seq, at in enumerate(meetings, start=1):
        reminded = at - timedelta(hours=24)
        scheduled((reminder_reply(name, venue, at, when.timezone),))
        text("1", reminded + timedelta(minutes=5), PendingRsvp(seq, circle, at))
        if seq < weeks:
            opened = {**checkin.opening("enrollment:1", CODE, seq, first=seq == 1), "name": name}
            scheduled((checkin.question(name),), opened)
            text("1", at + timedelta(days=1))

    questions = surveys.LEARNER.questions
    scheduled(
        (Reply(keys.SURVEY_INTRO, {"circle": name}), questions[0].ask()),
        survey.opening(surveys.LEARNER.name, "enrollment:1", CODE),
    )
    after = meetings[-1] + timedelta(days=1)
    while state and state.get("flow") == survey.FLOW:
        text(ANSWERS[survey.question(state).kind], after)
    return cost


def costs(locales=budget.SHIPPED_LOCALES) -> list[Cost]:
    """The whole-circle cost in every locale."""
    return [circle_cost(locale) for locale in locales]


def table(all_costs: list[Cost]) -> str:
    """The per-locale cost of a whole circle, as plain text."""
    lines = [
        f"Whole circle, one learner answering everything ({WEEKS} meetings, longest values):",
        f"{'loc':4} {'scheduled':>9} {'inline':>6} {'segs':>4} {'max':>3} {'sent':>4}  ok",
    ]
    for c in all_costs:
        lines.append(
            f"{c.locale:4} {sum(n for _, n in c.scheduled):>9} {sum(n for _, n in c.inline):>6} "
            f"{c.segments:>4} {MAX_PER_CIRCLE:>3} {c.sent:>4}  {'ok' if c.ok else 'OVER'}"
        )
    return "\n".join(lines)
