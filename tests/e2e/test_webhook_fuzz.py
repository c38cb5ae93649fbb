"""Issue 12 proofs: fuzzed signed bodies never get a 5xx and every 200 parses; forged, tampered or
re-pointed requests all get 403 and change no row.

Both proofs are tables over the signed endpoints (``ENDPOINTS``, ``FORGERIES``). A new endpoint (the
voice webhooks, ``/telegram`` with JSON and its secret header) is one more ``Endpoint`` row: its
path, a strategy for its bodies, how to sign a body, and how to check a response.

Figures (``-s`` prints them): how many bodies per endpoint and backend, the status codes seen, and
the seconds taken. One app per backend serves every example; nothing is reset between examples, so
the bodies also meet each other's state (a signup half done, an opted-out sender).
"""
from __future__ import annotations

import os
import random
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from typing import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql
from werkzeug.datastructures import MultiDict

from tests.conftest import TABLES
from tests.helpers import AUTH_TOKEN, BASE_URL, make_circle, sign, sms, text

# Per backend and endpoint: 2 backends × (2,500 SMS + 2,500 status) = 10,000 signed bodies (the issue's
# minimum). CIRCLEBOT_FUZZ_BODIES sets another count per endpoint and backend (more for a soak).
PER_ENDPOINT = int(os.environ.get("CIRCLEBOT_FUZZ_BODIES") or 2500)
EXAMPLES = {"/twilio/sms": PER_ENDPOINT, "/twilio/status": PER_ENDPOINT}
BATCH = 10  # bodies per hypothesis example
FORGED_PER_ENDPOINT = 500  # × 2 endpoints = 1,000 per backend
PHONES = ["+18165550123", "+18165550124", "+18165550100", "+447946095800", "+5511987654321"]
INJECTIONS = [
    "'; DROP TABLE message; --", "\" OR 1=1 --", "1); DELETE FROM contact; --", "%' UNION SELECT * FROM address --",
    "<script>alert(1)</script>", "]]><!--", "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>&a;",
    "&amp;&lt;&#0;&#xFFFF;", "${jndi:ldap://x}", "{{7*7}}", "%(name)s %s %d", "\\x00\\n", "NULL", "../../etc/passwd",
]
WORDS = ["JOIN", "JOIN KC42", "FIND", "FIND 64105", "KC42", "STOP", "START", "HELP", "LANGUAGE", "LEAVE", "FORGET",
         "FORGET YES", "YES", "NO", "1", "2", "TALLY", "HOW", "CANCEL", "MOVE KC42", "MSG KC42", "CIRCLES", "SÍ",
         "NDIYO", "/start KC42"]
