"""RSVP: a reply to the most recent reminder, ``1``/``2`` or yes/no in any language.

reminder sent ──▶ "1", "YES", "SI", "NDIYO"… ──▶ RecordRsvp(yes) + RSVP_YES
              └─▶ "2", "NO", "NON", "HAPANA"… ──▶ RecordRsvp(no)  + RSVP_NO
A changed mind (another answer later) updates the same RSVP. No state is kept.
"""

from __future__ import annotations

from flows import keys, keywords
from flows.context import Context
from flows.results import RecordRsvp, Reply, Result, When


def on_answer(state, answer: str, ctx: Context) -> Result:
    """Records the answer for the pending meeting and confirms it briefly."""
    pending = ctx.pending_rsvp
    params = {"circle": pending.circle.name, "when": When(pending.starts_at, pending.circle.timezone)}
    key = keys.RSVP_YES if answer == keywords.YES else keys.RSVP_NO
    return Result(state, (Reply(key, params),), (RecordRsvp(pending.meeting_id, answer),))
