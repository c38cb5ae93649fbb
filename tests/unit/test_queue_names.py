"""Two test runs on one machine never share a queue (DESIGN.md §8): no test names a fixed queue."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FIXED = re.compile(r"""["']queue_name["']\s*:\s*["']|["']CIRCLEBOT_QUEUE["']\s*:\s*["']circlebot""")


def test_no_test_hard_codes_a_queue_name():
    found = [
        f"{path.relative_to(TESTS)}:{n}"
        for path in sorted(TESTS.rglob("*.py"))
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if FIXED.search(line)
    ]
    assert found == [], f"use tests.helpers.RUN_QUEUE instead of a fixed name: {found}"
