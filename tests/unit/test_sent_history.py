"""``bot.domain.history.copy_status``: one learner's copy of a sent message, from the send job's status and
the provider's delivery report, as the history page names it (issue 24)."""

from __future__ import annotations

import pytest

from bot.domain.history import Copy, copy_status
from bot.store.models import Outbox


@pytest.mark.parametrize(
    ("status", "delivery", "opted_out", "shown"),
    [
        ("pending", None, False, Copy.WAITING),
        ("sending", None, False, Copy.WAITING),
        ("held", None, False, Copy.WAITING),
        ("sent", None, False, Copy.SENT),
        ("sent", "queued", False, Copy.SENT),
        ("sent", "delivered", False, Copy.DELIVERED),
        ("sent", "read", False, Copy.DELIVERED),
        ("sent", "undelivered", False, Copy.FAILED),
        ("sent", "failed", True, Copy.FAILED),
        ("failed", None, False, Copy.FAILED),
        ("cancelled", None, True, Copy.STOPPED),
        ("cancelled", None, False, Copy.NOT_SENT),
        ("sent", "delivered", True, Copy.DELIVERED),  # stopped after it arrived: it still arrived
    ],
)
def test_each_copy_reads_as_the_page_names_it(status, delivery, opted_out, shown):
    assert copy_status(Outbox(status=status, delivery_status=delivery), opted_out) == shown
