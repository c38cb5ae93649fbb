"""TwilioChannel through the real twilio SDK against the local Twilio stand-in (DESIGN.md §7).

No database and no mocks: the SDK builds and sends real HTTP requests to 127.0.0.1.
"""

from __future__ import annotations

import base64
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from bot.outbound.channels import SendError, TwilioChannel
from bot.settings import Settings
from tests.standin import TwilioStandIn

ACCOUNT_SID = "AC" + "0" * 32
FROM = "+18165550100"
TO = "+18165550123"
PUBLIC = "https://circlebot.example.org"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def twilio_settings(base_url: str, timeout: float = 5.0, **fields) -> Settings:
    """Settings for a TwilioChannel that talks to the stand-in at ``base_url``."""
    settings = Settings(
        twilio_account_sid=ACCOUNT_SID,
        twilio_auth_token="tok",
        twilio_from=FROM,
        twilio_api_base=base_url,
        public_base_url=PUBLIC,
    ).with_overrides({"TWILIO_TIMEOUT": timeout})
    return replace(settings, **fields)


@pytest.fixture(scope="module")
def module_standin():
    with TwilioStandIn() as standin:
        yield standin


@pytest.fixture
def standin(module_standin):
    """The module's stand-in, emptied for this test."""
    module_standin.clear()
    yield module_standin
    module_standin.clear()


@pytest.fixture
def channel(standin):
    return TwilioChannel(twilio_settings(standin.url))


def test_send_records_the_message_and_returns_the_sid(standin, channel):
    sent = channel.send(TO, "Welcome to Kansas City Basics!")

    [got] = standin.sent_to(TO)
    assert got["from"] == FROM and got["body"] == "Welcome to Kansas City Basics!"
    assert got["status_callback"] == PUBLIC + "/twilio/status"
    assert got["account_sid"] == ACCOUNT_SID and got["received_at"].tzinfo is not None
    assert sent.provider_id == got["sid"] and sent.provider_id.startswith("SM") and len(sent.provider_id) == 34
    assert sent.status == "queued"


def test_sdk_parses_the_created_message(standin, channel):
    message = channel.client.messages.create(to=TO, from_=FROM, body="ś" * 71)  # UCS-2: 70 per single segment

    assert message.sid == standin.messages[0]["sid"] and message.to == TO and message.from_ == FROM
    assert message.num_segments == "2" and message.date_sent is None
    assert abs(message.date_created - datetime.now(timezone.utc)) < timedelta(seconds=5)
    assert channel.client.messages(message.sid).fetch().status == "sent"


def test_messaging_service_sid(standin):
    channel = TwilioChannel(twilio_settings(standin.url, twilio_from="MG" + "1" * 32))

    sent = channel.send(TO, "via the messaging service")

    [got] = standin.messages
    assert got["messaging_service_sid"] == "MG" + "1" * 32 and got["from"] is None
    assert sent.provider_id == got["sid"] and sent.status == "accepted"


def test_whatsapp_prefixes_to_and_from(standin, channel):
    channel.send(TO, "hola", channel="whatsapp")

    [got] = standin.messages
    assert got["to"] == f"whatsapp:{TO}" and got["from"] == f"whatsapp:{FROM}"
    assert standin.sent_to(TO) == []


@pytest.mark.parametrize(
    "status, code, retry",
    [
        (429, 20429, True),
        (500, 20500, True),
        (503, 20503, True),
        (400, 21610, False),
        (400, 21211, False),
    ],
)
def test_twilio_errors(standin, channel, status, code, retry):
    standin.fail_next(1, status=status, code=code)

    with pytest.raises(SendError) as caught:
        channel.send(TO, "hello")

    assert caught.value.retry is retry and caught.value.code == code
    assert str(status) in str(caught.value)
    assert standin.messages == [] and standin.attempts == 1
    assert channel.send(TO, "hello").provider_id == standin.messages[0]["sid"]  # only the next one failed


def test_fail_next_counts_down(standin, channel):
    standin.fail_next(2, status=429, code=20429)

    for _ in range(2):
        with pytest.raises(SendError):
            channel.send(TO, "busy")
    channel.send(TO, "busy")

    assert standin.attempts == 3 and standin.bodies() == ["busy"]


