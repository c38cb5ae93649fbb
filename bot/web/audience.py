"""Who a page action will text, and what they get: the confirmation pages show both before anything goes."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain import relay_handles, standing_view
from bot.domain.planning.audience import active_learners
from bot.render import sms
from bot.store.models import Circle, Contact
from bot.web.access import now
from bot.web.blueprint import bp


def learners(db, circle: Circle) -> list[dict]:
    """The circle's active, reachable learners (each gets the text once): name, relay number, channel."""
    found = active_learners(db, circle.id, circle.language, circle.timezone)
    ids = [learner.to.contact_id for learner in found]
    names = dict(db.execute(select(Contact.id, Contact.name).where(Contact.id.in_(ids))).all()) if ids else {}
    handles = relay_handles.numbers(db, circle.facilitator_id, ids)
    return [
        {
            "name": names.get(learner.to.contact_id) or "",
            "handle": handles.get(learner.to.contact_id),
            "channel": learner.to.channel,
        }
        for learner in found
    ]


def text_of(replies, circle: Circle) -> str:
    """The text as an SMS in the circle's language (each learner gets it in their own)."""
    return sms.render(tuple(replies), circle.language, fold=False)


@bp.app_template_global()
def meeting_status(meeting) -> str:
    """A meeting's status as the pages show it: ``held`` once it began (``flows.standing``)."""
    return standing_view.meeting(meeting, now())


@bp.app_template_global()
def circle_ended(circle) -> bool:
    """True when every meeting of the circle is behind it."""
    return standing_view.circle(circle, now())
