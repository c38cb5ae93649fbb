"""bench/soak.py's traffic: the open-loop sender of signed Twilio texts (each thread owning its learners),
the ``/healthz`` baseline, and percentiles."""

from __future__ import annotations

import math
import secrets
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request

from bench.pacing import ACCOUNT_SID, SENDER

AUTH_TOKEN = "soak-auth-token"
BASE_URL = "https://soak.circlebot.example.org"
MIX = (("rsvp", 40), ("help", 25), ("relay", 10), ("survey", 25))
SURVEY_ANSWERS = ("4", "5", "3", "8", "More computer classes please")


class Traffic:
    """The open-loop sender: ticket k is due at t0 + k/rate; thread t sends tickets k ≡ t (mod T)."""

    def __init__(self, port: int, people: dict, rate: float, seconds: float, threads: int, seed: int = 7):
        import random

        self.port, self.rate, self.seconds, self.threads = port, rate, seconds, threads
        self.total = int(rate * seconds)
        self.results: list[tuple] = []  # (kind, due offset, latency s, status, error or None, sent offset)
        self.sent = Counter()
        self.skipped = 0  # tickets not sent because the run's time was up
        self.rsvp_learners: set[str] = set()
        self.lock = threading.Lock()
        rnd = random.Random(seed)
        kinds = [k for k, w in MIX for _ in range(w)]
        self.kinds = [rnd.choice(kinds) for _ in range(self.total)]
        # Each thread owns a slice of each pool; survey learners are used up one by one.
        self.rsvp = [people["rsvp"][t::threads] for t in range(threads)]
        self.survey = [list(people["survey"][t::threads]) for t in range(threads)]
        self.survey_step: dict[str, int] = {}
        self.code_of = people["code_of"]

    def run(self) -> float:
        t0 = time.monotonic() + 0.2
        workers = [threading.Thread(target=self._loop, args=(t, t0), daemon=True) for t in range(self.threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return time.monotonic() - t0

    def _loop(self, t: int, t0: float) -> None:
        import random

        rnd = random.Random(t)
        rsvp_pool, survey_pool, turn = self.rsvp[t], self.survey[t], 0
        for k in range(t, self.total, self.threads):
            due = k / self.rate
            if time.monotonic() - t0 > self.seconds:  # the server fell behind: the run ends on time anyway
                with self.lock:
                    self.skipped += 1
                continue
            wait = t0 + due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            kind = self.kinds[k]
            if kind == "survey" and not survey_pool:
                kind = "help"
            if kind == "survey":
                phone = survey_pool[0]
                step = self.survey_step.get(phone, 0)
                body = SURVEY_ANSWERS[step]
                self.survey_step[phone] = step + 1
                if step + 1 == len(SURVEY_ANSWERS):
                    survey_pool.pop(0)
            else:
                phone = rsvp_pool[turn % len(rsvp_pool)]
                turn += 1
                body = {
                    "rsvp": rnd.choice(("1", "2")),
                    "help": "HELP",
                    "relay": f"Hello from {phone[-4:]}, is there parking at {self.code_of[phone]}? #{k}",
                }[kind]
            started = time.monotonic()
            status, error = post_sms(self.port, body, phone)
            latency = time.monotonic() - started
            with self.lock:
                self.results.append((kind, due, latency, status, error, started - t0))
                if status == 200 and error is None:
                    self.sent[kind] += 1
                    if kind == "rsvp":
                        self.rsvp_learners.add(phone)


def post_sms(port: int, body: str, sender: str) -> tuple[int, str | None]:
    """Posts one signed inbound SMS; returns (HTTP status, error or None)."""
    from twilio.request_validator import RequestValidator

    from tests.processes import HTTP

    sid = "SM" + secrets.token_hex(16)
    params = {
        "ToCountry": "US",
        "ToState": "MO",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "MO",
        "SmsStatus": "received",
        "FromCity": "",
        "Body": body,
        "FromCountry": "US",
        "To": SENDER,
        "ToZip": "",
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(BASE_URL + "/twilio/sms", params)
    request = Request(
        f"http://127.0.0.1:{port}/twilio/sms",
        data=urlencode(params).encode(),
        method="POST",
        headers={"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with HTTP.open(request, timeout=30) as answer:
            text = answer.read().decode("utf-8")
            status = answer.status
    except HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (URLError, OSError) as exc:
        return 0, f"{exc.__class__.__name__}: {exc}"
    try:
        if ET.fromstring(text).tag != "Response":
            return status, "not TwiML"
    except ET.ParseError:
        return status, "not XML"
    return status, None


def baseline(port: int, rate: float, seconds: float, threads: int) -> list[float]:
    """``GET /healthz`` open loop at ``rate`` for ``seconds``: the latencies (s) of the 200s."""
    from tests.processes import HTTP

    total, out, lock = int(rate * seconds), [], threading.Lock()
    t0 = time.monotonic() + 0.2

    def loop(t: int) -> None:
        for k in range(t, total, threads):
            wait = t0 + k / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            started = time.monotonic()
            try:
                with HTTP.open(f"http://127.0.0.1:{port}/healthz", timeout=30) as answer:
                    answer.read()
                    ok = answer.status == 200
            except (URLError, OSError):
                ok = False
            if ok:
                with lock:
                    out.append(time.monotonic() - started)

    workers = [threading.Thread(target=loop, args=(t,), daemon=True) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return out


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    values = sorted(values)

    def at(p: float) -> float:
        return values[min(len(values) - 1, int(math.ceil(p * len(values))) - 1)] * 1000

    return f"p50 {at(0.50):.0f} ms, p95 {at(0.95):.0f} ms, p99 {at(0.99):.0f} ms, max {values[-1] * 1000:.0f} ms"
