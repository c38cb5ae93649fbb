"""The README's "Your first circle" commands, run as written through ``./dev``, on a fresh temp instance."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- tested: tests/e2e/test_readme.py -->"
NOT_INHERITED = (
    "DATABASE_URL",
    "REDIS_URL",
    "PUBLIC_BASE_URL",
    "SECRET_KEY",
    "DEFAULT_REGION",
    "QUIET_HOURS",
    "VIRTUAL_ENV",
)


def readme_commands() -> list[str]:
    """The commands of the marked block, continuation lines joined."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(MARK, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    lines = block.replace("\\\n", " ").splitlines()
    return [" ".join(line.split()) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_the_readme_commands_run_as_written(tmp_path):
    commands = readme_commands()
    assert len(commands) >= 5 and all(c.startswith("./dev ") for c in commands)
    work = tmp_path / "work"
    work.mkdir()
    (work / "dev").symlink_to(ROOT / "dev")  # ./dev, as in a checkout; files it writes land in work/
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["CIRCLEBOT_INSTANCE"] = str(tmp_path / "instance")
    out = {}
    for command in commands:
        done = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        out[command] = done.stdout
    assert (tmp_path / "instance" / "circlebot.sqlite3").exists()
    listed = out["./dev circle list"].splitlines()
    assert listed[0].startswith("CODE") and listed[1].startswith("KC42") and "0 of 12" in listed[1]
    shown = out["./dev circle show KC42"]
    assert "Intro to Computers" in shown and "6:30 PM C" in shown and "0 of 12 places are taken" in shown
    exports = " ".join(v for k, v in out.items() if k.startswith("./dev export"))
    assert "Wrote 0 learners of KC42 to kc42-learners.csv" in exports
    assert "Wrote 0 answers of KC42 to kc42-facilitator.csv" in exports
    assert (work / "kc42-learners.csv").read_text().startswith("handle,name,phone,status,rsvp_1")
    assert (work / "kc42-facilitator.csv").read_text().startswith("facilitator,meeting,question,answer")


def test_dev_passes_other_commands_to_circlebot(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    env["CIRCLEBOT_INSTANCE"] = str(tmp_path)
    done = subprocess.run(
        [str(ROOT / "dev"), "circle", "list"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("No circles yet") and "usage" not in done.stderr
