"""Pictures with a text or instead of one (flows/media.py, and how the Twilio webhook counts them)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from flows import keys, media
from flows.inbound import SMS, Inbound
from flows.results import RelayToFacilitator, Reply, Result
from webhooks.twilio_sms import media_count

NOW = datetime(2027, 4, 6, 18, 0, tzinfo=timezone.utc)
RELAY = RelayToFacilitator("KC42", "look")
STATE = {"flow": "checkin", "step": "answer"}


def inbound(text: str, count: int) -> Inbound:
    return Inbound(SMS, "+18165550123", text, "MM1", NOW, media=count)


@pytest.mark.parametrize(
    "result, count, said",
    [
        (Result(None, (Reply(keys.RELAYED),), (RELAY,)), 0, [keys.RELAYED]),  # no picture: as it was
        (Result(None, (Reply(keys.RELAYED),), (RELAY,)), 1, [keys.MEDIA_RELAYED]),
        (Result(None, (Reply(keys.CHECKIN_RELAYED),), (RELAY,)), 2, [keys.MEDIA_RELAYED]),
        (Result(None, (Reply(keys.RELAY_HELD),), (RELAY,)), 1, [keys.MEDIA_NOT_PASSED, keys.RELAY_HELD]),
        (Result(STATE, (Reply(keys.CHECKIN_THANKS),)), 1, [keys.MEDIA_NOT_READ, keys.CHECKIN_THANKS]),
        (Result(None, (Reply(keys.STOP_CONFIRMED),)), 1, [keys.STOP_CONFIRMED]),  # the last text: nothing more
        (Result(None, ()), 1, []),  # nothing said: nothing added
    ],
)
def test_a_picture_with_a_text_is_never_said_to_be_passed_on(result, count, said):
    got = media.noted(result, inbound("look", count))
    assert [r.key for r in got.replies] == said
    assert got.state == result.state and got.effects == result.effects


def test_a_picture_alone_runs_no_flow_and_keeps_the_open_question():
    assert media.only_media(inbound("  ", 1)) and not media.only_media(inbound("hi", 1))
    assert not media.only_media(inbound("", 0))  # an empty text is an empty text
    got = media.text_only(STATE)
    assert got.state is STATE and [r.key for r in got.replies] == [keys.MEDIA_ONLY] and got.effects == ()


@pytest.mark.parametrize(
    "form, count",
    [
        ({"NumMedia": "0"}, 0),
        ({"NumMedia": "2", "MediaUrl0": "u", "MediaUrl1": "u"}, 2),
        ({"MediaUrl0": "u"}, 1),  # no NumMedia: the URLs say it
        ({"NumMedia": "x", "MediaUrl0": "u"}, 1),
        ({"NumMedia": "99999999999999999999"}, 0),  # not a number we read
        ({"NumMedia": "40"}, 10),  # Twilio's own limit
        ({}, 0),
    ],
)
def test_the_webhook_counts_pictures_from_twilios_fields(form, count):
    assert media_count(form) == count
