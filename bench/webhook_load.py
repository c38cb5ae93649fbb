"""bench/webhook.py's load: signed Twilio texts, the load processes that post them (closed loop and open loop,
each in its own process), and the figures of a phase (throughput, latency, CPU per request)."""

from __future__ import annotations

import http.client
import itertools
import multiprocessing
import random
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

from bench._common import cpu_seconds, load

MIX = (("1", 3), ("2", 1), ("YES", 1), ("NO", 1), ("HELP", 2), ("free", 2))  # body, weight
FREE = (
    "Is there parking at the library?",
    "I will be a bit late",
    "Thank you for today",
    "Can I bring my daughter?",
    "Where is room 2?",
)


def learner(i: int) -> str:
    return f"+1816{4000000 + i:07d}"


def signed(body: str, sender: str) -> tuple[bytes, str]:
    """A signed Twilio inbound SMS with a fresh MessageSid: (form body, X-Twilio-Signature)."""
    from tests.helpers import sign, sms

    params = sms(body, sender, sid="SM" + secrets.token_hex(16))
    return urlencode(params).encode(), sign("/twilio/sms", params)


def post(port: int, form: bytes, signature: str, timeout: float = 30) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST",
            "/twilio/sms",
            form,
            {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = conn.getresponse()
        answer.read()
        return answer.status
    except Exception:  # noqa: BLE001 - a refused or timed-out request counts as a non-2xx
        return 599
    finally:
        conn.close()


def closed_loop(port: int, requests: list, seconds: float, concurrency: int, out) -> None:
    """``concurrency`` threads post back to back until ``seconds`` pass; sends (latency, status) pairs."""
    results, lock, counter = [], threading.Lock(), itertools.count()
    deadline = time.perf_counter() + seconds

    def run():
        mine = []
        while time.perf_counter() < deadline:
            i = next(counter)
            if i >= len(requests):
                break
            started = time.perf_counter()
            status = post(port, *requests[i])
            mine.append((time.perf_counter() - started, status))
        with lock:
            results.extend(mine)

    began = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((time.perf_counter() - began, results))


def open_loop(port: int, requests: list, rate: float, seconds: float, out) -> None:
    """Posts at a fixed ``rate`` for ``seconds``; latency from each request's scheduled time."""
    results, lock = [], threading.Lock()
    n = min(len(requests), int(rate * seconds))
    began = time.perf_counter() + 0.2

    def one(i: int):
        due = began + i / rate
        status = post(port, *requests[i])
        with lock:
            results.append((time.perf_counter() - due, status))

    with ThreadPoolExecutor(max_workers=128) as pool:
        for i in range(n):
            delay = began + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    out.put((time.perf_counter() - began, results))


def drive(target, *args) -> tuple[float, list]:
    """Runs a load function in its own process (so the client's GIL is not the server's)."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, out))
    proc.start()
    result = out.get()
    proc.join()
    return result


def summary(name: str, elapsed: float, results: list) -> dict:
    latencies = sorted(lat for lat, _ in results)
    bad = sum(1 for _, status in results if not 200 <= status < 300)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0

    figures = {
        "name": name,
        "n": len(results),
        "rps": len(results) / elapsed if elapsed else 0.0,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "bad": bad,
    }
    print(
        f"  {name:<34} {figures['n']:>6} req in {elapsed:5.1f} s  {figures['rps']:8.1f} req/s   "
        f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  p99 {figures['p99']:6.1f} ms   "
        f"non-2xx {bad}   ({load()})",
        flush=True,
    )
    return figures


def measured(name: str, server, target, *args) -> dict:
    """``summary`` of one load phase, and the CPU each request cost the server under test (its gunicorn
    master and workers) and PostgreSQL (every backend on the machine: keep it quiet)."""
    web, database = cpu_seconds([server.pid]), cpu_seconds(command="postgres")
    elapsed, results = drive(target, *args)
    web, database = cpu_seconds([server.pid]) - web, cpu_seconds(command="postgres") - database
    figures = summary(name, elapsed, results)
    n = max(1, figures["n"])
    figures.update(web_cpu=web / n * 1000, db_cpu=database / n * 1000)
    print(f"  {'':<34} CPU per request: web {figures['web_cpu']:.2f} ms, PostgreSQL {figures['db_cpu']:.2f} ms")
    return figures


def gunicorn(port: int, app: str) -> list[str]:
    """The Procfile's web process: gunicorn, 2 sync workers (``tests.processes.gunicorn_command``)."""
    from tests.processes import gunicorn_command

    return gunicorn_command(port, workers=2, app=app)


def traffic(learners: int, n: int, seed: int = 7) -> list:
    rng = random.Random(seed)
    bodies = [body for body, weight in MIX for _ in range(weight)]
    out = []
    for _ in range(n):
        body = rng.choice(bodies)
        out.append(signed(rng.choice(FREE) if body == "free" else body, learner(rng.randrange(learners))))
    return out
