"""A job for ``test_cli``'s worker test: it notes the id of the process that runs it."""

from __future__ import annotations

import os
from pathlib import Path


def note_pid(path: str) -> None:
    with Path(path).open("a") as f:
        f.write(f"{os.getpid()}\n")
