"""What a person types on the sign-in page becomes a phone (E.164), a Telegram chat id or username, or nothing."""

import pytest

from bot.domain import login


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("(816) 555-0100", ("phone", "+18165550100")),
        ("816-555-0100", ("phone", "+18165550100")),
        ("+44 20 7946 0958", ("phone", "+442079460958")),
        ("telegram:700123456", ("telegram", "700123456")),
        ("Telegram: 700123456", ("telegram", "700123456")),
        ("telegram:@someone", None),
        ("12", None),
        ("<script>", None),
        ("", None),
        ("9" * 10000, None),
        ("@KC_Librarian", ("username", "kc_librarian")),
        (" @kc_librarian ", ("username", "kc_librarian")),
        ("t.me/kc_librarian", ("username", "kc_librarian")),
        ("https://t.me/KC_Librarian", ("username", "kc_librarian")),
        ("@abc", None),
        ("@kc-librarian", None),
        ("@" + "x" * 40, None),
    ],
)
def test_normalize(typed, expected):
    assert login.normalize(typed, "US") == expected
