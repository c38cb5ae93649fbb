"""Spawning and killing real circlebot processes (workers, gunicorn) for multi-process tests.

Every process is started in its own session (``start_new_session=True``), and killing it means
SIGKILL to every process of that session at once. The process group is not enough: RQ's work-horse
calls ``os.setpgrp()`` after the fork (rq 2.x), so it sits in a process group of its own (in the
same session) and would survive ``os.killpg`` of the worker, finish its job and even schedule a
retry. ``Processes`` keeps track of what a test started and kills all of it when the test ends,
whatever happened::

    with Processes(tmp_path) as procs:
        worker = procs.start("worker-1", worker_command(), env)
        ...
        worker.kill()

Only 127.0.0.1 is used; every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
TWILIO_SID = "AC" + "0" * 32
TWILIO_FROM = "+18165550100"
# Settings the parent test process may have in its environment; a child gets only what we give it.
OWN_SETTINGS = (
    "DATABASE_URL",
    "REDIS_URL",
    "PUBLIC_BASE_URL",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM",
    "TWILIO_API_BASE",
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_SECRET",
    "TELEGRAM_API_BASE",
    "SEND_RATE_PER_SECOND",
    "QUIET_HOURS",
    "REMINDER_LEAD",
    "SECRET_KEY",
    "OUTBOX_STUCK_AFTER",
    "TWILIO_TIMEOUT",
    "CIRCLEBOT_INSTANCE",
    "LOG_LEVEL",
    "PORT",
    "CIRCLEBOT_QUEUE",
)
# Requests to our own 127.0.0.1 processes never go through a proxy from the environment.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(
    predicate: Callable[[], object],
    timeout: float,
    interval: float = 0.05,
    what: str = "condition",
    detail: Callable[[], str] | None = None,
) -> object:
    """Polls ``predicate`` until it returns something truthy (returned); AssertionError after ``timeout``.

    ``detail`` is called on time-out for the assertion message (e.g. the processes' logs).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what}" + (f"\n{detail()}" if detail else "")
            )
        time.sleep(interval)


