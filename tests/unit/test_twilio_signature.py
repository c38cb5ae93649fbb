"""``webhooks.twilio_signature.valid``: the SDK's check, with the URL as given tried first (one HMAC)."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from webhooks.twilio_signature import _Params, valid

TOKEN = "test-auth-token-0123456789abcdef"
URL = "https://circlebot.example.org/twilio/sms"
PARAMS = {"Body": "HELP", "From": "+18165550123", "MessageSid": "SM" + "0" * 32}


def params() -> _Params:
    return _Params({name: [value] for name, value in PARAMS.items()})


def signed(url: str, algorithm: str | None = None) -> str:
    return RequestValidator(TOKEN).compute_signature(url, PARAMS, algorithm)


def test_the_url_as_signed_passes_with_one_hmac(monkeypatch):
    signature, computed = signed(URL), []
    original = RequestValidator.compute_signature

    def counting(self, uri, params, algorithm=None):
        computed.append(uri)
        return original(self, uri, params, algorithm)

    monkeypatch.setattr(RequestValidator, "compute_signature", counting)
    assert valid(TOKEN, URL, params(), signature, None)
    assert computed == [URL]


def test_a_url_signed_with_its_port_still_passes_through_the_sdks_own_check():
    assert valid(TOKEN, URL, params(), signed("https://circlebot.example.org:443/twilio/sms"), None)


def test_sha256_from_the_settings_header():
    header = "key=webhooks_sharedkey_x,algorithm=HMAC_SHA256"
    assert valid(TOKEN, URL, params(), signed(URL, "HMAC_SHA256"), header)
    assert not valid(TOKEN, URL, params(), signed(URL), header)  # a SHA-1 signature under a SHA-256 header


@pytest.mark.parametrize(
    "token,url,signature,header",
    [
        (TOKEN, URL, "forged", None),
        (TOKEN, URL + "?x=1", None, None),  # another URL
        ("another-token", URL, None, None),
        ("", URL, None, None),
        (TOKEN, URL, "", None),
        (TOKEN, URL, None, "algorithm=HMAC_MD5"),  # an algorithm the SDK does not know
        (TOKEN, URL, "ünïcode", None),
    ],
)
def test_refused(token, url, signature, header):
    assert not valid(token, url, params(), signed(URL) if signature is None else signature, header)
