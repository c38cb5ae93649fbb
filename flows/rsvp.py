"""RSVP: a reply to the most recent reminder, ``1``/``2`` or yes/no in any language.

reminder sent ──▶ "1", "YES", "SI", "NDIYO"… ──▶ RecordRsvp(yes) + RSVP_YES
              └─▶ "2", "NO", "NON", "HAPANA"… ──▶ RecordRsvp(no)  + RSVP_NO
A changed mind (another answer later) updates the same RSVP. No state is kept.
"""

from __future__ import annotations

from flows import keys, keywords
from flows.context import PendingRsvp
from flows.results import RecordRsvp, Reply, Result, StateDict, When


def on_answer(state: StateDict | None, answer: str, pending: PendingRsvp) -> Result:
    """Records the answer for the pending meeting and confirms it briefly (the open conversation stays)."""
    params = {"circle": pending.circle.name, "when": When(pending.starts_at, pending.circle.timezone)}
    key = keys.RSVP_YES if answer == keywords.YES else keys.RSVP_NO
    return Result(state, (Reply(key, params),), (RecordRsvp(pending.meeting_id, answer),))
