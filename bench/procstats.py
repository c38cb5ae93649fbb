"""The long-lived processes of a bench and their memory (Linux ``/proc``): every process of a role's
session, labelled, with its RSS."""

from __future__ import annotations

import os
from pathlib import Path


def session_members(sid: int) -> list[int]:
    """Live processes of session ``sid`` (Linux /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text(errors="replace")
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) == sid and fields[0] not in ("Z", "X"):
                out.append(int(entry))
    return sorted(out)


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def snapshot(roles: dict[str, object]) -> dict[int, tuple[str, float]]:
    """RSS of every process of each role's session: pid → (label, MiB)."""
    out = {}
    for role, proc in roles.items():
        for pid in session_members(proc.pid):
            rss = rss_mib(pid)
            if rss is None:
                continue
            if pid == proc.pid:
                label = {"web": "gunicorn master", "worker": "circlebot worker", "standin": "Twilio stand-in"}[role]
            elif role == "web":
                label = "gunicorn worker"
            elif role == "worker":
                label = "RQ scheduler/horse" if "python" in cmdline(pid) else "worker child"
            else:
                label = f"{role} child"
            out[pid] = (label, rss)
    return out
