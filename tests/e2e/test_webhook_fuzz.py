"""Issue 12 proofs: fuzzed signed bodies never get a 5xx and every 200 parses; forged, tampered or
re-pointed requests all get 403 and change no row.

Both proofs are tables over the signed endpoints (``ENDPOINTS``, ``VALID``): SMS, status, ``/telegram``
(JSON with its secret header), the five voice routes (with their action URLs' query strings, signed
with the path as Twilio signs them) and ``/twilio/conference``. A new endpoint is one more row; the
10,000 fuzzed bodies and the 1,000 forged requests per backend are shared out among the rows, so the
file's time stays the same as endpoints land.

A 200 must be TwiML (JSON or empty for Telegram). ``/telegram`` answers every update with a 200 (Telegram
retries anything else for hours), so a failure there shows only as an ERROR it logs: the fuzz counts any
ERROR from ``webhooks.*`` as a 5xx.

Figures (``-s`` prints them): how many bodies per endpoint and backend, the status codes seen, and
the seconds taken. One app per backend serves every example; nothing is reset between examples, so
the bodies also meet each other's state (a signup half done, an opted-out sender, a call placed).
"""

from __future__ import annotations

import copy
import json
import logging
import os
import random
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from typing import Callable
from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql
from werkzeug.datastructures import MultiDict

from tests.conftest import TABLES
from tests.helpers import AUTH_TOKEN, BASE_URL, make_circle, payload, sign, sms, text
from tests.telegram_helpers import CHAT, SECRET, message_update, tap_update

