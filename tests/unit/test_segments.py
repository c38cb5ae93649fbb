"""Segment counting the way carriers count."""

import pytest

from bot.render import gsm, segments


@pytest.mark.parametrize(
    "text,encoding,segs",
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters cost two septets
        ("€" * 81, "GSM-7", 2),
        ("é" * 160, "GSM-7", 1),  # é is in the basic table
        ("á" * 70, "UCS-2", 1),
        ("á" * 71, "UCS-2", 2),
        ("a" * 159 + "’", "UCS-2", 3),  # one curly quote turns the whole text into UCS-2
        ("🙂" * 35, "UCS-2", 1),  # an emoji is two UTF-16 units
        ("🙂" * 36, "UCS-2", 2),
    ],
)
def test_count(text, encoding, segs):
    result = segments.count(text)
    assert (result.encoding, result.segments) == (encoding, segs)


def test_extension_character_is_never_split():
    assert segments.count("a" * 152 + "€" + "a" * 10).segments == 2
    assert segments.count("a" * 152 + "€" + "a" * 152).segments == 3  # 306 units, but € moves to part 2


def test_fold_every_sms_that_gsm7_can_carry_alike():
    short = "Dołącz do nas w środę"
    assert gsm.fit(short) == "Dolacz do nas w srode"  # one spelling in every SMS, short or long (issue 23)
    assert gsm.fit("Envía SÍ o NO. ¿Vienes? Añade señal") == "Envia SI o NO. ¿Vienes? Añade señal"  # ñ ¿ are GSM-7
    long = "Dołącz do nas w środę. " * 6
    assert gsm.fit(long) == ("Dolacz do nas w srode. " * 6)
    assert segments.is_gsm7(gsm.fit("“Quoted” — it’s fine… " * 5))
    emoji = "🙂 " * 60
    assert gsm.fit(emoji) == emoji
