"""The conversations as pure functions: ``(state, inbound, context) -> Result``.

Nothing in this package does I/O, reads the clock or keeps globals that change, and it imports
nothing from flask, sqlalchemy, rq, redis, twilio or telegram (tests/unit/test_flow_imports.py).
"""

from flows.context import CircleView, ContactView, Context, EnrollmentView
from flows.inbound import Inbound
from flows.results import Reply, Result
from flows.router import handle

__all__ = [
    "CircleView",
    "ContactView",
    "Context",
    "EnrollmentView",
    "Inbound",
    "Reply",
    "Result",
    "handle",
]