# 10,000 signed bodies in all (the minimum), shared evenly by every endpoint of ``ENDPOINTS`` on
# both backends: ``PER_ENDPOINT`` = 10,000 / (endpoints × 2), so a new endpoint takes its share from the
# others instead of lengthening the run. CIRCLEBOT_FUZZ_BODIES sets another total (more for a soak).
TOTAL = int(os.environ.get("CIRCLEBOT_FUZZ_BODIES") or 10_000)
BATCH = 10  # bodies per hypothesis example
FORGED = 1000  # per backend, shared by every signed endpoint
PHONES = ["+18165550123", "+18165550124", "+18165550100", "+447946095800", "+5511987654321"]
INJECTIONS = [
    "'; DROP TABLE message; --",
    '" OR 1=1 --',
    "1); DELETE FROM contact; --",
    "%' UNION SELECT * FROM address --",
    "<script>alert(1)</script>",
    "]]><!--",
    "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>&a;",
    "&amp;&lt;&#0;&#xFFFF;",
    "${jndi:ldap://x}",
    "{{7*7}}",
    "%(name)s %s %d",
    "\\x00\\n",
    "NULL",
    "../../etc/passwd",
]
WORDS = [
    "JOIN",
    "JOIN KC42",
    "FIND",
    "FIND 64105",
    "KC42",
    "STOP",
    "START",
    "HELP",
    "LANGUAGE",
    "LEAVE",
    "FORGET",
    "FORGET YES",
    "YES",
    "NO",
    "1",
    "2",
    "TALLY",
    "HOW",
    "CANCEL",
    "MOVE KC42",
    "MSG KC42",
    "CIRCLES",
    "SÍ",
    "NDIYO",
    "/start KC42",
]
ODD_CHARS = "\x00\x01\x0b\x1f\x7f\x85\ud7ff\ue000\ufffd\ufffe\uffff\U0001f600\U0001d11e\U0010ffff\u202e\u200b İıß"
# Lone surrogates cannot travel in a UTF-8 form (the test client could not even encode them); every
# other code point can, astral ones included.
CHARS = st.characters(exclude_categories=("Cs",))
TEXT = st.text(CHARS, max_size=40) | st.text(st.sampled_from(ODD_CHARS), max_size=20)
BIG = st.builds(
    lambda unit, n: (unit or "x") * (n // max(len(unit), 1) + 1),
    st.text(CHARS, min_size=1, max_size=8),
    st.sampled_from([1600, 100_000]),
)
BODY = (
    TEXT
    | st.sampled_from(INJECTIONS)
    | BIG
    | st.builds(lambda w, t: f"{w} {t}", st.sampled_from(WORDS), TEXT | st.sampled_from(INJECTIONS))
)
SID = (
    st.builds(lambda n: f"SM{n:032x}", st.integers(0, 2**128 - 1))
    | TEXT
    | st.sampled_from(["", "SM" + "a" * 70])
    | st.builds(lambda t: f"SM{t}\x00", TEXT)
)
SENDER = (
    st.sampled_from(PHONES)
    | st.sampled_from(
        [
            "whatsapp:+18165550125",
            "+1",
            "+",
            "0",
            "911",
            "telegram:12345",
            "+999999999999999999999",
            "(816) 555-0126",
            "client:alice",
        ]
    )
    | TEXT
    | st.sampled_from(INJECTIONS)
)
STATUS = (
    st.sampled_from(["queued", "sent", "DELIVERED", "undelivered", "failed", "read", "İ" * 9, "x" * 17, "\x00sent"])
    | TEXT
)


CALL_SID = (
    st.builds(lambda n: f"CA{n:032x}", st.integers(0, 2**128 - 1))
    | TEXT
    | st.sampled_from(["", "CA" + "a" * 70, "CA\x00", " CA1 "])
)
DIGITS = (
    st.text(st.sampled_from("0123456789*#"), max_size=12)
    | TEXT
    | BIG
    | st.sampled_from(["4242", "4242#", "1", "2", "*", "4242*7777", "²", "١٢٣", "9" * 30])
)
# Numbers in a signed action URL (``row``, ``n``, ``tries``…): real ones, and what str.isdigit() also accepts.
NUMBER = (
    st.integers(0, 40).map(str)
    | TEXT
    | st.sampled_from(["0", "9", "²", "١", "𝟗", "9" * 30, "9" * 5000, "-1", "1.5", "", " 1", "0x1"])
)
# Row ids in a placed call's URLs: mostly the seeded outbox rows (the call CALL ME placed among them).
ROW = st.integers(1, 8).map(str) | st.integers(1, 8).map(str) | NUMBER
STEP_N = st.integers(0, 4).map(str) | NUMBER
LANG = st.sampled_from(["en", "es", "sw", "pt", "xx", "", "EN"]) | TEXT
CALL_STATUS = (
    st.sampled_from(
        [
            "ringing",
            "in-progress",
            "completed",
            "busy",
            "no-answer",
            "failed",
            "canceled",
            "İ" * 9,
            "x" * 17,
            "\x00busy",
        ]
    )
    | TEXT
)
ANSWERED_BY = st.sampled_from(["human", "machine_start", "machine_end_beep", "fax", "unknown", ""]) | TEXT
EVENT = (
    st.sampled_from(
        [
            "participant-join",
            "participant-leave",
            "conference-start",
            "conference-end",
            "participant-mute",
            "announcement-end",
            "İ" * 20,
        ]
    )
    | TEXT
)
# Edge times have a branch of their own, so they come up often (a year-10000 UTC time was a 503).
TIMESTAMP = (
    st.sampled_from(
        [
            "Fri, 31 Dec 9999 23:59:59 -2359",
            "Mon, 01 Jan 0001 00:00:00 +2359",
            "Tue, 01 Dec 99999 1:1:1 +0000",
            "Sat, 01 Jan 0100 00:00:00 +2359",
        ]
    )
    | st.sampled_from(
        [
            "Tue, 01 Dec 2026 23:58:02 +0000",
            "Wed, 02 Dec 2026 00:00:11",
            "",
            "2026-12-01T23:58:02Z",
            "Tue, 01 Dec 2026 25:61:61 +0000",
        ]
    )
    | TEXT
)
ACCOUNT = st.just("AC" + "0" * 32)
CALL = {"CallSid": CALL_SID, "From": SENDER}
CALL_EXTRA = {
    "To": st.sampled_from(["+18165550100"]) | TEXT,
    "FromCountry": st.sampled_from(["US", "GB", "", "ZZ"]) | TEXT,
    "CallStatus": CALL_STATUS,
    "Direction": st.sampled_from(["inbound", "outbound-api"]) | TEXT,
    "AccountSid": ACCOUNT,
    "Caller": SENDER,
}


@dataclass(frozen=True)
class Req:
    """One request of a batch: its query string (signed with the path, as Twilio signs the whole URL) and body."""

    query: str
    body: object  # a form (MultiDict) or the raw bytes of a JSON body


def _pick(rng, pools: dict, needed: dict) -> list[tuple[str, str]]:
    """Each field once (mostly), missing or twice (with another value); a needed field is rarely missing."""
    items = []
    for name, pool in pools.items():
        how = rng.choice(("once",) * 6 + ("missing", "twice"))
        if how == "missing" and needed[name] and rng.random() < 0.5:
            how = "once"
        items += [(name, rng.choice(pool)) for _ in range({"missing": 0, "once": 1, "twice": 2}[how])]
    return items


def forms(required: dict, optional: dict, query: dict | None = None) -> st.SearchStrategy[list[Req]]:
    """Batches of ``BATCH`` forms (and query strings). Hypothesis draws a few values for each field;
    each form of the batch takes one of them per field, and each field is present, missing or repeated
    (with another value). Drawing values once per batch, not once per form, makes generating cheap
    next to posting. ``query`` names the action URL's parameters (each needed, like a required field).
    """
    fields = {**{k: (v, True) for k, v in required.items()}, **{k: (v, False) for k, v in optional.items()}}
    params = {k: (v, True) for k, v in (query or {}).items()}

    @st.composite
    def build(draw) -> list[Req]:
        pools = {name: draw(st.lists(values, min_size=1, max_size=3)) for name, (values, _) in fields.items()}
        qpools = {name: draw(st.lists(values, min_size=1, max_size=3)) for name, (values, _) in params.items()}
        rng = draw(st.randoms(use_true_random=True))
        needed = {name: need for name, (_, need) in {**fields, **params}.items()}
        return [Req(urlencode(_pick(rng, qpools, needed)), MultiDict(_pick(rng, pools, needed))) for _ in range(BATCH)]

    return build()


# Telegram: the real samples, their text or button data fuzzed, then mutated: a field dropped, given an
# odd type, or repeated (a duplicate key in the raw JSON); now and then a body that is no update at all.
TG_SAMPLES = [payload(name) for name in ("telegram-text.json", "telegram-start.json", "telegram-callback.json")]
ODD_VALUES = [
    None,
    "",
    0,
    -1,
    2**63,
    2**200,
    -(2**70),
    1e308,
    0.5,
    True,
    False,
    [],
    {},
    [1, "a"],
    {"id": None},
    "x" * 1600,
    "private",
    "group",
    "\x00",
    "\uffff",
    "\U0001f600",
]
CHAT_IDS = [CHAT, CHAT + 1, 5512345679, -1001234567890, 0, 2**63, 2**64 + 1]
NOT_UPDATES = [
    b"",
    b"null",
    b"[]",
    b"[1, 2]",
    b'"update"',
    b"42",
    b"{",
    b'{"update_id": }',
    b"\xff\xfe\x00",
    b'{"update_id": 1}',
    b'{"update_id": "1", "message": {}}',
    b'{"update_id": 1, "message": null}',
    b'{"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1}}}',
]


def _paths(node, prefix=()):
    """Every key path of a JSON object."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))


def _at(node, path):
    for key in path[:-1]:
        node = node[key]
    return node


def _mutate(update: dict, rng) -> bytes:
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        paths = list(_paths(update))
        if not paths:
            break
        path = rng.choice(paths)
        parent = _at(update, path)
        how = rng.random()
        if how < 0.35:
            parent.pop(path[-1], None)
        elif how < 0.8:  # copied: a shared {} set here and mutated later would change ODD_VALUES itself
            parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
        else:
            parent[rng.choice(["text", "caption", "sticker", "edited_message", "chat", "data", "zz\x00"])] = (
                copy.deepcopy(rng.choice(ODD_VALUES))
            )
    raw = json.dumps(update, ensure_ascii=rng.random() < 0.5).encode("utf-8")
    if rng.random() < 0.1 and raw.startswith(b"{") and len(raw) > 2:  # a repeated field: the parser keeps one
        key = rng.choice(["update_id", "message", "callback_query"])
        raw = raw[:-1] + b", " + json.dumps({key: rng.choice(ODD_VALUES)})[1:].encode()
    return raw


@st.composite
def telegram_updates(draw) -> list[Req]:
    texts = draw(st.lists(BODY, min_size=1, max_size=3))
    langs = draw(st.lists(LANG, min_size=1, max_size=2))
    rng = draw(st.randoms(use_true_random=True))
    batch = []
    for _ in range(BATCH):
        if rng.random() < 0.05:
            batch.append(Req("", rng.choice(NOT_UPDATES)))
            continue
        update = copy.deepcopy(rng.choice(TG_SAMPLES))
        update["update_id"] = rng.randrange(1, 2**31)
        holder = update.get("message") or update["callback_query"]
        chat = holder.get("chat") or holder["message"]["chat"]
        chat["id"] = rng.choice(CHAT_IDS)
        holder["from"]["id"] = chat["id"] if rng.random() < 0.8 else rng.choice(CHAT_IDS)
        holder["from"]["language_code"] = rng.choice(langs)
        holder["data" if "data" in holder else "text"] = rng.choice(texts)
        batch.append(Req("", _mutate(update, rng)))
    return batch


def twiml_check(response) -> None:
    """A 200 is well-formed TwiML (anything else, 204 or 4xx, is not parsed)."""
    if response.status_code == 200:
        root = ET.fromstring(response.get_data())
        assert root.tag == "Response", response.get_data(as_text=True)[:300]


def empty_check(response) -> None:
    """A status callback answers 204 (or 4xx) with nothing to parse."""
    assert response.status_code != 200 or not response.get_data(), response.get_data(as_text=True)[:300]


def json_check(response) -> None:
    """A 200 to Telegram is empty or a JSON object (a Bot API method, or ``{}``)."""
    if response.status_code == 200 and response.get_data():
        assert isinstance(json.loads(response.get_data()), dict), response.get_data(as_text=True)[:300]


def twilio_signed(url: str, body) -> dict:
    return {"X-Twilio-Signature": sign(url, body)}


def telegram_signed(url: str, body) -> dict:
    return {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@dataclass(frozen=True)
class Endpoint:
    path: str
    bodies: st.SearchStrategy  # of lists of ``Req`` (``BATCH`` per example)
    signed: Callable[[str, object], dict]  # (path?query, body) -> headers of a valid request
    check: Callable[[object], None]  # raises when a response (below 500) is wrong
    as_json: bool = False


ENDPOINTS = [
    Endpoint(
        "/twilio/sms",
        forms(
            {"MessageSid": SID, "From": SENDER, "Body": BODY},
            {
                "SmsMessageSid": SID,
                "To": st.sampled_from(["+18165550100"]) | TEXT,
                "FromCountry": st.sampled_from(["US", "GB", "BR", "", "ZZ", "usa"]) | TEXT,
                "NumMedia": st.sampled_from(["0", "1", "x"]),
                "AccountSid": ACCOUNT,
                "ApiVersion": st.just("2010-04-01"),
            },
        ),
        twilio_signed,
        twiml_check,
    ),
    Endpoint(
        "/twilio/status",
        forms(
            {"MessageSid": SID, "MessageStatus": STATUS},
            {
                "SmsSid": SID,
                "SmsStatus": STATUS,
                "ErrorCode": st.sampled_from(["21610", "30003", ""]) | TEXT,
                "To": SENDER,
                "AccountSid": ACCOUNT,
            },
        ),
        twilio_signed,
        empty_check,
    ),
    Endpoint("/telegram", telegram_updates(), telegram_signed, json_check, as_json=True),
    Endpoint("/twilio/voice", forms(CALL, CALL_EXTRA), twilio_signed, twiml_check),
    Endpoint(
        "/twilio/voice/gather",
        forms(
            {**CALL, "Digits": DIGITS},
            {**CALL_EXTRA, "FinishedOnKey": st.sampled_from(["#", ""]) | TEXT},
            {
                "step": st.sampled_from(["menu", "code", "join"]) | TEXT,
                "lang": LANG,
                "tries": NUMBER,
                "silences": NUMBER,
            },
        ),
        twilio_signed,
        twiml_check,
    ),
    Endpoint(
        "/twilio/voice/wait",
        forms(
            {},
            {"CallSid": CALL_SID, "ConferenceSid": TEXT, "QueuePosition": NUMBER, "AccountSid": ACCOUNT},
            {"lang": LANG},
        ),
        twilio_signed,
        twiml_check,
    ),
    Endpoint(
        "/twilio/voice/answer",
        forms({**CALL, "AnsweredBy": ANSWERED_BY}, CALL_EXTRA, {"row": ROW}),
        twilio_signed,
        twiml_check,
    ),
    Endpoint(
        "/twilio/voice/keypad",
        forms(
            {**CALL, "Digits": DIGITS},
            CALL_EXTRA,
            {
                "row": ROW,
                "n": STEP_N,
                "map": st.sampled_from(["1:YES,2:NO", "1:1,2:2", ":", ",,,"]) | TEXT,
                "stop": st.sampled_from(["star", ""]) | TEXT,
                "skip": st.sampled_from(["1", ""]) | TEXT,
            },
        ),
        twilio_signed,
        twiml_check,
    ),
    Endpoint(
        "/twilio/voice/status",
        forms(
            {"CallSid": CALL_SID, "CallStatus": CALL_STATUS},
            {"AnsweredBy": ANSWERED_BY, "CallDuration": NUMBER, "To": SENDER, "AccountSid": ACCOUNT},
            {"row": ROW},
        ),
        twilio_signed,
        twiml_check,
    ),
    # The facilitator's host menu (issue 26): the meeting rides in the signed action URL.
    Endpoint(
        "/twilio/voice/host",
        forms(CALL, {**CALL_EXTRA, "DialCallStatus": CALL_STATUS}, {"m": ROW, "lang": LANG}),
        twilio_signed,
        twiml_check,
    ),
    Endpoint(
        "/twilio/voice/host/menu",
        forms({**CALL, "Digits": DIGITS}, CALL_EXTRA, {"m": ROW, "lang": LANG, "confirm": st.sampled_from(["1", ""])}),
        twilio_signed,
        twiml_check,
    ),
    Endpoint(
        "/twilio/voice/host/roll",
        forms({**CALL, "Digits": DIGITS}, CALL_EXTRA, {"m": ROW, "lang": LANG, "c": ROW, "n": STEP_N}),
        twilio_signed,
        twiml_check,
    ),
    Endpoint(
        "/twilio/conference",
        forms(
            {"ConferenceSid": CALL_SID, "StatusCallbackEvent": EVENT},
            {
                "CallSid": CALL_SID,
                "FriendlyName": TEXT | st.just("circle-7f3a9c"),
                "SequenceNumber": NUMBER,
                "Timestamp": TIMESTAMP,
                "AccountSid": ACCOUNT,
                "EndConferenceOnExit": st.sampled_from(["true", "false"]) | TEXT,
                "ReasonParticipantLeft": TEXT,
            },
        ),
        twilio_signed,
        twiml_check,
    ),
]
BACKEND_COUNT = 2  # the proof's figure counts both backends
PER_ENDPOINT = -(-TOTAL // (len(ENDPOINTS) * BACKEND_COUNT * BATCH)) * BATCH  # rounded up to whole batches


@pytest.fixture
def app(backend, tmp_path):
    """The app on this test's backend, with the Telegram webhook's secret set (and no bot token: nothing to call)."""
    from bot import create_app

    app = create_app(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "REDIS_URL": backend["REDIS_URL"],
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "PUBLIC_BASE_URL": BASE_URL,
            "INSTANCE_PATH": str(tmp_path),
            "queue_name": backend["CIRCLEBOT_QUEUE"],
            "SECRET_KEY": "test-secret-key-for-sessions",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
        }
    )
    app.config["TESTING"] = True
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def seed(client, uow) -> None:
    """A circle (phone code 4242), learners by text (one asked CALL ME) and by Telegram, and a facilitator,
    so the bodies meet real state."""
    make_circle(uow)
    with uow() as session:
        session.execute(sql("UPDATE circle SET phone_code = '4242'"))
        session.commit()
    for phone, name in (("+18165550123", "Amina"), ("+18165550124", "Ben")):
        text(client, "JOIN KC42", phone), text(client, name, phone), text(client, "1", phone)
    text(client, "CALL ME", "+18165550123")  # a call row for /twilio/voice/answer, keypad and status
    for words in ("/start KC42", "Amina Otieno"):
        client.post("/telegram", json=message_update(words), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})


def url_of(path: str, query: str) -> str:
    return path + (f"?{query}" if query else "")


def post(client, endpoint: Endpoint, req: Req, headers: dict):
    url = url_of(endpoint.path, req.query)
    if endpoint.as_json:
        return client.post(url, data=req.body, content_type="application/json", headers=headers)
    return client.post(url, data=req.body, headers=headers)


class _Failures(logging.Handler):
    """Collects the errors a webhook logs and answers 200 for anyway (Telegram's catch-all): a hidden 5xx."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def test_fuzzed_signed_bodies_never_get_a_5xx_and_every_200_parses(app, client, uow, backend):
    seed(client, uow)
    hidden = _Failures()
    logging.getLogger("webhooks").addHandler(hidden)
    figures = []
    try:
        for endpoint in ENDPOINTS:
            seen: Counter = Counter()
            answers: Counter = Counter()  # Telegram: which Bot API method each 200 carried
            started = time.monotonic()

            # No shrinking: the assertion names the failing request already, and shrinking batches of
            # true-random forms took minutes (a failure must stay bounded in time like a pass).
            @settings(
                max_examples=PER_ENDPOINT // BATCH,
                deadline=None,
                database=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(batch=endpoint.bodies)
            def run(batch) -> None:
                hidden.records.clear()  # a failing example's record must not fail the shrunk ones
                for req in batch:
                    response = post(client, endpoint, req, endpoint.signed(url_of(endpoint.path, req.query), req.body))
                    seen[response.status_code] += 1
                    if endpoint.as_json and response.status_code == 200:
                        answers[(response.get_json(silent=True) or {}).get("method", "nothing")] += 1
                    assert response.status_code < 500, (req, response.get_data(as_text=True)[:300])
                    endpoint.check(response)
                    assert not hidden.records, (
                        req,
                        [r.getMessage() for r in hidden.records],
                        [logging.Formatter().formatException(r.exc_info) for r in hidden.records if r.exc_info],
                    )

            run()
            total = sum(seen.values())
            figures.append(total)
            print(
                f"\n[{backend['name']}] {endpoint.path}: {total} signed bodies in "
                f"{time.monotonic() - started:.1f}s, statuses {dict(sorted(seen.items()))}"
                + (f", answers {dict(answers.most_common())}" if answers else "")
            )
            assert total >= PER_ENDPOINT
    finally:
        logging.getLogger("webhooks").removeHandler(hidden)
    assert sum(figures) * BACKEND_COUNT >= TOTAL


# Ways to forge a Twilio request: each takes (path, a valid Req, rng) and returns (path, Req, headers).
def _signature(path, req, token=AUTH_TOKEN, url=None):
    from twilio.request_validator import RequestValidator

    return {
        "X-Twilio-Signature": RequestValidator(token).compute_signature(
            url or BASE_URL + url_of(path, req.query), req.body
        )
    }


def _unsigned(path, req, rng):
    return path, req, {}


def _garbage(path, req, rng):
    return path, req, {"X-Twilio-Signature": rng.choice(["", "x", "=" * 28, sign(path, {})[:-2] + "AA"])}


def _other_token(path, req, rng):
    return path, req, _signature(path, req, token=AUTH_TOKEN[::-1])


def _tampered(path, req, rng):
    """A signed value changed: in the body, or in the action URL's query (another row, another step)."""
    headers = _signature(path, req)
    if req.query and rng.random() < 0.5:
        pairs = parse_qsl(req.query, keep_blank_values=True)
        i = rng.randrange(len(pairs))
        pairs[i] = (pairs[i][0], pairs[i][1] + rng.choice(["1", "0", "&row=2", "é"]))
        return path, Req(urlencode(pairs), req.body), headers
    changed = MultiDict(req.body)
    name = rng.choice(list(changed.keys()))
    changed[name] = changed[name] + rng.choice(["1", " ", "\u00e9", "'; DROP TABLE message; --"])
    return path, Req(req.query, changed), headers


def _extra_field(path, req, rng):
    headers = _signature(path, req)
    field = rng.choice(
        ["Body", "From", "MessageSid", "MessageStatus", "ErrorCode", "Digits", "CallStatus", "StatusCallbackEvent"]
    )  # a value it did not sign
    body = MultiDict(list(req.body.items(multi=True)) + [(field, (req.body.get(field) or "") + "STOP")])
    return path, Req(req.query, body), headers


def _dropped_field(path, req, rng):
    headers = _signature(path, req)
    if req.query and rng.random() < 0.5:
        pairs = parse_qsl(req.query, keep_blank_values=True)
        pairs.pop(rng.randrange(len(pairs)))
        return path, Req(urlencode(pairs), req.body), headers
    changed = MultiDict(req.body)
    changed.pop(rng.choice(list(changed.keys())))
    return path, Req(req.query, changed), headers


def _re_pointed(path, req, rng):
    """Signed for another endpoint, another host, over http, or without the query it is sent with."""
    other = rng.choice([p for p in TWILIO_SIGNED if p != path])
    url = rng.choice(
        [
            BASE_URL + url_of(other, req.query),
            "https://evil.example.org" + url_of(path, req.query),
            BASE_URL + url_of(path, req.query) + ("&" if req.query else "?") + "x=1",
            BASE_URL.replace("https", "http") + url_of(path, req.query),
            BASE_URL + path if req.query else BASE_URL + path + "/",
        ]
    )
    return path, req, _signature(path, req, url=url)


def _sha256_header_lie(path, req, rng):
    """A valid SHA-1 signature with a settings header that claims another algorithm."""
    return path, req, {**_signature(path, req), "X-Twilio-Webhooks-Signature-Settings": "algorithm=SHA256"}


FORGERIES = [
    _unsigned,
    _garbage,
    _other_token,
    _tampered,
    _extra_field,
    _dropped_field,
    _re_pointed,
    _sha256_header_lie,
]


# Ways to forge a Telegram update: (path, a valid Req, rng) -> (path, Req, headers).
def _tg_header(value):
    def forge(path, req, rng):
        return path, req, {"X-Telegram-Bot-Api-Secret-Token": value(rng)}

    forge.__name__ = f"_tg_{value.__name__}"
    return forge


def missing(rng):
    return None


def empty(rng):
    return ""


def wrong(rng):
    return rng.choice(["wrong-secret", SECRET[:-1], SECRET + "x", SECRET[::-1], "0" * len(SECRET)])


def case_changed(rng):
    return rng.choice([SECRET.upper(), SECRET.swapcase(), SECRET.capitalize()])


def padded(rng):
    return rng.choice([f" {SECRET}", f"{SECRET} ", f"{SECRET},{SECRET}", f"Bearer {SECRET}"])


def _tg_in_body(path, req, rng):
    """The secret in the update (or the query string, or another header), not in the header Telegram uses."""
    update = json.loads(req.body)
    update[rng.choice(["secret_token", "X-Telegram-Bot-Api-Secret-Token"])] = SECRET
    where = rng.random()
    if where < 0.3:
        return path, Req(f"secret_token={SECRET}", json.dumps(update).encode()), {}
    if where < 0.6:
        return path, Req("", json.dumps(update).encode()), {"Authorization": f"Bearer {SECRET}"}
    return path, Req("", json.dumps(update).encode()), {"X-Telegram-Bot-Api-Secret": SECRET}


def _tg_twilio_signed(path, req, rng):
    return path, req, {"X-Twilio-Signature": sign(path, {})}


TG_FORGERIES = [
    _tg_header(missing),
    _tg_header(empty),
    _tg_header(wrong),
    _tg_header(case_changed),
    _tg_header(padded),
    _tg_in_body,
    _tg_twilio_signed,
]


def _form(name: str, **changes) -> MultiDict:
    params = payload(name)
    params.update(changes)
    return MultiDict(params)


def _call_sid(i: int) -> str:
    return f"CA{i:032x}"


# A valid request per signed endpoint (index i): what a forger would start from.
VALID = {
    "/twilio/sms": lambda i, rng: Req("", MultiDict(sms(rng.choice(WORDS + INJECTIONS), rng.choice(PHONES)))),
    "/twilio/status": lambda i, rng: Req(
        "",
        MultiDict(
            {
                "MessageSid": f"SM{i:032x}",
                "MessageStatus": "delivered",
                "ErrorCode": "21610",
                "AccountSid": "AC" + "0" * 32,
            }
        ),
    ),
    "/twilio/voice": lambda i, rng: Req(
        "", _form("twilio-voice-inbound.json", CallSid=_call_sid(i), From=rng.choice(PHONES))
    ),
    "/twilio/voice/gather": lambda i, rng: Req(
        rng.choice(["step=menu&lang=en&tries=0&silences=0", "step=code&lang=en&tries=0&silences=0"]),
        _form("twilio-voice-gather.json", CallSid=_call_sid(i), Digits=rng.choice(["1", "4242"])),
    ),
    "/twilio/voice/wait": lambda i, rng: Req(
        "lang=en",
        MultiDict(
            {
                "CallSid": _call_sid(i),
                "AccountSid": "AC" + "0" * 32,
                "ConferenceSid": "CF" + "0" * 32,
                "QueuePosition": "1",
            }
        ),
    ),
    "/twilio/voice/answer": lambda i, rng: Req(
        f"row={rng.randint(1, 8)}",
        _form("twilio-voice-inbound.json", CallSid=_call_sid(i), AnsweredBy="human", Direction="outbound-api"),
    ),
    "/twilio/voice/keypad": lambda i, rng: Req(
        f"row={rng.randint(1, 8)}&n=0&stop=star",
        _form("twilio-voice-gather.json", CallSid=_call_sid(i), Digits=rng.choice(["1", "2", "*"])),
    ),
    "/twilio/voice/status": lambda i, rng: Req(
        f"row={rng.randint(1, 8)}",
        MultiDict(
            {
                "CallSid": _call_sid(i),
                "CallStatus": rng.choice(["no-answer", "busy", "completed"]),
                "AccountSid": "AC" + "0" * 32,
            }
        ),
    ),
    "/twilio/voice/host": lambda i, rng: Req(
        f"m={rng.randint(1, 8)}&lang=en", _form("twilio-voice-inbound.json", CallSid=_call_sid(i))
    ),
    "/twilio/voice/host/menu": lambda i, rng: Req(
        f"m={rng.randint(1, 8)}&lang=en&confirm=1",
        _form("twilio-voice-gather.json", CallSid=_call_sid(i), Digits="9"),
    ),
    "/twilio/voice/host/roll": lambda i, rng: Req(
        f"m={rng.randint(1, 8)}&lang=en&c=1&n=0",
        _form("twilio-voice-gather.json", CallSid=_call_sid(i), Digits="1"),
    ),
    "/twilio/conference": lambda i, rng: Req(
        "", MultiDict({**rng.choice(payload("twilio-conference-events.json")), "ConferenceSid": f"CF{i:032x}"})
    ),
    "/telegram": lambda i, rng: Req(
        "",
        json.dumps(rng.choice([message_update(rng.choice(WORDS + INJECTIONS)), tap_update("rsvp:yes", 19)])).encode(),
    ),
}
TWILIO_SIGNED = [path for path in VALID if path != "/telegram"]


def dump(uow) -> dict:
    with uow() as session:
        return {t: sorted(map(repr, session.execute(sql(f"SELECT * FROM {t}")).all())) for t in TABLES}


def test_forged_tampered_or_re_pointed_requests_get_403_and_change_nothing(app, client, uow, backend):
    assert {e.path for e in ENDPOINTS} == set(VALID)  # every signed endpoint is forged
    seed(client, uow)
    before = dump(uow)
    rng = random.Random(12)
    seen: Counter = Counter()
    started = time.monotonic()
    per_endpoint = FORGED // len(VALID)
    for path, make in VALID.items():
        forgeries = TG_FORGERIES if path == "/telegram" else FORGERIES
        for i in range(per_endpoint + (FORGED % len(VALID) if path == "/twilio/sms" else 0)):
            forge = forgeries[i % len(forgeries)]
            to, req, headers = forge(path, make(i, rng), rng)
            headers = {k: v for k, v in headers.items() if v is not None}
            if path == "/telegram":
                response = client.post(
                    url_of(to, req.query), data=req.body, content_type="application/json", headers=headers
                )
            else:
                response = client.post(url_of(to, req.query), data=req.body, headers=headers)
            seen[(path, forge.__name__, response.status_code)] += 1
            assert response.status_code == 403, (path, forge.__name__, req, response.get_data(as_text=True)[:200])
    assert sum(seen.values()) == FORGED
    assert dump(uow) == before
    print(
        f"\n[{backend['name']}] {sum(seen.values())} forged requests over {len(VALID)} endpoints in "
        f"{time.monotonic() - started:.1f}s: all 403, no row changed"
    )