ODD_CHARS = "\x00\x01\x0b\x1f\x7f\x85\ud7ff\ue000\ufffd\ufffe\uffff\U0001f600\U0001d11e\U0010ffff\u202e\u200b İıß"
# Lone surrogates cannot travel in a UTF-8 form (the test client could not even encode them); every
# other code point can, astral ones included.
CHARS = st.characters(exclude_categories=("Cs",))
TEXT = st.text(CHARS, max_size=40) | st.text(st.sampled_from(ODD_CHARS), max_size=20)
BIG = st.builds(lambda unit, n: (unit or "x") * (n // max(len(unit), 1) + 1),
                st.text(CHARS, min_size=1, max_size=8), st.sampled_from([1600, 100_000]))
BODY = (TEXT | st.sampled_from(INJECTIONS) | BIG
        | st.builds(lambda w, t: f"{w} {t}", st.sampled_from(WORDS), TEXT | st.sampled_from(INJECTIONS)))
SID = (st.builds(lambda n: f"SM{n:032x}", st.integers(0, 2**128 - 1)) | TEXT | st.sampled_from(["", "SM" + "a" * 70])
       | st.builds(lambda t: f"SM{t}\x00", TEXT))
SENDER = (st.sampled_from(PHONES) | st.sampled_from(["whatsapp:+18165550125", "+1", "+", "0", "911", "telegram:12345",
                                                    "+999999999999999999999", "(816) 555-0126", "client:alice"])
          | TEXT | st.sampled_from(INJECTIONS))
STATUS = st.sampled_from(["queued", "sent", "DELIVERED", "undelivered", "failed", "read", "İ" * 9, "x" * 17,
                          "\x00sent"]) | TEXT


def forms(required: dict, optional: dict) -> st.SearchStrategy[list[MultiDict]]:
    """Batches of ``BATCH`` forms. Hypothesis draws a few values for each field; each form of the
    batch takes one of them per field, and each field is present, missing or repeated (with another
    value). Drawing values once per batch, not once per form, makes generating cheap next to posting.
    """
    fields = {**{k: (v, True) for k, v in required.items()}, **{k: (v, False) for k, v in optional.items()}}

    @st.composite
    def build(draw) -> list[MultiDict]:
        pools = {name: draw(st.lists(values, min_size=1, max_size=3)) for name, (values, _) in fields.items()}
        rng = draw(st.randoms(use_true_random=True))
        batch = []
        for _ in range(BATCH):
            items = []
            for name, (_, needed) in fields.items():
                how = rng.choice(("once",) * 6 + ("missing", "twice"))
                if how == "missing" and needed and rng.random() < 0.5:
                    how = "once"
                items += [(name, rng.choice(pools[name])) for _ in range({"missing": 0, "once": 1, "twice": 2}[how])]
            batch.append(MultiDict(items))
        return batch

    return build()


def twiml_check(response) -> None:
    """A 200 is well-formed TwiML."""
    if response.status_code == 200:
        root = ET.fromstring(response.get_data())
        assert root.tag == "Response", response.get_data(as_text=True)[:300]


def empty_check(response) -> None:
    """A status callback answers 204 (or 4xx) with nothing to parse."""
    assert response.status_code != 200 or not response.get_data(), response.get_data(as_text=True)[:300]


def twilio_signed(path: str, body: MultiDict) -> dict:
    return {"X-Twilio-Signature": sign(path, body)}


@dataclass(frozen=True)
class Endpoint:
    path: str
    bodies: st.SearchStrategy  # of lists of bodies (``BATCH`` per example)
    signed: Callable[[str, object], dict]  # (path, body) -> headers of a valid request
    check: Callable[[object], None]  # raises when a response (below 500) is wrong
    as_json: bool = False


ENDPOINTS = [
    Endpoint("/twilio/sms", forms(
        {"MessageSid": SID, "From": SENDER, "Body": BODY},
        {"SmsMessageSid": SID, "To": st.sampled_from(["+18165550100"]) | TEXT, "FromCountry": st.sampled_from(
            ["US", "GB", "BR", "", "ZZ", "usa"]) | TEXT, "NumMedia": st.sampled_from(["0", "1", "x"]),
         "AccountSid": st.just("AC" + "0" * 32), "ApiVersion": st.just("2010-04-01")}), twilio_signed, twiml_check),
    Endpoint("/twilio/status", forms(
        {"MessageSid": SID, "MessageStatus": STATUS},
        {"SmsSid": SID, "SmsStatus": STATUS, "ErrorCode": st.sampled_from(["21610", "30003", ""]) | TEXT,
         "To": SENDER, "AccountSid": st.just("AC" + "0" * 32)}), twilio_signed, empty_check),
    # Next: Endpoint("/telegram", <update JSON strategy>, <secret header>, <JSON check>, as_json=True), and voice.
]


def seed(client, uow) -> None:
    """A circle, a learner and a facilitator, so the bodies meet real state."""
    make_circle(uow)
    for phone, name in (("+18165550123", "Amina"), ("+18165550124", "Ben")):
        text(client, "JOIN KC42", phone), text(client, name, phone), text(client, "1", phone)


def post(client, endpoint: Endpoint, body, headers: dict):
    if endpoint.as_json:
        return client.post(endpoint.path, json=body, headers=headers)
    return client.post(endpoint.path, data=body, headers=headers)


def test_fuzzed_signed_bodies_never_get_a_5xx_and_every_200_parses(app, client, uow, backend):
    seed(client, uow)
    for endpoint in ENDPOINTS:
        seen: Counter = Counter()
        started = time.monotonic()

        @settings(max_examples=EXAMPLES.get(endpoint.path, 1000) // BATCH, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(batch=endpoint.bodies)
        def run(batch) -> None:
            for body in batch:
                response = post(client, endpoint, body, endpoint.signed(endpoint.path, body))
                seen[response.status_code] += 1
                assert response.status_code < 500, (body, response.get_data(as_text=True)[:300])
                endpoint.check(response)

        run()
        total = sum(seen.values())
        print(f"\n[{backend['name']}] {endpoint.path}: {total} signed bodies in {time.monotonic() - started:.1f}s, "
              f"statuses {dict(sorted(seen.items()))}")
        assert total >= EXAMPLES.get(endpoint.path, 1000)


# Ways to forge a request: each takes (path, a valid body, rng) and returns (path, body, headers).
def _unsigned(path, body, rng):
    return path, body, {}


def _garbage(path, body, rng):
    return path, body, {"X-Twilio-Signature": rng.choice(["", "x", "=" * 28, sign(path, {})[:-2] + "AA"])}


def _other_token(path, body, rng):
    return path, body, {"X-Twilio-Signature": sign(path, body, token=AUTH_TOKEN[::-1])}


def _tampered(path, body, rng):
    headers = {"X-Twilio-Signature": sign(path, body)}
    changed = MultiDict(body)
    name = rng.choice(list(changed.keys()))
    changed[name] = changed[name] + rng.choice(["1", " ", "\u00e9", "'; DROP TABLE message; --"])
    return path, changed, headers


def _extra_field(path, body, rng):
    headers = {"X-Twilio-Signature": sign(path, body)}
    field = rng.choice(["Body", "From", "MessageSid", "MessageStatus", "ErrorCode"])  # a value it did not sign
    return path, MultiDict(list(body.items(multi=True)) + [(field, (body.get(field) or "") + "STOP")]), headers


def _dropped_field(path, body, rng):
    headers = {"X-Twilio-Signature": sign(path, body)}
    changed = MultiDict(body)
    changed.pop(rng.choice(list(changed.keys())))
    return path, changed, headers


def _re_pointed(path, body, rng):
    """Signed for the other endpoint, another host, or with a query string it did not sign."""
    other = "/twilio/status" if path == "/twilio/sms" else "/twilio/sms"
    from twilio.request_validator import RequestValidator

    url = rng.choice([BASE_URL + other, "https://evil.example.org" + path, BASE_URL + path + "?x=1",
                      BASE_URL.replace("https", "http") + path])
    return path, body, {"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, body)}


def _sha256_header_lie(path, body, rng):
    """A valid SHA-1 signature with a settings header that claims another algorithm."""
    return path, body, {"X-Twilio-Signature": sign(path, body),
                        "X-Twilio-Webhooks-Signature-Settings": "algorithm=SHA256"}


FORGERIES = [_unsigned, _garbage, _other_token, _tampered, _extra_field, _dropped_field, _re_pointed,
             _sha256_header_lie]


def dump(uow) -> dict:
    with uow() as session:
        return {t: sorted(map(repr, session.execute(sql(f"SELECT * FROM {t}")).all())) for t in TABLES}


def test_forged_tampered_or_re_pointed_requests_get_403_and_change_nothing(app, client, uow, backend):
    seed(client, uow)
    before = dump(uow)
    rng = random.Random(12)
    seen: Counter = Counter()
    bodies = {"/twilio/sms": lambda i: MultiDict(sms(rng.choice(WORDS + INJECTIONS), rng.choice(PHONES))),
              "/twilio/status": lambda i: MultiDict({"MessageSid": f"SM{i:032x}", "MessageStatus": "delivered",
                                                     "ErrorCode": "21610", "AccountSid": "AC" + "0" * 32})}
    started = time.monotonic()
    for path, make in bodies.items():
        for i in range(FORGED_PER_ENDPOINT):
            forge = FORGERIES[i % len(FORGERIES)]
            to, body, headers = forge(path, make(i), rng)
            response = client.post(to, data=body, headers=headers)
            seen[(forge.__name__, response.status_code)] += 1
            assert response.status_code == 403, (forge.__name__, body, response.get_data(as_text=True)[:200])
    assert sum(seen.values()) == FORGED_PER_ENDPOINT * len(bodies)
    assert dump(uow) == before
    print(f"\n[{backend['name']}] {sum(seen.values())} forged requests in {time.monotonic() - started:.1f}s: all 403, "
          f"no row changed")
