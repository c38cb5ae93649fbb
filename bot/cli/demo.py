"""``demo --reset``'s guard: the demo's data lives in ``bot/demo/seed.py``; this refuses a real database."""

from __future__ import annotations

from bot.demo import seed as demo
from bot.demo.seed import DEMO_CODE, seed  # noqa: F401  (the CLI's names)


class ResetRefused(RuntimeError):
    """``demo --reset`` was asked for on a database that is not the embedded demo one."""


def reset(runtime) -> None:
    """Empties the embedded demo database and seeds the DEMO circle again.

    Raises:
        ResetRefused: ``DATABASE_URL`` is set, so the database may hold real circles.
    """
    if runtime.settings.database_url:
        raise ResetRefused(
            "demo --reset empties the whole database, so it only works on the embedded demo "
            "database; DATABASE_URL is set. Unset it, or point it at a database you can lose."
        )
    demo.reset(runtime)