def test_time_out_is_retried_and_find_sent_sees_the_lost_response(standin):
    channel = TwilioChannel(twilio_settings(standin.url, timeout=0.5))
    since = datetime.now(timezone.utc)
    standin.delay_next(1, seconds=3)

    with pytest.raises(SendError) as caught:
        channel.send(TO, "slow")

    assert caught.value.retry is True and caught.value.code is None
    assert "Timeout" in str(caught.value)
    # Twilio took the message even though the answer never came: reconciling finds it.
    assert channel.find_sent(TO, "slow", since) == standin.messages[0]["sid"]


def test_connection_refused_is_retried():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    channel = TwilioChannel(twilio_settings(f"http://127.0.0.1:{port}", timeout=1))

    with pytest.raises(SendError) as caught:
        channel.send(TO, "nobody home")

    assert caught.value.retry is True and "ConnectionError" in str(caught.value)


def test_find_sent(standin, channel):
    since = datetime.now(timezone.utc)
    sid = channel.send(TO, "Reminder: circle tomorrow").provider_id
    channel.send("+18165550199", "Reminder: circle tomorrow")

    assert channel.find_sent(TO, "Reminder: circle tomorrow", since) == sid
    assert channel.find_sent(TO, "Reminder: circle tomorrow", since - timedelta(hours=1)) == sid
    assert channel.find_sent(TO, "Reminder: circle Tomorrow", since) is None
    assert channel.find_sent(TO, "Reminder: circle tomorrow", since + timedelta(seconds=2)) is None
    assert channel.find_sent("+18165550124", "Reminder: circle tomorrow", since) is None


def test_find_sent_takes_any_time_zone_and_whatsapp(standin, channel):
    since = datetime.now(timezone.utc)
    sid = channel.send(TO, "hola", channel="whatsapp").provider_id
    plus_five = since.astimezone(timezone(timedelta(hours=5)))

    assert channel.find_sent(TO, "hola", plus_five, channel="whatsapp") == sid
    assert channel.find_sent(TO, "hola", since.replace(tzinfo=None), channel="whatsapp") == sid
    assert channel.find_sent(TO, "hola", since) is None  # sms To has no whatsapp: prefix


def test_list_filters_by_send_date_and_pages(standin, channel):
    day_one = datetime(2025, 3, 4, 17, 2, 3, 500000, tzinfo=timezone.utc)
    for i in range(5):
        standin.clock = lambda i=i: day_one + timedelta(days=i)
        channel.send(TO, f"day {i}")
    standin.clock = lambda: datetime.now(timezone.utc)

    def bodies(**filters):
        return [m.body for m in channel.client.messages.list(to=TO, page_size=2, **filters)]

    assert bodies() == ["day 4", "day 3", "day 2", "day 1", "day 0"]  # newest first, over three pages
    assert bodies(date_sent_after=day_one + timedelta(days=3)) == ["day 4", "day 3"]  # on or after
    assert bodies(date_sent_before=day_one + timedelta(days=1)) == ["day 1", "day 0"]  # on or before
    listed = channel.client.messages.list(to=TO, limit=1)[0]
    assert listed.date_sent == (day_one + timedelta(days=4)).replace(microsecond=0)


def test_requests_without_basic_auth_get_401(standin):
    url = f"{standin.url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    data = "To=%2B1816&From=%2B1816&Body=hi".encode()
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=5)
    assert caught.value.code == 401 and json.load(caught.value)["code"] == 20003

    token = base64.b64encode(f"{ACCOUNT_SID}:tok".encode()).decode()
    request = urllib.request.Request(url, data=data, headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=5) as answer:
        assert answer.status == 201 and json.load(answer)["status"] == "queued"
    assert standin.bodies() == ["hi"]


def test_runs_as_its_own_process_and_records_json_lines(tmp_path):
    record = tmp_path / "sent.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.standin.twilio_api", "--port", "0", "--record", str(record)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=10), "the stand-in did not start"
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        channel = TwilioChannel(twilio_settings(url))
        sids = [channel.send(TO, f"multi {i}").provider_id for i in range(3)]

        lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
        assert [line["sid"] for line in lines] == sids
        assert [line["body"] for line in lines] == ["multi 0", "multi 1", "multi 2"]
        assert datetime.fromisoformat(lines[0]["received_at"]).tzinfo is not None
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=5) == 0