def circlebot_env(
    backend: dict, instance: Path, twilio_api_base: str, auth_token: str = "test-token", **settings
) -> dict:
    """The environment of a circlebot process on ``backend`` that sends through the stand-in.

    ``settings`` override the defaults below (names as in the environment; None removes one).
    """
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    env.update(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": auth_token,
            "TWILIO_FROM": TWILIO_FROM,
            "TWILIO_API_BASE": twilio_api_base,
            "SEND_RATE_PER_SECOND": "100",
            "QUIET_HOURS": "",
            "OUTBOX_STUCK_AFTER": "2s",
            "TWILIO_TIMEOUT": "2",
            "PUBLIC_BASE_URL": "http://127.0.0.1:9",
            "CIRCLEBOT_INSTANCE": str(instance),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    if backend.get("REDIS_URL"):
        env["REDIS_URL"] = backend["REDIS_URL"]
    if backend.get("CIRCLEBOT_QUEUE"):
        env["CIRCLEBOT_QUEUE"] = backend["CIRCLEBOT_QUEUE"]
    for name, value in settings.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    instance.mkdir(parents=True, exist_ok=True)
    return env


def worker_command(burst: bool = False) -> list[str]:
    """``circlebot worker [--burst]``, run with this interpreter."""
    return [sys.executable, "-m", "bot.cli", "worker"] + (["--burst"] if burst else [])


def gunicorn_command(port: int, workers: int = 1, app: str = "bot:create_app()") -> list[str]:
    """gunicorn on ``app`` (``bot:create_app()``: the Procfile's web process) at 127.0.0.1:``port``."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "2",
        "--timeout",
        "30",
        app,
    ]


def session_members(sid: int) -> list[int]:
    """The pids of the live (not zombie) processes whose session id is ``sid`` (Linux ``/proc``)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fp:
                stat = fp.read()
        except OSError:  # it ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # state ppid pgrp session ...
        if int(fields[3]) == sid and fields[0] not in ("Z", "X"):
            pids.append(int(entry))
    return pids


class Proc:
    """One child process (and its process group), its output going to a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log_path = Path(log_dir) / f"{name}.log"
        self._log = open(self.log_path, "ab")
        self._log.write(f"$ {' '.join(args)}\n".encode())
        self._log.flush()
        self.started_at = time.monotonic()
        self.popen = subprocess.Popen(
            args,
            env=env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        """True while the main process runs."""
        return self.popen.poll() is None

    def session_pids(self) -> list[int]:
        """The live processes of this process's session (it, RQ's work-horse, gunicorn's workers…)."""
        return session_members(self.popen.pid)

    def _signal_group(self, signum: int) -> None:
        try:
            os.killpg(self.popen.pid, signum)  # the group id is the leader's pid (new session)
        except (ProcessLookupError, PermissionError):
            pass

    def kill(self) -> None:
        """SIGKILLs every process of the session at once (RQ's work-horse too) and reaps the main one."""
        try:
            deadline = time.monotonic() + 10
            while True:
                self._signal_group(signal.SIGKILL)
                members = self.session_pids()
                for pid in members:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                if self.popen.poll() is not None and not members:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{self.name}: processes {members} survive SIGKILL")
                time.sleep(0.01)
        finally:
            self._close_log()

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM to the group, then SIGKILL if it has not ended within ``timeout``; returns the exit code."""
        if self.alive():
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        self.kill()
        return self.popen.returncode

    def wait(self, timeout: float) -> int:
        """Waits for the process to end by itself; AssertionError (after killing it) on time-out."""
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not end within {timeout:.0f}s:\n{self.output()}") from None
        finally:
            if self.session_pids():
                self.kill()  # anything it left behind in its session
            self._close_log()

    def output(self, tail: int = 4000) -> str:
        """The end of what the process printed so far."""
        try:
            self._log.flush()
        except ValueError:
            pass
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return text[-tail:]

    def _close_log(self) -> None:
        if not self._log.closed:
            self._log.close()


class Processes:
    """The processes one test started; all are killed on exit (use as a context manager)."""

    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.started: list[Proc] = []

    def start(self, name: str, args: list[str], env: dict) -> Proc:
        """Starts ``args`` with ``env``; its output goes to ``<log_dir>/<name>.log``."""
        proc = Proc(name, args, env, self.log_dir)
        self.started.append(proc)
        return proc

    def run(self, name: str, args: list[str], env: dict, timeout: float) -> tuple[int, str]:
        """Runs a command to its end (bounded by ``timeout``); returns its exit code and output."""
        proc = self.start(name, args, env)
        code = proc.wait(timeout)
        return code, proc.output()

    def kill_all(self) -> None:
        """SIGKILLs every process group this test started."""
        for proc in self.started:
            try:
                proc.kill()
            except Exception:  # keep killing the others
                pass

    def logs(self, tail: int = 1500) -> str:
        """The end of every process's output, for an assertion message."""
        return "\n".join(
            f"--- {p.name} (pid {p.pid}, rc {p.popen.returncode}) ---\n{p.output(tail)}" for p in self.started
        )

    def __enter__(self) -> "Processes":
        return self

    def __exit__(self, *exc) -> None:
        self.kill_all()


def wait_http_ok(url: str, timeout: float, proc: Proc | None = None) -> None:
    """Waits until GET ``url`` answers 200 (the process must stay alive meanwhile)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise AssertionError(f"{proc.name} exited with {proc.popen.returncode}:\n{proc.output()}")
        try:
            with HTTP.open(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.1)
    raise AssertionError(
        f"{url} did not answer 200 within {timeout:.0f}s ({last})" + (f":\n{proc.output()}" if proc else "")
    )


def start_demo(procs: "Processes", instance: Path, **settings: str) -> str:
    """``circlebot demo`` on a free port for ``instance`` (none of this shell's own settings; ``settings``
    added: ``QUIET_HOURS``, ``P2PU_API_BASE``…), once its simulator answers; returns its base URL."""
    env = {k: v for k, v in os.environ.items() if k not in OWN_SETTINGS}
    env.update(CIRCLEBOT_INSTANCE=str(instance), SEND_RATE_PER_SECOND="50", LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    env.update(TZ="America/Chicago")  # the demo's zone is the machine's: the tests pick it (``TZ=…`` overrides)
    env.update(settings)
    port = free_port()
    procs.start("demo", [sys.executable, "-m", "bot.cli", "demo", "--port", str(port)], env)
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return HTTP.open(base + "/simulator/clock", timeout=2).status == 200
        except (OSError, urllib.error.URLError):
            return False

    wait_until(up, 60, what="circlebot demo", detail=procs.logs)
    return base
