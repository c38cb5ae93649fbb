"""How many of the project's modules one relayed SMS runs code in (the structure issue: at most 20).

One signed ``/twilio/sms`` request whose free text is relayed to the facilitator is traced in-process
with ``sys.setprofile``; every Python frame whose module is under ``bot``, ``flows`` or ``webhooks``
counts its module once. A module that only defines a constant the request reads is not counted (no
frame runs in it). On both backends.
"""

from __future__ import annotations

import sys

from tests.helpers import make_circle, text

PROJECT = ("bot", "flows", "webhooks")
MOST = 20


def trace(call) -> set[str]:
    """The project's modules that ran code while ``call()`` ran."""
    seen: set[str] = set()

    def profile(frame, event, _arg):
        if event == "call":
            name = frame.f_globals.get("__name__", "")
            if name.split(".", 1)[0] in PROJECT:
                seen.add(name)

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return seen


def test_a_relayed_text_runs_code_in_at_most_20_modules(client, uow, capsys):
    make_circle(uow)
    text(client, "JOIN KC42"), text(client, "Amina"), text(client, "1")
    text(client, "hello")  # the first relay makes the learner's #number: warm, as most relays are
    said: list[str] = []
    modules = trace(lambda: said.extend(text(client, "I will be late today, sorry")))
    assert said, "the learner is told their text went to the facilitator"
    with capsys.disabled():
        print(f"\n{len(modules)} modules for one relayed SMS: {', '.join(sorted(modules))}")
    assert len(modules) <= MOST, sorted(modules)
