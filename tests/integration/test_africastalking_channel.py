"""The Africa's Talking adapter against the local stand-in of its messaging API: no database, no mocks."""

from __future__ import annotations

import pytest

from bot.africastalking import AfricasTalking
from bot.outbound.channels import SendError
from bot.outbound.channels.africastalking import AfricasTalkingChannel
from bot.settings import Settings
from tests.standin import AfricasTalkingStandIn

TO = "+254711000123"


@pytest.fixture(scope="module")
def module_standin():
    with AfricasTalkingStandIn("knls", "at-key") as standin:
        yield standin


@pytest.fixture
def standin(module_standin):
    module_standin.clear()
    yield module_standin
    module_standin.clear()


def channel(standin, **changes) -> AfricasTalkingChannel:
    values = {
        "AFRICASTALKING_USERNAME": "knls",
        "AFRICASTALKING_API_KEY": "at-key",
        "AFRICASTALKING_FROM": "20880",
        "AFRICASTALKING_API_BASE": standin.url,
        "AFRICASTALKING_TIMEOUT": "2",
        **changes,
    }
    return AfricasTalkingChannel(AfricasTalking.of(Settings().with_overrides(values)))


def test_a_text_goes_from_the_short_code_and_returns_its_message_id(standin):
    sent = channel(standin).send(TO, "Karibu!")
    [got] = standin.sent_to(TO)
    assert got == {"to": TO, "from": "20880", "message": "Karibu!", "username": "knls", "message_id": sent.provider_id}
    assert sent.status == "sent"


def test_it_is_paced_per_short_code():
    config = AfricasTalking.of(Settings().with_overrides({"AFRICASTALKING_FROM": "20880"}))
    assert AfricasTalkingChannel(config).identity("sms") == "africastalking:20880"


def test_a_wrong_api_key_is_a_failure_not_retried(standin):
    with pytest.raises(SendError) as refused:
        channel(standin, AFRICASTALKING_API_KEY="nope").send(TO, "Karibu!")
    assert not refused.value.retry and refused.value.code == 401 and standin.messages == []


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_its_own_errors_are_retried(standin, status):
    standin.fail_with(status)
    with pytest.raises(SendError) as failed:
        channel(standin).send(TO, "Karibu!")
    assert failed.value.retry and not failed.value.opt_out


@pytest.mark.parametrize(
    ("code", "retry", "opt_out"), [(406, False, True), (409, False, True), (403, False, False), (500, True, False)]
)
def test_a_refused_recipient_says_why(standin, code, retry, opt_out):
    standin.refuse_with(code)
    with pytest.raises(SendError) as refused:
        channel(standin).send(TO, "Karibu!")
    assert (refused.value.code, refused.value.retry, refused.value.opt_out) == (code, retry, opt_out)


def test_a_stand_in_that_is_down_is_retried_and_surely_never_sent():
    with AfricasTalkingStandIn("knls", "at-key") as gone:
        url = gone.url
    dead = AfricasTalkingChannel(
        AfricasTalking.of(
            Settings().with_overrides(
                {"AFRICASTALKING_USERNAME": "knls", "AFRICASTALKING_API_KEY": "k", "AFRICASTALKING_API_BASE": url}
            )
        )
    )
    with pytest.raises(SendError) as failed:
        dead.send(TO, "Karibu!")
    assert failed.value.retry and not failed.value.unknown


def test_the_callback_key_is_compared_whole():
    config = AfricasTalking.of(Settings().with_overrides({"AFRICASTALKING_CALLBACK_KEY": "s3cret"}))
    assert config.key_ok("s3cret")
    assert not any(config.key_ok(k) for k in (None, "", "s3cre", "s3cret ", "S3CRET"))
    assert not AfricasTalking.of(Settings()).key_ok("")  # no key set: every callback is refused
    assert config.countries == ("KE",) and config.carries("+254711000123") and not config.carries("+18165550123")
